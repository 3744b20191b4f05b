with

source as (
    select * from {{ source('ecb', 'fx_ecb_rates') }}
),

renamed as (
    select
        rate_date,
        upper(trim(currency)) as currency,
        units_per_eur

    from source
)

select * from renamed
