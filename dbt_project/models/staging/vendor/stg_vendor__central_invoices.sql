with

source as (
    select * from {{ source('vendor', 'vendor_central_invoices') }}
),

renamed as (
    select
        ---------- ids
        upper(trim(invoice_number)) as invoice_number,
        nullif(upper(trim(purchase_order_number)), '') as purchase_order_number,
        nullif(upper(trim(vendor_code)), '') as vendor_code,
        nullif(trim(marketplace), '') as marketplace,

        ---------- status and terms
        nullif(trim(invoice_status), '') as invoice_status,
        nullif(trim(payment_terms), '') as payment_terms,

        ---------- dates
        invoice_date,
        due_date,

        ---------- money
        invoice_amount,
        amount_paid,
        upper(trim(currency)) as currency,

        ---------- lineage
        source_file_sha256,
        source_sheet,
        source_line

    from source
)

select * from renamed
