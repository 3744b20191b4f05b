{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- Every entry balances: debits = credits in the functional currency, and, for an entry whose lines are all in
-- one currency, the signed original amounts sum to zero too (a revaluation line moves no original amount, so
-- revaluation entries are held to the functional currency only).
select
    entry_id,
    sum(debit) as debits,
    sum(credit) as credits,
    count(distinct currency) as n_currencies,
    sum(amount_original) as original_total
from {{ ref('fct_journal_lines') }}
group by entry_id
having sum(debit) <> sum(credit)
    or (count(distinct currency) = 1 and max(source_type) <> 'fx_revaluation' and sum(amount_original) <> 0)
