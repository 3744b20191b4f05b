-- The (currency, date) pairs the vendor marts convert into the functional currency: PO lines on their
-- order date, invoices on their invoice date, remittance lines on their payment date, and every vendor
-- currency on the as_of day (what is still open is valued at that day's rate).
with

as_of as (
    select as_of_date from {{ ref('int_vendor_as_of') }}
),

needs as (
    select currency, cast(ordered_at as date) as needed_date from {{ ref('int_vendor_po_lines') }}
    union all
    select currency, invoice_date as needed_date from {{ ref('int_vendor_invoices') }}
    union all
    select currency, payment_date as needed_date from {{ ref('int_vendor_remittance_lines') }}
),

currencies as (
    select distinct currency from needs
)

select currency, needed_date from needs
union all
select currencies.currency, as_of.as_of_date as needed_date
from currencies
cross join as_of
