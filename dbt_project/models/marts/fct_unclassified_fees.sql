-- Ledger lines whose fee combination the fee_taxonomy seed does not cover (kept in the ledger as
-- 'unclassified' on the suspense account until the seed gains a row).
select
    store_id,
    settlement_id,
    transaction_type,
    amount_type,
    amount_description,
    order_id,
    sku,
    posted_date,
    amount,
    currency,
    amount_functional,
    functional_currency,
    source_file_sha256,
    source_line,
    amount_column
from {{ ref('int_ledger_lines') }}
where is_unclassified
