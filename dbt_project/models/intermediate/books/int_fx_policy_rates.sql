{%- set functional = var('functional_currency') | upper -%}
{%- set policy = var('fx_policy') -%}
{%- set rate_source = var('fx_rate_source') -%}
{%- if policy not in ('transaction_date', 'month_first_day', 'month_average') -%}
    {{ exceptions.raise_compiler_error("var fx_policy must be transaction_date, month_first_day or month_average, not '" ~ policy ~ "'") }}
{%- endif -%}
{%- if rate_source not in ('ecb', 'pboc') -%}
    {{ exceptions.raise_compiler_error("var fx_rate_source must be ecb or pboc, not '" ~ rate_source ~ "'") }}
{%- endif -%}
-- The rate the books convert each (currency, calendar day) at into {{ functional }}, under fx_policy
-- '{{ policy }}' from source '{{ rate_source }}', plus the closing rate of the day (the spot rate, which CAS 19
-- uses for period-end revaluation whatever the policy). 'ecb' uses ECB cross rates only; 'pboc' uses the
-- user's rates (raw.fx_rate_overrides) and falls back to ECB on a day before which none was published. Days
-- span the months of every date the warehouse converts plus the purchases, so a month's first day and last
-- day are always there.
with

ecb as (
    select rate_date, currency, units_per_eur from {{ ref('stg_ecb__fx_rates') }}
    union all
    select distinct rate_date, 'EUR' as currency, cast(1 as {{ money(8) }}) as units_per_eur
    from {{ ref('stg_ecb__fx_rates') }}
),

published as (
    select
        ecb.rate_date,
        ecb.currency,
        cast({{ quotient('functional.units_per_eur', 'ecb.units_per_eur', 8, 8) }} as {{ money(8) }}) as fx_rate,
        'ecb' as rate_source,
        3 as source_priority
    from ecb
    inner join ecb as functional
        on functional.rate_date = ecb.rate_date
        and functional.currency = '{{ functional }}'
    where ecb.currency <> '{{ functional }}'
    {%- if rate_source == 'pboc' %}
    union all
    select rate_date, base_currency, cast(round(rate, 8) as {{ money(8) }}), 'pboc', 1
    from {{ ref('stg_user_config__fx_rate_overrides') }}
    where quote_currency = '{{ functional }}' and base_currency <> '{{ functional }}'
    union all
    select rate_date, quote_currency, cast({{ quotient('1', 'rate', 8, 8) }} as {{ money(8) }}), 'pboc', 2
    from {{ ref('stg_user_config__fx_rate_overrides') }}
    where base_currency = '{{ functional }}' and quote_currency <> '{{ functional }}' and rate <> 0
    {%- endif %}
),

preferred as (
    select *, lead(rate_date) over (partition by currency order by rate_date) as next_rate_date
    from (
        select
            *,
            row_number() over (partition by rate_date, currency order by source_priority) as preference
        from published
    ) as ranked
    where preference = 1
),

needs as (
    select currency, needed_date from {{ ref('int_fx_rate_needs') }}
    union all
    select currency, purchase_date from {{ ref('stg_books__purchases') }}
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'min(needed_date)') }} as date) as first_day,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'max(needed_date)'))) }} as date) as last_day
    from needs
),

days as (
    select cast({{ dbt.dateadd('day', 'integers.n', 'bounds.first_day') }} as date) as calendar_date
    from ({{ integers(5) }}) as integers
    cross join bounds
    where integers.n <= {{ dbt.datediff('bounds.first_day', 'bounds.last_day', 'day') }}
),

spot as (
    -- the rate published that day, or the last one before it (weekends and holidays)
    select
        days.calendar_date,
        cast({{ dbt.date_trunc('month', 'days.calendar_date') }} as date) as calendar_month,
        preferred.currency,
        preferred.fx_rate,
        preferred.rate_date,
        preferred.rate_source
    from days
    inner join preferred
        on days.calendar_date >= preferred.rate_date
        and (preferred.next_rate_date is null or days.calendar_date < preferred.next_rate_date)
),

month_average as (
    select
        cast({{ dbt.date_trunc('month', 'rate_date') }} as date) as calendar_month,
        currency,
        cast(round(avg(fx_rate), 8) as {{ money(8) }}) as fx_rate,
        min(rate_source) as rate_source
    from preferred
    group by cast({{ dbt.date_trunc('month', 'rate_date') }} as date), currency
)

select
    spot.calendar_date,
    spot.currency,
    '{{ functional }}' as functional_currency,
    {%- if policy == 'transaction_date' %}
    spot.fx_rate,
    spot.rate_date as fx_rate_date,
    spot.rate_source as fx_rate_source,
    {%- elif policy == 'month_first_day' %}
    -- a month whose first day precedes the first published rate takes the day's own
    coalesce(first_day.fx_rate, spot.fx_rate) as fx_rate,
    coalesce(first_day.calendar_date, spot.rate_date) as fx_rate_date,
    coalesce(first_day.rate_source, spot.rate_source) as fx_rate_source,
    {%- else %}
    coalesce(month_average.fx_rate, spot.fx_rate) as fx_rate,
    case when month_average.fx_rate is null then spot.rate_date else spot.calendar_month end as fx_rate_date,
    coalesce(month_average.rate_source, spot.rate_source) as fx_rate_source,
    {%- endif %}
    '{{ policy }}' as fx_policy,
    spot.fx_rate as closing_fx_rate,
    spot.rate_date as closing_fx_rate_date,
    spot.rate_source as closing_fx_rate_source
from spot
left join spot as first_day
    on first_day.currency = spot.currency
    and first_day.calendar_date = spot.calendar_month
left join month_average
    on month_average.currency = spot.currency
    and month_average.calendar_month = spot.calendar_month
