with

source as (
    select * from {{ source('spapi', 'financial_event_groups') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        trim(group_id) as group_id,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(trace_id), '') as trace_id,
        nullif(trim(account_tail), '') as account_tail,

        ---------- status
        nullif(trim(processing_status), '') as processing_status,
        nullif(trim(fund_transfer_status), '') as fund_transfer_status,

        ---------- money
        original_total,
        nullif(upper(trim(original_currency)), '') as original_currency,
        converted_total,
        nullif(upper(trim(converted_currency)), '') as converted_currency,
        beginning_balance,
        nullif(upper(trim(beginning_balance_currency)), '') as beginning_balance_currency,

        ---------- timestamps (UTC)
        group_start_at,
        group_end_at,
        fund_transfer_at,

        ---------- lineage
        source_page_sha256,
        fetched_at

    from source
)

select * from renamed
