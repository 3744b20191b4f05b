with

source as (
    select * from {{ source('user_config', 'fx_rate_overrides') }}
),

renamed as (
    select
        rate_date,
        upper(trim(base_currency)) as base_currency,
        upper(trim(quote_currency)) as quote_currency,
        rate,
        source_file_sha256,
        source_line

    from source
)

select * from renamed
