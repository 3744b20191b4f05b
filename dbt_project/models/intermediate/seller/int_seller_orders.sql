-- Which store an Amazon order id belongs to, from the settlement lines that name it. The money-at-risk reports
-- carry no marketplace, so their rows find their store (and its currency and time zone) through their order id.
select
    lines.order_id,
    min(lines.store_id) as store_id,
    min(lines.currency) as currency,
    min(lines.fulfillment_id) as fulfillment_id,
    min(case when lines.transaction_type = 'Order' then lines.posted_date end) as ordered_on
from {{ ref('int_settlement_lines') }} as lines
where lines.order_id is not null
    and lines.transaction_type in ('Order', 'Refund', 'Chargeback Refund', 'A-to-z Guarantee Claim')
group by lines.order_id
