{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- The revenue and expense postings of the settlement entries (store x month, in the functional currency) equal
-- fct_pnl_monthly's ledger lines (every P&L line but Cost of goods sold), and the journal's COGS equals the
-- pnl's Cost of goods sold. Two independent roads: the pnl sums the ledger per line and allocates fees; the
-- journal maps fee categories to CAS accounts and summarises per entry. Holds when the journal converts at the
-- ledger's own rates (fx_policy transaction_date, fx_rate_source ecb, no user rates); other policies skip it.
{%- if var('fx_policy') == 'transaction_date' and var('fx_rate_source') == 'ecb' %}
with

chart as (
    select account_code, account_type from {{ ref('cas_chart_of_accounts') }}
),

closes as (
    select period from {{ source('books', 'period_closes') }}
),

journal as (
    select
        lines.store_id,
        lines.period,
        sum(case when lines.source_type = 'settlement' then lines.credit - lines.debit else 0 end) as ledger_pnl,
        sum(case when lines.source_type = 'cogs' then lines.credit - lines.debit else 0 end) as cogs
    from {{ ref('fct_journal_lines') }} as lines
    inner join chart
        on chart.account_code = lines.account_code
        and chart.account_type in ('revenue', 'expense')
    where lines.source_type in ('settlement', 'cogs')
        and lines.period not in (select period from closes)
    group by lines.store_id, lines.period
),

pnl as (
    select
        store_id,
        {{ period_of('month') }} as period,
        sum(case when pnl_line <> 'Cost of goods sold' then amount_functional else 0 end) as ledger_pnl,
        sum(case when pnl_line = 'Cost of goods sold' then amount_functional else 0 end) as cogs
    from {{ ref('fct_pnl_monthly') }}
    where pnl_line <> 'Unclassified'
    group by store_id, {{ period_of('month') }}
),

overrides as (
    select count(*) as n from {{ source('user_config', 'fx_rate_overrides') }}
)

select coalesce(journal.store_id, pnl.store_id) as store_id, coalesce(journal.period, pnl.period) as period,
    journal.ledger_pnl as journal_ledger_pnl, pnl.ledger_pnl, journal.cogs as journal_cogs, pnl.cogs
from journal
full outer join pnl
    on {{ null_safe_equal('journal.store_id', 'pnl.store_id') }}
    and journal.period = pnl.period
cross join overrides
where overrides.n = 0
    and coalesce(journal.period, pnl.period) not in (select period from closes)
    and (coalesce(journal.ledger_pnl, 0) <> coalesce(pnl.ledger_pnl, 0) or coalesce(journal.cogs, 0) <> coalesce(pnl.cogs, 0))
{%- else %}
select 1 as skipped where 1 = 0
{%- endif %}
