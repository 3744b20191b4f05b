with

source as (
    select * from {{ source('vendor', 'vendor_invoices') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        trim(marketplace_id) as marketplace_id,
        trim(invoice_identifier) as invoice_identifier,
        upper(trim(invoice_number)) as invoice_number,
        nullif(trim(payer_partner_id), '') as payer_partner_id,
        nullif(upper(trim(payer_partner_type)), '') as payer_partner_type,
        nullif(trim(payer_name), '') as payer_name,
        nullif(upper(trim(payee_partner_id)), '') as payee_partner_id,
        nullif(upper(trim(payee_partner_type)), '') as payee_partner_type,
        nullif(trim(payee_name), '') as payee_name,
        nullif(upper(trim(payee_entities)), '') as payee_entities,

        ---------- status and terms
        upper(trim(invoice_status)) as invoice_status,
        upper(trim(invoice_type)) as invoice_type,
        nullif(trim(payment_terms), '') as payment_terms,

        ---------- money
        invoice_amount,
        upper(trim(currency)) as currency,

        ---------- timestamps (UTC)
        issued_at,
        due_at,
        created_at,
        billing_period_start,
        billing_period_end,
        last_updated_at,

        ---------- lineage
        from_get_invoice,
        source_page_sha256,
        source_index,
        fetched_at

    from source
)

select * from renamed
