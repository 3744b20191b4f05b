-- Per store, order and settlement amount-type: the order's payment event lines (settled, open and deferred
-- apart) beside its lines in loaded settlements. Events carry the settlement amount-type the
-- event_amount_types seed maps them to; settlement lines carry their own amount-type.
-- Only orders both sources can speak for are compared: an order with at least one event line, or one whose
-- settlement lines all fall within its store's synced span (from the first to the end of the last Finances
-- v0 window that wrote events for the store). Orders settled before the sync's backfill, or in stores
-- without SP-API access, are left out rather than reported missing.
with

events as (
    select store_id, order_id, settlement_amount_type as amount_type, currency, settlement_state, amount
    from {{ ref('int_payment_event_lines') }}
    where order_id is not null and store_id is not null
),

settlement_lines as (
    select store_id, order_id, coalesce(amount_type, '(none)') as amount_type, currency, amount, posted_at
    from {{ ref('int_settlement_lines') }}
    where order_id is not null and store_id is not null
),

coverage as (
    select store_id, min(window_start) as covered_from, max(window_end) as covered_until
    from {{ ref('int_payment_event_lines') }}
    where source = 'finances_v0' and store_id is not null
    group by store_id
),

covered_settlement_orders as (
    select settlement_lines.store_id, settlement_lines.order_id
    from settlement_lines
    inner join coverage
        on coverage.store_id = settlement_lines.store_id
    group by settlement_lines.store_id, settlement_lines.order_id, coverage.covered_from, coverage.covered_until
    having min(settlement_lines.posted_at) >= coverage.covered_from
        and max(settlement_lines.posted_at) < coverage.covered_until
),

orders as (
    select distinct store_id, order_id from events
    union
    select store_id, order_id from covered_settlement_orders
),

event_totals as (
    select
        store_id,
        order_id,
        amount_type,
        min(currency) as currency,
        sum(case when settlement_state = 'settled' then amount else 0 end) as settled_event_amount,
        sum(case when settlement_state = 'open' then amount else 0 end) as open_event_amount,
        sum(case when settlement_state = 'deferred' then amount else 0 end) as deferred_event_amount,
        sum(case when settlement_state = 'settled' then 1 else 0 end) as n_settled_event_lines,
        sum(case when settlement_state = 'open' then 1 else 0 end) as n_open_event_lines,
        sum(case when settlement_state = 'deferred' then 1 else 0 end) as n_deferred_event_lines
    from events
    group by store_id, order_id, amount_type
),

settlement_totals as (
    select
        store_id,
        order_id,
        amount_type,
        min(currency) as currency,
        sum(amount) as settlement_amount,
        count(*) as n_settlement_lines
    from settlement_lines
    group by store_id, order_id, amount_type
),

amount_types as (
    select store_id, order_id, amount_type from event_totals
    union
    select store_id, order_id, amount_type from settlement_totals
)

select
    amount_types.store_id,
    amount_types.order_id,
    amount_types.amount_type,
    coalesce(settlement_totals.currency, event_totals.currency) as currency,
    coalesce(event_totals.settled_event_amount, 0) as settled_event_amount,
    coalesce(event_totals.open_event_amount, 0) as open_event_amount,
    coalesce(event_totals.deferred_event_amount, 0) as deferred_event_amount,
    coalesce(settlement_totals.settlement_amount, 0) as settlement_amount,
    coalesce(settlement_totals.settlement_amount, 0) - coalesce(event_totals.settled_event_amount, 0) as difference,
    coalesce(event_totals.n_settled_event_lines, 0) as n_settled_event_lines,
    coalesce(event_totals.n_open_event_lines, 0) as n_open_event_lines,
    coalesce(event_totals.n_deferred_event_lines, 0) as n_deferred_event_lines,
    coalesce(settlement_totals.n_settlement_lines, 0) as n_settlement_lines
from amount_types
inner join orders
    on orders.store_id = amount_types.store_id
    and orders.order_id = amount_types.order_id
left join event_totals
    on event_totals.store_id = amount_types.store_id
    and event_totals.order_id = amount_types.order_id
    and event_totals.amount_type = amount_types.amount_type
left join settlement_totals
    on settlement_totals.store_id = amount_types.store_id
    and settlement_totals.order_id = amount_types.order_id
    and settlement_totals.amount_type = amount_types.amount_type
