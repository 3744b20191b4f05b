{#- Custom schema names are used verbatim (staging, intermediate, marts, seeds): the warehouse layout
    is a contract with dashboards and auditors, so no target-name prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
