-- One row per PO line (PO number and item sequence number): what was ordered first and is ordered now,
-- what was accepted, rejected, cancelled and received, and when. Quantities in eaches. A line is
-- cancelled after acknowledgement when Amazon cancelled units after the PO was acknowledged; it is
-- changed after acknowledgement when a later version changed its quantity or cost.
with

orders as (
    select * from {{ ref('int_vendor_purchase_orders') }}
),

item_versions as (
    select * from {{ ref('int_vendor_po_item_versions') }}
),

first_versions as (
    select * from item_versions where version_number = 1
),

latest_versions as (
    select *
    from (
        select
            *,
            row_number() over (
                partition by account_id, purchase_order_number, item_sequence_number
                order by version_number desc
            ) as recency_rank
        from item_versions
    ) as ranked
    where recency_rank = 1
),

version_events as (
    select
        item_versions.account_id,
        item_versions.purchase_order_number,
        item_versions.item_sequence_number,
        min(case when item_versions.is_cancelled then item_versions.version_at end) as cancelled_version_at,
        max(case when item_versions.is_changed and item_versions.version_at > orders.acknowledged_at then 1 else 0 end) = 1
            as is_changed_after_acknowledgement,
        min(case when item_versions.is_changed and item_versions.version_at > orders.acknowledged_at then item_versions.version_at end)
            as changed_after_acknowledgement_at
    from item_versions
    inner join orders
        on orders.account_id = item_versions.account_id
        and orders.purchase_order_number = item_versions.purchase_order_number
    group by item_versions.account_id, item_versions.purchase_order_number, item_versions.item_sequence_number
),

statuses as (
    select * from {{ ref('int_vendor_po_item_status') }}
),

line_keys as (
    select account_id, purchase_order_number, item_sequence_number from latest_versions
    union
    select account_id, purchase_order_number, item_sequence_number from statuses
),

joined as (
    select
        line_keys.account_id,
        line_keys.purchase_order_number,
        line_keys.item_sequence_number,
        coalesce(latest_versions.asin, statuses.asin) as asin,
        coalesce(latest_versions.vendor_sku, statuses.vendor_sku) as vendor_sku,
        coalesce(latest_versions.currency, statuses.currency) as currency,
        coalesce(latest_versions.net_cost, statuses.net_cost) as net_cost,
        coalesce(first_versions.ordered_eaches, statuses.ordered_eaches) as original_ordered_quantity,
        coalesce(statuses.ordered_eaches, latest_versions.ordered_eaches) as ordered_quantity,
        coalesce(latest_versions.is_cancelled, false) as is_cancelled_item,
        statuses.confirmation_status,
        statuses.receive_status,
        statuses.accepted_quantity,
        statuses.rejected_quantity,
        statuses.cancelled_quantity,
        coalesce(statuses.received_eaches, 0) as received_quantity,
        statuses.acknowledged_at as item_acknowledged_at,
        statuses.first_received_at,
        statuses.last_receive_at,
        case
            when version_events.cancelled_version_at is null then statuses.first_cancelled_at
            when statuses.first_cancelled_at is null then version_events.cancelled_version_at
            else {{ least_non_null('version_events.cancelled_version_at', 'statuses.first_cancelled_at') }}
        end as cancelled_at,
        coalesce(version_events.is_changed_after_acknowledgement, false) as is_changed_after_acknowledgement,
        version_events.changed_after_acknowledgement_at
    from line_keys
    left join latest_versions
        on latest_versions.account_id = line_keys.account_id
        and latest_versions.purchase_order_number = line_keys.purchase_order_number
        and latest_versions.item_sequence_number = line_keys.item_sequence_number
    left join first_versions
        on first_versions.account_id = line_keys.account_id
        and first_versions.purchase_order_number = line_keys.purchase_order_number
        and first_versions.item_sequence_number = line_keys.item_sequence_number
    left join statuses
        on statuses.account_id = line_keys.account_id
        and statuses.purchase_order_number = line_keys.purchase_order_number
        and statuses.item_sequence_number = line_keys.item_sequence_number
    left join version_events
        on version_events.account_id = line_keys.account_id
        and version_events.purchase_order_number = line_keys.purchase_order_number
        and version_events.item_sequence_number = line_keys.item_sequence_number
),

quantities as (
    select
        joined.*,
        -- a cancelled item without a status snapshot counts as cancelled in full
        case
            when is_cancelled_item then {{ greatest_non_null('coalesce(cancelled_quantity, 0)', 'coalesce(accepted_quantity, ordered_quantity)') }}
            else coalesce(cancelled_quantity, 0)
        end as cancelled_quantity_eaches
    from joined
)

select
    quantities.account_id,
    orders.marketplace_id,
    orders.marketplace_name,
    orders.vendor_code,
    quantities.purchase_order_number,
    quantities.item_sequence_number,
    quantities.asin,
    quantities.vendor_sku,
    quantities.currency,
    quantities.net_cost,
    quantities.original_ordered_quantity,
    quantities.ordered_quantity,
    quantities.accepted_quantity,
    quantities.rejected_quantity,
    quantities.cancelled_quantity_eaches as cancelled_quantity,
    quantities.received_quantity,
    -- what Amazon still expects: accepted (ordered until acknowledged) less cancelled
    {{ greatest_non_null('coalesce(quantities.accepted_quantity, quantities.ordered_quantity) - quantities.cancelled_quantity_eaches', '0') }}
        as open_quantity,
    quantities.confirmation_status,
    quantities.receive_status,
    orders.purchase_order_state,
    orders.ordered_at,
    coalesce(orders.acknowledged_at, quantities.item_acknowledged_at) as acknowledged_at,
    orders.ship_window_start,
    orders.ship_window_end,
    orders.delivery_window_start,
    orders.delivery_window_end,
    quantities.first_received_at,
    quantities.last_receive_at,
    case when quantities.cancelled_quantity_eaches > 0 then quantities.cancelled_at end as cancelled_at,
    quantities.cancelled_quantity_eaches > 0
        and coalesce(orders.acknowledged_at, quantities.item_acknowledged_at) is not null
        and quantities.cancelled_at > coalesce(orders.acknowledged_at, quantities.item_acknowledged_at)
        as is_cancelled_after_acknowledgement,
    quantities.is_changed_after_acknowledgement,
    quantities.changed_after_acknowledgement_at
from quantities
left join orders
    on orders.account_id = quantities.account_id
    and orders.purchase_order_number = quantities.purchase_order_number
