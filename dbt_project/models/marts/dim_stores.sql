-- The stores ACORN knows, with where each definition came from and its settlement activity. A store
-- derived from a marketplace no configured store covers (int_settlements) is listed unconfigured, so
-- the data-quality page can ask for its stores.csv row.
with

activity as (
    select
        store_id,
        count(*) as n_settlements,
        min(period_start) as first_period_start,
        max(period_end) as last_period_end
    from {{ ref('int_settlements') }}
    group by store_id
),

derived as (
    select
        store_id,
        min(derived_marketplace_name) as marketplace_name,
        min(currency) as currency,
        min(time_zone) as time_zone
    from {{ ref('int_settlements') }}
    where store_assignment = 'derived'
        and store_id not in (select store_id from {{ ref('int_stores') }})
    group by store_id
),

stores as (
    select
        store_id, seller_id, marketplace_id, marketplace_name, currency, time_zone, store_source,
        true as is_configured
    from {{ ref('int_stores') }}
    union all
    select
        derived.store_id,
        cast(null as {{ dbt.type_string() }}) as seller_id,
        marketplaces.marketplace_id,
        derived.marketplace_name,
        derived.currency,
        derived.time_zone,
        'derived' as store_source,
        false as is_configured
    from derived
    left join {{ ref('int_vendor_marketplaces') }} as marketplaces
        on marketplaces.marketplace_key = lower(derived.marketplace_name)
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
    activity.last_period_end,
    stores.is_configured
from stores
left join activity
    on activity.store_id = stores.store_id
