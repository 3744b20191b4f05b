with

source as (
    select * from {{ source('vendor', 'vendor_shipment_items') }}
),

renamed as (
    select
        trim(account_id) as account_id,
        trim(vendor_shipment_identifier) as shipment_id,
        version_id,
        upper(trim(purchase_order_number)) as purchase_order_number,
        trim(item_sequence_number) as item_sequence_number,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(vendor_sku), '') as vendor_sku,
        -- Cases are converted to eaches like PO quantities
        shipped_quantity * case when lower(trim(unit_of_measure)) = 'cases' then coalesce(unit_size, 1) else 1 end
            as shipped_quantity
    from source
)

select * from renamed
