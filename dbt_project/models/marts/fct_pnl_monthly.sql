-- Store x month x internal SKU x P&L line, in the settlement currency and the functional currency.
-- Fees booked against a SKU are 'direct'; fees without one are spread over the month's SKUs
-- ('allocated') or kept on '(unallocated)' when the store sold nothing that month. Balance-sheet lines
-- (reserves, transfers, sales tax) are left out.
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
)

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
