-- The stores ACORN knows, with where each definition came from and its settlement activity.
with

activity as (
    select
        store_id,
        count(*) as n_settlements,
        min(period_start) as first_period_start,
        max(period_end) as last_period_end
    from {{ ref('int_settlements') }}
    group by store_id
)

select
    stores.store_id,
    stores.seller_id,
    stores.marketplace_id,
    stores.marketplace_name,
    stores.currency,
    stores.time_zone,
    stores.store_source,
    coalesce(activity.n_settlements, 0) as n_settlements,
    activity.first_period_start,
    activity.last_period_end
from {{ ref('int_stores') }} as stores
left join activity
    on activity.store_id = stores.store_id
