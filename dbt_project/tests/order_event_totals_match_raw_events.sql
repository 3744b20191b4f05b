-- Dagster shows this test as a check on the mart it tests (it reads the raw tables too).
{{ config(meta={'dagster': {'ref': {'name': 'fct_order_reconciliation'}}}) }}
-- fct_order_reconciliation.event_total of an order (over its stores) equals the money lines Amazon reported
-- for it, summed here from the raw API rows: Finances v0 event amounts (amount_role 'amount'; 'total' and
-- 'detail' rows restate them) plus the Finances 2024-06-19 transactions still DEFERRED.
with

raw_events as (
    select trim(order_id) as order_id, amount
    from {{ source('spapi', 'financial_events') }}
    where amount_role = 'amount'
    union all
    select trim(order_id) as order_id, total_amount as amount
    from {{ source('spapi', 'finance_transactions') }}
    where upper(trim(transaction_status)) = 'DEFERRED'
),

raw_totals as (
    select order_id, sum(amount) as raw_event_total
    from raw_events
    where nullif(order_id, '') is not null
    group by order_id
),

mart as (
    select order_id, sum(event_total) as event_total
    from {{ ref('fct_order_reconciliation') }}
    group by order_id
)

select mart.order_id, mart.event_total, coalesce(raw_totals.raw_event_total, 0) as raw_event_total
from mart
left join raw_totals
    on raw_totals.order_id = mart.order_id
where mart.event_total <> coalesce(raw_totals.raw_event_total, 0)
