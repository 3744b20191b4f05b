{%- set functional = var('functional_currency') | upper -%}
-- 进销存: internal SKU x month, every month from the SKU's first movement to the last month with any movement:
-- opening, purchased, sold, returned, written off (lost or damaged in Amazon's warehouses) and closing quantity
-- and value in {{ functional }} (landed cost; var cost_method). Closing = opening + purchased - sold + returned -
-- written off, in quantity and in value.
with

costed as (
    select *, cast({{ dbt.date_trunc('month', 'movement_date') }} as date) as month_start
    from {{ ref('int_inventory_costed') }}
),

bounds as (
    select min(month_start) as first_month, max(month_start) as last_month from costed
),

months as (
    select cast({{ dbt.dateadd('month', 'integers.n', 'bounds.first_month') }} as date) as month_start
    from ({{ integers(3) }}) as integers
    cross join bounds
    where integers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

skus as (
    select internal_sku, min(month_start) as first_month from costed group by internal_sku
),

monthly as (
    select
        internal_sku,
        month_start,
        sum(case when movement_type = 'purchase' then quantity else 0 end) as purchased_qty,
        sum(case when movement_type = 'purchase' then value_moved else 0 end) as purchased_value,
        sum(case when movement_type = 'sale' then quantity else 0 end) as sold_qty,
        sum(case when movement_type = 'sale' then coalesce(value_moved, 0) else 0 end) as sold_value,
        sum(case when movement_type = 'return' then quantity else 0 end) as returned_qty,
        sum(case when movement_type = 'return' then coalesce(value_moved, 0) else 0 end) as returned_value,
        sum(case when movement_type = 'write_off' then quantity else 0 end) as written_off_qty,
        sum(case when movement_type = 'write_off' then coalesce(value_moved, 0) else 0 end) as written_off_value
    from costed
    group by internal_sku, month_start
),

grid as (
    select
        skus.internal_sku,
        months.month_start,
        coalesce(monthly.purchased_qty, 0) as purchased_qty,
        coalesce(monthly.purchased_value, 0) as purchased_value,
        coalesce(monthly.sold_qty, 0) as sold_qty,
        coalesce(monthly.sold_value, 0) as sold_value,
        coalesce(monthly.returned_qty, 0) as returned_qty,
        coalesce(monthly.returned_value, 0) as returned_value,
        coalesce(monthly.written_off_qty, 0) as written_off_qty,
        coalesce(monthly.written_off_value, 0) as written_off_value
    from skus
    inner join months
        on months.month_start >= skus.first_month
    left join monthly
        on monthly.internal_sku = skus.internal_sku
        and monthly.month_start = months.month_start
),

running as (
    select
        grid.*,
        sum(purchased_qty - sold_qty + returned_qty - written_off_qty) over (
            partition by internal_sku order by month_start rows between unbounded preceding and current row) as closing_qty,
        sum(purchased_value - sold_value + returned_value - written_off_value) over (
            partition by internal_sku order by month_start rows between unbounded preceding and current row) as closing_value
    from grid
)

select
    internal_sku,
    {{ period_of('month_start') }} as month,
    cast(closing_qty - purchased_qty + sold_qty - returned_qty + written_off_qty as integer) as opening_qty,
    cast(closing_value - purchased_value + sold_value - returned_value + written_off_value as {{ money() }}) as opening_value,
    cast(purchased_qty as integer) as purchased_qty,
    cast(purchased_value as {{ money() }}) as purchased_value,
    cast(sold_qty as integer) as sold_qty,
    cast(sold_value as {{ money() }}) as sold_value,
    cast(returned_qty as integer) as returned_qty,
    cast(returned_value as {{ money() }}) as returned_value,
    cast(written_off_qty as integer) as written_off_qty,
    cast(written_off_value as {{ money() }}) as written_off_value,
    cast(closing_qty as integer) as closing_qty,
    cast(closing_value as {{ money() }}) as closing_value,
    closing_qty < 0 as is_negative_stock,
    '{{ var("cost_method") }}' as cost_method,
    '{{ functional }}' as functional_currency
from running
