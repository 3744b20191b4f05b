{%- set functional = var('functional_currency') | upper -%}
-- Cost of goods sold per internal SKU x month in {{ functional }} (var cost_method): units sold and returned to
-- stock, their cost, and net COGS (what the journal debits to 6401 for the SKU). Units sold with no known cost are
-- counted, not costed (fct_inventory_exceptions lists them).
select
    internal_sku,
    {{ period_of('movement_date') }} as month,
    cast(sum(case when movement_type = 'sale' then quantity else 0 end) as integer) as units_sold,
    cast(sum(case when movement_type = 'return' then quantity else 0 end) as integer) as units_returned,
    cast(sum(case when movement_type = 'sale' then coalesce(value_moved, 0) else 0 end) as {{ money() }}) as cost_of_units_sold,
    cast(sum(case when movement_type = 'return' then coalesce(value_moved, 0) else 0 end) as {{ money() }}) as cost_of_units_returned,
    cast(sum(case when movement_type = 'sale' then coalesce(value_moved, 0) when movement_type = 'return' then -1 * coalesce(value_moved, 0) else 0 end) as {{ money() }}) as cogs,
    cast(sum(case when movement_type = 'sale' and value_moved is null then quantity else 0 end) as integer) as units_without_cost,
    cast(sum(case when movement_type = 'sale' and qty_after < 0 then 1 else 0 end) as integer) as n_negative_stock_sales,
    '{{ var("cost_method") }}' as cost_method,
    '{{ functional }}' as functional_currency
from {{ ref('int_inventory_costed') }}
where movement_type in ('sale', 'return')
group by internal_sku, {{ period_of('movement_date') }}
