-- Per store: the latest store-local day its settlement data reaches (rules over recent activity look back from
-- it, so a store whose newest settlement is still to come is not judged on days it has no data for) and the day
-- deadlines, ages and expiries are measured on (var as_of, else today: the same day vendor aging uses).
with

today as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

latest as (
    select store_id, max(posted_date) as data_as_of
    from {{ ref('int_settlement_lines') }}
    group by store_id
)

select
    stores.store_id,
    stores.currency,
    stores.time_zone,
    stores.marketplace_id,
    stores.marketplace_name,
    coalesce(latest.data_as_of, today.as_of_date) as data_as_of,
    today.as_of_date as today
from {{ ref('int_stores') }} as stores
left join latest
    on latest.store_id = stores.store_id
cross join today
