"""Amazon settlement flat files (V2 GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 and legacy V1), read column-wise in DuckDB.

The file's bytes become one Arrow string per physical line without a copy (numpy finds the newlines), DuckDB splits
the fields and types them with the macros of `connectors.settlement_sql`, and the typed lines stay in a temporary
table the validation and the insert read: no Python object per line, so memory does not grow with the file beyond
what DuckDB is allowed (its memory_limit spills the rest to disk).

Columns are found by header name, never by position: the column set changes from file to file.
The first data row is the summary row (settlement id, period, deposit date, total, currency).
V1 rows carry several amount columns; each non-empty one becomes its own line, unpivoted in SQL.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa

from connectors.parsing import DECIMAL_COMMA_CURRENCIES, ParseError, decode_text
from connectors.settlement_sql import AMAZON_TIMESTAMP, FULL_TIMESTAMP, first_row, install_macros

SUMMARY_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
)
_SHARED_COLUMNS = SUMMARY_COLUMNS + (
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "fulfillment-id", "posted-date", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id",
    "sku", "quantity-purchased",
)
V2_COLUMNS = _SHARED_COLUMNS + ("amount-type", "amount-description", "amount", "posted-date-time")

# V1 amount column -> (V2 amount-type, column holding the amount-description), per docs/architecture.md.
V1_AMOUNT_COLUMNS: dict[str, tuple[str, str]] = {
    "price-amount": ("ItemPrice", "price-type"),
    "item-related-fee-amount": ("ItemFees", "item-related-fee-type"),
    "shipment-fee-amount": ("ShipmentFees", "shipment-fee-type"),
    "order-fee-amount": ("OrderFees", "order-fee-type"),
    "promotion-amount": ("Promotion", "promotion-type"),
    "direct-payment-amount": ("DirectPayment", "direct-payment-type"),
    "misc-fee-amount": ("MiscFees", "transaction-type"),
    "other-fee-amount": ("OtherFees", "other-fee-reason-description"),
    "other-amount": ("other-transaction", "transaction-type"),
}
# As in the genuine files; the three promotion-* columns are missing from some (33 instead of 36 columns).
V1_COLUMNS = _SHARED_COLUMNS + (
    "shipment-fee-type", "shipment-fee-amount", "order-fee-type", "order-fee-amount", "price-type",
    "price-amount", "item-related-fee-type", "item-related-fee-amount", "misc-fee-amount", "other-fee-amount",
    "other-fee-reason-description", "promotion-id", "promotion-type", "promotion-amount", "direct-payment-type",
    "direct-payment-amount", "other-amount",
)
_V1_OPTIONAL = ("promotion-id", "promotion-type", "promotion-amount")
_DATE_COLUMNS = ("settlement-start-date", "settlement-end-date", "deposit-date", "posted-date", "posted-date-time")
# Columns of raw.settlement_lines the staged lines carry, in table order (source_file_sha256 is the loader's).
LINE_COLUMNS = (
    "settlement_id", "report_format", "transaction_type", "order_id", "merchant_order_id", "adjustment_id",
    "shipment_id", "marketplace_name", "amount_type", "amount_description", "amount", "currency", "fulfillment_id",
    "posted_at", "posted_date_raw", "order_item_code", "merchant_order_item_id", "merchant_adjustment_item_id", "sku",
    "quantity_purchased", "promotion_id", "amount_column", "source_line",
)
_DAY_FIRST_HEAD = 5000
_UTF8_BOM = b"\xef\xbb\xbf"
_stage_numbers = itertools.count()


@dataclass(frozen=True)
class SettlementHeader:
    settlement_id: str
    report_format: str
    settlement_start_at: datetime | None
    settlement_end_at: datetime | None
    deposit_at: datetime | None
    total_amount: Decimal | None
    currency: str
    source_line: int
    total_amount_text: str
    # The file's own date texts, so validation can tell a missing date from one that is not a real date.
    settlement_start_text: str = ""
    settlement_end_text: str = ""
    deposit_text: str = ""


@dataclass(frozen=True)
class SettlementLine:
    settlement_id: str
    report_format: str
    transaction_type: str | None
    order_id: str | None
    merchant_order_id: str | None
    adjustment_id: str | None
    shipment_id: str | None
    marketplace_name: str | None
    amount_type: str | None
    amount_description: str | None
    amount: Decimal | None
    currency: str
    fulfillment_id: str | None
    posted_at: datetime | None
    posted_date_raw: str | None
    order_item_code: str | None
    merchant_order_item_id: str | None
    merchant_adjustment_item_id: str | None
    sku: str | None
    quantity_purchased: int | None
    promotion_id: str | None
    amount_column: str
    source_line: int
    amount_text: str
    quantity_text: str = ""


@dataclass(frozen=True)
class SettlementReport:
    report_format: str
    columns: list[str]
    header_rows: list[SettlementHeader]
    lines: list[SettlementLine]


@dataclass(frozen=True)
class StagedSettlement:
    """A settlement file typed in DuckDB: `lines_table` holds its lines (LINE_COLUMNS plus the texts and the
    parsed-or-not facts validation judges), `header_rows` its summary rows (one per settlement id)."""

    report_format: str
    columns: list[str]
    header_rows: list[SettlementHeader]
    lines_table: str
    decimal_comma: bool
    day_first: bool

    def line_count(self, con: duckdb.DuckDBPyConnection) -> int:
        return con.execute(f"SELECT count(*) FROM {self.lines_table}").fetchall()[0][0]


def report_format_of(columns: list[str]) -> str | None:
    """'v2' or 'v1' when the header names a settlement flat file of that layout, else None."""
    names = set(columns)
    if "settlement-id" not in names or "total-amount" not in names:
        return None
    if "amount" in names:
        return "v2"
    if names & set(V1_AMOUNT_COLUMNS):
        return "v1"
    return None


def line_texts(data: bytes) -> pa.Array:
    """One UTF-8 string per physical line (CRLF, LF or CR), index + 1 being the line number in the file.

    UTF-8 files (the usual case) are not copied: the strings are views of `data`, found by numpy, and the newline
    each keeps is stripped with the fields. Other documented encodings are decoded as `parsing.decode_text` does.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:  # UTF-16, or binary: decode_text decides
        data = decode_text(data).encode("utf-8")
    elif data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if data.count(b"\r") != data.count(b"\r\n"):
        # A lone CR ends a line too (old Mac files); rare enough to afford the copy.
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        return _lines_array(data)
    except pa.ArrowInvalid:  # not UTF-8: cp1252, else latin-1
        return _lines_array(decode_text(data).encode("utf-8"))


def _lines_array(data: bytes) -> pa.Array:
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    offsets = np.concatenate(([0], newlines + 1, [len(data)])).astype(np.int64)
    array = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data))
    array.validate(full=True)  # raises ArrowInvalid on bytes that are not UTF-8
    return array


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(column: str | None) -> str:
    """A stripped field, '' where the file has no such column."""
    return "''" if column is None else f"r.{_quote(column)}"


def _blank_to_null(column: str | None) -> str:
    return f"nullif({_text(column)}, '')"


@contextmanager
def staged_settlement(con: duckdb.DuckDBPyConnection, data: bytes) -> Iterator[StagedSettlement]:
    """Stage `data` (a settlement flat file) in temporary tables on `con`; they are dropped on exit.

    Raises ParseError naming the line for a structural problem, as a line parser would meet it first.
    """
    number = next(_stage_numbers)
    texts, rows, lines = (f"acorn_settlement_{part}_{number}" for part in ("text", "rows", "lines"))
    install_macros(con)
    try:
        yield _stage(con, data, texts, rows, lines)
    finally:
        for table in (rows, lines):
            con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _stage(con: duckdb.DuckDBPyConnection, data: bytes, texts: str, rows: str, lines: str) -> StagedSettlement:
    physical = line_texts(data)
    top = next((i for i in range(len(physical)) if physical[i].as_py().strip()), 0)
    columns = [name.strip().lower() for name in physical[top].as_py().rstrip("\r\n").split("\t")]
    report_format = report_format_of(columns)
    if report_format is None:
        raise ParseError(top + 1, "not a settlement flat file: no settlement-id, total-amount and amount columns")
    required = V2_COLUMNS if report_format == "v2" else [c for c in V1_COLUMNS if c not in _V1_OPTIONAL]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ParseError(top + 1, f"{report_format} settlement header lacks column(s): {', '.join(missing)}")
    if len(set(columns)) != len(columns):
        raise ParseError(top + 1, "settlement header repeats a column name")

    table = pa.table({"line": pa.array(np.arange(1, len(physical) + 1, dtype=np.int32)), "text": physical})
    wanted = [c for c in columns if c in V1_COLUMNS or c in V2_COLUMNS]
    fields = ", ".join(f"coalesce(f[{columns.index(c) + 1}], '') AS {_quote(c)}" for c in wanted)
    con.register(texts, table)
    try:
        con.execute(f"""
            CREATE TEMP TABLE {rows} AS
            SELECT line, len(f) AS field_count, {fields}
            FROM (SELECT line, string_split(stripped, chr(9)) AS f
                  FROM (SELECT line, acorn_strip_fields(rtrim(text, chr(13) || chr(10))) AS stripped
                        FROM {texts} WHERE line > ?)
                  WHERE stripped <> '')
        """, [top + 1])
    finally:
        con.unregister(texts)
    del table, physical

    uneven = first_row(
        con, f"SELECT line, field_count FROM {rows} WHERE field_count <> ? ORDER BY line LIMIT 1", [len(columns)]
    )
    if uneven:
        raise ParseError(uneven[0], f"row has {uneven[1]} fields, the header has {len(columns)}")
    first = first_row(con, f'SELECT line, "total-amount", currency FROM {rows} ORDER BY line LIMIT 1')
    if first is None:
        raise ParseError(top + 2, "settlement file has a header but no summary row")
    if not first[1]:
        raise ParseError(first[0], "first data row is not the summary row (total-amount is blank)")

    amount_columns = ["amount"] if report_format == "v2" else [c for c in V1_AMOUNT_COLUMNS if c in columns]
    decimal_comma = _decimal_comma(con, rows, amount_columns, first[2])
    day_first = _day_first(con, rows, columns, decimal_comma)
    timestamps = _timestamp_macros(con, rows, columns)
    header_rows = _headers(con, rows, report_format, decimal_comma, day_first, timestamps)
    select = _v2_lines if report_format == "v2" else _v1_lines
    con.execute(f"CREATE TEMP TABLE {lines} AS {select(rows, columns, amount_columns, timestamps)}",
                {"comma": decimal_comma, "day_first": day_first})
    con.execute(f"DROP TABLE temp.{rows}")
    return StagedSettlement(report_format, columns, header_rows, lines, decimal_comma, day_first)


def _decimal_comma(con: duckdb.DuckDBPyConnection, rows: str, amount_columns: list[str], currency: str) -> bool:
    """parsing.detect_decimal_comma over every amount field of the file."""
    values = ", ".join(_quote(c) for c in ["total-amount", *amount_columns])
    comma, dot = first_row(con, f"""
        SELECT count(*) FILTER (acorn_ends_comma(v)), count(*) FILTER (acorn_ends_dot(v))
        FROM (SELECT unnest([{values}]) AS v FROM {rows})
    """)
    if comma != dot:
        return comma > dot
    return currency.strip().upper() in DECIMAL_COMMA_CURRENCIES


def _day_first(con: duckdb.DuckDBPyConnection, rows: str, columns: list[str], decimal_comma: bool) -> bool:
    """parsing.detect_day_first: the first a/b/yy date (in file order) with a field over 12 decides."""
    dates = ", ".join(_text(c if c in columns else None) for c in _DATE_COLUMNS)
    query = f"""
        SELECT vote FROM (
            SELECT line, position, acorn_day_first_vote(value) AS vote
            FROM (SELECT line, generate_subscripts(d, 1) AS position, unnest(d) AS value
                  FROM (SELECT line, [{dates}] AS d FROM {rows} r
                        WHERE line BETWEEN $first AND $last AND contains(concat({dates}), '/'))))
        WHERE vote IS NOT NULL ORDER BY line, position LIMIT 1
    """
    # The first lines nearly always decide; the rest of the file is read only when they do not.
    vote = first_row(con, query, {"first": 0, "last": _DAY_FIRST_HEAD}) or first_row(
        con, query, {"first": _DAY_FIRST_HEAD + 1, "last": 2**31 - 1})
    return decimal_comma if vote is None else bool(vote[0])


def _timestamp_macros(con: duckdb.DuckDBPyConnection, rows: str, columns: list[str]) -> dict[str, str]:
    """The macro each date column is typed with: the fast one where every date is in one of Amazon's layouts.

    posted-date is only read where posted-date-time gives no timestamp, so when every line's posted-date-time
    gives one, posted-date's own layout (`06/01/26` in some files) does not matter either.
    """
    present = [c for c in _DATE_COLUMNS if c in columns]
    posted_time = _text("posted-date-time" if "posted-date-time" in columns else None)
    *per_column, every_line_timed = first_row(con, f"""
        SELECT {", ".join(f"coalesce(bool_and(r.{_quote(c)} = '' OR acorn_is_amazon_timestamp(r.{_quote(c)})), true)"
                          for c in present)},
               coalesce(bool_and(r."total-amount" <> '' OR {AMAZON_TIMESTAMP}({posted_time}, false) IS NOT NULL),
                        true)
        FROM {rows} r
    """)
    amazon_only = dict(zip(present, per_column, strict=True))
    if amazon_only.get("posted-date-time") and every_line_timed:
        amazon_only["posted-date"] = True
    return {c: AMAZON_TIMESTAMP if amazon_only.get(c, True) else FULL_TIMESTAMP for c in _DATE_COLUMNS}


_HEADER_SELECT = """
    SELECT line, r."settlement-id", r."currency", r."total-amount",
           acorn_decimal_text(r."total-amount", $comma),
           {start}(r."settlement-start-date", $day_first), {end}(r."settlement-end-date", $day_first),
           {deposit}(r."deposit-date", $day_first),
           r."settlement-start-date", r."settlement-end-date", r."deposit-date"
    FROM {rows} r WHERE r."total-amount" <> '' ORDER BY line
"""


def _headers(
    con: duckdb.DuckDBPyConnection, rows: str, report_format: str, decimal_comma: bool, day_first: bool,
    timestamps: dict[str, str],
) -> list[SettlementHeader]:
    """Every row with a total is a summary row (files holding several settlements repeat it); one per id, the
    last one's values in the first one's place."""
    headers: dict[str, SettlementHeader] = {}
    for (line, settlement_id, currency, total_text, total, start, end, deposit, start_text, end_text,
         deposit_text) in con.execute(_HEADER_SELECT.format(
            rows=rows, start=timestamps["settlement-start-date"], end=timestamps["settlement-end-date"],
            deposit=timestamps["deposit-date"]), {"comma": decimal_comma, "day_first": day_first}).fetchall():
        if not settlement_id:
            raise ParseError(line, "summary row has no settlement-id")
        if not currency:
            raise ParseError(line, "summary row has no currency")
        headers[settlement_id] = SettlementHeader(
            settlement_id, report_format, start, end, deposit, None if total is None else Decimal(total),
            currency.upper(), line, total_text, start_text, end_text, deposit_text,
        )
    return list(headers.values())


def _base(rows: str, columns: list[str], timestamps: dict[str, str]) -> str:
    """The fields every line carries, each line joined to its summary row: the one of its own settlement id
    before it, else the latest before it (V1 rows leave settlement-id and currency blank)."""
    posted_time = "posted-date-time" if "posted-date-time" in columns else None
    promotion = "promotion-id" if "promotion-id" in columns else None
    return f"""
        WITH summaries AS (
            SELECT line, "settlement-id" AS settlement_id, upper(currency) AS currency
            FROM {rows} WHERE "total-amount" <> ''
        ), details AS (SELECT * FROM {rows} WHERE "total-amount" = '')
        SELECT r.* EXCLUDE (currency, sku), r.line AS source_line,
               coalesce(nullif(r."settlement-id", ''), coalesce(own.settlement_id, latest.settlement_id))
                   AS settlement_id,
               nullif(r."transaction-type", '') AS transaction_type,
               nullif(r."order-id", '') AS order_id,
               nullif(r."merchant-order-id", '') AS merchant_order_id,
               nullif(r."adjustment-id", '') AS adjustment_id,
               nullif(r."shipment-id", '') AS shipment_id,
               nullif(r."marketplace-name", '') AS marketplace_name,
               coalesce(nullif(upper(r.currency), ''), coalesce(own.currency, latest.currency)) AS currency,
               nullif(r."fulfillment-id", '') AS fulfillment_id,
               -- posted-date-time is authoritative; posted-date (V1's only date) is the fallback.
               {timestamps["posted-date-time"]}({_text(posted_time)}, $day_first) AS posted_time_at,
               CASE WHEN posted_time_at IS NULL THEN {timestamps["posted-date"]}(r."posted-date", $day_first) END
                   AS posted_date_at,
               coalesce(posted_time_at, posted_date_at) AS posted_at,
               CASE WHEN posted_time_at IS NOT NULL THEN {_text(posted_time)}
                    WHEN posted_date_at IS NOT NULL THEN r."posted-date"
                    ELSE coalesce({_blank_to_null(posted_time)}, nullif(r."posted-date", '')) END AS posted_date_raw,
               nullif(r."order-item-code", '') AS order_item_code,
               nullif(r."merchant-order-item-id", '') AS merchant_order_item_id,
               nullif(r."merchant-adjustment-item-id", '') AS merchant_adjustment_item_id,
               nullif(r.sku, '') AS sku,
               acorn_int(r."quantity-purchased") AS quantity_purchased,
               r."quantity-purchased" AS quantity_text,
               {_blank_to_null(promotion)} AS promotion_id
        FROM details r
        ASOF LEFT JOIN summaries latest ON r.line >= latest.line
        ASOF LEFT JOIN summaries own ON r."settlement-id" = own.settlement_id AND r.line >= own.line
    """


def _line_select(
    report_format: str, amount_type: str, description: str, amount_text: str, amount_column: str, order: str,
    number: str | None = None,
) -> str:
    """The line columns (LINE_COLUMNS and what validation reads) over `b`, the base of `_base`."""
    return f"""
        b.settlement_id, '{report_format}' AS report_format, b.transaction_type, b.order_id, b.merchant_order_id,
        b.adjustment_id, b.shipment_id, b.marketplace_name, {amount_type} AS amount_type,
        {description} AS amount_description,
        {number or f'acorn_decimal_text({amount_text}, $comma)'} AS amount_number,
        try_cast(amount_number AS DECIMAL(18, 2)) AS amount, b.currency, b.fulfillment_id, b.posted_at,
        b.posted_date_raw, b.order_item_code, b.merchant_order_item_id, b.merchant_adjustment_item_id, b.sku,
        b.quantity_purchased, b.promotion_id, {amount_column} AS amount_column, b.source_line,
        {amount_text} AS amount_text, b.quantity_text, {order} AS amount_order
    """


def _v2_lines(rows: str, columns: list[str], amount_columns: list[str], timestamps: dict[str, str]) -> str:
    select = _line_select("v2", 'nullif(b."amount-type", \'\')', 'nullif(b."amount-description", \'\')', "b.amount",
                          "'amount'", "0")
    return f"SELECT {select} FROM ({_base(rows, columns, timestamps)}) b"


def _v1_lines(rows: str, columns: list[str], amount_columns: list[str], timestamps: dict[str, str]) -> str:
    """One line per non-empty amount column (unpivoted); a row with no amount but a quantity gives its quantity to
    its item's Principal price line, or stays a 0.00 line of its own when there is none."""
    amounts = ", ".join(
        f"{{'column': '{c}', 'position': {i}, 'text': b.{_quote(c)}, 'amount_type': '{V1_AMOUNT_COLUMNS[c][0]}', "
        f"'description': coalesce(nullif(b.{_quote(V1_AMOUNT_COLUMNS[c][1])}, ''), b.transaction_type)}}"
        for i, c in enumerate(amount_columns)
    )
    any_amount = " OR ".join(f"b.{_quote(c)} <> ''" for c in amount_columns)
    unpivoted = _line_select("v1", "a.amount_type", "a.description", "a.text", "a.column", "a.position")
    key = ("settlement_id", "transaction_type", "order_id", "order_item_code", "sku")
    same_item = " AND ".join(f"l.{k} IS NOT DISTINCT FROM q.{k}" for k in key)
    partition = ", ".join(key)
    orphan = _line_select("v1", "NULL", "NULL", "''", "'quantity-purchased'", "-1", number="'0.00'")
    return f"""
        WITH base AS ({_base(rows, columns, timestamps)}),
        unpivoted AS (
            SELECT {unpivoted}
            FROM (SELECT b.*, unnest([{amounts}]) AS a FROM base b WHERE {any_amount}) b
            WHERE a.text <> ''
        ),
        quantities AS (
            SELECT *, row_number() OVER (PARTITION BY {partition} ORDER BY source_line) AS rank
            FROM base b WHERE NOT ({any_amount}) AND quantity_purchased IS NOT NULL
        ),
        principal AS (
            SELECT source_line, amount_column,
                   row_number() OVER (PARTITION BY {partition} ORDER BY source_line) AS rank, {partition}
            FROM unpivoted
            WHERE amount_column = 'price-amount' AND amount_description = 'Principal' AND quantity_purchased IS NULL
        ),
        given AS (
            SELECT l.source_line, l.amount_column, q.quantity_purchased, q.source_line AS quantity_line
            FROM principal l JOIN quantities q ON {same_item} AND l.rank = q.rank
        )
        SELECT u.* REPLACE (coalesce(g.quantity_purchased, u.quantity_purchased) AS quantity_purchased)
        FROM unpivoted u LEFT JOIN given g USING (source_line, amount_column)
        UNION ALL BY NAME
        SELECT {orphan}
        FROM quantities b WHERE source_line NOT IN (SELECT quantity_line FROM given)
    """


def read_lines(con: duckdb.DuckDBPyConnection, staged: StagedSettlement) -> list[SettlementLine]:
    """The staged lines as objects, in file order (orphan V1 quantities last): for small files and tests."""
    names = [name for name in SettlementLine.__dataclass_fields__ if name != "amount"]
    result = con.execute(
        f"SELECT amount_number, {', '.join(names)} FROM {staged.lines_table} "
        "ORDER BY amount_order < 0, source_line, amount_order"
    ).fetchall()
    return [SettlementLine(amount=None if number is None else Decimal(number), **dict(zip(names, values)))
            for number, *values in result]


def parse_settlement_report(data: bytes) -> SettlementReport:
    """A whole settlement file as objects, read through the same columnar path the loader uses."""
    with duckdb.connect() as con, staged_settlement(con, data) as staged:
        return SettlementReport(staged.report_format, staged.columns, staged.header_rows, read_lines(con, staged))
