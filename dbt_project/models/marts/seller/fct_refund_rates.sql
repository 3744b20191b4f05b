-- Refund rate per store and week (grain 'store', sku null) and per store, SKU and week (grain 'sku'), against its
-- own trailing four-week baseline. Units sold are Order Principal quantities, units refunded Refund Principal
-- quantities, both on their store-local posting week (weeks start on Monday). The baseline pools the four weeks
-- before: refunded units / sold units over weeks week_start - 28 .. week_start - 1.
with

units as (
    select
        store_id,
        sku,
        currency,
        cast({{ dbt.date_trunc('week', 'posted_date') }} as date) as week_start,
        sum(case when transaction_type = 'Order' then coalesce(quantity, 0) else 0 end) as units_sold,
        sum(case when transaction_type = 'Refund' then coalesce(quantity, 0) else 0 end) as units_refunded,
        sum(case when transaction_type = 'Refund' then -amount else 0 end) as principal_refunded
    from {{ ref('int_settlement_lines') }}
    where amount_type = 'ItemPrice' and amount_description = 'Principal'
        and transaction_type in ('Order', 'Refund')
    group by store_id, sku, currency, cast({{ dbt.date_trunc('week', 'posted_date') }} as date)
),

weeks as (
    select 'store' as grain, store_id, cast(null as {{ dbt.type_string() }}) as sku, currency, week_start,
           sum(units_sold) as units_sold, sum(units_refunded) as units_refunded,
           sum(principal_refunded) as principal_refunded
    from units
    group by store_id, currency, week_start
    union all
    select 'sku' as grain, store_id, sku, currency, week_start, units_sold, units_refunded, principal_refunded
    from units
),

baselines as (
    select
        weeks.grain,
        weeks.store_id,
        weeks.sku,
        weeks.week_start,
        sum(earlier.units_sold) as baseline_units_sold,
        sum(earlier.units_refunded) as baseline_units_refunded,
        count(earlier.week_start) as baseline_weeks
    from weeks
    inner join weeks as earlier
        on earlier.grain = weeks.grain
        and earlier.store_id = weeks.store_id
        and coalesce(earlier.sku, '') = coalesce(weeks.sku, '')
        and earlier.week_start >= cast({{ dbt.dateadd('day', -28, 'weeks.week_start') }} as date)
        and earlier.week_start < weeks.week_start
    group by weeks.grain, weeks.store_id, weeks.sku, weeks.week_start
),

rated as (
    select
        weeks.*,
        cast({{ dbt.dateadd('day', 6, 'weeks.week_start') }} as date) as week_end,
        case when weeks.units_sold > 0
            then cast(weeks.units_refunded as {{ double_type() }}) / weeks.units_sold end as refund_rate,
        coalesce(baselines.baseline_units_sold, 0) as baseline_units_sold,
        coalesce(baselines.baseline_units_refunded, 0) as baseline_units_refunded,
        coalesce(baselines.baseline_weeks, 0) as baseline_weeks,
        case when baselines.baseline_units_sold > 0
            then cast(baselines.baseline_units_refunded as {{ double_type() }}) / baselines.baseline_units_sold end as baseline_refund_rate
    from weeks
    left join baselines
        on baselines.grain = weeks.grain
        and baselines.store_id = weeks.store_id
        and coalesce(baselines.sku, '') = coalesce(weeks.sku, '')
        and baselines.week_start = weeks.week_start
)

select
    rated.*,
    case when rated.baseline_refund_rate > 0
        then cast(rated.refund_rate / rated.baseline_refund_rate - 1 as {{ money(4) }}) end as change_vs_baseline
from rated
