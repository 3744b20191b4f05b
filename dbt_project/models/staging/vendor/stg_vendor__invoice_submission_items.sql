with

source as (
    select * from {{ source('vendor', 'vendor_invoice_submission_items') }}
),

renamed as (
    select
        trim(account_id) as account_id,
        upper(trim(invoice_id)) as invoice_number,
        item_sequence_number,
        upper(trim(purchase_order_number)) as purchase_order_number,
        nullif(trim(po_item_sequence_number), '') as po_item_sequence_number,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(vendor_sku), '') as vendor_sku,
        invoiced_quantity,
        net_cost,
        amount,
        upper(trim(currency)) as currency

    from source
)

select * from renamed
