{#- The later / earlier of two values, skipping a NULL (NULL only when both are). DuckDB, Spark and PostgreSQL's
    greatest/least already skip NULLs; Snowflake, Trino and BigQuery return NULL when any argument is NULL, so the
    default spells the rule out. -#}
{% macro greatest_non_null(a, b) -%}
    {{ return(adapter.dispatch('greatest_non_null', 'acorn')(a, b)) }}
{%- endmacro %}

{% macro default__greatest_non_null(a, b) -%}
    case when {{ b }} is null or {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{% macro duckdb__greatest_non_null(a, b) -%}
    greatest({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__greatest_non_null(a, b) -%}
    greatest({{ a }}, {{ b }})
{%- endmacro %}

{% macro least_non_null(a, b) -%}
    {{ return(adapter.dispatch('least_non_null', 'acorn')(a, b)) }}
{%- endmacro %}

{% macro default__least_non_null(a, b) -%}
    case when {{ b }} is null or {{ a }} <= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{% macro duckdb__least_non_null(a, b) -%}
    least({{ a }}, {{ b }})
{%- endmacro %}

{% macro spark__least_non_null(a, b) -%}
    least({{ a }}, {{ b }})
{%- endmacro %}
