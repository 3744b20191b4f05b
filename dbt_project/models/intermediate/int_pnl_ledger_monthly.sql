{{ config(
    materialized=incremental_materialization(),
    unique_key=store_month_key(),
    post_hook="{{ delete_stale_store_months(ref('int_ledger_store_months')) }}",
) }}
-- The ledger's part of fct_pnl_monthly: store x month x internal SKU x P&L line, direct and allocated, kept
-- incrementally per store-month (a store-month is redone when its lines' digest changes). Cost of goods sold is
-- added in fct_pnl_monthly, since a late purchase or sale moves the cost of every later month.
with

pnl_lines as (
    select * from {{ ref('pnl_lines') }}
),

direct as (
    select
        ledger.store_id,
        ledger.posted_month,
        coalesce(ledger.sku, '(none)') as sku,
        ledger.pnl_line,
        'direct' as allocation_method,
        ledger.amount,
        ledger.currency,
        ledger.amount_functional,
        ledger.functional_currency,
        digests.store_month_digest
    from {{ ref('int_ledger_lines') }} as ledger
    inner join {{ ref('int_ledger_store_months') }} as digests
        on {{ same_store_month('digests', 'ledger') }}
    where not (ledger.allocate and ledger.sku is null)
    {% if is_incremental() %}
        and {{ store_month_changed('digests') }}
    {% endif %}
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
        functional_currency,
        store_month_digest
    from {{ ref('int_fee_allocations') }} as allocations
    {% if is_incremental() %}
    where {{ store_month_changed('allocations') }}
    {% endif %}
),

unioned as (
    select * from direct
    union all
    select * from allocated
)

select
    unioned.store_id,
    unioned.posted_month,
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
    count(*) as n_lines,
    unioned.store_month_digest
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
    unioned.functional_currency,
    unioned.store_month_digest
