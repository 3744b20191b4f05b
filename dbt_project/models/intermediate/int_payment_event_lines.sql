-- Every money line the Finances APIs report, once:
-- * Finances v0 event amounts with amount_role 'amount' ('total' and 'detail' rows restate them);
-- * Finances 2024-06-19 transactions still DEFERRED, one line per transaction at its total. Finances v0
--   hides deferred events until Amazon releases them, so they cannot double count; a released transaction
--   reappears as a v0 event. These lines take event_list 'DeferredTransactions', event_type the
--   transaction type and amount_kind 'transaction_total'.
-- Each line gets its store (the sync's, else its group's), store-local posted date, the settlement
-- amount-type of the event_amount_types seed ('*' wildcards, most specific row wins: amount path 4, amount
-- kind 2, event list 1; 'unmapped' when none), its settlement_state (settled when its group is closed,
-- deferred, else open) and the settlement its group matched (int_event_group_settlements).
with

v0_lines as (
    select
        'finances_v0' as source,
        account_id,
        row_id as line_id,
        store_id,
        group_id,
        event_list,
        event_type,
        known_list,
        amount_path,
        amount_kind,
        amount_type,
        is_adjustment,
        description,
        marketplace,
        order_id,
        seller_order_id,
        sku,
        quantity,
        promotion_id,
        amount,
        currency,
        posted_at,
        cast(null as {{ dbt.type_string() }}) as transaction_status,
        window_start,
        window_end,
        source_page_sha256
    from {{ ref('stg_spapi__financial_events') }}
    where amount_role = 'amount'
),

deferred_lines as (
    select
        'finances_2024_06_19' as source,
        account_id,
        transaction_id as line_id,
        store_id,
        group_id,
        'DeferredTransactions' as event_list,
        transaction_type as event_type,
        cast(null as boolean) as known_list,
        'totalAmount' as amount_path,
        'transaction_total' as amount_kind,
        'TotalAmount' as amount_type,
        false as is_adjustment,
        description,
        marketplace_id as marketplace,
        order_id,
        cast(null as {{ dbt.type_string() }}) as seller_order_id,
        cast(null as {{ dbt.type_string() }}) as sku,
        cast(null as integer) as quantity,
        cast(null as {{ dbt.type_string() }}) as promotion_id,
        total_amount as amount,
        currency,
        posted_at,
        transaction_status,
        window_start,
        window_end,
        source_page_sha256
    from {{ ref('stg_spapi__finance_transactions') }}
    where transaction_status = 'DEFERRED'
),

lines as (
    select * from v0_lines
    union all
    select * from deferred_lines
),

combinations as (
    select distinct event_list, amount_kind, amount_path
    from lines
),

mapping_candidates as (
    select
        combinations.event_list,
        combinations.amount_kind,
        combinations.amount_path,
        mapping.settlement_amount_type,
        row_number() over (
            partition by combinations.event_list, combinations.amount_kind, combinations.amount_path
            order by
                (case when mapping.amount_path = '*' then 0 else 4 end)
                + (case when mapping.amount_kind = '*' then 0 else 2 end)
                + (case when mapping.event_list = '*' then 0 else 1 end) desc
        ) as match_rank
    from combinations
    inner join {{ ref('event_amount_types') }} as mapping
        on (mapping.event_list = '*' or mapping.event_list = combinations.event_list)
        and (mapping.amount_kind = '*' or mapping.amount_kind = combinations.amount_kind)
        and (mapping.amount_path = '*' or mapping.amount_path = combinations.amount_path)
),

amount_types as (
    select event_list, amount_kind, amount_path, settlement_amount_type
    from mapping_candidates
    where match_rank = 1
),

groups as (
    select * from {{ ref('int_event_groups') }}
),

enriched as (
    select
        lines.*,
        coalesce(lines.store_id, groups.store_id) as assigned_store_id,
        case
            when lines.source = 'finances_2024_06_19' then 'deferred'
            when groups.is_closed then 'settled'
            else 'open'
        end as settlement_state
    from lines
    left join groups
        on groups.account_id = lines.account_id
        and groups.group_id = lines.group_id
)

select
    enriched.source,
    enriched.account_id,
    enriched.line_id,
    enriched.assigned_store_id as store_id,
    enriched.event_list,
    enriched.event_type,
    enriched.known_list,
    enriched.amount_path,
    enriched.amount_kind,
    enriched.amount_type,
    coalesce(amount_types.settlement_amount_type, 'unmapped') as settlement_amount_type,
    enriched.is_adjustment,
    enriched.description,
    enriched.marketplace,
    enriched.order_id,
    enriched.seller_order_id,
    enriched.sku,
    enriched.quantity,
    enriched.promotion_id,
    enriched.posted_at,
    {{ to_local_date('enriched.posted_at', "coalesce(stores.time_zone, 'UTC')") }} as posted_date,
    enriched.amount,
    enriched.currency,
    enriched.group_id,
    enriched.transaction_status,
    enriched.settlement_state,
    case
        when enriched.settlement_state = 'settled'
            then coalesce(group_settlements.settlement_id, group_settlements.named_settlement_id)
    end as settlement_id,
    case when enriched.settlement_state = 'settled' then group_settlements.settlement_id is not null end as is_settlement_loaded,
    enriched.window_start,
    enriched.window_end,
    enriched.source_page_sha256
from enriched
left join amount_types
    on amount_types.event_list = enriched.event_list
    and amount_types.amount_kind = enriched.amount_kind
    and amount_types.amount_path = enriched.amount_path
left join {{ ref('int_stores') }} as stores
    on stores.store_id = enriched.assigned_store_id
left join {{ ref('int_event_group_settlements') }} as group_settlements
    on group_settlements.account_id = enriched.account_id
    and group_settlements.group_id = enriched.group_id
