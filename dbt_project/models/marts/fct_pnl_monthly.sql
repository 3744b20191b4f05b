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

direct as (
    select
        store_id,
        posted_month,
        coalesce(sku, '(none)') as sku,
        pnl_line,
        'direct' as allocation_method,
        amount,
        currency,
        amount_functional,
        functional_currency
    from {{ ref('int_ledger_lines') }}
    where not (allocate and sku is null)
),

allocated as (
    select
        store_id,
        posted_month,
        sku,
        pnl_line,
        allocation_method,
        amount,
        currency,
        amount_functional,
        functional_currency
    from {{ ref('int_fee_allocations') }}
),

unioned as (
    select * from direct
    union all
    select * from allocated
),

ledger_pnl as (
    select
        unioned.store_id,
        unioned.posted_month as month,
        coalesce(skus.internal_sku, unioned.sku) as internal_sku,
        skus.brand,
        skus.category,
        unioned.pnl_line,
        pnl_lines.pnl_section,
        pnl_lines.sort_order as pnl_sort_order,
        unioned.allocation_method,
        unioned.allocation_method <> 'direct' as is_allocated,
        unioned.currency,
        sum(unioned.amount) as amount,
        unioned.functional_currency,
        sum(unioned.amount_functional) as amount_functional,
        count(*) as n_lines
    from unioned
    inner join pnl_lines
        on pnl_lines.pnl_line = unioned.pnl_line
        and pnl_lines.in_pnl
    left join {{ ref('int_skus') }} as skus
        on {{ null_safe_equal('skus.store_id', 'unioned.store_id') }}
        and skus.sku = unioned.sku
    group by
        unioned.store_id,
        unioned.posted_month,
        coalesce(skus.internal_sku, unioned.sku),
        skus.brand,
        skus.category,
        unioned.pnl_line,
        pnl_lines.pnl_section,
        pnl_lines.sort_order,
        unioned.allocation_method,
        unioned.currency,
        unioned.functional_currency
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
