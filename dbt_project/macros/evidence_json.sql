{#- A JSON object of evidence keys, built with plain string functions so it runs on any warehouse.
    `pairs` is a list of (key, SQL expression); a NULL value becomes JSON null; backslashes and quotes are escaped. -#}
{% macro evidence_json(pairs) -%}
    '{' ||
    {%- for key, expr in pairs %}
    '"{{ key }}": ' || coalesce('"' || replace(replace(cast({{ expr }} as {{ dbt.type_string() }}), {{ backslash() }}, {{ backslash() }} || {{ backslash() }}), '"', {{ backslash() }} || '"') || '"', 'null')
    {%- if not loop.last %} || ', ' ||{% endif %}
    {%- endfor %}
    || '}'
{%- endmacro %}

{#- A backslash as a string literal: standard SQL (DuckDB, PostgreSQL, Trino) reads '\' as itself; Spark (like
    Snowflake, BigQuery and MySQL) reads it as the start of an escape, so there '\"' is a bare quote. -#}
{% macro backslash() -%}
    {{ return(adapter.dispatch('backslash', 'acorn')()) }}
{%- endmacro %}

{% macro default__backslash() -%}
    '\'
{%- endmacro %}

{% macro spark__backslash() -%}
    '\\'
{%- endmacro %}
