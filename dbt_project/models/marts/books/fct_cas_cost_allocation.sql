{%- set functional = var('functional_currency') | upper -%}
{%- set fee_columns = [
    ('platform_commission', '6601.01'),
    ('fba_fulfilment_fees', '6601.02'),
    ('storage_fees', '6601.03'),
    ('advertising_fees', '6601.04'),
    ('subscription_fees', '6601.05'),
] -%}
{%- set revenue_categories = "'product_sales', 'direct_payment', 'shipping_income', 'promotion', 'refund', 'chargeback', 'a_to_z_claim'" -%}
-- 成本分摊表: internal SKU x month x store (with brand and category), in {{ functional }}: units sold and returned,
-- net revenue (revenue accounts), COGS (var cost_method), the selling-expense sub-accounts charged to the SKU
-- directly (fees positive), the account-level fees (storage, subscription, advertising without a SKU) allocated
-- to it by var allocation_driver (int_fee_allocations, at the ledger's rates), then gross profit (net revenue -
-- COGS), gross margin, and the contribution after all fees.
with

accounts as (
    select * from {{ ref('int_cas_accounts') }}
),

chart as (
    select * from {{ ref('cas_chart_of_accounts') }}
),

movements as (
    select
        store_id,
        {{ period_of('movement_date') }} as month,
        internal_sku,
        sum(case when movement_type = 'sale' then quantity else 0 end) as units_sold,
        sum(case when movement_type = 'return' then quantity else 0 end) as units_returned,
        sum(case when movement_type = 'sale' then coalesce(value_moved, 0) when movement_type = 'return' then -1 * coalesce(value_moved, 0) else 0 end) as cogs,
        sum(case when movement_type = 'sale' and value_moved is null then quantity else 0 end) as units_without_cost
    from {{ ref('int_inventory_costed') }}
    where movement_type in ('sale', 'return')
    group by store_id, {{ period_of('movement_date') }}, internal_sku
),

direct as (
    select
        items.store_id,
        items.period as month,
        coalesce(items.internal_sku, '(none)') as internal_sku,
        items.account_code,
        items.fee_category,
        chart.account_type,
        items.amount_functional
    from {{ ref('int_journal_settlement_items') }} as items
    inner join chart
        on chart.account_code = items.account_code
    where not items.is_receivable
        and not (items.allocate and items.sku is null)
        and chart.account_type in ('revenue', 'expense')
),

allocated as (
    select
        allocations.store_id,
        {{ period_of('allocations.posted_month') }} as month,
        coalesce(skus.internal_sku, allocations.sku) as internal_sku,
        -1 * allocations.amount_functional as allocated_fee,
        allocations.allocation_driver
    from {{ ref('int_fee_allocations') }} as allocations
    left join {{ ref('int_skus') }} as skus
        on {{ null_safe_equal('skus.store_id', 'allocations.store_id') }}
        and skus.sku = allocations.sku
),

keys as (
    select store_id, month, internal_sku from movements
    union
    select store_id, month, internal_sku from direct
    union
    select store_id, month, internal_sku from allocated
),

direct_totals as (
    select
        store_id, month, internal_sku,
        -1 * sum(case when fee_category in ({{ revenue_categories }}) then amount_functional else 0 end) as net_revenue,
        {%- for name, code in fee_columns %}
        sum(case when account_code = '{{ code }}' then amount_functional else 0 end) as {{ name }},
        {%- endfor %}
        sum(case when account_type = 'expense' and account_code not in ('{{ fee_columns | map(attribute=1) | join("', '") }}')
            then amount_functional else 0 end) as other_selling_expenses
    from direct
    group by store_id, month, internal_sku
),

allocated_totals as (
    select store_id, month, internal_sku, sum(allocated_fee) as allocated_fees, max(allocation_driver) as allocation_driver
    from allocated
    group by store_id, month, internal_sku
),

skus as (
    select internal_sku, max(brand) as brand, max(category) as category
    from {{ ref('int_skus') }}
    group by internal_sku
),

joined as (
    select
        keys.store_id,
        keys.month,
        keys.internal_sku,
        skus.brand,
        skus.category,
        coalesce(movements.units_sold, 0) as units_sold,
        coalesce(movements.units_returned, 0) as units_returned,
        coalesce(movements.units_without_cost, 0) as units_without_cost,
        cast(coalesce(direct_totals.net_revenue, 0) as {{ money() }}) as net_revenue,
        cast(coalesce(movements.cogs, 0) as {{ money() }}) as cogs,
        {%- for name, code in fee_columns %}
        cast(coalesce(direct_totals.{{ name }}, 0) as {{ money() }}) as {{ name }},
        {%- endfor %}
        cast(coalesce(direct_totals.other_selling_expenses, 0) as {{ money() }}) as other_selling_expenses,
        cast(coalesce(allocated_totals.allocated_fees, 0) as {{ money() }}) as allocated_fees,
        coalesce(allocated_totals.allocation_driver, '{{ var("allocation_driver") }}') as allocation_driver
    from keys
    left join movements
        on movements.store_id = keys.store_id and movements.month = keys.month and movements.internal_sku = keys.internal_sku
    left join direct_totals
        on direct_totals.store_id = keys.store_id and direct_totals.month = keys.month and direct_totals.internal_sku = keys.internal_sku
    left join allocated_totals
        on allocated_totals.store_id = keys.store_id and allocated_totals.month = keys.month and allocated_totals.internal_sku = keys.internal_sku
    left join skus
        on skus.internal_sku = keys.internal_sku
)

select
    *,
    cast(net_revenue - cogs as {{ money() }}) as gross_profit,
    cast({{ quotient('net_revenue - cogs', 'net_revenue', 4, 2) }} as {{ money(4) }}) as gross_margin,
    cast(net_revenue - cogs
        {%- for name, code in fee_columns %} - {{ name }}{% endfor %} - other_selling_expenses - allocated_fees as {{ money() }}) as contribution,
    '{{ var("cost_method") }}' as cost_method,
    '{{ functional }}' as functional_currency
from joined
