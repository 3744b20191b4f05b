{#- numerator / denominator rounded half away from zero (四舍五入) to `scale` places, as an exact DECIMAL(38, scale);
    NULL when the denominator is zero. `denominator_scale` is the denominator's own scale (0 for a quantity).
    Money is divided only through here: DuckDB computes decimal / decimal in DOUBLE, so there 39.73 / 2 rounds to
    19.86 where the exact 19.865 rounds to 19.87, and the same books would differ by engine. -#}
{% macro quotient(numerator, denominator, scale, denominator_scale=0) -%}
    {{ return(adapter.dispatch('quotient', 'acorn')(numerator, denominator, scale, denominator_scale)) }}
{%- endmacro %}

{#- Postgres and most engines divide decimals exactly. -#}
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

{#- Spark divides decimals exactly only while the result fits 38 digits; beyond that it keeps just 6 places (a rate
    of two DECIMAL(38,2) sums would be rounded at 6, not 8). So, as on DuckDB, in integers (DECIMAL(38,0)): the
    truncated quotient (N - N % D) / D is an exact integer, and one more unit away from zero when 2|N % D| >= |D|;
    its width leaves the sum and the product by 10^-scale within 38 digits, where Spark keeps every place.
    (Spark's sign() is a DOUBLE, so the sign is a case.) -#}
{% macro spark__quotient(numerator, denominator, scale, denominator_scale) -%}
{#- transform(array(x), operands -> ...)[0] names N and D once: a quotient inside another would otherwise repeat its
    operands at every level, and the moving average's nested quotients grew the plan past Spark's memory. -#}
{%- set n = 'cast((' ~ numerator ~ ') * ' ~ (10 ** (scale + denominator_scale)) ~ ' as decimal(38, 0))' -%}
{%- set d = 'nullif(cast((' ~ denominator ~ ') * ' ~ (10 ** denominator_scale) ~ ' as decimal(38, 0)), 0)' -%}
    transform(array(named_struct('n', {{ n }}, 'd', {{ d }})), operands -> cast((
        cast((operands.n - operands.n % operands.d) / operands.d as decimal({{ 36 - scale }}, 0))
        + case when 2 * abs(operands.n % operands.d) >= abs(operands.d) then case when (operands.n < 0) = (operands.d < 0) then 1 else -1 end else 0 end
    ){{ '' if scale == 0 else ' * 0.' ~ '0' * (scale - 1) ~ '1' }} as {{ money(scale, 38) }}))[0]
{%- endmacro %}
