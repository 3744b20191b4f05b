{#- A JSON object of evidence keys, built with plain string functions so it runs on any warehouse.
    `pairs` is a list of (key, SQL expression); a NULL value becomes JSON null. -#}
{% macro evidence_json(pairs) -%}
    '{' ||
    {%- for key, expr in pairs %}
    '"{{ key }}": ' || coalesce('"' || replace(cast({{ expr }} as {{ dbt.type_string() }}), '"', '\"') || '"', 'null')
    {%- if not loop.last %} || ', ' ||{% endif %}
    {%- endfor %}
    || '}'
{%- endmacro %}
