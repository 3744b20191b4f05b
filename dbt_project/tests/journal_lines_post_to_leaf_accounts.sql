{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_lines'}}}) }}
-- Only leaf accounts (最末级科目) of the chart are posted to, and a line is never both a debit and a credit.
select lines.journal_line_id, lines.account_code, lines.debit, lines.credit
from {{ ref('fct_journal_lines') }} as lines
left join {{ ref('cas_chart_of_accounts') }} as chart
    on chart.account_code = lines.account_code
where chart.account_code is null
    or not chart.is_leaf
    or (lines.debit <> 0 and lines.credit <> 0)
    or lines.debit < 0
    or lines.credit < 0
