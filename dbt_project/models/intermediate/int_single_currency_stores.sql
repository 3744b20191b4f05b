-- The fallback store of a currency: a settlement or event group that no marketplace (or sync) places
-- belongs to the only configured store in its currency. A currency with two or more stores has none.
select
    currency,
    min(store_id) as store_id
from {{ ref('int_stores') }}
group by currency
having count(*) = 1
