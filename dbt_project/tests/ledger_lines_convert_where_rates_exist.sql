-- Dagster shows this test as a check on the model it tests.
{{ config(severity='error', meta={'dagster': {'ref': {'name': 'int_ledger_lines'}}}) }}
-- A ledger line without a functional amount although its currency has a rate published on or before its posted
-- date: the conversion lost it (a spine too short, a join gone wrong). One row missing its rate is that line's
-- problem; this catches the rates going missing for lines that do have them, which fails the run.
with

first_rates as (
    select currency, min(rate_date) as first_rate_date
    from {{ ref('int_fx_published_rates') }}
    group by currency
)

select
    lines.source_file_sha256,
    lines.source_line,
    lines.currency,
    lines.posted_date
from {{ ref('int_ledger_lines') }} as lines
inner join first_rates
    on first_rates.currency = lines.currency
    and first_rates.first_rate_date <= lines.posted_date
where lines.amount_functional is null
