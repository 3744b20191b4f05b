with

source as (
    select * from {{ source('user_config', 'store_config') }}
),

renamed as (
    select
        trim(store_id) as store_id,
        nullif(trim(seller_id), '') as seller_id,
        nullif(trim(marketplace_id), '') as marketplace_id,
        trim(marketplace_name) as marketplace_name,
        upper(trim(currency)) as currency,
        trim(time_zone) as time_zone,
        source_file_sha256,
        source_line

    from source
)

select * from renamed
