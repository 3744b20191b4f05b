{%- set functional = var('functional_currency') | upper -%}
-- Cost of goods sold, one entry per period (month of the movement): per store, 6401 主营业务成本 debited with
-- the cost of units sold less the cost of units returned to stock, the inventory account (var inventory_account,
-- {{ var('inventory_account') }}) credited, dated the last day of the month, in {{ functional }}. A sale with no
-- known cost posts nothing here and is listed in fct_inventory_exceptions. When refunded units are written off
-- instead of restocked (var refund_restock false), the same entry moves their sales' cost from 6401 to 6711.
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

refunds_written_off as (
    select
        {{ period_of('movement_date') }} as period,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'movement_date'))) }} as date) as month_end,
        store_id,
        sum(value_written_off) as cost
    from {{ ref('int_inventory_refund_write_offs') }}
    group by {{ period_of('movement_date') }},
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'movement_date'))) }} as date),
        store_id
),

roles as (
    select * from {{ ref('int_cas_accounts') }} where source_kind = 'role'
),

postings as (
    select moved.period, moved.month_end, moved.store_id, roles.account_code, roles.memo_zh,
        case when roles.source_key = 'cogs' then moved.cost else -1 * moved.cost end as amount
    from moved
    cross join roles
    where roles.source_key in ('cogs', 'inventory') and moved.cost <> 0
    union all
    select refunds_written_off.period, refunds_written_off.month_end, refunds_written_off.store_id, roles.account_code,
        roles.memo_zh, case when roles.source_key = 'refund_write_off' then refunds_written_off.cost else -1 * refunds_written_off.cost end
    from refunds_written_off
    cross join roles
    where roles.source_key in ('refund_write_off', 'cogs') and refunds_written_off.cost <> 0
)

select
    'cogs:' || period as entry_id,
    period,
    month_end as posted_date,
    store_id,
    account_code,
    memo_zh,
    '{{ functional }}' as currency,
    cast(amount as {{ money() }}) as amount_original,
    cast(1 as {{ money(8) }}) as fx_rate,
    month_end as fx_rate_date,
    'identity' as fx_rate_source,
    cast(amount as {{ money() }}) as amount_functional
from postings
