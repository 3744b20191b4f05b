-- Each fee without a SKU and its share per SKU (the audit trail behind the allocated P&L rows).
select
    allocations.*,
    coalesce(skus.internal_sku, allocations.sku) as internal_sku
from {{ ref('int_fee_allocations') }} as allocations
left join {{ ref('int_skus') }} as skus
    on {{ null_safe_equal('skus.store_id', 'allocations.store_id') }}
    and skus.sku = allocations.sku
