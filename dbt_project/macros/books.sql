{#- The books' conversion: a signed amount times a rate, to the cent, as the journal's money type. -#}
{#- Amounts carry at most four decimals. Widened to 19 digits first: DuckDB multiplies two DECIMAL(18)s inside
    DECIMAL(18), so a landed cost of 1,000,000.0000 times a rate of eight decimals would overflow; 19 + 18 digits keep
    Spark's product exact too (no precision loss below 38). -#}
{% macro to_functional(amount, rate) -%}
    cast(round(cast(({{ amount }}) as {{ money(4, 19) }}) * ({{ rate }}), 2) as {{ money() }})
{%- endmacro %}

{#- The rate columns of a line in `currency` on a date: 1 for the functional currency, else the policy rate
    joined as `rates_alias` (int_fx_policy_rates). -#}
{% macro policy_rate(currency, rates_alias, column='fx_rate') -%}
    {%- set functional = var('functional_currency') | upper -%}
    {%- if column == 'fx_rate' -%}
    case when {{ currency }} = '{{ functional }}' then cast(1 as {{ money(8) }}) else {{ rates_alias }}.fx_rate end
    {%- elif column == 'fx_rate_source' -%}
    case when {{ currency }} = '{{ functional }}' then 'identity' else {{ rates_alias }}.fx_rate_source end
    {%- else -%}
    {{ rates_alias }}.{{ column }}
    {%- endif -%}
{%- endmacro %}

{#- 'YYYY-MM' of a date. -#}
{% macro period_of(date_expr) -%}
    {{ return(adapter.dispatch('period_of', 'acorn')(date_expr)) }}
{%- endmacro %}

{% macro default__period_of(date_expr) -%}
    to_char({{ date_expr }}, 'YYYY-MM')
{%- endmacro %}

{% macro duckdb__period_of(date_expr) -%}
    strftime({{ date_expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__period_of(date_expr) -%}
    date_format({{ date_expr }}, 'yyyy-MM')
{%- endmacro %}
