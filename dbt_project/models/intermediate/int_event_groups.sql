-- One row per Finances v0 financial event group, with its store and store-local dates. The sync names the
-- store when the account sells one store in the group's currency; otherwise the only store of that
-- currency is taken, else none (dated in UTC).
with

groups as (
    select * from {{ ref('stg_spapi__financial_event_groups') }}
),

single_currency_store as (
    select * from {{ ref('int_single_currency_stores') }}
),

assigned as (
    select
        groups.*,
        coalesce(groups.store_id, single_currency_store.store_id) as assigned_store_id
    from groups
    left join single_currency_store
        on single_currency_store.currency = groups.original_currency
)

select
    assigned.account_id,
    assigned.group_id,
    assigned.assigned_store_id as store_id,
    assigned.processing_status,
    coalesce(assigned.processing_status, '') = 'Closed' as is_closed,
    assigned.fund_transfer_status,
    assigned.original_total,
    assigned.original_currency,
    assigned.converted_total,
    assigned.converted_currency,
    assigned.beginning_balance,
    assigned.beginning_balance_currency,
    assigned.group_start_at,
    assigned.group_end_at,
    assigned.fund_transfer_at,
    coalesce(stores.time_zone, 'UTC') as time_zone,
    {{ to_local_date('assigned.group_start_at', "coalesce(stores.time_zone, 'UTC')") }} as group_start_date,
    {{ to_local_date('assigned.group_end_at', "coalesce(stores.time_zone, 'UTC')") }} as group_end_date,
    {{ to_local_date('assigned.fund_transfer_at', "coalesce(stores.time_zone, 'UTC')") }} as fund_transfer_date,
    assigned.trace_id,
    assigned.account_tail,
    assigned.source_page_sha256,
    assigned.fetched_at
from assigned
left join {{ ref('int_stores') }} as stores
    on stores.store_id = assigned.assigned_store_id
