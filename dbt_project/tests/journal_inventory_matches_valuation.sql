{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- The inventory account's balance in the journal (purchases in, COGS and write-offs out) at each month end equals
-- the closing value of fct_inventory_valuation summed over SKUs: the ledger and the stock ledger (进销存) agree.
-- A closed month keeps its frozen journal while the stock ledger restates it, so it is skipped; the adjustment in
-- the first open month brings the balance back.
with

closes as (
    select period from {{ source('books', 'period_closes') }}
),

valuation as (
    select month, sum(closing_value) as closing_value
    from {{ ref('fct_inventory_valuation') }}
    group by month
),

journal as (
    select period, sum(debit) - sum(credit) as movement
    from {{ ref('fct_journal_lines') }}
    where account_code = '{{ var("inventory_account") }}'
    group by period
)

select valuation.month, valuation.closing_value, sum(journal.movement) as journal_balance
from valuation
left join journal
    on journal.period <= valuation.month
where valuation.month not in (select period from closes)
group by valuation.month, valuation.closing_value
having coalesce(sum(journal.movement), 0) <> valuation.closing_value
