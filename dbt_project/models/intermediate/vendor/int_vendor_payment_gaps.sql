-- How late each marketplace pays against Amazon's due date, from the invoices it paid in full without a
-- quick-pay discount (early payments would pull the average forward). Days, rounded; 0 without history.
select
    marketplaces.marketplace_id,
    count(invoices.invoice_number) as n_paid_invoices,
    coalesce(
        cast(round(avg({{ dbt.datediff('invoices.amazon_due_date', 'invoices.last_payment_date', 'day') }}), 0) as integer),
        0
    ) as avg_days_paid_after_due
from {{ ref('int_vendor_marketplaces') }} as marketplaces
left join {{ ref('int_vendor_invoices') }} as invoices
    on invoices.marketplace_id = marketplaces.marketplace_id
    and invoices.amazon_due_date is not null
    and invoices.last_payment_date is not null
    and coalesce(invoices.discount_taken, 0) = 0
    and coalesce(invoices.paid_amount, 0) >= invoices.invoice_amount
group by marketplaces.marketplace_id
