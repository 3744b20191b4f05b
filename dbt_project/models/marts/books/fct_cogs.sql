{%- set functional = var('functional_currency') | upper -%}
-- Cost of goods sold per internal SKU x month in {{ functional }} (var cost_method): units sold and returned to
-- stock, their cost, the cost of refunded units written off instead of restocked (var refund_restock false), and
-- net COGS (what the journal debits to 6401 for the SKU). Units sold with no known cost are counted, not costed
-- (fct_inventory_exceptions lists them).
with

movements as (
    select
        internal_sku,
        {{ period_of('movement_date') }} as month,
        sum(case when movement_type = 'sale' then quantity else 0 end) as units_sold,
        sum(case when movement_type = 'return' then quantity else 0 end) as units_returned,
        sum(case when movement_type = 'sale' then coalesce(value_moved, 0) else 0 end) as cost_of_units_sold,
        sum(case when movement_type = 'return' then coalesce(value_moved, 0) else 0 end) as cost_of_units_returned,
        sum(case when movement_type = 'sale' and value_moved is null then quantity else 0 end) as units_without_cost,
        sum(case when movement_type = 'sale' and qty_after < 0 then 1 else 0 end) as n_negative_stock_sales
    from {{ ref('int_inventory_costed') }}
    where movement_type in ('sale', 'return')
    group by internal_sku, {{ period_of('movement_date') }}
),

refunds_written_off as (
    select internal_sku, {{ period_of('movement_date') }} as month, sum(value_written_off) as cost
    from {{ ref('int_inventory_refund_write_offs') }}
    group by internal_sku, {{ period_of('movement_date') }}
),

combined as (
    select
        coalesce(movements.internal_sku, refunds_written_off.internal_sku) as internal_sku,
        coalesce(movements.month, refunds_written_off.month) as month,
        coalesce(movements.units_sold, 0) as units_sold,
        coalesce(movements.units_returned, 0) as units_returned,
        coalesce(movements.cost_of_units_sold, 0) as cost_of_units_sold,
        coalesce(movements.cost_of_units_returned, 0) as cost_of_units_returned,
        coalesce(refunds_written_off.cost, 0) as cost_of_refunds_written_off,
        coalesce(movements.units_without_cost, 0) as units_without_cost,
        coalesce(movements.n_negative_stock_sales, 0) as n_negative_stock_sales
    from movements
    full outer join refunds_written_off
        on refunds_written_off.internal_sku = movements.internal_sku
        and refunds_written_off.month = movements.month
)

select
    internal_sku,
    month,
    cast(units_sold as integer) as units_sold,
    cast(units_returned as integer) as units_returned,
    cast(cost_of_units_sold as {{ money() }}) as cost_of_units_sold,
    cast(cost_of_units_returned as {{ money() }}) as cost_of_units_returned,
    cast(cost_of_refunds_written_off as {{ money() }}) as cost_of_refunds_written_off,
    cast(cost_of_units_sold - cost_of_units_returned - cost_of_refunds_written_off as {{ money() }}) as cogs,
    cast(units_without_cost as integer) as units_without_cost,
    cast(n_negative_stock_sales as integer) as n_negative_stock_sales,
    '{{ var("cost_method") }}' as cost_method,
    '{{ functional }}' as functional_currency
from combined
