{{ config(meta={'dagster': {'ref': {'name': 'fct_trial_balance'}}}) }}
-- 科目余额表: closing = opening + debits - credits for every account and period, each period's opening is the
-- previous period's closing, the debits and credits of a period equal the journal's own (summed here from
-- fct_journal_lines), and the accounts sum to zero at every closing.
with

tb as (
    select
        *,
        lag(closing_balance) over (partition by account_code order by period) as previous_closing
    from {{ ref('fct_trial_balance') }}
),

journal as (
    select period, account_code, sum(debit) as debit, sum(credit) as credit
    from {{ ref('fct_journal_lines') }}
    group by period, account_code
),

totals as (
    select period, sum(closing_balance) as total from tb group by period
)

select tb.period, tb.account_code, 'roll' as failure
from tb
where tb.closing_balance <> tb.opening_balance + tb.debit - tb.credit
    or tb.opening_balance <> coalesce(tb.previous_closing, 0)
union all
select tb.period, tb.account_code, 'journal'
from tb
left join journal
    on journal.period = tb.period and journal.account_code = tb.account_code
where tb.debit <> coalesce(journal.debit, 0) or tb.credit <> coalesce(journal.credit, 0)
union all
select period, null, 'unbalanced' from totals where total <> 0
