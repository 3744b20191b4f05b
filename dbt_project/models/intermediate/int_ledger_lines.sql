{%- set functional = var('functional_currency') | upper -%}
{{ config(materialized=incremental_materialization(), unique_key='source_file_sha256') }}
-- Settlement lines converted into the functional currency at the rate of their store-local posted date.
select
    lines.*,
    case when lines.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end as fx_rate,
    case when lines.currency = '{{ functional }}' then lines.posted_date else rates.fx_rate_date end as fx_rate_date,
    case when lines.currency = '{{ functional }}' then 'identity' else rates.rate_source end as fx_rate_source,
    cast(round(
        lines.amount * case when lines.currency = '{{ functional }}' then cast(1 as {{ money(8) }}) else rates.fx_rate end,
        2
    ) as {{ money() }}) as amount_functional,
    '{{ functional }}' as functional_currency
from {{ ref('int_settlement_lines') }} as lines
left join {{ ref('int_fx_daily_rates') }} as rates
    on rates.currency = lines.currency
    and rates.calendar_date = lines.posted_date
{% if is_incremental() %}
-- the files int_settlement_lines (re)built in a batch this model has not taken yet
where lines.build_id not in (select distinct build_id from {{ this }})
{% endif %}
