{#- Calendar date of a UTC timestamp in an IANA time zone held in a column (store-local dates). -#}
{% macro to_local_date(ts_utc, tz_column) -%}
    {{ return(adapter.dispatch('to_local_date', 'acorn')(ts_utc, tz_column)) }}
{%- endmacro %}

{% macro default__to_local_date(ts_utc, tz_column) -%}
    cast(convert_timezone('UTC', {{ tz_column }}, {{ ts_utc }}) as date)
{%- endmacro %}

{% macro postgres__to_local_date(ts_utc, tz_column) -%}
    cast(({{ ts_utc }} at time zone 'UTC') at time zone {{ tz_column }} as date)
{%- endmacro %}

{% macro duckdb__to_local_date(ts_utc, tz_column) -%}
    {#- timezone('UTC', naive) reads the wall time as UTC; timezone(tz, timestamptz) gives the wall time in tz. -#}
    cast(timezone({{ tz_column }}, timezone('UTC', {{ ts_utc }})) as date)
{%- endmacro %}

{% macro spark__to_local_date(ts_utc, tz_column) -%}
    cast(from_utc_timestamp({{ ts_utc }}, {{ tz_column }}) as date)
{%- endmacro %}
