{{ config(
    materialized=incremental_materialization(),
    unique_key=store_month_key(),
    post_hook="{{ delete_stale_store_months(ref('int_fee_allocations')) }}",
) }}
-- Each fee without a SKU and its share per SKU (the audit trail behind the allocated P&L rows).
select
    allocations.*,
    coalesce(skus.internal_sku, allocations.sku) as internal_sku
from {{ ref('int_fee_allocations') }} as allocations
left join {{ ref('int_skus') }} as skus
    on {{ null_safe_equal('skus.store_id', 'allocations.store_id') }}
    and skus.sku = allocations.sku
{% if is_incremental() %}
where {{ store_month_changed('allocations') }}
{% endif %}
