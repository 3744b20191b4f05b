{#- Sums of `column_name` in `model` equal sums of `compare_column` in `compare_model`, per `group_by`
    (list of columns present in both) and overall. Rows are the groups whose sums differ.
    `compare_where` filters the compared model (for example to loaded files only). -#}
{% test equal_sums(model, column_name, compare_model, compare_column=none, group_by=[], compare_where='1 = 1') %}
{%- set compare_column = compare_column or column_name -%}
{%- set keys = group_by | join(', ') -%}
with
left_side as (
    select {{ keys ~ ',' if keys }} sum({{ column_name }}) as total
    from {{ model }}
    {{ 'group by ' ~ keys if keys }}
),
right_side as (
    select {{ keys ~ ',' if keys }} sum({{ compare_column }}) as total
    from {{ compare_model }}
    where {{ compare_where }}
    {{ 'group by ' ~ keys if keys }}
),
joined as (
    select
        {% for k in group_by %}coalesce(l.{{ k }}, r.{{ k }}) as {{ k }}, {% endfor %}
        coalesce(l.total, 0) as model_total,
        coalesce(r.total, 0) as compare_total
    from left_side as l
    full outer join right_side as r
        on {% for k in group_by %}{{ null_safe_equal('l.' ~ k, 'r.' ~ k) }}{{ ' and ' if not loop.last }}{% else %}1 = 1{% endfor %}
)
select *
from joined
where model_total <> compare_total
{% endtest %}
