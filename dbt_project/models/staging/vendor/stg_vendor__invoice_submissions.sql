with

source as (
    select * from {{ source('vendor', 'vendor_invoice_submissions') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        upper(trim(invoice_id)) as invoice_number,
        nullif(trim(marketplace_id), '') as marketplace_id,
        nullif(upper(trim(selling_party_id)), '') as vendor_code,
        nullif(trim(bill_to_party_id), '') as bill_to_party_id,
        nullif(trim(ship_to_party_id), '') as ship_to_party_id,
        upper(replace(purchase_order_numbers, ' ', '')) as purchase_order_numbers,
        item_count,

        ---------- terms
        nullif(trim(payment_terms_type), '') as payment_terms_type,
        discount_percent,
        discount_due_days,
        net_due_days,

        ---------- money
        invoice_total,
        upper(trim(currency)) as currency,

        ---------- dates and submission (UTC)
        invoice_date,
        built_at,
        submitted_at,
        nullif(trim(transaction_id), '') as transaction_id,
        nullif(trim(transaction_status), '') as transaction_status,
        nullif(trim(transaction_errors), '') as transaction_errors,
        status_checked_at,

        ---------- lineage
        payload_sha256

    from source
)

select * from renamed
