with

source as (
    select * from {{ source('spapi', 'finance_transactions') }}
),

renamed as (
    select
        ---------- ids
        trim(account_id) as account_id,
        transaction_id,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(group_id), '') as group_id,
        nullif(trim(settlement_id), '') as settlement_id,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(marketplace_id), '') as marketplace_id,
        nullif(trim(selling_partner_id), '') as selling_partner_id,
        related_identifiers,

        ---------- classification
        upper(trim(transaction_status)) as transaction_status,
        nullif(trim(transaction_type), '') as transaction_type,
        nullif(trim(description), '') as description,

        ---------- money
        total_amount,
        nullif(upper(trim(currency)), '') as currency,

        ---------- time (UTC)
        posted_at,

        ---------- lineage
        window_start,
        window_end,
        source_page_sha256

    from source
)

select * from renamed
