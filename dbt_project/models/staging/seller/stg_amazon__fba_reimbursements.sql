-- One row per reimbursement line: a line delivered again in an overlapping report is kept once (first file).
with

source as (
    select * from {{ source('amazon_reports', 'fba_reimbursements') }}
),

ranked as (
    select
        source.*,
        row_number() over (
            partition by reimbursement_id, coalesce(sku, ''), coalesce(amazon_order_id, ''), amount_total
            order by source_file_sha256, source_line
        ) as copy_rank
    from source
)

select
    reimbursement_id,
    nullif(trim(case_id), '') as case_id,
    nullif(trim(amazon_order_id), '') as order_id,
    reason,
    sku,
    fnsku,
    asin,
    condition,
    upper(currency) as currency,
    approved_at,
    amount_per_unit,
    amount_total,
    quantity_reimbursed_cash,
    quantity_reimbursed_inventory,
    quantity_reimbursed_total,
    nullif(trim(original_reimbursement_id), '') as original_reimbursement_id,
    original_reimbursement_type,
    source_file_sha256,
    source_line
from ranked
where copy_rank = 1
