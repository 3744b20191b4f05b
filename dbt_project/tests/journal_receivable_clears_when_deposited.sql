{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- A store whose every non-zero settlement reached the bank in full (fct_settlement_reconciliation: a bank amount
-- equal to the header total) owes nothing on its receivable (1122.01) any more, in the settlement currency and in
-- the functional currency (realized differences clear the rest); reserves sit on their own sub-account and are
-- not counted. Revaluation lines are left out: they reverse on the next period's first day.
with

receivable as (
    select account_code from {{ ref('cas_account_mapping') }} where source_kind = 'role' and source_key = 'store_receivable'
),

stores_all_deposited as (
    select store_id
    from {{ ref('fct_settlement_reconciliation') }}
    group by store_id
    having sum(case when header_total <> 0 and (bank_amount is null or bank_amount <> header_total) then 1 else 0 end) = 0
)

select store_id, currency, sum(amount_original) as balance_original, sum(debit - credit) as balance_functional
from {{ ref('fct_journal_lines') }}
where account_code in (select account_code from receivable)
    and store_id in (select store_id from stores_all_deposited)
    and source_type <> 'fx_revaluation'
group by store_id, currency
having sum(amount_original) <> 0 or sum(debit - credit) <> 0
