-- The latest acknowledgement and receiving status of every PO line, with when units were first seen
-- received and first seen cancelled across all status snapshots.
with

snapshots as (
    select
        *,
        row_number() over (
            partition by account_id, purchase_order_number, item_sequence_number
            order by last_updated_at desc, fetched_at desc
        ) as recency_rank
    from {{ ref('stg_vendor__purchase_order_status') }}
),

history as (
    select
        account_id,
        purchase_order_number,
        item_sequence_number,
        min(case when received_quantity > 0 then coalesce(last_receive_at, last_updated_at) end) as first_received_at,
        min(case when cancelled_quantity > 0 then last_updated_at end) as first_cancelled_at,
        min(acknowledged_at) as acknowledged_at
    from snapshots
    group by account_id, purchase_order_number, item_sequence_number
)

select
    latest.account_id,
    latest.purchase_order_number,
    latest.item_sequence_number,
    latest.vendor_code,
    latest.ship_to_party_id,
    latest.purchase_order_status,
    latest.confirmation_status,
    latest.receive_status,
    latest.asin,
    latest.vendor_sku,
    latest.net_cost,
    latest.currency,
    latest.ordered_quantity * case when lower(latest.ordered_unit_of_measure) = 'cases' then coalesce(latest.ordered_unit_size, 1) else 1 end
        as ordered_eaches,
    latest.cancelled_quantity,
    latest.accepted_quantity,
    latest.rejected_quantity,
    latest.received_quantity * case when lower(latest.received_unit_of_measure) = 'cases' then coalesce(latest.received_unit_size, 1) else 1 end
        as received_eaches,
    history.acknowledged_at,
    history.first_received_at,
    latest.last_receive_at,
    history.first_cancelled_at,
    latest.last_updated_at
from snapshots as latest
inner join history
    on history.account_id = latest.account_id
    and history.purchase_order_number = latest.purchase_order_number
    and history.item_sequence_number = latest.item_sequence_number
where latest.recency_rank = 1
