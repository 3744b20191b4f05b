with

source as (
    select * from {{ source('vendor', 'vendor_purchase_orders') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        upper(trim(purchase_order_number)) as purchase_order_number,
        version_id,
        nullif(trim(marketplace_id), '') as marketplace_id,
        nullif(upper(trim(selling_party_id)), '') as vendor_code,
        nullif(trim(buying_party_id), '') as buying_party_id,
        nullif(trim(ship_to_party_id), '') as ship_to_party_id,
        nullif(trim(bill_to_party_id), '') as bill_to_party_id,

        ---------- state
        trim(purchase_order_state) as purchase_order_state,
        nullif(trim(purchase_order_type), '') as purchase_order_type,
        nullif(trim(payment_method), '') as payment_method,
        nullif(trim(deal_code), '') as deal_code,
        item_count,

        ---------- timestamps (UTC)
        purchase_order_date as ordered_at,
        purchase_order_changed_at as changed_at,
        purchase_order_state_changed_at as state_changed_at,
        ship_window_start,
        ship_window_end,
        delivery_window_start,
        delivery_window_end,

        ---------- lineage
        content_sha256,
        source_page_sha256,
        source_index,
        fetched_at

    from source
)

select * from renamed
