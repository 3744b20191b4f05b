with

source as (
    select * from {{ source('vendor', 'vendor_purchase_order_status') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        upper(trim(purchase_order_number)) as purchase_order_number,
        trim(item_sequence_number) as item_sequence_number,
        nullif(upper(trim(selling_party_id)), '') as vendor_code,
        nullif(trim(ship_to_party_id), '') as ship_to_party_id,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(vendor_sku), '') as vendor_sku,

        ---------- status
        upper(trim(purchase_order_status)) as purchase_order_status,
        nullif(upper(trim(confirmation_status)), '') as confirmation_status,
        nullif(upper(trim(receive_status)), '') as receive_status,

        ---------- quantities
        ordered_quantity,
        nullif(trim(ordered_unit_of_measure), '') as ordered_unit_of_measure,
        ordered_unit_size,
        cancelled_quantity,
        accepted_quantity,
        rejected_quantity,
        received_quantity,
        nullif(trim(received_unit_of_measure), '') as received_unit_of_measure,
        received_unit_size,

        ---------- money
        net_cost,
        list_price,
        nullif(upper(trim(currency)), '') as currency,

        ---------- timestamps (UTC)
        purchase_order_date as ordered_at,
        last_updated_at,
        acknowledged_at,
        last_receive_at,

        ---------- lineage
        source_page_sha256,
        source_index,
        fetched_at

    from source
)

select * from renamed
