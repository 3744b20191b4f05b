-- 科目余额表: period x leaf account (every account the journal has touched, every period from the first to the
-- last): opening balance, debits, credits and closing balance in the functional currency. Balances are signed
-- debit-positive (a credit balance is negative); normal_side says which side the account usually sits on.
with

lines as (
    select * from {{ ref('fct_journal_lines') }}
),

periods as (
    select distinct period from lines
),

accounts as (
    select distinct account_code from lines
),

movements as (
    select period, account_code, sum(debit) as debit, sum(credit) as credit
    from lines
    group by period, account_code
),

grid as (
    select
        periods.period,
        accounts.account_code,
        coalesce(movements.debit, 0) as debit,
        coalesce(movements.credit, 0) as credit
    from periods
    cross join accounts
    left join movements
        on movements.period = periods.period
        and movements.account_code = accounts.account_code
),

balanced as (
    select
        grid.*,
        sum(grid.debit - grid.credit) over (
            partition by grid.account_code order by grid.period rows between unbounded preceding and current row
        ) as closing_balance
    from grid
)

select
    balanced.period,
    balanced.account_code,
    chart.parent_code,
    chart.name_zh as account_name_zh,
    chart.name_en as account_name_en,
    chart.account_type,
    chart.normal_side,
    cast(balanced.closing_balance - balanced.debit + balanced.credit as {{ money() }}) as opening_balance,
    cast(balanced.debit as {{ money() }}) as debit,
    cast(balanced.credit as {{ money() }}) as credit,
    cast(balanced.closing_balance as {{ money() }}) as closing_balance,
    '{{ var("functional_currency") | upper }}' as functional_currency
from balanced
left join {{ ref('cas_chart_of_accounts') }} as chart
    on chart.account_code = balanced.account_code
