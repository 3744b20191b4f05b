-- The span each currency's bank statements cover: a deposit due after the last booking cannot be
-- missing yet, only pending.
select
    currency,
    min(booking_date) as first_booking_date,
    max(booking_date) as last_booking_date,
    count(*) as n_bank_rows
from {{ ref('stg_bank__transactions') }}
group by currency
