{#- None of `columns` (a list) holds a null: one row per column that does, with its count of null rows.

    A model's not-null columns are checked by this one test rather than one `not_null` per column: each dbt test is
    a node with its own compile, query and Dagster check (about 60 ms), and one scan answers for every column. -#}
{% test not_null_columns(model, columns) %}
with counts as (
    select count(*) as n_rows{% for column in columns %}, count({{ column }}) as n_{{ column }}{% endfor %}
    from {{ model }}
)
{% for column in columns %}
select '{{ column }}' as column_name, n_rows - n_{{ column }} as null_rows
from counts
where n_rows > n_{{ column }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% endtest %}
