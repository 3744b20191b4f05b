-- One rate per day the warehouse converts on (int_fx_rate_needs: settlement lines, payment events, event group
-- transfers, vendor documents) and currency: the rate published that day, or the last one published before it
-- (weekends and holidays).
with

needed_currencies as (
    select distinct currency
    from {{ ref('int_fx_rate_needs') }}
    where currency <> '{{ var("functional_currency") | upper }}'
),

-- Only the days actually needed, never a spine from the earliest to the latest date: one line dated 0001-01-01
-- must not stretch it over two thousand years (and a fixed-length spine would stop short of everyone else's dates).
days as (
    select distinct needed_date as calendar_date
    from {{ ref('int_fx_rate_needs') }}
),

published as (
    select
        published.*,
        lead(rate_date) over (partition by currency order by rate_date) as next_rate_date
    from {{ ref('int_fx_published_rates') }} as published
    where currency in (select currency from needed_currencies)
)

select
    days.calendar_date,
    published.currency,
    published.functional_currency,
    published.fx_rate,
    published.rate_date as fx_rate_date,
    published.rate_source
from days
inner join published
    on days.calendar_date >= published.rate_date
    and (published.next_rate_date is null or days.calendar_date < published.next_rate_date)
