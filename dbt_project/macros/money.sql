{#- Exact decimals, fixed in one place: money at 2 places by default, unit costs at 6, FX rates at 8, totals at 38
    digits of precision. Every engine here takes `decimal(p, s)`; an engine that spells it differently (or caps the
    precision lower) gets a `<adapter>__money` beside the default. -#}
{% macro money(scale=2, precision=18) -%}
    {{ return(adapter.dispatch('money', 'acorn')(scale, precision)) }}
{%- endmacro %}

{% macro default__money(scale, precision) -%}
    {{ return('decimal(' ~ precision ~ ', ' ~ scale ~ ')') }}
{%- endmacro %}

{#- Ratios that are not money (refund rates): a float on purpose. Spelled out because DuckDB turns decimal / decimal
    into a DOUBLE while Spark keeps a DECIMAL: without a cast the two engines would disagree on the type. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'acorn')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro postgres__double_type() -%}
    {{ return('double precision') }}
{%- endmacro %}
