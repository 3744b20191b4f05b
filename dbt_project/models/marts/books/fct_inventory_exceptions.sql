-- Stock movements the data-quality page and the run summary flag: a sale leaving the SKU's stock below zero
-- (negative_stock: more sold than bought; costed at the last known average, never zero) and a sale of a SKU with
-- no purchase before it (no_known_cost: counted, not costed, until purchases.csv covers it).
select
    internal_sku,
    movement_date,
    {{ period_of('movement_date') }} as month,
    store_id,
    order_id,
    quantity,
    qty_after,
    unit_cost,
    value_moved,
    case when value_moved is null then 'no_known_cost' else 'negative_stock' end as exception,
    source_file_sha256,
    source_line
from {{ ref('int_inventory_costed') }}
where movement_type = 'sale' and (qty_after < 0 or value_moved is null)
