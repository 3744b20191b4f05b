with

source as (
    select * from {{ source('vendor', 'vendor_shipment_exports') }}
),

renamed as (
    select
        trim(shipment_id) as shipment_id,
        upper(trim(purchase_order_number)) as purchase_order_number,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(vendor_sku), '') as vendor_sku,
        shipped_quantity,
        coalesce(carton_count, 0) as carton_count,
        ship_date,
        estimated_delivery_date,
        delivery_date,
        nullif(trim(shipment_status), '') as shipment_status,
        nullif(upper(trim(vendor_code)), '') as vendor_code,
        nullif(upper(trim(ship_to)), '') as ship_to_party_id,
        source_file_sha256,
        source_sheet,
        source_line
    from source
)

select * from renamed
