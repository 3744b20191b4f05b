-- Every version of every PO line in version order, quantities in eaches (Cases x unit size), with what
-- changed against the line's previous version. A cancellation is not a change: it is tracked on its own.
with

versions as (
    select
        account_id,
        purchase_order_number,
        version_id,
        {{ greatest_non_null('coalesce(changed_at, ordered_at)', 'state_changed_at') }} as version_at,
        fetched_at
    from {{ ref('stg_vendor__purchase_orders') }}
),

items as (
    select
        items.*,
        versions.version_at,
        versions.fetched_at,
        items.ordered_quantity * case when lower(items.unit_of_measure) = 'cases' then coalesce(items.unit_size, 1) else 1 end
            as ordered_eaches
    from {{ ref('stg_vendor__purchase_order_items') }} as items
    inner join versions
        on versions.account_id = items.account_id
        and versions.purchase_order_number = items.purchase_order_number
        and versions.version_id = items.version_id
),

sequenced as (
    select
        *,
        row_number() over (
            partition by account_id, purchase_order_number, item_sequence_number
            order by version_at, fetched_at, version_id
        ) as version_number,
        lag(ordered_eaches) over (
            partition by account_id, purchase_order_number, item_sequence_number
            order by version_at, fetched_at, version_id
        ) as previous_ordered_eaches,
        lag(net_cost) over (
            partition by account_id, purchase_order_number, item_sequence_number
            order by version_at, fetched_at, version_id
        ) as previous_net_cost
    from items
)

select
    account_id,
    purchase_order_number,
    item_sequence_number,
    version_id,
    version_number,
    version_at,
    asin,
    vendor_sku,
    ordered_eaches,
    net_cost,
    currency,
    is_cancelled,
    previous_ordered_eaches,
    previous_net_cost,
    version_number > 1
        and not is_cancelled
        and (ordered_eaches <> previous_ordered_eaches or net_cost <> previous_net_cost) as is_changed
from sequenced
