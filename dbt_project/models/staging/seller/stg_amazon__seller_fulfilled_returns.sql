-- One row per seller-fulfilled return (order, RMA, SKU): the latest delivered report wins, since a return's
-- status and its SAFE-T claim state move on between reports.
with

source as (
    select * from {{ source('amazon_reports', 'seller_fulfilled_returns') }}
),

files as (
    select source_file_sha256, max(received_at) as received_at
    from {{ ref('stg_audit__file_loads') }}
    where status = 'loaded'
    group by source_file_sha256
),

ranked as (
    select
        source.*,
        row_number() over (
            partition by source.order_id, coalesce(source.amazon_rma_id, ''), coalesce(source.merchant_sku, '')
            order by files.received_at desc nulls last, source.source_file_sha256 desc, source.source_line desc
        ) as recency_rank
    from source
    left join files
        on files.source_file_sha256 = source.source_file_sha256
)

select
    order_id,
    amazon_rma_id,
    merchant_rma_id,
    merchant_sku as sku,
    asin,
    ordered_at,
    return_requested_at,
    return_request_status,
    return_delivered_at,
    return_quantity,
    return_reason,
    return_type,
    resolution,
    in_policy,
    coalesce(is_a_to_z_claim, false) as is_a_to_z_claim,
    upper(currency) as currency,
    order_amount,
    refunded_amount,
    label_cost,
    label_to_be_paid_by,
    nullif(trim(safet_action_reason), '') as safet_action_reason,
    nullif(trim(safet_claim_id), '') as safet_claim_id,
    nullif(trim(safet_claim_state), '') as safet_claim_state,
    safet_claim_created_at,
    safet_reimbursement_amount,
    source_file_sha256,
    source_line
from ranked
where recency_rank = 1
