with

source as (
    select * from {{ source('vendor', 'vendor_remittances') }}
),

renamed as (
    select
        ---------- ids
        trim(payment_number) as payment_number,
        upper(trim(invoice_number)) as invoice_number,
        nullif(upper(trim(purchase_order_number)), '') as purchase_order_number,
        nullif(upper(trim(vendor_code)), '') as vendor_code,
        nullif(trim(marketplace), '') as marketplace,
        nullif(trim(invoice_description), '') as invoice_description,

        ---------- dates
        payment_date,
        invoice_date,

        ---------- money
        invoice_amount,
        amount_paid,
        discount_taken,
        remaining_amount,
        upper(trim(currency)) as currency,

        ---------- lineage
        source_file_sha256,
        source_sheet,
        source_line

    from source
)

select * from renamed
