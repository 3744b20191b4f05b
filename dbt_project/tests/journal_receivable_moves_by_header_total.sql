{{ config(meta={'dagster': {'ref': {'name': 'int_journal_live_lines'}}}) }}
-- Per loaded settlement, the store receivable's movement in the settlement currency over its settlement entries
-- equals the total-amount of the raw header Amazon sent (read from raw.settlement_headers, not from the journal
-- or the marts). Measured on the journal before closed periods are frozen (int_journal_live_lines), so a late
-- settlement for a closed period is held to it too; fct_journal_lines carries the same lines for open periods.
with

loaded as (
    select distinct sha256 from {{ source('audit', 'file_loads') }} where status = 'loaded'
),

headers as (
    select distinct settlement_id, total_amount
    from {{ source('amazon', 'settlement_headers') }}
    where source_file_sha256 in (select sha256 from loaded)
),

receivable as (
    select account_code from {{ ref('cas_account_mapping') }} where source_kind = 'role' and source_key = 'store_receivable'
),

movements as (
    select source_id as settlement_id, sum(amount_original) as movement
    from {{ ref('int_journal_live_lines') }}
    where source_type = 'settlement'
        and account_code in (select account_code from receivable)
    group by source_id
)

select headers.settlement_id, headers.total_amount, movements.movement
from headers
left join movements
    on movements.settlement_id = headers.settlement_id
where coalesce(movements.movement, 0) <> headers.total_amount
