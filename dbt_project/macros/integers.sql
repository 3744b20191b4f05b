{#- A table of the integers 0 .. 10^digits - 1 built from cross joins: a portable date spine without
    generate_series or a package. -#}
{% macro integers(digits) -%}
    select
        {% for d in range(digits) -%}
        d{{ d }}.n * {{ 10 ** d }}{{ ' + ' if not loop.last }}
        {%- endfor %} as n
    from
        {% for d in range(digits) -%}
        (
            {% for i in range(10) -%}
            select {{ i }} as n{{ ' union all ' if not loop.last }}
            {%- endfor %}
        ) as d{{ d }}{{ ' cross join ' if not loop.last }}
        {% endfor %}
{%- endmacro %}
