-- A-to-z Guarantee claims, chargebacks and SAFE-T claims, one row per claim. A claim debited in a settlement is
-- decided (state 'debited'); an A-to-z flag on a seller-fulfilled return not yet debited is 'open'. SAFE-T rows
-- are the refunded seller-fulfilled returns SAFE-T covers: a claim filed (safet_claim_id), or an item that never
-- came back or that Amazon flagged (SafeT action reason); state 'not_filed' until a claim id appears. Their filing
-- deadline is 60 days from the refund (the settlement Refund line, else the return request).
with

as_of as (
    select * from {{ ref('int_seller_as_of') }}
),

settled as (
    select
        case when transaction_type = 'Chargeback Refund' then 'chargeback' else 'a_to_z' end as claim_type,
        store_id,
        order_id,
        min(sku) as sku,
        min(settlement_id) as settlement_id,
        min(posted_date) as opened_on,
        -sum(amount) as amount,
        min(currency) as currency,
        min(source_file_sha256) as source_file_sha256,
        min(source_line) as source_line
    from {{ ref('int_settlement_lines') }}
    where transaction_type in ('Chargeback Refund', 'A-to-z Guarantee Claim')
    group by transaction_type, store_id, order_id
),

returns as (
    select
        returns.*,
        orders.store_id,
        coalesce(returns.currency, orders.currency) as claim_currency,
        stores.time_zone
    from {{ ref('stg_amazon__seller_fulfilled_returns') }} as returns
    left join {{ ref('int_seller_orders') }} as orders
        on orders.order_id = returns.order_id
    left join {{ ref('int_stores') }} as stores
        on stores.store_id = orders.store_id
),

refunds as (
    select order_id, min(refund_date) as refund_date
    from {{ ref('fct_refunds') }}
    group by order_id
),

open_a_to_z as (
    select
        'a_to_z' as claim_type,
        returns.store_id,
        returns.order_id,
        returns.sku,
        cast(null as {{ dbt.type_string() }}) as settlement_id,
        coalesce({{ to_local_date('returns.return_requested_at', 'returns.time_zone') }},
                 cast(returns.return_requested_at as date)) as opened_on,
        coalesce(returns.refunded_amount, returns.order_amount) as amount,
        returns.claim_currency as currency,
        returns.source_file_sha256,
        returns.source_line
    from returns
    where returns.is_a_to_z_claim
        and not exists (
            select 1 from settled
            where settled.claim_type = 'a_to_z' and settled.order_id = returns.order_id
        )
),

safet as (
    select
        returns.*,
        coalesce(refunds.refund_date,
                 {{ to_local_date('returns.return_requested_at', 'returns.time_zone') }},
                 cast(returns.return_requested_at as date)) as refund_date
    from returns
    left join refunds
        on refunds.order_id = returns.order_id
    where returns.safet_claim_id is not null
        or (coalesce(returns.refunded_amount, 0) > 0
            and (returns.return_delivered_at is null or returns.safet_action_reason is not null))
),

claims as (
    select
        claim_type, store_id, order_id, sku, settlement_id, opened_on, amount, currency,
        cast(null as {{ dbt.type_string() }}) as claim_id,
        'debited' as state,
        'charged to the seller' as outcome,
        cast(null as date) as refund_date,
        cast(null as date) as filing_deadline,
        'settlement' as source,
        source_file_sha256, source_line
    from settled
    union all
    select
        claim_type, store_id, order_id, sku, settlement_id, opened_on, amount, currency,
        cast(null as {{ dbt.type_string() }}) as claim_id,
        'open' as state,
        cast(null as {{ dbt.type_string() }}) as outcome,
        cast(null as date) as refund_date,
        cast(null as date) as filing_deadline,
        'returns_report' as source,
        source_file_sha256, source_line
    from open_a_to_z
    union all
    select
        'safet' as claim_type,
        store_id,
        order_id,
        sku,
        cast(null as {{ dbt.type_string() }}) as settlement_id,
        cast(safet_claim_created_at as date) as opened_on,
        coalesce(safet_reimbursement_amount, refunded_amount) as amount,
        claim_currency as currency,
        safet_claim_id as claim_id,
        case when safet_claim_id is null then 'not_filed' else coalesce(lower(safet_claim_state), 'filed') end as state,
        case when safet_reimbursement_amount > 0 then 'reimbursed' end as outcome,
        refund_date,
        cast({{ dbt.dateadd('day', 60, 'refund_date') }} as date) as filing_deadline,
        'returns_report' as source,
        source_file_sha256, source_line
    from safet
)

select
    claims.claim_type || ':' || coalesce(claims.claim_id, claims.order_id) as claim_key,
    claims.*,
    case when claims.filing_deadline is not null
        then {{ dbt.datediff('as_of.today', 'claims.filing_deadline', 'day') }} end as days_to_deadline
from claims
left join as_of
    on as_of.store_id = claims.store_id
