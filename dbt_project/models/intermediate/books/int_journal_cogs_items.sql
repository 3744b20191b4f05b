{%- set functional = var('functional_currency') | upper -%}
-- Cost of goods sold, one entry per period (month of the movement): per store, 6401 主营业务成本 debited with
-- the cost of units sold less the cost of units returned to stock, the inventory account (var inventory_account,
-- {{ var('inventory_account') }}) credited, dated the last day of the month, in {{ functional }}. A sale with no
-- known cost posts nothing here and is listed in fct_inventory_exceptions.
with

moved as (
    select
        {{ period_of('movement_date') }} as period,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'movement_date'))) }} as date) as month_end,
        store_id,
        sum(case when movement_type = 'sale' then value_moved else -1 * value_moved end) as cost
    from {{ ref('int_inventory_costed') }}
    where movement_type in ('sale', 'return') and value_moved is not null
    group by {{ period_of('movement_date') }},
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'movement_date'))) }} as date),
        store_id
),

roles as (
    select * from {{ ref('int_cas_accounts') }} where source_kind = 'role'
)

select
    'cogs:' || moved.period as entry_id,
    moved.period,
    moved.month_end as posted_date,
    moved.store_id,
    roles.account_code,
    roles.memo_zh,
    '{{ functional }}' as currency,
    cast(case when roles.source_key = 'cogs' then moved.cost else -1 * moved.cost end as {{ money() }}) as amount_original,
    cast(1 as {{ money(8) }}) as fx_rate,
    moved.month_end as fx_rate_date,
    'identity' as fx_rate_source,
    cast(case when roles.source_key = 'cogs' then moved.cost else -1 * moved.cost end as {{ money() }}) as amount_functional
from moved
cross join roles
where roles.source_key in ('cogs', 'inventory') and moved.cost <> 0
