{#- numerator / denominator rounded half away from zero (四舍五入) to `scale` places, as an exact DECIMAL(38, scale);
    NULL when the denominator is zero. `denominator_scale` is the denominator's own scale (0 for a quantity).
    Money is divided only through here: DuckDB computes decimal / decimal in DOUBLE, so there 39.73 / 2 rounds to
    19.86 where the exact 19.865 rounds to 19.87, and the same books would differ by engine. -#}
{% macro quotient(numerator, denominator, scale, denominator_scale=0) -%}
    {{ return(adapter.dispatch('quotient', 'acorn')(numerator, denominator, scale, denominator_scale)) }}
{%- endmacro %}

{#- Spark, Postgres and most engines divide decimals exactly (Spark keeps at least 6 places, rounding half up). -#}
{% macro default__quotient(numerator, denominator, scale, denominator_scale) -%}
    cast(round(({{ numerator }}) / nullif({{ denominator }}, 0), {{ scale }}) as {{ money(scale, 38) }})
{%- endmacro %}

{#- DuckDB: in integers. With the denominator in units of 10^-denominator_scale (D) and the numerator in units of
    10^-(scale + denominator_scale) (N, exact while the numerator has at most that many places), the quotient in
    units of 10^-scale is N / D rounded half away from zero: (2|N| + |D|) div 2|D|, with the sign of N / D.
    The powers of ten are HUGEINTs: DuckDB keeps DECIMAL(18, s) * INTEGER at width 18, which overflows for a rate
    (DECIMAL(18,8)) times 10^8 or an amount over 10^7 times 10^10. -#}
{% macro duckdb__quotient(numerator, denominator, scale, denominator_scale) -%}
{%- set n = 'cast((' ~ numerator ~ ') * cast(' ~ (10 ** (scale + denominator_scale)) ~ ' as hugeint) as hugeint)' -%}
{%- set d = 'nullif(cast((' ~ denominator ~ ') * cast(' ~ (10 ** denominator_scale) ~ ' as hugeint) as hugeint), 0)' -%}
    cast(cast(sign({{ n }}) * sign({{ d }}) * ((2 * abs({{ n }}) + abs({{ d }})) // (2 * abs({{ d }})))
        as decimal(38, 0)) * {{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }} as {{ money(scale, 38) }})
{%- endmacro %}
