-- One row per store and order: do the order's events in closed groups equal its settlement lines, amount-type
-- by amount-type? Status precedence: missing_in_settlement (settled events, no settlement line),
-- missing_in_events (settlement lines, no settled event), amount_differs (any amount-type differs), then
-- deferred (some money deferred), pending_settlement (some money in an open group), else matched.
with

amounts as (
    select * from {{ ref('int_order_amounts') }}
),

orders as (
    select
        store_id,
        order_id,
        min(currency) as currency,
        sum(settled_event_amount) as settled_event_total,
        sum(open_event_amount) as open_event_total,
        sum(deferred_event_amount) as deferred_event_total,
        sum(settlement_amount) as settlement_total,
        sum(n_settled_event_lines) as n_settled_event_lines,
        sum(n_open_event_lines) as n_open_event_lines,
        sum(n_deferred_event_lines) as n_deferred_event_lines,
        sum(n_settlement_lines) as n_settlement_lines,
        sum(case when difference <> 0 then 1 else 0 end) as n_differing_amount_types,
        {{ dbt.listagg(
            "case when difference <> 0 then amount_type || ' ' || cast(difference as " ~ dbt.type_string() ~ ") end",
            "'; '",
            "order by amount_type"
        ) }} as differing_amount_types
    from amounts
    group by store_id, order_id
)

select
    store_id,
    order_id,
    currency,
    settled_event_total + open_event_total + deferred_event_total as event_total,
    settled_event_total,
    open_event_total,
    deferred_event_total,
    settlement_total,
    settlement_total - settled_event_total as difference,
    n_settled_event_lines,
    n_open_event_lines,
    n_deferred_event_lines,
    n_settlement_lines,
    n_differing_amount_types,
    differing_amount_types,
    case
        when n_settled_event_lines > 0 and n_settlement_lines = 0 then 'missing_in_settlement'
        when n_settlement_lines > 0 and n_settled_event_lines = 0 then 'missing_in_events'
        when n_differing_amount_types > 0 then 'amount_differs'
        when n_deferred_event_lines > 0 then 'deferred'
        when n_open_event_lines > 0 then 'pending_settlement'
        else 'matched'
    end as status
from orders
