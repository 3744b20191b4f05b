-- The store list: the user's store_config rows (latest loaded file wins per store_id) plus the default
-- stores of the `stores` seed the user did not supply.
with

configured as (
    select
        stores.*,
        row_number() over (
            partition by stores.store_id
            order by files.received_at desc nulls last, stores.source_file_sha256 desc, stores.source_line desc
        ) as recency_rank
    from {{ ref('stg_user_config__stores') }} as stores
    left join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = stores.source_file_sha256
),

supplied as (
    select store_id, seller_id, marketplace_id, marketplace_name, currency, time_zone, 'store_config' as store_source
    from configured
    where recency_rank = 1
),

defaults as (
    select store_id, seller_id, marketplace_id, marketplace_name, upper(currency) as currency, time_zone, 'seed' as store_source
    from {{ ref('stores') }}
    where store_id not in (select store_id from supplied)
)

select * from supplied
union all
select * from defaults
