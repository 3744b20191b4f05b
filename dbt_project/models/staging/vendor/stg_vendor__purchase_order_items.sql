with

source as (
    select * from {{ source('vendor', 'vendor_purchase_order_items') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        upper(trim(purchase_order_number)) as purchase_order_number,
        version_id,
        trim(item_sequence_number) as item_sequence_number,
        nullif(upper(trim(asin)), '') as asin,
        nullif(trim(vendor_sku), '') as vendor_sku,

        ---------- quantities
        ordered_quantity,
        nullif(trim(unit_of_measure), '') as unit_of_measure,
        unit_size,
        is_back_order_allowed,
        coalesce(lower(trim(item_state)) = 'cancelled', false) as is_cancelled,

        ---------- money
        net_cost,
        nullif(upper(trim(net_cost_unit_of_measure)), '') as net_cost_unit_of_measure,
        list_price,
        nullif(upper(trim(currency)), '') as currency,

        ---------- lineage
        source_page_sha256

    from source
)

select * from renamed
