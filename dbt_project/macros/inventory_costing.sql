{#- Inventory cost methods over int_inventory_events (one row per movement, numbered per SKU by event_seq).
    Each returns one row per event: the unit cost applied, the value moved (positive), and the stock after it.
    All are sequential computations written in portable SQL: moving average as a recursive CTE over the event
    sequence, month-end average as a recursive CTE over the months, FIFO as cumulative-quantity intervals of the
    receipts matched to those of the issues. -#}

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

{#- The movements that take stock out: sales and write-offs (lost or damaged units) are issues alike. -#}
{% macro is_issue(movement_type) -%}
    {{ movement_type }} in ('sale', 'write_off')
{%- endmacro %}

{#- A sequential pass cannot look back at an earlier row, yet a return needs the cost of the sale it reverses. So
    the pass carries a text of '|<sale event_seq>=<value moved>:<quantity>|' entries, one per sale some later return
    names (is_refunded_sale), and a return reads its sale's entry back: plain string functions (dbt.split_part), so
    the state is portable where list or struct columns are not. The value is written and read at its two decimals,
    so nothing is lost on the way. -#}
{% macro sale_cost_entry(event_seq, value, quantity) -%}
    '|' || cast({{ event_seq }} as {{ dbt.type_string() }}) || '=' || cast({{ value }} as {{ dbt.type_string() }})
        || ':' || cast({{ quantity }} as {{ dbt.type_string() }}) || '|'
{%- endmacro %}

{% macro carried_sale_part(sale_costs, sale_seq, part) -%}
    nullif({{ dbt.split_part(dbt.split_part(dbt.split_part(sale_costs,
        "'|' || cast(" ~ sale_seq ~ " as " ~ dbt.type_string() ~ ") || '='", 2), "'|'", 1), "':'", part) }}, '')
{%- endmacro %}

{#- What a return of `quantity` units puts back: the whole sale's value when it reverses all of it, else that
    sale's value pro rata (rounded to the cent); the fallback (the current average, or FIFO's latest purchase cost)
    only when the sale is not in the data or had no known cost. -#}
{% macro restocked_value(sale_value, sale_quantity, quantity, fallback_unit_cost) -%}
    case
        when {{ sale_value }} is not null and {{ sale_quantity }} = {{ quantity }} then {{ sale_value }}
        when {{ sale_value }} is not null then {{ quotient(sale_value ~ ' * ' ~ quantity, sale_quantity, 2) }}
        else round({{ fallback_unit_cost }} * {{ quantity }}, 2)
    end
{%- endmacro %}

{% macro carried_sale_value(sale_costs, sale_seq) -%}
    cast({{ carried_sale_part(sale_costs, sale_seq, 1) }} as {{ money() }})
{%- endmacro %}

{% macro carried_sale_quantity(sale_costs, sale_seq) -%}
    cast({{ carried_sale_part(sale_costs, sale_seq, 2) }} as integer)
{%- endmacro %}

{% macro carried_restocked_value(sale_costs, sale_seq, quantity, fallback_unit_cost) -%}
    {{ restocked_value(carried_sale_value(sale_costs, sale_seq), carried_sale_quantity(sale_costs, sale_seq),
        quantity, fallback_unit_cost) }}
{%- endmacro %}

{#- 移动加权平均: a receipt re-averages the stock; an issue (sale or write-off) takes the current average (the last
    unit takes what value is left, so stock at zero is worth zero); a return re-enters at the cost of the sale it
    reverses and re-averages the stock like a receipt. Selling with no stock keeps the last known average (negative
    stock); with no purchase ever, the unit cost is null and the event is flagged, never costed at zero.
    These rules are written once, in moving_average_opening and moving_average_step; each engine's branch only walks
    a SKU's events in order and says where the cost of the sale a return reverses is found. -#}
{% macro moving_average_costing(events) -%}
    {{ return(adapter.dispatch('moving_average_costing', 'acorn')(events)) }}
{%- endmacro %}

{#- The state before a SKU's first movement: no units, no value, no average yet. Name -> SQL expression, so a branch
    can spell it as a select list or as a struct. -#}
{% macro moving_average_opening() -%}
    {{ return({
        'qty_after': 'cast(0 as integer)',
        'value_after': 'cast(0 as ' ~ money() ~ ')',
        'average_after': 'cast(null as ' ~ money(6) ~ ')',
    }) }}
{%- endmacro %}

{#- One movement: from the state before it (`state`.qty_after, .value_after, .average_after) and the event
    (`event`.movement_type, .quantity, .value_in), the unit cost applied, the value moved and the state after it, as
    SQL expressions cast to their final types (a dict: unit_cost, value_moved, qty_after, value_after, average_after).
    `sale_value` and `sale_quantity` are what the sale a return reverses moved, NULL when unknown. -#}
{% macro moving_average_step(state, event, sale_value, sale_quantity) -%}
{%- set purchase = event ~ ".movement_type = 'purchase'" -%}
{%- set is_return = event ~ ".movement_type = 'return'" -%}
{%- set returned = restocked_value(sale_value, sale_quantity, event ~ '.quantity', state ~ '.average_after') -%}
{%- set unit_cost -%}
    cast(case
        when {{ purchase }} then {{ quotient(event ~ '.value_in', event ~ '.quantity', 6) }}
        when {{ is_return }} then coalesce({{ quotient(returned, event ~ '.quantity', 6) }}, {{ state }}.average_after)
        else {{ state }}.average_after
    end as {{ money(6) }})
{%- endset -%}
{%- set value_moved -%}
    cast(case
        when {{ purchase }} then {{ event }}.value_in
        when {{ is_return }} then {{ returned }}
        {#- the last units out take exactly the value left; otherwise the average, to the cent #}
        when {{ state }}.qty_after = {{ event }}.quantity then {{ state }}.value_after
        else round({{ state }}.average_after * {{ event }}.quantity, 2)
    end as {{ money() }})
{%- endset -%}
{%- set qty_after -%}
    cast({{ state }}.qty_after
        + case when {{ is_issue(event ~ '.movement_type') }} then -1 * {{ event }}.quantity else {{ event }}.quantity end
    as integer)
{%- endset -%}
{%- set value_after -%}
    cast(case
        when {{ purchase }} then {{ state }}.value_after + {{ event }}.value_in
        when {{ is_return }} then {{ state }}.value_after + coalesce({{ returned }}, 0)
        when {{ state }}.qty_after = {{ event }}.quantity then 0
        {#- an issue with no known cost moves no value (it is flagged, see fct_inventory_exceptions) #}
        else {{ state }}.value_after - coalesce(round({{ state }}.average_after * {{ event }}.quantity, 2), 0)
    end as {{ money() }})
{%- endset -%}
{%- set average_after -%}
    cast(case
        when {{ purchase }} and {{ state }}.qty_after + {{ event }}.quantity > 0
            then {{ quotient(state ~ '.value_after + ' ~ event ~ '.value_in', state ~ '.qty_after + ' ~ event ~ '.quantity', 6) }}
        when {{ purchase }} then {{ quotient(event ~ '.value_in', event ~ '.quantity', 6) }}
        when {{ is_return }} and {{ state }}.qty_after + {{ event }}.quantity > 0 and {{ returned }} is not null
            then {{ quotient(state ~ '.value_after + ' ~ returned, state ~ '.qty_after + ' ~ event ~ '.quantity', 6) }}
        else {{ state }}.average_after
    end as {{ money(6) }})
{%- endset -%}
{{ return({'unit_cost': unit_cost, 'value_moved': value_moved, 'qty_after': qty_after, 'value_after': value_after,
           'average_after': average_after}) }}
{%- endmacro %}

{#- Portable SQL: a recursive CTE, one level per event of a SKU. Both of its parts are the step, the anchor's from the
    opening state. A pass cannot look back at an earlier row, so the refunded sales' costs travel in the text
    sale_costs (sale_cost_entry), which a return reads back. -#}
{% macro default__moving_average_costing(events) -%}
{%- set step = moving_average_step('state', 'events',
    carried_sale_value('state.sale_costs', 'events.original_sale_seq'),
    carried_sale_quantity('state.sale_costs', 'events.original_sale_seq')) -%}
{%- set costed_columns %}
        events.internal_sku,
        events.event_seq,
        {{ step.unit_cost }} as unit_cost,
        {{ step.value_moved }} as value_moved,
        {{ step.qty_after }} as qty_after,
        {{ step.value_after }} as value_after,
        {{ step.average_after }} as average_after,
        cast(state.sale_costs || case
            when events.movement_type = 'sale' and events.is_refunded_sale and {{ step.value_moved }} is not null
                then {{ sale_cost_entry('events.event_seq', step.value_moved, 'events.quantity') }}
            else ''
        end as {{ dbt.type_string() }}) as sale_costs
{%- endset -%}
with recursive

events as (
    select * from {{ events }}
),

opening as (
    select
        {%- for name, expression in moving_average_opening().items() %}
        {{ expression }} as {{ name }},
        {%- endfor %}
        cast('' as {{ dbt.type_string() }}) as sale_costs
),

costed as (
    select{{ costed_columns }}
    from events
    cross join opening as state
    where events.event_seq = 1

    union all

    select{{ costed_columns }}
    from costed as state
    inner join events
        on events.internal_sku = state.internal_sku
        and events.event_seq = state.event_seq + 1
)


{{ events_with_costs() }}
{%- endmacro %}

{#- By receipt (the DuckDB and Spark branches): the same steps, one per receipt instead of one per movement, and no
    growing text. The average only changes at a receipt (a purchase, or a return), so the issues between two receipts
    (a segment) all take the average of the receipt that opens it, and what they move is a running sum over the
    segment, outside the sequential part. That part steps from the state after one receipt, through what its
    segment's issues took (their quantities at that average), to the next receipt. The costs of refunded sales travel
    as a list that keeps only the sales whose last return is still ahead. So the work grows with the data, not with
    its square: on the default branch the 64 k movements of one SKU took 50 s, on these a few. -#}
{% macro moving_average_segments_opening(events) -%}
events as (
    select * from {{ events }}
),

movements as (
    select
        internal_sku,
        event_seq,
        movement_type,
        cast(quantity as integer) as quantity,
        value_in,
        original_sale_seq,
        is_refunded_sale,
        movement_type in ('purchase', 'return') as is_receipt,
        cast(sum(case when {{ is_issue('movement_type') }} then -1 * quantity else quantity end) over (
            partition by internal_sku order by event_seq rows between unbounded preceding and current row
        ) as integer) as qty_after,
        -- the receipts so far: an issue's segment is the number of the receipt that opened it (0: none yet)
        count(case when movement_type in ('purchase', 'return') then 1 end) over (
            partition by internal_sku order by event_seq rows between unbounded preceding and current row
        ) as segment
    from events
),

-- Within a segment the stock only falls, so at most one issue empties it: that one takes exactly the value left.
emptied as (
    select internal_sku, segment, event_seq as emptied_seq
    from movements
    where {{ is_issue('movement_type') }} and qty_after = 0
),

last_returns as (
    select internal_sku, original_sale_seq as sale_seq, max(event_seq) as last_return_seq
    from movements
    where movement_type = 'return' and original_sale_seq is not null
    group by internal_sku, original_sale_seq
),

segment_issues as (
    select
        issues.internal_sku,
        issues.segment,
        issues.event_seq,
        issues.movement_type,
        issues.is_refunded_sale,
        issues.quantity,
        issues.qty_after,
        emptied.emptied_seq,
        last_returns.last_return_seq
    from movements as issues
    left join emptied
        on emptied.internal_sku = issues.internal_sku
        and emptied.segment = issues.segment
    left join last_returns
        on last_returns.internal_sku = issues.internal_sku
        and last_returns.sale_seq = issues.event_seq
    where not issues.is_receipt
),

receipts as (
    select *, segment as receipt_no, qty_after - quantity as qty_before
    from movements
    where is_receipt
)
{%- endmacro %}

{#- After `receipt_costs` (each receipt's costed row and the state after it): every issue costed from its segment's
    opening state, and the CTE `costed` of both. -#}
{% macro moving_average_segments_closing() -%}
issues as (
    select
        segment_issues.internal_sku,
        segment_issues.event_seq,
        segment_issues.segment,
        segment_issues.quantity,
        segment_issues.qty_after,
        segment_issues.emptied_seq,
        coalesce(openings.value_after, cast(0 as {{ money() }})) as opening_value,
        openings.average_after as average,
        coalesce(round(openings.average_after * segment_issues.quantity, 2), 0) as issued_value
    from segment_issues
    left join receipt_costs as openings
        on openings.internal_sku = segment_issues.internal_sku
        and openings.receipt_no = segment_issues.segment
),

issues_running as (
    select
        *,
        sum(issued_value) over (
            partition by internal_sku, segment order by event_seq rows between unbounded preceding and current row
        ) as issued_so_far,
        sum(case when event_seq > emptied_seq then issued_value else 0 end) over (
            partition by internal_sku, segment order by event_seq rows between unbounded preceding and current row
        ) as issued_since_emptied
    from issues
),

costed as (
    select internal_sku, event_seq, unit_cost, value_moved, qty_after, value_after
    from receipt_costs

    union all

    select
        internal_sku,
        event_seq,
        cast(average as {{ money(6) }}),
        cast(case
            when event_seq = emptied_seq then opening_value - (issued_so_far - issued_value)
            else round(average * quantity, 2)
        end as {{ money() }}),
        qty_after,
        cast(case
            when event_seq >= emptied_seq then -1 * issued_since_emptied
            else opening_value - issued_so_far
        end as {{ money() }})
    from issues_running
)


{{ events_with_costs() }}
{%- endmacro %}

{#- DuckDB: a recursive CTE with one level per receipt. USING KEY keeps one state row per SKU (slot 0, with the list
    of refunded sales' costs), replaced at each level, beside each receipt's costed row under its own slot; so the
    list is never copied into the result, and the memory stays with the data. -#}
{% macro duckdb__moving_average_costing(events) -%}
{%- set sale = "list_filter(before.sale_costs, lambda cost: cost.sale_seq = before.original_sale_seq)[1]" -%}
{%- set step = moving_average_step('before', 'before', sale ~ '.value_moved', sale ~ '.quantity') -%}
with recursive

{{ moving_average_segments_opening(events) }},

segments as (
    select
        internal_sku,
        segment,
        max(emptied_seq) is not null as is_emptied,
        -- what the segment's closing value owes: the issues after the emptying one, or all when none empties it
        coalesce(list(quantity) filter (where emptied_seq is null or event_seq > emptied_seq), []) as closing_quantities,
        coalesce(list(quantity) filter (where event_seq < emptied_seq), []) as emptying_quantities,
        coalesce(list({
            'sale_seq': event_seq,
            'quantity': quantity,
            'is_emptying': {{ null_safe_equal('event_seq', 'emptied_seq') }},
            'last_return_seq': last_return_seq
        }) filter (where movement_type = 'sale' and is_refunded_sale), []) as refunded_sales
    from segment_issues
    group by internal_sku, segment
),

costed_receipts (
    internal_sku, slot, receipt_no, event_seq, unit_cost, value_moved, qty_after, value_after, average_after, sale_costs
) using key (internal_sku, slot) as (
    select
        internal_sku,
        0,
        cast(0 as bigint),
        cast(null as bigint),
        cast(null as {{ money(6) }}),
        cast(null as {{ money() }}),
        {%- for name, expression in moving_average_opening().items() %}
        {{ expression }},
        {%- endfor %}
        cast([] as struct(sale_seq bigint, value_moved {{ money() }}, quantity integer, last_return_seq bigint)[])
    from (select distinct internal_sku from movements) as skus

    union

    select
        stepped.internal_sku,
        case when slots.is_state then 0 else stepped.receipt_no end,
        stepped.receipt_no,
        stepped.event_seq,
        stepped.unit_cost,
        stepped.value_moved,
        stepped.qty_after,
        stepped.value_after,
        stepped.average_after,
        case when slots.is_state then list_concat(
            list_filter(stepped.sale_costs, lambda cost: cost.last_return_seq > stepped.event_seq),
            list_filter(list_transform(stepped.refunded_sales, lambda sale: {
                'sale_seq': sale.sale_seq,
                'value_moved': cast(case
                    when sale.is_emptying
                        then stepped.value_after - {{ duckdb_issued_value('stepped.emptying_quantities', 'stepped.average_after') }}
                    else round(stepped.average_after * sale.quantity, 2)
                end as {{ money() }}),
                'quantity': sale.quantity,
                'last_return_seq': sale.last_return_seq
            }), lambda cost: cost.value_moved is not null)
        ) end
    from (
        select
            before.internal_sku,
            before.receipt_no,
            before.event_seq,
            {{ step.unit_cost }} as unit_cost,
            {{ step.value_moved }} as value_moved,
            {{ step.qty_after }} as qty_after,
            {{ step.value_after }} as value_after,
            {{ step.average_after }} as average_after,
            before.sale_costs,
            coalesce(opening.refunded_sales, []) as refunded_sales,
            coalesce(opening.emptying_quantities, []) as emptying_quantities
        from (
            -- the state just before the next receipt: the last one's, less what its segment's issues took
            select
                receipts.internal_sku,
                receipts.receipt_no,
                receipts.event_seq,
                receipts.movement_type,
                receipts.quantity,
                receipts.value_in,
                receipts.original_sale_seq,
                receipts.qty_before as qty_after,
                cast(case when closing.is_emptied then 0 else state.value_after end
                    - {{ duckdb_issued_value('coalesce(closing.closing_quantities, [])', 'state.average_after') }}
                    as {{ money() }}) as value_after,
                state.average_after,
                state.sale_costs
            from costed_receipts as state
            inner join receipts
                on receipts.internal_sku = state.internal_sku
                and receipts.receipt_no = state.receipt_no + 1
            left join segments as closing
                on closing.internal_sku = state.internal_sku
                and closing.segment = state.receipt_no
            where state.slot = 0
        ) as before
        left join segments as opening
            on opening.internal_sku = before.internal_sku
            and opening.segment = before.receipt_no
    ) as stepped
    cross join (select true as is_state union all select false) as slots
),

receipt_costs as (
    select internal_sku, receipt_no, event_seq, unit_cost, value_moved, qty_after, value_after, average_after
    from costed_receipts
    where slot > 0
),

{{ moving_average_segments_closing() }}
{%- endmacro %}

{#- What issues of these quantities take at this average, to the cent each (nothing when no average is known). -#}
{% macro duckdb_issued_value(quantities, average) -%}
    coalesce(list_sum(list_transform({{ quantities }}, lambda q: coalesce(round({{ average }} * q, 2), 0))), 0)
{%- endmacro %}

{% macro spark_issued_value(quantities, average) -%}
    aggregate({{ quantities }}, cast(0 as {{ money(2, 38) }}),
        (issued, q) -> cast(issued + coalesce(round({{ average }} * q, 2), 0) as {{ money(2, 38) }}))
{%- endmacro %}

{#- Spark: a fold, since Spark runs a recursive CTE one job per level. aggregate() walks each SKU's receipts in order
    from the opening state; transform(array(x), name -> ...)[1] names an intermediate struct (the state just before
    a receipt, then the one after it), as the DuckDB branch's nested selects do. -#}
{% macro spark__moving_average_costing(events) -%}
{%- set sale = "try_element_at(filter(s.sale_costs, cost -> cost.sale_seq = r.original_sale_seq), 1)" -%}
{%- set step = moving_average_step('b', 'b', 'b.sale_value', 'b.sale_quantity') -%}
{%- set receipt_row = 'struct<receipt_no: bigint, event_seq: bigint, unit_cost: ' ~ money(6) ~ ', value_moved: ' ~ money() ~ ', qty_after: integer, value_after: ' ~ money() ~ ', average_after: ' ~ money(6) ~ '>' -%}
with

{{ moving_average_segments_opening(events) }},

segments as (
    select
        internal_sku,
        segment,
        max(emptied_seq) is not null as is_emptied,
        collect_list(case when emptied_seq is null or event_seq > emptied_seq then quantity end) as closing_quantities,
        collect_list(case when event_seq < emptied_seq then quantity end) as emptying_quantities,
        collect_list(case when movement_type = 'sale' and is_refunded_sale then named_struct(
            'sale_seq', cast(event_seq as bigint),
            'quantity', quantity,
            'is_emptying', {{ null_safe_equal('event_seq', 'emptied_seq') }},
            'last_return_seq', cast(last_return_seq as bigint)
        ) end) as refunded_sales
    from segment_issues
    group by internal_sku, segment
),

receipt_steps as (
    select
        receipts.internal_sku,
        named_struct(
            'receipt_no', cast(receipts.receipt_no as bigint),
            'event_seq', cast(receipts.event_seq as bigint),
            'movement_type', receipts.movement_type,
            'quantity', cast(receipts.quantity as integer),
            'value_in', receipts.value_in,
            'original_sale_seq', cast(receipts.original_sale_seq as bigint),
            'qty_before', receipts.qty_before,
            'closing_is_emptied', coalesce(closing.is_emptied, false),
            'closing_quantities', coalesce(closing.closing_quantities, cast(array() as array<integer>)),
            'refunded_sales', coalesce(opening.refunded_sales,
                cast(array() as array<struct<sale_seq: bigint, quantity: integer, is_emptying: boolean, last_return_seq: bigint>>)),
            'emptying_quantities', coalesce(opening.emptying_quantities, cast(array() as array<integer>))
        ) as receipt
    from receipts
    left join segments as closing
        on closing.internal_sku = receipts.internal_sku
        and closing.segment = receipts.receipt_no - 1
    left join segments as opening
        on opening.internal_sku = receipts.internal_sku
        and opening.segment = receipts.receipt_no
),

folded as (
    select
        internal_sku,
        aggregate(
            array_sort(collect_list(receipt)),
            named_struct(
                'rows', cast(array() as array<{{ receipt_row }}>),
                'value_after', {{ moving_average_opening().value_after }},
                'average_after', {{ moving_average_opening().average_after }},
                'sale_costs', cast(array() as array<struct<sale_seq: bigint, value_moved: {{ money() }}, quantity: integer, last_return_seq: bigint>>)
            ),
            (s, r) -> transform(array(named_struct(
                -- the state just before the receipt: the last one's, less what its segment's issues took
                'movement_type', r.movement_type,
                'quantity', r.quantity,
                'value_in', r.value_in,
                'qty_after', r.qty_before,
                'value_after', cast(case when r.closing_is_emptied then 0 else s.value_after end
                    - {{ spark_issued_value('r.closing_quantities', 's.average_after') }} as {{ money() }}),
                'average_after', s.average_after,
                'sale_value', {{ sale }}.value_moved,
                'sale_quantity', {{ sale }}.quantity
            )), b -> transform(array(named_struct(
                'unit_cost', {{ step.unit_cost }},
                'value_moved', {{ step.value_moved }},
                'qty_after', {{ step.qty_after }},
                'value_after', {{ step.value_after }},
                'average_after', {{ step.average_after }}
            )), n -> named_struct(
                'rows', concat(s.rows, array(named_struct(
                    'receipt_no', r.receipt_no, 'event_seq', r.event_seq, 'unit_cost', n.unit_cost,
                    'value_moved', n.value_moved, 'qty_after', n.qty_after, 'value_after', n.value_after,
                    'average_after', n.average_after
                ))),
                'value_after', n.value_after,
                'average_after', n.average_after,
                'sale_costs', concat(
                    filter(s.sale_costs, cost -> cost.last_return_seq > r.event_seq),
                    filter(transform(r.refunded_sales, sale -> named_struct(
                        'sale_seq', sale.sale_seq,
                        'value_moved', cast(case
                            when sale.is_emptying
                                then n.value_after - {{ spark_issued_value('r.emptying_quantities', 'n.average_after') }}
                            else round(n.average_after * sale.quantity, 2)
                        end as {{ money() }}),
                        'quantity', sale.quantity,
                        'last_return_seq', sale.last_return_seq
                    )), cost -> cost.value_moved is not null)
                )
            ))[0])[0]
        ).rows as receipt_rows
    from receipt_steps
    group by internal_sku
),

receipt_costs as (
    select folded.internal_sku, receipt_row.*
    from folded
    lateral view explode(folded.receipt_rows) exploded as receipt_row
),

{{ moving_average_segments_closing() }}
{%- endmacro %}

{#- 先进先出: receipts (purchases, and returns at the cost of the sale they reverse) form layers in event order; issue
    n (a sale or write-off) takes the units between the cumulative issued quantity before it and after it, from the
    layers whose cumulative received interval overlaps it, received on or before the issue. Units no received layer
    covers (negative stock) take the unit cost of the latest purchase before the issue. Where each unit comes from
    is plain interval arithmetic; only the value of a returned layer depends on an earlier issue's cost, so the
    pieces (issue x layer) are valued in one ordered pass that carries the refunded sales' costs. -#}
{% macro fifo_costing(events) -%}
with recursive

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
            when events.movement_type = 'purchase' then {{ quotient('events.value_in', 'events.quantity', 6) }}
            else {{ quotient('purchases.value_in', 'purchases.quantity', 6) }}
        end as {{ money(6) }}) as reference_unit_cost
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
        sum(quantity) over (partition by internal_sku order by event_seq rows between unbounded preceding and current row) as cum_in_end
    from priced
    where movement_type in ('purchase', 'return') and reference_unit_cost is not null
),

issues as (
    select
        *,
        sum(quantity) over (partition by internal_sku order by event_seq rows between unbounded preceding and current row) as cum_out_end
    from priced
    where {{ is_issue('movement_type') }}
),

covered as (
    select
        issues.internal_sku,
        issues.event_seq as issue_seq,
        receipts.event_seq as receipt_seq,
        receipts.movement_type as receipt_type,
        receipts.quantity as receipt_quantity,
        receipts.value_in as receipt_value_in,
        receipts.original_sale_seq as receipt_sale_seq,
        receipts.reference_unit_cost as receipt_reference_cost,
        (case when issues.cum_out_end < receipts.cum_in_end then issues.cum_out_end else receipts.cum_in_end end)
            - (case when issues.cum_out_end - issues.quantity > receipts.cum_in_end - receipts.quantity
                then issues.cum_out_end - issues.quantity else receipts.cum_in_end - receipts.quantity end) as units
    from issues
    inner join receipts
        on receipts.internal_sku = issues.internal_sku
        and receipts.event_seq < issues.event_seq
        and receipts.cum_in_end > issues.cum_out_end - issues.quantity
        and receipts.cum_in_end - receipts.quantity < issues.cum_out_end
),

uncovered as (
    select
        issues.internal_sku,
        issues.event_seq as issue_seq,
        cast(null as integer) as receipt_seq,
        'uncovered' as receipt_type,
        cast(null as integer) as receipt_quantity,
        cast(null as {{ money() }}) as receipt_value_in,
        cast(null as integer) as receipt_sale_seq,
        issues.reference_unit_cost as receipt_reference_cost,
        issues.quantity - coalesce(sum(covered.units), 0) as units
    from issues
    left join covered
        on covered.internal_sku = issues.internal_sku
        and covered.issue_seq = issues.event_seq
    where issues.reference_unit_cost is not null
    group by issues.internal_sku, issues.event_seq, issues.reference_unit_cost, issues.quantity
    having issues.quantity - coalesce(sum(covered.units), 0) > 0
),

pieces as (
    select
        pieces.*,
        issues.quantity as issue_quantity,
        issues.is_refunded_sale,
        row_number() over (
            partition by pieces.internal_sku order by pieces.issue_seq, pieces.receipt_seq nulls last) as piece_seq,
        row_number() over (
            partition by pieces.internal_sku, pieces.issue_seq order by pieces.receipt_seq desc nulls first) = 1 as is_last_piece
    from (select * from covered union all select * from uncovered) as pieces
    inner join issues
        on issues.internal_sku = pieces.internal_sku
        and issues.event_seq = pieces.issue_seq
),

{#- A piece's value at 10 places, the scale of the running issue value: pieces of one issue come from layers of
    different sizes, so there is no single division to round at the cent; the issue is rounded once at the end. -#}
{%- set piece_value -%}
    case
        when pieces.receipt_type = 'purchase' then {{ quotient('pieces.units * pieces.receipt_value_in', 'pieces.receipt_quantity', 10) }}
        when pieces.receipt_type = 'return' then {{ quotient('pieces.units * (' ~ carried_restocked_value('valued.sale_costs', 'pieces.receipt_sale_seq', 'pieces.receipt_quantity', 'pieces.receipt_reference_cost') ~ ')', 'pieces.receipt_quantity', 10) }}
        else pieces.units * pieces.receipt_reference_cost
    end
{%- endset %}
{%- set first_piece_value -%}
    cast(coalesce({{ quotient('pieces.units * pieces.receipt_value_in', 'pieces.receipt_quantity', 10) }},
        pieces.units * pieces.receipt_reference_cost) as {{ money(10, 28) }})
{%- endset %}

valued as (
    select
        pieces.internal_sku,
        pieces.piece_seq,
        pieces.issue_seq,
        pieces.is_last_piece,
        {{ first_piece_value }} as issue_value,
        cast(case
            when pieces.is_last_piece and pieces.is_refunded_sale
                then {{ sale_cost_entry('pieces.issue_seq', 'cast(round(' ~ first_piece_value ~ ', 2) as ' ~ money() ~ ')', 'pieces.issue_quantity') }}
            else ''
        end as {{ dbt.type_string() }}) as sale_costs
    from pieces
    where pieces.piece_seq = 1

    union all

    select
        pieces.internal_sku,
        pieces.piece_seq,
        pieces.issue_seq,
        pieces.is_last_piece,
        cast(case when pieces.issue_seq = valued.issue_seq and not valued.is_last_piece then valued.issue_value else 0 end
            + {{ piece_value }} as {{ money(10, 28) }}),
        cast(valued.sale_costs || case
            when pieces.is_last_piece and pieces.is_refunded_sale
                then {{ sale_cost_entry('pieces.issue_seq', 'cast(round((case when pieces.issue_seq = valued.issue_seq and not valued.is_last_piece then valued.issue_value else 0 end + ' ~ piece_value ~ '), 2) as ' ~ money() ~ ')', 'pieces.issue_quantity') }}
            else ''
        end as {{ dbt.type_string() }})
    from valued
    inner join pieces
        on pieces.internal_sku = valued.internal_sku
        and pieces.piece_seq = valued.piece_seq + 1
),

issue_values as (
    select internal_sku, issue_seq, cast(round(issue_value, 2) as {{ money() }}) as value_moved
    from valued
    where is_last_piece
),

moved as (
    select
        priced.*,
        cast(case
            when priced.movement_type = 'purchase' then priced.value_in
            when priced.movement_type = 'return' then {{ restocked_value('sale_values.value_moved', 'sales.quantity', 'priced.quantity', 'priced.reference_unit_cost') }}
            else issue_values.value_moved
        end as {{ money() }}) as value_moved
    from priced
    left join issue_values
        on issue_values.internal_sku = priced.internal_sku
        and issue_values.issue_seq = priced.event_seq
    left join events as sales
        on sales.internal_sku = priced.internal_sku
        and sales.event_seq = priced.original_sale_seq
    left join issue_values as sale_values
        on sale_values.internal_sku = priced.internal_sku
        and sale_values.issue_seq = priced.original_sale_seq
)

select
    moved.internal_sku, moved.movement_date, moved.movement_type, moved.type_order, moved.store_id, moved.order_id,
    moved.quantity, moved.value_in, moved.source_file_sha256, moved.source_line, moved.reimbursement_id,
    moved.event_seq, moved.original_sale_seq, moved.is_refunded_sale,
    cast({{ quotient('moved.value_moved', 'moved.quantity', 6) }} as {{ money(6) }}) as unit_cost,
    moved.value_moved,
    cast(sum(case when {{ is_issue('moved.movement_type') }} then -1 * moved.quantity else moved.quantity end)
        over (partition by moved.internal_sku order by moved.event_seq rows between unbounded preceding and current row) as integer) as qty_after,
    cast(sum(case when {{ is_issue('moved.movement_type') }} then -1 * coalesce(moved.value_moved, 0) else coalesce(moved.value_moved, 0) end)
        over (partition by moved.internal_sku order by moved.event_seq rows between unbounded preceding and current row) as {{ money() }}) as value_after
from moved
{%- endmacro %}

{#- 月末一次加权平均: one average per SKU and month, (opening value + the month's purchases) / (opening quantity +
    purchased quantity), costs every issue and return of the month; the month's last issue takes the rounding
    residue, and an issue that empties the stock takes exactly what is left. Sales and write-offs are issues alike; a
    return re-enters at its month's average (the method has one cost per month, so the sale's month average is the
    cost it left at, when both fall in one month). A month with no stock and no purchase
    keeps the last known average (negative stock), or none (NULL, flagged) when nothing was ever bought. The months
    are a recursive CTE per SKU. -#}
{% macro month_end_average_costing(events) -%}
with recursive

events as (
    select *, cast({{ dbt.date_trunc('month', 'movement_date') }} as date) as month_start
    from {{ events }}
),

bounds as (
    select internal_sku, min(month_start) as first_month, max(month_start) as last_month
    from events
    group by internal_sku
),

sku_months as (
    select
        bounds.internal_sku,
        integers.n as month_index,
        cast({{ dbt.dateadd('month', 'integers.n', 'bounds.first_month') }} as date) as month_start
    from bounds
    cross join ({{ integers(3) }}) as integers
    where integers.n <= {{ dbt.datediff('bounds.first_month', 'bounds.last_month', 'month') }}
),

monthly as (
    select
        sku_months.internal_sku,
        sku_months.month_index,
        sku_months.month_start,
        cast(coalesce(sum(case when events.movement_type = 'purchase' then events.quantity end), 0) as integer) as purchased_qty,
        cast(coalesce(sum(case when events.movement_type = 'purchase' then events.value_in end), 0) as {{ money() }}) as purchased_value,
        cast(coalesce(sum(case when {{ is_issue('events.movement_type') }} then events.quantity end), 0) as integer) as sold_qty,
        cast(coalesce(sum(case when events.movement_type = 'return' then events.quantity end), 0) as integer) as returned_qty
    from sku_months
    left join events
        on events.internal_sku = sku_months.internal_sku
        and events.month_start = sku_months.month_start
    group by sku_months.internal_sku, sku_months.month_index, sku_months.month_start
),

averaged as (
    select
        monthly.internal_sku,
        monthly.month_index,
        cast(0 as integer) as opening_qty,
        cast(0 as {{ money() }}) as opening_value,
        cast(case when monthly.purchased_qty > 0 then {{ quotient('monthly.purchased_value', 'monthly.purchased_qty', 6) }} end as {{ money(6) }}) as average,
        cast(monthly.purchased_qty + monthly.returned_qty - monthly.sold_qty as integer) as closing_qty,
        cast(case
            when monthly.purchased_qty = 0 then 0
            when monthly.purchased_qty + monthly.returned_qty = monthly.sold_qty then 0
            else monthly.purchased_value
                + {{ quotient('monthly.purchased_value * monthly.returned_qty', 'monthly.purchased_qty', 2) }}
                - {{ quotient('monthly.purchased_value * monthly.sold_qty', 'monthly.purchased_qty', 2) }}
        end as {{ money() }}) as closing_value
    from monthly
    where monthly.month_index = 0

    union all

    select
        monthly.internal_sku,
        monthly.month_index,
        averaged.closing_qty,
        averaged.closing_value,
        cast(case
            when averaged.closing_qty + monthly.purchased_qty > 0
                then {{ quotient('averaged.closing_value + monthly.purchased_value', 'averaged.closing_qty + monthly.purchased_qty', 6) }}
            when monthly.purchased_qty > 0 then {{ quotient('monthly.purchased_value', 'monthly.purchased_qty', 6) }}
            else averaged.average
        end as {{ money(6) }}),
        cast(averaged.closing_qty + monthly.purchased_qty + monthly.returned_qty - monthly.sold_qty as integer),
        cast(case
            when averaged.closing_qty + monthly.purchased_qty + monthly.returned_qty = monthly.sold_qty then 0
            else averaged.closing_value + monthly.purchased_value
                + coalesce(case
                    when averaged.closing_qty + monthly.purchased_qty > 0
                        then {{ quotient('(averaged.closing_value + monthly.purchased_value) * (monthly.returned_qty - monthly.sold_qty)', 'averaged.closing_qty + monthly.purchased_qty', 2) }}
                    when monthly.purchased_qty > 0
                        then {{ quotient('monthly.purchased_value * (monthly.returned_qty - monthly.sold_qty)', 'monthly.purchased_qty', 2) }}
                    else round(averaged.average * (monthly.returned_qty - monthly.sold_qty), 2)
                end, 0)
        end as {{ money() }})
    from averaged
    inner join monthly
        on monthly.internal_sku = averaged.internal_sku
        and monthly.month_index = averaged.month_index + 1
),

-- each return moves its own rounded value, so the issues' total is measured against the sum of those
returned as (
    select averaged.internal_sku, averaged.month_index, sum(round(averaged.average * events.quantity, 2)) as returned_value
    from averaged
    inner join monthly
        on monthly.internal_sku = averaged.internal_sku
        and monthly.month_index = averaged.month_index
    inner join events
        on events.internal_sku = monthly.internal_sku
        and events.month_start = monthly.month_start
        and events.movement_type = 'return'
    group by averaged.internal_sku, averaged.month_index
),

month_values as (
    -- what the month's issues and returns move in total: the closing value is opening + purchases + returns - issues
    select
        averaged.*,
        monthly.month_start,
        monthly.purchased_value,
        cast(returned.returned_value as {{ money() }}) as returned_value,
        cast(averaged.opening_value + monthly.purchased_value + coalesce(returned.returned_value, 0)
            - averaged.closing_value as {{ money() }}) as issued_value
    from averaged
    inner join monthly
        on monthly.internal_sku = averaged.internal_sku
        and monthly.month_index = averaged.month_index
    left join returned
        on returned.internal_sku = averaged.internal_sku
        and returned.month_index = averaged.month_index
),

priced as (
    select
        events.internal_sku, events.movement_date, events.movement_type, events.type_order, events.store_id,
        events.order_id, events.quantity, events.value_in, events.source_file_sha256, events.source_line,
        events.reimbursement_id, events.event_seq, events.original_sale_seq, events.is_refunded_sale,
        case when {{ is_issue('events.movement_type') }} then 'issue' else events.movement_type end as flow,
        month_values.average,
        month_values.opening_qty,
        month_values.opening_value,
        month_values.issued_value,
        case when month_values.average is null then null else cast(round(month_values.average * events.quantity, 2) as {{ money() }}) end as rounded_value,
        row_number() over (
            partition by events.internal_sku, events.month_start,
                case when {{ is_issue('events.movement_type') }} then 'issue' else events.movement_type end
            order by events.event_seq desc
        ) as from_last
    from events
    inner join month_values
        on month_values.internal_sku = events.internal_sku
        and month_values.month_start = events.month_start
),

moved as (
    select
        priced.*,
        cast(case
            when priced.movement_type = 'purchase' then priced.value_in
            when priced.average is null then null
            -- the month's last issue takes what rounding left, so the issues sum to the month's issued value
            when priced.flow = 'issue' and priced.from_last = 1 then priced.issued_value - coalesce(sum(
                case when priced.flow = 'issue' then priced.rounded_value end) over (
                partition by priced.internal_sku, {{ dbt.date_trunc('month', 'priced.movement_date') }}, priced.flow
            ), 0) + priced.rounded_value
            else priced.rounded_value
        end as {{ money() }}) as value_moved
    from priced
)

select
    internal_sku, movement_date, movement_type, type_order, store_id, order_id, quantity, value_in,
    source_file_sha256, source_line, reimbursement_id, event_seq, original_sale_seq, is_refunded_sale,
    case when movement_type = 'purchase' then cast({{ quotient('value_in', 'quantity', 6) }} as {{ money(6) }}) else average end as unit_cost,
    value_moved,
    cast(opening_qty + sum(case when flow = 'issue' then -1 * quantity else quantity end) over (
        partition by internal_sku, {{ dbt.date_trunc('month', 'movement_date') }} order by event_seq
        rows between unbounded preceding and current row) as integer) as qty_after,
    cast(opening_value + sum(case when flow = 'issue' then -1 * coalesce(value_moved, 0) else coalesce(value_moved, 0) end) over (
        partition by internal_sku, {{ dbt.date_trunc('month', 'movement_date') }} order by event_seq
        rows between unbounded preceding and current row) as {{ money() }}) as value_after
from moved
{%- endmacro %}

{#- Both moving-average branches end alike: each event beside the cost its pass gave it (CTEs `events`, `costed`). -#}
{% macro events_with_costs() -%}
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
