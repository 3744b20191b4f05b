{#- The store id a marketplace gets when no configured store covers it: the marketplace name lower-cased,
    every dot and space a dash (Amazon.ca -> amazon-ca, Amazon.co.jp -> amazon-co-jp, Non-Amazon CA -> non-amazon-ca).
    NULL stays NULL. -#}
{% macro derived_store_id(marketplace_name) -%}
    replace(replace(lower(trim({{ marketplace_name }})), '.', '-'), ' ', '-')
{%- endmacro %}
