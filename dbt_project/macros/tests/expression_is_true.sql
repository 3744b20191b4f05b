{#- Fails on every row where the expression is not true (optionally only rows matching `where`). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name }}{{ expression }})
{% endtest %}
