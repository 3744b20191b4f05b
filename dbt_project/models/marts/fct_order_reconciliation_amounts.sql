-- Per store, order and settlement amount-type (ItemPrice, ItemFees, Promotion, ...): the order's settled,
-- open and deferred event amounts beside its settlement lines. difference = settlement - settled events.
select
    store_id,
    order_id,
    amount_type,
    currency,
    settled_event_amount,
    open_event_amount,
    deferred_event_amount,
    settlement_amount,
    difference,
    n_settled_event_lines,
    n_open_event_lines,
    n_deferred_event_lines,
    n_settlement_lines
from {{ ref('int_order_amounts') }}
