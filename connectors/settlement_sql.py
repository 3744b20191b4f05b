"""Typed SQL expressions for settlement flat-file fields: text in, DECIMAL / TIMESTAMP out, never through float.

They reproduce `connectors.parsing` field by field (`parse_decimal`, `parse_timestamp`, `detect_decimal_comma`,
`detect_day_first`, `str.strip`) so a settlement file read column-wise in DuckDB yields the rows the line parser
yielded. They are DuckDB macros: the loader is DuckDB's by nature (it stages the file in the warehouse it writes).
"""
from __future__ import annotations

import duckdb

# What Python's str.strip() removes (str.isspace()), as an RE2 class; tab is a field separator, never inside a field.
_SPACE_CODES = [0x0A, 0x0B, 0x0C, 0x0D, *range(0x1C, 0x21), 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
SPACE = "[" + "".join(f"\\x{{{code:x}}}" for code in _SPACE_CODES) + "]"
# Python's `\d` is any Unicode decimal digit (the ASCII-digits rule refuses the others, by name).
_D = r"\p{Nd}"
DOT_DECIMAL = rf"[+-]?(?:{_D}{{1,3}}(?:,{_D}{{3}})+|{_D}+)(?:\.{_D}+)?"
COMMA_DECIMAL = rf"[+-]?(?:{_D}{{1,3}}(?:\.{_D}{{3}})+|{_D}+)(?:,{_D}+)?"
_TIME = rf"(?:[ T]({_D}{{1,2}}):({_D}{{2}})(?::({_D}{{2}}))?)?"
DOTTED = rf"^({_D}{{1,2}})\.({_D}{{1,2}})\.({_D}{{4}}){_TIME}$"
SLASHED = rf"^({_D}{{1,4}})/({_D}{{1,2}})/({_D}{{2,4}}){_TIME}$"
# datetime.fromisoformat (3.11): extended or basic date, any one separator, time to the microsecond, an offset.
ISO = (r"^([0-9]{4})-?([0-9]{2})-?([0-9]{2})"
       r"(?:.([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})(?:[.,]([0-9]+))?)?)?)?"
       r"(?:([+-])([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})(?:[.][0-9]+)?)?)?)?$")
_ISO_PARTS = "['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'sg', 'oh', 'om', 'os']"
# fromisoformat's ISO week dates (2024-W05-3, 2024W053, 2024-W05): year, dash or not, week, and the rest (the day,
# the separator, the time and offset), which `acorn_week_split` takes apart as fromisoformat does.
ISO_WEEK = r"^([0-9]{4})(-?)W([0-9]{2})(.*)$"
_ZONE = r"(?i)[\s]*(?:UTC|GMT|Z)$"



def _let(name: str, value: str, body: str) -> str:
    """`body` with `name` bound to `value`, computed once (a macro has no local variables; a lambda does)."""
    return f"list_transform([{value}], lambda {name}: {body})[1]"


_DECIMAL_BODY = f"""CASE
    WHEN comma AND regexp_full_match(acorn_v, '{COMMA_DECIMAL}') THEN replace(replace(acorn_v, '.', ''), ',', '.')
    WHEN NOT comma AND regexp_full_match(acorn_v, '{DOT_DECIMAL}') THEN replace(acorn_v, ',', '') END"""
_ISO_BODY = """CASE WHEN acorn_m.y <> ''
    THEN acorn_ts_parts(acorn_part(acorn_m.y), acorn_part(acorn_m.mo), acorn_part(acorn_m.d),
                        acorn_part(acorn_m.h), acorn_part(acorn_m.mi), acorn_part(acorn_m.s))
    + to_microseconds(coalesce(try_cast(rpad(left(nullif(acorn_m.f, ''), 6), 6, '0') AS BIGINT), 0))
    + (CASE acorn_m.sg WHEN '-' THEN 1 WHEN '+' THEN -1 ELSE 0 END) * to_seconds(
        coalesce(acorn_part(acorn_m.oh), 0) * 3600 + coalesce(acorn_part(acorn_m.om), 0) * 60
        + coalesce(acorn_part(acorn_m.os), 0))
    END"""
# fromisoformat decides where a week date ends by looking at the characters after the week (CPython's
# _find_isoformat_datetime_separator): with dashes, `-D` is the day unless a digit follows it (then `-` separates the
# time); without, an odd run of digits after the week starts with the separator, an even one (or one digit) with
# the day. The calendar date then goes through acorn_iso_ts with the rest, so times and offsets are read as there.
_WEEK_SPLIT_BODY = """CASE
    WHEN dash = '-' AND r = '-' THEN NULL
    WHEN dash = '-' AND left(r, 1) = '-' AND NOT regexp_matches(r, '^-.[0-9]')
        THEN {'day': CASE WHEN regexp_matches(r, '^-[1-7]') THEN substr(r, 2, 1) END, 'tail': substr(r, 3)}
    WHEN dash = '-' THEN {'day': '1', 'tail': r}
    WHEN acorn_run = 1 OR (acorn_run >= 2 AND acorn_run % 2 = 0)
        THEN {'day': CASE WHEN regexp_matches(r, '^[1-7]') THEN left(r, 1) END, 'tail': substr(r, 2)}
    ELSE {'day': '1', 'tail': r} END"""
_WEEK_BODY = """CASE WHEN acorn_w.y <> '' THEN acorn_iso_ts(printf('%04d-%02d-%02d', year(acorn_k.date),
    month(acorn_k.date), day(acorn_k.date)) || acorn_k.tail) END"""
_DOTTED_BODY = """CASE WHEN acorn_d.y <> '' THEN acorn_ts_parts(acorn_part(acorn_d.y), acorn_part(acorn_d.mo),
    acorn_part(acorn_d.d), acorn_part(acorn_d.h), acorn_part(acorn_d.mi), acorn_part(acorn_d.s)) END"""
_SLASHED_BODY = """CASE WHEN acorn_s.a <> ''
    THEN acorn_ts_parts(
        CASE WHEN length(acorn_s.a) = 4 THEN acorn_part(acorn_s.a)
             WHEN length(acorn_s.c) = 2 THEN acorn_part(acorn_s.c) + 2000 ELSE acorn_part(acorn_s.c) END,
        CASE WHEN length(acorn_s.a) = 4 OR day_first THEN acorn_part(acorn_s.bb) ELSE acorn_part(acorn_s.a) END,
        CASE WHEN length(acorn_s.a) = 4 THEN acorn_part(acorn_s.c)
             WHEN day_first THEN acorn_part(acorn_s.a) ELSE acorn_part(acorn_s.bb) END,
        acorn_part(acorn_s.h), acorn_part(acorn_s.mi), acorn_part(acorn_s.s)) END"""
_VOTE_BODY = """CASE
    WHEN acorn_s.a = '' OR length(acorn_s.a) = 4 THEN NULL WHEN acorn_part(acorn_s.a) > 12 THEN true
    WHEN acorn_part(acorn_s.bb) > 12 THEN false END"""
_STRUCT = "['a', 'bb', 'c', 'h', 'mi', 's']"
_FAST_TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(?: UTC|\+00:00)"
# The EU marketplaces' `01.06.2026 12:20:49 UTC`: its time sits at the same offsets as in the ISO layout.
_FAST_DOTTED = r"[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC"

_MACROS = [
    # A line as Python's strip() would leave each of its tab-separated fields.
    f"""acorn_strip_fields(t) AS CASE
        WHEN regexp_matches(t, '^{SPACE}|{SPACE}$|{SPACE}\\t|\\t{SPACE}')
        THEN regexp_replace(regexp_replace(t, '^{SPACE}+|{SPACE}+$', '', 'g'), '{SPACE}*\\t{SPACE}*', chr(9), 'g')
        ELSE t END""",
    # parse_decimal's text, normalised to `-1234.56`; NULL when it is not a number in the file's convention.
    "acorn_decimal_text(t, comma) AS " + _let("acorn_v", "replace(replace(t, chr(160), ''), ' ', '')", _DECIMAL_BODY),
    # Decimal(text)'s exponent, as the minor-units rule counts it.
    "acorn_decimal_places(n) AS length(split_part(n, '.', 2))",
    # abs(Decimal(text)) < 10**16, by counting the whole digits; a text of 16 characters cannot hold more, and CASE
    # spares nearly every amount the regexp.
    """acorn_within_money(n) AS CASE WHEN length(n) <= 16 THEN true
        ELSE length(ltrim(split_part(regexp_replace(n, '^[+-]', ''), '.', 1), '0')) <= 16 END""",
    # datetime(y, mo, d, h, mi, s), NULL where Python's would raise.
    """acorn_ts_parts(y, mo, d, h, mi, s) AS CASE WHEN y >= 1 AND coalesce(h, 0) <= 23 AND coalesce(mi, 0) <= 59
        AND coalesce(s, 0) <= 59 THEN try_cast(printf('%04d-%02d-%02d %02d:%02d:%02d',
        y, mo, d, coalesce(h, 0), coalesce(mi, 0), coalesce(s, 0)) AS TIMESTAMP) END""",
    "acorn_part(p) AS try_cast(nullif(p, '') AS INT)",
    "acorn_iso_ts(b) AS " + _let("acorn_m", f"regexp_extract(b, '{ISO}', {_ISO_PARTS})", _ISO_BODY),
    # The Monday of ISO week 1 is the one on or before 4 January; week 53 exists when 28 December lies in it.
    """acorn_week_date(y, w, d) AS CASE WHEN y >= 1 AND w BETWEEN 1 AND 53 AND d BETWEEN 1 AND 7
        AND (w < 53 OR weekofyear(make_date(y, 12, 28)) = 53)
        THEN make_date(y, 1, 4) + CAST((w - 1) * 7 + d - isodow(make_date(y, 1, 4)) AS INTEGER) END""",
    "acorn_week_split(dash, r) AS " + _let("acorn_run", "length(regexp_extract(r, '^[0-9]*'))", _WEEK_SPLIT_BODY),
    "acorn_iso_week_ts(b) AS " + _let(
        "acorn_w", f"regexp_extract(b, '{ISO_WEEK}', ['y', 'dash', 'w', 'r'])", _let(
            "acorn_s", "acorn_week_split(acorn_w.dash, acorn_w.r)", _let(
                "acorn_k", "{'date': acorn_week_date(acorn_part(acorn_w.y), acorn_part(acorn_w.w), "
                           "acorn_part(acorn_s.day)), 'tail': acorn_s.tail}", _WEEK_BODY))),
    "acorn_dotted_ts(b) AS " + _let("acorn_d", f"regexp_extract(b, '{DOTTED}', ['d', 'mo', 'y', 'h', 'mi', 's'])",
                                    _DOTTED_BODY),
    "acorn_slashed_ts(b, day_first) AS " + _let("acorn_s", f"regexp_extract(b, '{SLASHED}', {_STRUCT})", _SLASHED_BODY),
    # The layouts Amazon writes (V2 `2025-06-09 05:23:19 UTC`, V1 `2025-06-05T22:07:18+00:00`, the EU's
    # `09.06.2025 05:23:19 UTC`) go straight to a cast; the cast takes hour 24 and second 60, which Python refuses,
    # hence the range test.
    f"""acorn_is_amazon_timestamp(t) AS (regexp_full_match(t, '{_FAST_TIMESTAMP}')
                                          OR regexp_full_match(t, '{_FAST_DOTTED}'))
        AND substr(t, 12, 2) <= '23' AND substr(t, 15, 2) <= '59' AND substr(t, 18, 2) <= '59'""",
    # The cast of a text in those layouts (checked by the caller).
    """acorn_amazon_cast(t) AS try_cast(
        CASE WHEN substr(t, 3, 1) = '.' THEN concat(substr(t, 7, 4), '-', substr(t, 4, 2), '-', left(t, 2),
                                                    substr(t, 11, 9))
             ELSE left(t, 19) END AS TIMESTAMP)""",
    # acorn_timestamp's first branch alone. DuckDB takes tens of milliseconds to plan each use of the full macro
    # (its regexps), per query rather than per line: a file whose every date is in Amazon's layouts is typed with
    # this one (`AMAZON_TIMESTAMP`), and gets the very values the full macro would give it.
    "acorn_amazon_timestamp(t, day_first) AS CASE WHEN acorn_is_amazon_timestamp(t) THEN acorn_amazon_cast(t) END",
    # parse_timestamp: ISO (calendar, then week dates), then dd.mm.yyyy, then a/b/yy in the file's order; naive UTC;
    # NULL if no date.
    """acorn_timestamp(t, day_first) AS CASE
        WHEN acorn_is_amazon_timestamp(t) THEN acorn_amazon_cast(t)
        WHEN t <> '' THEN """ + _let(
        "acorn_b", f"regexp_replace(t, '{_ZONE}', '')",
        "coalesce(acorn_iso_ts(acorn_b), acorn_iso_week_ts(acorn_b), acorn_dotted_ts(acorn_b), "
        "acorn_slashed_ts(acorn_b, day_first))") + " END",
    # detect_day_first's vote of one value: true (day first), false (month first) or NULL (undecided).
    "acorn_day_first_vote(t) AS " + _let(
        "acorn_s", f"regexp_extract(regexp_replace(t, '{_ZONE}', ''), '{SLASHED}', {_STRUCT})", _VOTE_BODY),
    # detect_decimal_comma's votes: a final separator followed by other than three digits.
    "acorn_ends_comma(t) AS regexp_matches(t, ',(?:\\p{Nd}{1,2}|\\p{Nd}{4,})$')",
    "acorn_ends_dot(t) AS regexp_matches(t, '\\.(?:\\p{Nd}{1,2}|\\p{Nd}{4,})$')",
    # parse_int: a whole number, else NULL.
    "acorn_int(t) AS CASE WHEN regexp_full_match(t, '[+-]?[0-9]+') THEN try_cast(t AS INTEGER) END",
]


# The macro every date is typed with (`acorn_timestamp`), and the fast one for files that only hold Amazon's layouts.
FULL_TIMESTAMP = "acorn_timestamp"
AMAZON_TIMESTAMP = "acorn_amazon_timestamp"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the macros on this connection (temporary: they live as long as it does), once.

    A session variable marks them done: it lives exactly as long as they do, and reading it is instant where
    looking the macros up in duckdb_functions() takes tens of milliseconds a file.
    """
    if first_row(con, "SELECT getvariable('acorn_settlement_macros')") == (True,):
        return
    for macro in _MACROS:
        con.execute(f"CREATE OR REPLACE TEMP MACRO {macro}")
    con.execute("SET VARIABLE acorn_settlement_macros = true")


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> tuple | None:
    """The first row of a query, the result read to its end (DuckDB refuses other work on an unfinished one)."""
    rows = con.execute(sql, params).fetchall()
    return rows[0] if rows else None
