-- Store x month x internal SKU x P&L line, in the settlement currency and the functional currency.
-- Fees booked against a SKU are 'direct'; fees without one are spread over the month's SKUs
-- ('allocated') or kept on '(unallocated)' when the store sold nothing that month. Balance-sheet lines
-- (reserves, transfers, sales tax) are left out. Cost of goods sold (issue 9: landed cost of the units sold less
-- those returned to stock, var cost_method, in the functional currency) adds a 'Cost of goods sold' row per store x
-- month x internal SKU once purchases.csv gives costs; gross profit is the Revenue section plus that line.
with

pnl_lines as (
    select * from {{ ref('pnl_lines') }}
),

ledger_pnl as (
    -- the ledger's rows, kept per store-month incrementally
    select
        store_id, posted_month as month, internal_sku, brand, category, pnl_line, pnl_section, pnl_sort_order,
        allocation_method, is_allocated, currency, amount, functional_currency, amount_functional, n_lines
    from {{ ref('int_pnl_ledger_monthly') }}
),

cogs as (
    select
        costed.store_id,
        cast({{ dbt.date_trunc('month', 'costed.movement_date') }} as date) as month,
        costed.internal_sku,
        sum(case when costed.movement_type = 'sale' then costed.value_moved else -1 * costed.value_moved end) as cogs,
        count(*) as n_lines
    from {{ ref('int_inventory_costed') }} as costed
    where costed.movement_type in ('sale', 'return') and costed.value_moved is not null
    group by costed.store_id, cast({{ dbt.date_trunc('month', 'costed.movement_date') }} as date), costed.internal_sku
),

sku_attributes as (
    select internal_sku, max(brand) as brand, max(category) as category
    from {{ ref('int_skus') }}
    group by internal_sku
)

select * from ledger_pnl

union all

select
    cogs.store_id,
    cogs.month,
    cogs.internal_sku,
    sku_attributes.brand,
    sku_attributes.category,
    pnl_lines.pnl_line,
    pnl_lines.pnl_section,
    pnl_lines.sort_order,
    'direct',
    false,
    '{{ var("functional_currency") | upper }}',
    cast(-1 * cogs.cogs as {{ money() }}),
    '{{ var("functional_currency") | upper }}',
    cast(-1 * cogs.cogs as {{ money() }}),
    cogs.n_lines
from cogs
inner join pnl_lines
    on pnl_lines.pnl_line = 'Cost of goods sold'
left join sku_attributes
    on sku_attributes.internal_sku = cogs.internal_sku
where cogs.cogs <> 0
