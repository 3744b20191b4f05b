-- Every (store, seller SKU) seen in settlements, mapped to an internal SKU. Precedence: the user's
-- sku_map for that store, the user's sku_map for all stores, then the same two from the sku_map seed
-- (the latest loaded file wins within the user's rows). Unmapped SKUs keep their seller SKU.
with

line_skus as (
    select distinct settlements.store_id, lines.sku
    from {{ ref('stg_amazon__settlement_lines') }} as lines
    inner join {{ ref('int_settlements') }} as settlements
        on settlements.settlement_id = lines.settlement_id
    where lines.sku is not null
),

user_map as (
    select
        sku_map.store_id, sku_map.seller_sku, sku_map.internal_sku, sku_map.brand, sku_map.category,
        sku_map.unit_cost, sku_map.unit_cost_currency,
        'sku_map' as mapping_source,
        files.received_at,
        sku_map.source_line
    from {{ ref('stg_user_config__sku_map') }} as sku_map
    left join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = sku_map.source_file_sha256
),

seed_map as (
    select
        nullif(trim(store_id), '') as store_id, trim(seller_sku) as seller_sku, trim(internal_sku) as internal_sku,
        brand, category, unit_cost, upper(unit_cost_currency) as unit_cost_currency,
        'seed' as mapping_source,
        cast(null as timestamp) as received_at,
        0 as source_line
    from {{ ref('sku_map') }}
),

mappings as (
    select *, 1 as source_priority from user_map
    union all
    select *, 2 as source_priority from seed_map
),

candidates as (
    select
        line_skus.store_id,
        line_skus.sku,
        mappings.internal_sku,
        mappings.brand,
        mappings.category,
        mappings.unit_cost,
        mappings.unit_cost_currency,
        mappings.mapping_source,
        row_number() over (
            partition by line_skus.store_id, line_skus.sku
            order by
                mappings.source_priority,
                case when mappings.store_id is null then 1 else 0 end,
                mappings.received_at desc nulls last,
                mappings.source_line desc
        ) as match_rank
    from line_skus
    inner join mappings
        on mappings.seller_sku = line_skus.sku
        and (mappings.store_id is null or {{ null_safe_equal('mappings.store_id', 'line_skus.store_id') }})
)

select
    line_skus.store_id,
    line_skus.sku,
    coalesce(candidates.internal_sku, line_skus.sku) as internal_sku,
    candidates.brand,
    candidates.category,
    candidates.unit_cost,
    candidates.unit_cost_currency,
    coalesce(candidates.mapping_source, 'unmapped') as mapping_source
from line_skus
left join candidates
    on {{ null_safe_equal('candidates.store_id', 'line_skus.store_id') }}
    and candidates.sku = line_skus.sku
    and candidates.match_rank = 1
