{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- An entry is one 记账凭证: one voucher number and one date in one period, or the exported voucher would not balance.
select entry_id, period
from {{ ref('fct_journal_lines') }}
group by entry_id, period
having count(distinct voucher_no) <> 1 or count(distinct entry_date) <> 1
