-- Every (currency, store-local date) the warehouse converts: settlement lines and payment event lines on
-- their posted date, event groups' original and converted totals on their fund transfer date, and the
-- vendor side's needs (int_vendor_fx_rate_needs).
with

needs as (
    select currency, posted_date as needed_date from {{ ref('int_settlement_lines') }}
    union all
    select currency, posted_date as needed_date from {{ ref('int_payment_event_lines') }}
    union all
    select original_currency as currency, fund_transfer_date as needed_date from {{ ref('int_event_groups') }}
    union all
    select converted_currency as currency, fund_transfer_date as needed_date from {{ ref('int_event_groups') }}
    union all
    select currency, needed_date from {{ ref('int_vendor_fx_rate_needs') }}
)

select distinct currency, needed_date
from needs
where currency is not null and needed_date is not null
