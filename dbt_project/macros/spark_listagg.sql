{#- dbt-spark's listagg drops the ORDER BY (collect_list has no order), so the joined text would depend on Spark's
    partitioning; Spark 4 has listagg ... WITHIN GROUP (ORDER BY ...), the same ordered text as DuckDB's. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg with limit_num is not supported on Spark by this project") }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }}){% if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
