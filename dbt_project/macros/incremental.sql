{#- Incremental marts (docs.md `incremental_marts`). File-keyed models take only files they have not seen (or
    whose settlement changed store); store-month models redo only the store-months whose ledger lines changed,
    told by a digest of those lines (int_ledger_store_months) that each such model keeps on its rows. -#}

{#- The id of the dbt invocation that (re)built a row: a downstream file-keyed model takes the batches it lacks. -#}
{% macro build_id() -%}
    cast('{{ invocation_id }}' as {{ dbt.type_string() }})
{%- endmacro %}

{#- A store-month model's unique key, as one expression: delete+insert compares a list of key columns with `=`,
    which never matches a store-month whose store is unknown (NULL). -#}
{% macro store_month_key(month_column='posted_month') -%}
    {{ dbt.concat(["coalesce(store_id, '')", "'|'", "coalesce(cast(" ~ month_column ~ " as " ~ dbt.type_string() ~ "), '')"]) }}
{%- endmacro %}

{#- The two sides of a store-month join, NULL store or month and all, in a form every engine hash-joins. -#}
{% macro same_store_month(left, right, left_month='posted_month', right_month='posted_month') -%}
    coalesce({{ left }}.store_id, '') = coalesce({{ right }}.store_id, '')
    and coalesce(cast({{ left }}.{{ left_month }} as {{ dbt.type_string() }}), '')
        = coalesce(cast({{ right }}.{{ right_month }} as {{ dbt.type_string() }}), '')
{%- endmacro %}

{#- True for a row of `current` (store_id, month, store_month_digest) that `this` holds no rows of at that digest:
    its store-month is new or its lines changed since `this` was built. -#}
{% macro store_month_changed(current, month_column='posted_month') -%}
    not exists (
        select 1 from {{ this }} as built
        where {{ same_store_month('built', current, month_column, month_column) }}
            and built.store_month_digest = {{ current }}.store_month_digest
    )
{%- endmacro %}

{#- Post-hook: rows of `this` whose store-month digest is no longer current (their store-month was redone, or
    lost its lines to another store): delete+insert replaces only the keys a batch has rows for. -#}
{% macro delete_stale_store_months(current, month_column='posted_month') -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    where not exists (
        select 1 from {{ current }} as current_months
        where {{ same_store_month('current_months', 'stale', month_column, month_column) }}
            and current_months.store_month_digest = stale.store_month_digest
    )
    {%- endif -%}
{%- endmacro %}

{#- An order-independent digest of the rows of a group, over `columns`. -#}
{% macro lines_digest(columns) -%}
    {{ return(adapter.dispatch('lines_digest', 'acorn')(columns)) }}
{%- endmacro %}

{% macro default__lines_digest(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '~')") -%}
    {%- endfor -%}
    {%- set line = dbt.concat(parts) -%}
    {{ dbt.hash(dbt.listagg(line, "'\\n'", "order by " ~ line)) }}
{%- endmacro %}

{#- DuckDB: XOR of 64-bit row hashes, one pass and no sort. -#}
{% macro duckdb__lines_digest(columns) -%}
    cast(bit_xor(hash({{ columns | join(', ') }})) as {{ dbt.type_string() }})
{%- endmacro %}

{#- How the incremental marts materialize. dbt-spark has no delete+insert, and on plain Parquet tables it can only
    append or overwrite (merge needs Delta or Iceberg), which would duplicate or drop rows of a late file, so on
    Spark these marts are rebuilt in full as tables: the same rows, without the incremental saving. -#}
{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'acorn')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
