-- One row per purchase order: its latest version (the one Amazon changed last), when it was ordered and
-- acknowledged, its windows and how many versions it has. Acknowledgement is the first version in state
-- Acknowledged or, when that version was never fetched, the earliest acknowledgement date of its items.
with

versions as (
    select
        *,
        {{ greatest_non_null('coalesce(changed_at, ordered_at)', 'state_changed_at') }} as version_at
    from {{ ref('stg_vendor__purchase_orders') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by account_id, purchase_order_number
            order by version_at desc, fetched_at desc, version_id
        ) as recency_rank,
        count(*) over (partition by account_id, purchase_order_number) as n_versions,
        min(case when purchase_order_state = 'Acknowledged' then state_changed_at end)
            over (partition by account_id, purchase_order_number) as first_acknowledged_version_at
    from versions
),

item_acknowledgements as (
    select account_id, purchase_order_number, min(acknowledged_at) as acknowledged_at
    from {{ ref('stg_vendor__purchase_order_status') }}
    group by account_id, purchase_order_number
)

select
    ranked.account_id,
    ranked.purchase_order_number,
    ranked.version_id as latest_version_id,
    ranked.marketplace_id,
    marketplaces.marketplace_name,
    ranked.vendor_code,
    ranked.ship_to_party_id,
    ranked.purchase_order_state,
    ranked.purchase_order_type,
    ranked.payment_method,
    ranked.ordered_at,
    case
        when ranked.first_acknowledged_version_at is null then item_acknowledgements.acknowledged_at
        when item_acknowledgements.acknowledged_at is null then ranked.first_acknowledged_version_at
        else {{ least_non_null('ranked.first_acknowledged_version_at', 'item_acknowledgements.acknowledged_at') }}
    end as acknowledged_at,
    ranked.changed_at,
    ranked.version_at as last_changed_at,
    ranked.ship_window_start,
    ranked.ship_window_end,
    ranked.delivery_window_start,
    ranked.delivery_window_end,
    ranked.n_versions
from ranked
left join item_acknowledgements
    on item_acknowledgements.account_id = ranked.account_id
    and item_acknowledgements.purchase_order_number = ranked.purchase_order_number
left join {{ ref('int_vendor_marketplaces') }} as marketplaces
    on marketplaces.marketplace_id = ranked.marketplace_id
where ranked.recency_rank = 1
