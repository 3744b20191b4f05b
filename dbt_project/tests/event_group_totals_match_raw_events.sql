-- Dagster shows this test as a check on the mart it tests (it reads the raw tables too).
{{ config(meta={'dagster': {'ref': {'name': 'fct_event_group_reconciliation'}}}) }}
-- fct_event_group_reconciliation.events_total of a group equals its raw Finances v0 event amounts
-- (amount_role 'amount'), summed here from raw.spapi financial_events rather than restating the mart.
with

raw_totals as (
    select trim(account_id) as account_id, trim(group_id) as group_id, sum(amount) as raw_events_total
    from {{ source('spapi', 'financial_events') }}
    where amount_role = 'amount'
    group by trim(account_id), trim(group_id)
)

select groups.account_id, groups.group_id, groups.events_total, coalesce(raw_totals.raw_events_total, 0) as raw_events_total
from {{ ref('fct_event_group_reconciliation') }} as groups
left join raw_totals
    on raw_totals.account_id = groups.account_id
    and raw_totals.group_id = groups.group_id
where groups.events_total <> coalesce(raw_totals.raw_events_total, 0)
    or groups.events_difference <> groups.original_total - coalesce(raw_totals.raw_events_total, 0)
