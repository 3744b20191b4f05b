-- Net result per store and store-local day: the settlement lines that count in the P&L (pnl_lines.in_pnl; sales
-- tax, withheld tax, reserves and transfers are balance-sheet movements and stay out), in the store currency.
select
    lines.store_id,
    lines.posted_date as result_date,
    lines.currency,
    sum(lines.amount) as net_result,
    sum(case when lines.pnl_line = 'Product sales' then lines.amount else 0 end) as product_sales,
    sum(case when lines.pnl_line = 'Refunds' then lines.amount else 0 end) as refunds,
    sum(case when lines.pnl_line = 'Advertising' then lines.amount else 0 end) as advertising,
    count(*) as n_lines
from {{ ref('int_settlement_lines') }} as lines
inner join {{ ref('pnl_lines') }} as pnl
    on pnl.pnl_line = lines.pnl_line
where pnl.in_pnl
group by lines.store_id, lines.posted_date, lines.currency
