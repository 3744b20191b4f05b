-- One row per PO line: ordered → acknowledged → shipped → received → invoiced → paid (or cancelled), the
-- quantities and amounts reached at each stage, the date each stage was reached, the current stage and
-- how many days (to as_of) the line has been in it. Quantities in eaches; amounts in the PO currency at
-- the line's net cost (invoiced and paid amounts as invoiced and paid). Shipped quantities and dates come from
-- the ASNs (vendorShipments); a line on a shipment not delivered yet is in transit, and units shipped but not
-- (yet) received are shipped_not_received_quantity (in transit, or a shortage once delivered).
with

as_of as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

lines as (
    select
        po_lines.*,
        coalesce(invoicing.invoiced_quantity, 0) as invoiced_quantity,
        coalesce(invoicing.invoiced_amount, 0) as invoiced_amount,
        coalesce(invoicing.paid_quantity, 0) as paid_quantity,
        coalesce(invoicing.paid_amount, 0) as paid_amount,
        coalesce(invoicing.settled_amount, 0) as settled_amount,
        coalesce(invoicing.is_fully_settled, false) as is_fully_settled,
        invoicing.first_invoiced_on,
        invoicing.last_paid_on,
        invoicing.invoice_numbers,
        coalesce(shipping.shipped_quantity, 0) as shipped_quantity,
        coalesce(shipping.in_transit_quantity, 0) as in_transit_quantity,
        shipping.first_shipped_at,
        shipping.estimated_delivery_at,
        shipping.delivered_at,
        shipping.shipment_id
    from {{ ref('int_vendor_po_lines') }} as po_lines
    left join {{ ref('int_vendor_po_line_invoicing') }} as invoicing
        on invoicing.account_id = po_lines.account_id
        and invoicing.purchase_order_number = po_lines.purchase_order_number
        and invoicing.item_sequence_number = po_lines.item_sequence_number
    left join {{ ref('int_vendor_po_line_shipments') }} as shipping
        on shipping.account_id = po_lines.account_id
        and shipping.purchase_order_number = po_lines.purchase_order_number
        and shipping.item_sequence_number = po_lines.item_sequence_number
),

staged as (
    select
        lines.*,
        cast(ordered_at as date) as ordered_on,
        cast(acknowledged_at as date) as acknowledged_on,
        cast(first_shipped_at as date) as shipped_on,
        cast(estimated_delivery_at as date) as estimated_delivery_on,
        cast(delivered_at as date) as delivered_on,
        cast(first_received_at as date) as received_on,
        cast(last_receive_at as date) as last_received_on,
        first_invoiced_on as invoiced_on,
        case when invoiced_quantity > 0 and is_fully_settled then last_paid_on end as paid_on,
        cast(cancelled_at as date) as cancelled_on,
        case
            when open_quantity = 0 and received_quantity = 0 and invoiced_quantity = 0
                and (cancelled_quantity > 0 or coalesce(rejected_quantity, 0) > 0) then 'cancelled'
            when invoiced_quantity > 0 and is_fully_settled then 'paid'
            when invoiced_quantity > 0 then 'invoiced'
            when received_quantity > 0 then 'received'
            when shipped_quantity > 0 then 'shipped'
            when acknowledged_at is not null then 'acknowledged'
            else 'ordered'
        end as current_stage
    from lines
)

select
    staged.account_id,
    staged.marketplace_id,
    staged.marketplace_name,
    staged.vendor_code,
    staged.purchase_order_number,
    staged.item_sequence_number,
    staged.asin,
    staged.vendor_sku,
    staged.purchase_order_state,
    staged.currency,
    staged.net_cost,

    ---------- quantities (eaches)
    staged.original_ordered_quantity,
    staged.ordered_quantity,
    staged.accepted_quantity,
    staged.rejected_quantity,
    staged.cancelled_quantity,
    staged.received_quantity,
    staged.invoiced_quantity,
    staged.paid_quantity,

    ---------- amounts (PO currency)
    cast(round(staged.ordered_quantity * staged.net_cost, 2) as {{ money() }}) as ordered_amount,
    cast(round(coalesce(staged.accepted_quantity, 0) * staged.net_cost, 2) as {{ money() }}) as accepted_amount,
    cast(round(staged.received_quantity * staged.net_cost, 2) as {{ money() }}) as received_amount,
    staged.invoiced_amount,
    staged.paid_amount,
    staged.invoiced_amount - staged.settled_amount as outstanding_amount,

    ---------- stage dates
    staged.ordered_on,
    staged.acknowledged_on,
    staged.shipped_on,
    staged.received_on,
    staged.last_received_on,
    staged.invoiced_on,
    staged.paid_on,
    staged.cancelled_on,
    staged.ship_window_start,
    staged.ship_window_end,
    staged.delivery_window_start,
    staged.delivery_window_end,

    ---------- where the line is
    staged.current_stage,
    stages.stage_order,
    case staged.current_stage
        when 'ordered' then staged.ordered_on
        when 'acknowledged' then staged.acknowledged_on
        when 'shipped' then staged.shipped_on
        when 'received' then staged.received_on
        when 'invoiced' then staged.invoiced_on
        when 'paid' then staged.paid_on
        when 'cancelled' then coalesce(staged.cancelled_on, staged.acknowledged_on, staged.ordered_on)
    end as stage_entered_on,
    {{ dbt.datediff(
        "case staged.current_stage when 'ordered' then staged.ordered_on when 'acknowledged' then staged.acknowledged_on when 'shipped' then staged.shipped_on when 'received' then staged.received_on when 'invoiced' then staged.invoiced_on when 'paid' then staged.paid_on else coalesce(staged.cancelled_on, staged.acknowledged_on, staged.ordered_on) end",
        'as_of.as_of_date', 'day') }} as days_in_stage,
    as_of.as_of_date,

    ---------- situations
    staged.received_quantity > 0
        and staged.received_quantity < staged.open_quantity as is_partially_received,
    coalesce(staged.rejected_quantity, 0) > 0 and coalesce(staged.accepted_quantity, 0) > 0 as is_partially_accepted,
    staged.original_ordered_quantity <> staged.ordered_quantity as is_quantity_changed,
    staged.is_cancelled_after_acknowledgement,
    staged.is_changed_after_acknowledgement,
    staged.invoice_numbers,

    ---------- shipments (ASNs)
    staged.shipped_quantity,
    staged.in_transit_quantity,
    {{ greatest_non_null('staged.shipped_quantity - staged.received_quantity', '0') }} as shipped_not_received_quantity,
    staged.estimated_delivery_on,
    staged.delivered_on,
    case when staged.shipped_on is not null then {{ dbt.datediff(
        'staged.shipped_on', 'coalesce(staged.delivered_on, staged.received_on, as_of.as_of_date)', 'day') }}
    end as days_in_transit,
    staged.in_transit_quantity > 0 as is_in_transit,
    staged.shipment_id
from staged
cross join as_of
left join {{ ref('vendor_po_stages') }} as stages
    on stages.stage = staged.current_stage
