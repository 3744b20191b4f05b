{#- The raw layer on engines that do not hold the DuckDB file: every dbt source is registered as a table over the
    Parquet that connectors/parquet_export.py wrote (`<raw_parquet_dir>/<schema>/<table>/`). Run as on-run-start;
    on DuckDB the sources are the warehouse's own tables, so the default does nothing. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'acorn')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- set parquet_dir = env_var('ACORN_RAW_PARQUET', '../data/raw_parquet') -%}
    {%- if execute -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- endif -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- do run_query('create table ' ~ source.schema ~ '.' ~ source.identifier ~ " using parquet location '"
                ~ parquet_dir ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
