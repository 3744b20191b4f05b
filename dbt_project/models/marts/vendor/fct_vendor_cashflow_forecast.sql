-- Expected receipts by week and marketplace: every open invoice's outstanding amount (fct_vendor_invoices,
-- is_forecast) on its expected payment date, Amazon's due date shifted by the marketplace's usual payment
-- delay (int_vendor_payment_gaps); what is already late is expected on as_of. Valued in the functional
-- currency at the as_of rate (future rates are unknown). Weeks start on Monday.
select
    cast({{ dbt.date_trunc('week', 'expected_payment_date') }} as date) as week_start,
    marketplace_id,
    min(marketplace_name) as marketplace_name,
    currency,
    count(*) as n_invoices,
    sum(outstanding_amount) as expected_amount,
    sum(case when status = 'overdue' then outstanding_amount else 0 end) as overdue_amount,
    sum(cast(round(outstanding_amount * as_of_fx_rate, 2) as {{ money() }})) as expected_amount_functional,
    min(functional_currency) as functional_currency,
    min(as_of_fx_rate) as fx_rate,
    min(as_of_date) as as_of_date
from {{ ref('fct_vendor_invoices') }}
where is_forecast and outstanding_amount > 0
group by cast({{ dbt.date_trunc('week', 'expected_payment_date') }} as date), marketplace_id, currency
