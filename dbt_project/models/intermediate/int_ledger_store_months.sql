-- One row per store x month of the ledger with a digest of its lines: a store-month model redoes a store-month
-- when the digest it kept on its rows differs (a late file, a settlement that changed store), and only then.
select
    store_id,
    posted_month,
    count(*) as n_lines,
    {{ lines_digest([
        'source_file_sha256', 'source_line', 'amount_column', 'settlement_id', 'order_id', 'order_item_code',
        'sku', 'quantity', 'fee_category', 'pnl_line', 'allocate', 'amount', 'currency', 'amount_functional',
    ]) }} as store_month_digest
from {{ ref('int_ledger_lines') }}
group by store_id, posted_month
