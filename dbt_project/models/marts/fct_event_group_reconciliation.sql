{%- set functional = var('functional_currency') | upper -%}
-- One row per financial event group: its totals against its events, its settlement and the bank, and what
-- Amazon's currency conversion cost. Amazon owes original_total in original_currency and pays
-- converted_total in converted_currency; both are valued in {{ functional }} at the reference rates of the
-- store-local fund transfer date (int_fx_daily_rates: override, else ECB), and the conversion cost is
-- value owed - value paid (positive: the seller received less than the reference rate gives).
-- Status precedence: open, settlement_missing, total_differs, events_differ, else tied.
with

groups as (
    select * from {{ ref('int_event_groups') }}
),

event_totals as (
    select account_id, group_id, sum(amount) as events_total, count(*) as n_event_lines
    from {{ ref('int_payment_event_lines') }}
    where source = 'finances_v0'
    group by account_id, group_id
),

rates as (
    select * from {{ ref('int_fx_daily_rates') }}
),

valued as (
    select
        groups.*,
        case when groups.original_currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else original_rates.fx_rate end as original_fx_rate,
        case when groups.converted_currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else converted_rates.fx_rate end as converted_fx_rate,
        coalesce(original_rates.fx_rate_date, converted_rates.fx_rate_date, groups.fund_transfer_date) as reference_rate_date
    from groups
    left join rates as original_rates
        on original_rates.currency = groups.original_currency
        and original_rates.calendar_date = groups.fund_transfer_date
    left join rates as converted_rates
        on converted_rates.currency = groups.converted_currency
        and converted_rates.calendar_date = groups.fund_transfer_date
),

joined as (
    select
        valued.account_id,
        valued.store_id,
        valued.group_id,
        valued.processing_status,
        valued.is_closed,
        valued.fund_transfer_status,
        valued.group_start_at,
        valued.group_end_at,
        valued.group_start_date,
        valued.group_end_date,
        valued.fund_transfer_at,
        valued.fund_transfer_date,
        valued.trace_id,
        valued.original_total,
        valued.original_currency,
        valued.converted_total,
        valued.converted_currency,
        valued.beginning_balance,
        coalesce(event_totals.events_total, 0) as events_total,
        coalesce(event_totals.n_event_lines, 0) as n_event_lines,
        valued.original_total - coalesce(event_totals.events_total, 0) as events_difference,
        coalesce(matches.settlement_id, matches.named_settlement_id) as settlement_id,
        matches.settlement_id is not null as is_settlement_loaded,
        matches.match_method as settlement_match_method,
        settlements.header_total,
        valued.original_total - settlements.header_total as settlement_difference,
        settlements.status as settlement_status,
        settlements.deposit_date,
        settlements.bank_amount,
        settlements.bank_date,
        cast({{ quotient('valued.converted_total', 'valued.original_total', 8, 2) }} as {{ money(8) }}) as implied_rate,
        cast({{ quotient('valued.original_fx_rate', 'valued.converted_fx_rate', 8, 8) }} as {{ money(8) }}) as reference_rate,
        valued.reference_rate_date,
        cast(round(valued.original_total * valued.original_fx_rate, 2) as {{ money() }}) as original_total_functional,
        cast(round(valued.converted_total * valued.converted_fx_rate, 2) as {{ money() }}) as converted_total_functional,
        '{{ functional }}' as functional_currency
    from valued
    left join event_totals
        on event_totals.account_id = valued.account_id
        and event_totals.group_id = valued.group_id
    left join {{ ref('int_event_group_settlements') }} as matches
        on matches.account_id = valued.account_id
        and matches.group_id = valued.group_id
    left join {{ ref('fct_settlement_reconciliation') }} as settlements
        on settlements.settlement_id = matches.settlement_id
)

select
    *,
    original_total_functional - converted_total_functional as conversion_cost_functional,
    case
        when not is_closed then 'open'
        when not is_settlement_loaded then 'settlement_missing'
        when settlement_difference <> 0 then 'total_differs'
        when events_difference <> 0 then 'events_differ'
        else 'tied'
    end as status
from joined
