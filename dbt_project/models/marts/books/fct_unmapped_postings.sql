-- Journal lines posted to a suspense account (chart account_type 'suspense', 2241.99 待查明款项 by default): a
-- fee category or vendor deduction type the account mapping does not name (or names an account that is not a
-- leaf of the chart), or a settlement whose lines do not sum to its header total. Never dropped: each is here
-- until the mapping (cas_account_mapping) names its account. `acorn export vouchers` refuses a period with any
-- unless --allow-suspense.
select
    lines.period,
    lines.entry_id,
    lines.journal_line_id,
    lines.source_type,
    lines.source_id,
    lines.store_id,
    lines.account_code,
    lines.debit,
    lines.credit,
    lines.currency,
    lines.amount_original,
    lines.memo,
    lines.source_file_sha256
from {{ ref('fct_journal_lines') }} as lines
where lines.is_suspense
