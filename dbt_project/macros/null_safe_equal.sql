{#- Equality that treats two NULLs as equal (join keys that may be missing). -#}
{% macro null_safe_equal(left, right) -%}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
