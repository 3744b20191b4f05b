-- One rate per calendar day and currency over the span of dates the warehouse converts (int_fx_rate_needs:
-- settlement lines, payment events, event group transfers): the rate published that day, or the last one
-- published before it (weekends and holidays).
with

needed_currencies as (
    select distinct currency
    from {{ ref('int_fx_rate_needs') }}
    where currency <> '{{ var("functional_currency") | upper }}'
),

bounds as (
    select min(needed_date) as first_day, max(needed_date) as last_day
    from {{ ref('int_fx_rate_needs') }}
),

days as (
    select cast({{ dbt.dateadd('day', 'integers.n', 'bounds.first_day') }} as date) as calendar_date
    from ({{ integers(5) }}) as integers
    cross join bounds
    where integers.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
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
