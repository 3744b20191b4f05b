with

source as (
    select * from {{ source('user_config', 'sku_map') }}
),

renamed as (
    select
        nullif(trim(store_id), '') as store_id,
        trim(seller_sku) as seller_sku,
        trim(internal_sku) as internal_sku,
        nullif(trim(brand), '') as brand,
        nullif(trim(category), '') as category,
        unit_cost,
        nullif(upper(trim(unit_cost_currency)), '') as unit_cost_currency,
        source_file_sha256,
        source_line

    from source
)

select * from renamed
