{%- set functional = var('functional_currency') | upper -%}
-- CAS 19 period-end revaluation: at each month end whose closing rate is published, every monetary balance in a
-- foreign currency (asset and liability accounts of the chart except inventory, per account x store x currency)
-- is restated at the closing rate; the difference from its carrying amount in {{ functional }} is an unrealized
-- exchange difference (6603.01), reversed on the first day of the next month (when the journal reaches it), so
-- carrying amounts and realized differences stay measured from the original rates.
with

items as (
    select * from {{ ref('int_journal_items') }}
),

monetary as (
    select account_code
    from {{ ref('cas_chart_of_accounts') }}
    where is_leaf
        and account_type in ('asset', 'liability')
        and account_code <> '{{ var("inventory_account") }}'
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(entry_date)') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'max(entry_date)') }} as date) as last_month
    from items
),

months as (
    select cast({{ dbt.dateadd('month', 'integers.n', 'bounds.first_month') }} as date) as month_start
    from ({{ integers(3) }}) as integers
    cross join bounds
    where integers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

month_ends as (
    select
        month_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date) as month_end,
        cast({{ dbt.dateadd('month', 1, 'month_start') }} as date) as next_month_start
    from months
),

keys as (
    select distinct items.account_code, items.store_id, items.currency
    from items
    inner join monetary
        on monetary.account_code = items.account_code
    where items.currency <> '{{ functional }}'
),

balances as (
    select
        month_ends.month_start,
        month_ends.month_end,
        month_ends.next_month_start,
        keys.account_code,
        keys.store_id,
        keys.currency,
        sum(items.amount_original) as balance_original,
        sum(items.amount_functional) as carrying_functional
    from month_ends
    cross join keys
    inner join items
        on items.account_code = keys.account_code
        and {{ null_safe_equal('items.store_id', 'keys.store_id') }}
        and items.currency = keys.currency
        and items.entry_date <= month_ends.month_end
    group by month_ends.month_start, month_ends.month_end, month_ends.next_month_start,
        keys.account_code, keys.store_id, keys.currency
),

latest_rates as (
    select currency, max(closing_fx_rate_date) as last_rate_date
    from {{ ref('int_fx_policy_rates') }}
    group by currency
),

revalued as (
    select
        balances.*,
        rates.closing_fx_rate,
        rates.closing_fx_rate_date,
        rates.closing_fx_rate_source,
        {{ to_functional('balances.balance_original', 'rates.closing_fx_rate') }} as revalued_functional,
        {{ to_functional('balances.balance_original', 'rates.closing_fx_rate') }} - balances.carrying_functional as unrealized
    from balances
    inner join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = balances.currency
        and rates.calendar_date = balances.month_end
    -- only once the month's closing rate is published
    inner join latest_rates
        on latest_rates.currency = balances.currency
        and balances.month_end <= latest_rates.last_rate_date
),

postings as (
    select *, 'revaluation' as posting, month_end as entry_date, 1 as sign from revalued where unrealized <> 0
    union all
    select *, 'reversal', next_month_start, -1 from revalued
    where unrealized <> 0 and next_month_start <= (select last_month from bounds)
),

fx as (
    select account_code, memo_zh from {{ ref('int_cas_accounts') }} where source_kind = 'role' and source_key = 'fx_gain_loss'
)

select
    case when postings.posting = 'revaluation' then 'fx_revaluation:' else 'fx_revaluation_reversal:' end
        || {{ period_of('postings.entry_date') }} as entry_id,
    'fx_revaluation' as source_type,
    {{ period_of('postings.month_end') }} as source_id,
    {{ period_of('postings.entry_date') }} as period,
    postings.entry_date,
    postings.store_id,
    postings.account_code,
    case when postings.posting = 'revaluation' then '期末外币余额按' || {{ period_of('postings.month_end') }} || '月末汇率调整'
        else '冲回' || {{ period_of('postings.month_end') }} || '期末汇率调整' end as memo_zh,
    postings.currency,
    cast(0 as {{ money() }}) as amount_original,
    cast(postings.sign * postings.unrealized as {{ money() }}) as amount_functional,
    postings.closing_fx_rate as fx_rate,
    postings.closing_fx_rate_date as fx_rate_date,
    postings.closing_fx_rate_source as fx_rate_source,
    postings.balance_original,
    postings.carrying_functional,
    postings.revalued_functional,
    postings.posting
from postings
union all
select
    case when postings.posting = 'revaluation' then 'fx_revaluation:' else 'fx_revaluation_reversal:' end
        || {{ period_of('postings.entry_date') }},
    'fx_revaluation',
    {{ period_of('postings.month_end') }},
    {{ period_of('postings.entry_date') }},
    postings.entry_date,
    postings.store_id,
    fx.account_code,
    case when postings.posting = 'revaluation' then '汇兑损益(未实现)' else '冲回汇兑损益(未实现)' end,
    '{{ functional }}',
    cast(-1 * postings.sign * postings.unrealized as {{ money() }}),
    cast(-1 * postings.sign * postings.unrealized as {{ money() }}),
    cast(1 as {{ money(8) }}),
    postings.entry_date,
    'identity',
    postings.balance_original,
    postings.carrying_functional,
    postings.revalued_functional,
    postings.posting
from postings
cross join fx
