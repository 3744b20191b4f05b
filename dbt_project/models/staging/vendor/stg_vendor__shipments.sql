with

source as (
    select * from {{ source('vendor', 'vendor_shipments') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        trim(vendor_shipment_identifier) as shipment_id,
        version_id,
        nullif(trim(buyer_reference_number), '') as buyer_reference_number,
        coalesce(nullif(trim(transaction_type), ''), 'New') as transaction_type,
        nullif(upper(trim(selling_party_id)), '') as vendor_code,
        nullif(upper(trim(ship_to_party_id)), '') as ship_to_party_id,

        ---------- status and dates (UTC)
        nullif(trim(current_shipment_status), '') as shipment_status,
        current_shipment_status_at as shipment_status_at,
        shipment_created_at,
        shipment_confirmed_at,
        shipped_at,
        estimated_delivery_at,
        delivered_at,

        ---------- containers
        coalesce(carton_count, 0) as carton_count,
        coalesce(pallet_count, 0) as pallet_count,

        ---------- lineage
        fetched_at,
        source_page_sha256

    from source
)

select * from renamed
