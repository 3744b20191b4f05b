with

source as (
    select * from {{ source('amazon', 'settlement_headers') }}
),

renamed as (
    select
        ---------- ids
        trim(settlement_id) as settlement_id,
        report_format,

        ---------- timestamps (UTC)
        settlement_start_at,
        settlement_end_at,
        deposit_at,

        ---------- money
        total_amount,
        upper(trim(currency)) as currency,

        ---------- lineage
        source_file_sha256,
        source_file_name,
        source_line

    from source
)

select * from renamed
