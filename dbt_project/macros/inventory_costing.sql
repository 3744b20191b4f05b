{#- Inventory cost methods over int_inventory_events (one row per movement, numbered per SKU by event_seq).
    Each returns one row per event: the unit cost applied, the value moved (positive), and the stock after it.
    Both are sequential computations written in portable SQL: moving average as a recursive CTE over the
    event sequence, FIFO as cumulative-quantity intervals of the receipts matched to those of the issues. -#}

{% macro inventory_costing(events) -%}
    {%- set method = var('cost_method') -%}
    {%- if method == 'moving_average' -%}
        {{ return(moving_average_costing(events)) }}
    {%- elif method == 'fifo' -%}
        {{ return(fifo_costing(events)) }}
    {%- elif method == 'month_end_average' -%}
        {{ return(month_end_average_costing(events)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var cost_method must be moving_average, fifo or month_end_average, not '" ~ method ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- 移动加权平均: a receipt re-averages the stock; an issue takes the current average (the last unit takes what
    value is left, so stock at zero is worth zero); a return re-enters at the current average. Selling with no
    stock keeps the last known average (negative stock); with no purchase ever, the unit cost is null and the
    event is flagged, never costed at zero. -#}
{% macro moving_average_costing(events) -%}
with recursive

events as (
    select * from {{ events }}
),

costed as (
    select
        events.internal_sku,
        events.event_seq,
        cast(case when events.movement_type = 'purchase' then events.value_in / events.quantity end as decimal(18, 6)) as unit_cost,
        cast(case when events.movement_type = 'purchase' then events.value_in end as decimal(18, 2)) as value_moved,
        cast(case when events.movement_type = 'sale' then -1 * events.quantity when events.movement_type = 'return' then events.quantity else events.quantity end as integer) as qty_after,
        cast(case when events.movement_type = 'purchase' then events.value_in else 0 end as decimal(18, 2)) as value_after,
        cast(case when events.movement_type = 'purchase' then events.value_in / events.quantity end as decimal(18, 6)) as average_after
    from events
    where events.event_seq = 1

    union all

    select
        events.internal_sku,
        events.event_seq,
        cast(case
            when events.movement_type = 'purchase' then events.value_in / events.quantity
            else costed.average_after
        end as decimal(18, 6)),
        cast(case
            when events.movement_type = 'purchase' then events.value_in
            when events.movement_type = 'sale' and costed.qty_after = events.quantity then costed.value_after
            else round(costed.average_after * events.quantity, 2)
        end as decimal(18, 2)),
        cast(costed.qty_after + case when events.movement_type = 'sale' then -1 * events.quantity else events.quantity end as integer),
        cast(case
            when events.movement_type = 'purchase' then costed.value_after + events.value_in
            when events.movement_type = 'sale' and costed.qty_after = events.quantity then 0
            -- an issue with no known cost moves no value (it is flagged, see fct_inventory_exceptions)
            when events.movement_type = 'sale' then costed.value_after - coalesce(round(costed.average_after * events.quantity, 2), 0)
            else costed.value_after + coalesce(round(costed.average_after * events.quantity, 2), 0)
        end as decimal(18, 2)),
        cast(case
            when events.movement_type = 'purchase' and costed.qty_after + events.quantity > 0
                then (costed.value_after + events.value_in) / (costed.qty_after + events.quantity)
            when events.movement_type = 'purchase' then events.value_in / events.quantity
            else costed.average_after
        end as decimal(18, 6))
    from costed
    inner join events
        on events.internal_sku = costed.internal_sku
        and events.event_seq = costed.event_seq + 1
)

select
    events.*,
    costed.unit_cost,
    costed.value_moved,
    costed.qty_after,
    costed.value_after
from events
inner join costed
    on costed.internal_sku = events.internal_sku
    and costed.event_seq = events.event_seq
{%- endmacro %}

{#- 先进先出: receipts (purchases, and returns at the unit cost of the latest purchase on or before them) form
    layers in event order; issue n takes the units between the cumulative issued quantity before it and after it,
    from the layers whose cumulative received interval overlaps it, received on or before the issue. Units no
    received layer covers (negative stock) take the unit cost of the latest layer received before the issue. -#}
{% macro fifo_costing(events) -%}
with

events as (
    select * from {{ events }}
),

last_purchase_cost as (
    select
        issues.internal_sku,
        issues.event_seq,
        max(purchases.event_seq) as purchase_seq
    from events as issues
    inner join events as purchases
        on purchases.internal_sku = issues.internal_sku
        and purchases.movement_type = 'purchase'
        and purchases.event_seq < issues.event_seq
    where issues.movement_type <> 'purchase'
    group by issues.internal_sku, issues.event_seq
),

priced as (
    select
        events.*,
        cast(case
            when events.movement_type = 'purchase' then events.value_in / events.quantity
            else purchases.value_in / purchases.quantity
        end as decimal(18, 6)) as reference_unit_cost
    from events
    left join last_purchase_cost
        on last_purchase_cost.internal_sku = events.internal_sku
        and last_purchase_cost.event_seq = events.event_seq
    left join events as purchases
        on purchases.internal_sku = last_purchase_cost.internal_sku
        and purchases.event_seq = last_purchase_cost.purchase_seq
),

receipts as (
    select
        *,
        cast(case when movement_type = 'purchase' then value_in else round(reference_unit_cost * quantity, 2) end as decimal(18, 2)) as receipt_value,
        sum(quantity) over (partition by internal_sku order by event_seq rows between unbounded preceding and current row) as cum_in_end
    from priced
    where movement_type in ('purchase', 'return') and reference_unit_cost is not null
),

issues as (
    select
        *,
        sum(quantity) over (partition by internal_sku order by event_seq rows between unbounded preceding and current row) as cum_out_end
    from priced
    where movement_type = 'sale'
),

covering as (
    select
        issues.internal_sku,
        issues.event_seq,
        sum(
            (case when issues.cum_out_end < receipts.cum_in_end then issues.cum_out_end else receipts.cum_in_end end)
            - (case when issues.cum_out_end - issues.quantity > receipts.cum_in_end - receipts.quantity
                then issues.cum_out_end - issues.quantity else receipts.cum_in_end - receipts.quantity end)
        ) as covered_quantity,
        sum((
            (case when issues.cum_out_end < receipts.cum_in_end then issues.cum_out_end else receipts.cum_in_end end)
            - (case when issues.cum_out_end - issues.quantity > receipts.cum_in_end - receipts.quantity
                then issues.cum_out_end - issues.quantity else receipts.cum_in_end - receipts.quantity end)
        ) * receipts.receipt_value / receipts.quantity) as covered_value
    from issues
    inner join receipts
        on receipts.internal_sku = issues.internal_sku
        and receipts.event_seq < issues.event_seq
        and receipts.cum_in_end > issues.cum_out_end - issues.quantity
        and receipts.cum_in_end - receipts.quantity < issues.cum_out_end
    group by issues.internal_sku, issues.event_seq
),

moved as (
    select
        priced.*,
        cast(case
            when priced.movement_type = 'purchase' then priced.value_in
            when priced.movement_type = 'return' then round(priced.reference_unit_cost * priced.quantity, 2)
            else round(coalesce(covering.covered_value, 0)
                + (priced.quantity - coalesce(covering.covered_quantity, 0)) * priced.reference_unit_cost, 2)
        end as decimal(18, 2)) as value_moved
    from priced
    left join covering
        on covering.internal_sku = priced.internal_sku
        and covering.event_seq = priced.event_seq
)

select
    moved.internal_sku, moved.movement_date, moved.movement_type, moved.type_order, moved.store_id, moved.order_id,
    moved.quantity, moved.value_in, moved.source_file_sha256, moved.source_line, moved.event_seq,
    cast(case when moved.quantity <> 0 then moved.value_moved / moved.quantity end as decimal(18, 6)) as unit_cost,
    moved.value_moved,
    cast(sum(case when moved.movement_type = 'sale' then -1 * moved.quantity else moved.quantity end)
        over (partition by moved.internal_sku order by moved.event_seq rows between unbounded preceding and current row) as integer) as qty_after,
    cast(sum(case when moved.movement_type = 'sale' then -1 * coalesce(moved.value_moved, 0) else coalesce(moved.value_moved, 0) end)
        over (partition by moved.internal_sku order by moved.event_seq rows between unbounded preceding and current row) as decimal(18, 2)) as value_after
from moved
{%- endmacro %}

{% macro month_end_average_costing(events) -%}
    {{ exceptions.raise_compiler_error("cost_method month_end_average is not built yet: use moving_average or fifo") }}
{%- endmacro %}
