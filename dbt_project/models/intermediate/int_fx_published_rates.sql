{%- set functional = var('functional_currency') | upper -%}
-- Rates from each settlement currency into the functional currency ({{ functional }}) on the days a rate
-- was published: the user's override for the pair and date, else the ECB cross rate
-- units_per_eur(functional) / units_per_eur(currency). EUR is 1 per EUR.
with

ecb as (
    select rate_date, currency, units_per_eur from {{ ref('stg_ecb__fx_rates') }}
    union all
    select distinct rate_date, 'EUR' as currency, cast(1 as {{ money(8) }}) as units_per_eur
    from {{ ref('stg_ecb__fx_rates') }}
),

functional_per_eur as (
    select rate_date, units_per_eur
    from ecb
    where currency = '{{ functional }}'
),

ecb_cross as (
    select
        ecb.rate_date,
        ecb.currency,
        {{ quotient('functional_per_eur.units_per_eur', 'ecb.units_per_eur', 8, 8) }} as rate,
        'ecb' as rate_source,
        3 as source_priority,
        cast(null as timestamp) as received_at
    from ecb
    inner join functional_per_eur
        on functional_per_eur.rate_date = ecb.rate_date
    where ecb.currency <> '{{ functional }}'
),

overrides as (
    select overrides.*, files.received_at
    from {{ ref('stg_user_config__fx_rate_overrides') }} as overrides
    left join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = overrides.source_file_sha256
),

override_rates as (
    select rate_date, base_currency as currency, rate, 'override' as rate_source, 1 as source_priority, received_at
    from overrides
    where quote_currency = '{{ functional }}' and base_currency <> '{{ functional }}'
    union all
    -- a rate quoted the other way round (1 functional = rate currency) is inverted
    select rate_date, quote_currency as currency, {{ quotient('1', 'rate', 8, 8) }} as rate, 'override_inverse' as rate_source, 2 as source_priority, received_at
    from overrides
    where base_currency = '{{ functional }}' and quote_currency <> '{{ functional }}' and rate <> 0
),

candidates as (
    select rate_date, currency, rate, rate_source, source_priority, received_at from override_rates
    union all
    select rate_date, currency, rate, rate_source, source_priority, received_at from ecb_cross
),

ranked as (
    select
        *,
        row_number() over (
            partition by rate_date, currency
            order by source_priority, received_at desc nulls last
        ) as preference
    from candidates
)

select
    rate_date,
    currency,
    '{{ functional }}' as functional_currency,
    cast(round(rate, 8) as {{ money(8) }}) as fx_rate,
    rate_source
from ranked
where preference = 1
