{{ config(materialized=incremental_materialization(), unique_key='source_file_sha256') }}
-- Settlement lines of loaded files with their store, store-local posted date, fee classification and
-- internal SKU. No line is dropped: unknown fee combinations are kept as 'unclassified'.
with

lines as (
    select lines.*
    from {{ ref('stg_amazon__settlement_lines') }} as lines
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = lines.source_file_sha256
    {% if is_incremental() %}
    -- files not built yet, and those of a settlement another store now owns
    where lines.source_file_sha256 not in (select source_file_sha256 from {{ this }})
        or lines.settlement_id in (
            select built.settlement_id
            from (select distinct settlement_id, store_id from {{ this }}) as built
            inner join {{ ref('int_settlements') }} as now_assigned
                on now_assigned.settlement_id = built.settlement_id
            where coalesce(now_assigned.store_id, '') <> coalesce(built.store_id, '')
        )
    {% endif %}
),

settlements as (
    select * from {{ ref('int_settlements') }}
),

enriched as (
    select
        settlements.store_id,
        lines.settlement_id,
        lines.report_format,
        lines.transaction_type,
        lines.amount_type,
        lines.amount_description,
        lines.marketplace_name,
        lines.order_id,
        lines.merchant_order_id,
        lines.adjustment_id,
        lines.shipment_id,
        lines.order_item_code,
        lines.fulfillment_id,
        lines.promotion_id,
        lines.sku,
        lines.quantity,
        lines.posted_at,
        lines.posted_date_raw,
        -- a line without a parsable timestamp is dated at the end of its settlement period
        {{ to_local_date('coalesce(lines.posted_at, settlements.settlement_end_at)', "coalesce(settlements.time_zone, 'UTC')") }} as posted_date,
        lines.amount,
        coalesce(lines.currency, settlements.currency) as currency,
        lines.amount_column,
        lines.source_file_sha256,
        lines.source_line,
        {{ build_id() }} as build_id
    from lines
    left join settlements
        on settlements.settlement_id = lines.settlement_id
)

select
    enriched.*,
    cast({{ dbt.date_trunc('month', 'enriched.posted_date') }} as date) as posted_month,
    taxonomy.fee_category,
    taxonomy.pnl_line,
    taxonomy.account,
    taxonomy.allocate,
    taxonomy.is_unclassified,
    skus.internal_sku,
    skus.brand,
    skus.category
from enriched
left join {{ ref('int_fee_taxonomy_matches') }} as taxonomy
    on {{ null_safe_equal('taxonomy.transaction_type', 'enriched.transaction_type') }}
    and {{ null_safe_equal('taxonomy.amount_type', 'enriched.amount_type') }}
    and {{ null_safe_equal('taxonomy.amount_description', 'enriched.amount_description') }}
left join {{ ref('int_skus') }} as skus
    on {{ null_safe_equal('skus.store_id', 'enriched.store_id') }}
    and skus.sku = enriched.sku
