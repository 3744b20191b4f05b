with

source as (
    select * from {{ source('spapi', 'financial_events') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        row_id,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(group_id), '') as group_id,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(seller_order_id), '') as seller_order_id,
        nullif(trim(promotion_id), '') as promotion_id,

        ---------- classification
        event_list,
        event_type,
        known_list,
        amount_path,
        amount_kind,
        amount_type,
        amount_role,
        is_adjustment,
        nullif(trim(description), '') as description,
        nullif(trim(marketplace), '') as marketplace,

        ---------- product
        nullif(trim(sku), '') as sku,
        quantity,

        ---------- money
        amount,
        upper(trim(currency)) as currency,

        ---------- time (UTC)
        posted_at,

        ---------- lineage
        window_start,
        window_end,
        source_page_sha256

    from source
)

select * from renamed
