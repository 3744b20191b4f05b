{%- set period_tolerance_seconds = 86400 -%}
-- Each closed financial event group matched to at most one loaded settlement, and each settlement to at most
-- one group. Candidates: same currency, the group's store (any store when the group has none), and either
-- named by the group's released Finances 2024-06-19 transactions (relatedIdentifier SETTLEMENT_ID) or a
-- period whose start and end are each within {{ period_tolerance_seconds // 3600 }} hours of the group's.
-- Preference: named by the transactions, then an equal total (header total = original total), then the
-- nearest period. A pair is taken when each is the other's first choice. Every closed group has a row:
-- `named_settlement_id` keeps the id Amazon named even when that settlement is not loaded.
with

groups as (
    select * from {{ ref('int_event_groups') }}
    where is_closed
),

named_counts as (
    select account_id, group_id, settlement_id, count(*) as n_transactions
    from {{ ref('stg_spapi__finance_transactions') }}
    where settlement_id is not null and group_id is not null
    group by account_id, group_id, settlement_id
),

named as (
    -- a group's transactions should name one settlement; if they name several, the most frequent wins
    select account_id, group_id, settlement_id
    from (
        select
            *,
            row_number() over (partition by account_id, group_id order by n_transactions desc, settlement_id) as name_rank
        from named_counts
    ) as ranked
    where name_rank = 1
),

candidates as (
    select
        groups.account_id,
        groups.group_id,
        settlements.settlement_id,
        case when named.settlement_id = settlements.settlement_id then 0 else 1 end as named_rank,
        case when settlements.header_total = groups.original_total then 0 else 1 end as total_rank,
        abs({{ dbt.datediff('settlements.settlement_start_at', 'groups.group_start_at', 'second') }})
            + abs({{ dbt.datediff('settlements.settlement_end_at', 'groups.group_end_at', 'second') }}) as period_distance
    from groups
    inner join {{ ref('int_settlements') }} as settlements
        on settlements.currency = groups.original_currency
        and (groups.store_id is null or settlements.store_id = groups.store_id)
    left join named
        on named.account_id = groups.account_id
        and named.group_id = groups.group_id
    where named.settlement_id = settlements.settlement_id
        or (
            abs({{ dbt.datediff('settlements.settlement_start_at', 'groups.group_start_at', 'second') }}) <= {{ period_tolerance_seconds }}
            and abs({{ dbt.datediff('settlements.settlement_end_at', 'groups.group_end_at', 'second') }}) <= {{ period_tolerance_seconds }}
        )
),

ranked as (
    select
        *,
        row_number() over (
            partition by account_id, group_id
            order by named_rank, total_rank, period_distance, settlement_id
        ) as group_choice,
        row_number() over (
            partition by settlement_id
            order by named_rank, total_rank, period_distance, account_id, group_id
        ) as settlement_choice
    from candidates
),

matches as (
    select * from ranked
    where group_choice = 1 and settlement_choice = 1
)

select
    groups.account_id,
    groups.group_id,
    matches.settlement_id,
    named.settlement_id as named_settlement_id,
    case
        when matches.settlement_id is null then null
        when matches.named_rank = 0 then 'named_by_transactions'
        when matches.total_rank = 0 then 'period_and_total'
        else 'period'
    end as match_method
from groups
left join matches
    on matches.account_id = groups.account_id
    and matches.group_id = groups.group_id
left join named
    on named.account_id = groups.account_id
    and named.group_id = groups.group_id
