"""Every vendor transaction for a period, an ASIN or a PO, as CSV or XLSX (`acorn export vendor`).

Reads `marts.fct_vendor_transactions` through a short read-only connection. Amounts stay Decimal from DuckDB to
the file: CSV gets their exact text, XLSX numeric cells written from the Decimal (never through a float).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from openpyxl import Workbook

from config.settings import Settings

FORMATS = ("csv", "xlsx")

COLUMNS = (
    "transaction_id", "transaction_type", "transaction_date", "marketplace_id", "marketplace_name", "vendor_code",
    "purchase_order_number", "item_sequence_number", "asin", "invoice_number", "payment_number", "deduction_type",
    "description", "quantity", "amount", "currency", "fx_rate", "amount_functional", "functional_currency", "source",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def parse_period(text: str) -> Period:
    """`2026`, `2026-07`, `2026-Q3`, `2026-07-15` or `2026-07-01..2026-09-30` (both ends included)."""
    text = text.strip()
    if ".." in text:
        first, last = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
    elif re.fullmatch(r"\d{4}", text):
        first, last = date(int(text), 1, 1), date(int(text), 12, 31)
    elif match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        last = _month_end(year, 3 * quarter)
    elif match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        first = date(int(match[1]), int(match[2]), 1)
        last = _month_end(first.year, first.month)
    else:
        first = last = date.fromisoformat(text)
    if last < first:
        raise ValueError(f"period {text!r} ends before it starts")
    return Period(first, last)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def export_vendor_transactions(settings: Settings, out: Path, *, period: str | None = None, asin: str | None = None,
                               po: str | None = None, fmt: str = "csv") -> int:
    """Write the vendor transactions matching every given filter to `out`; returns the number of rows.

    An ASIN matches its PO and invoice lines and the payments and deductions of the POs that hold it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    window = parse_period(period) if period else None
    sql = f"""
        select {", ".join(COLUMNS)}
        from marts.fct_vendor_transactions
        where ($first is null or transaction_date >= $first)
          and ($last is null or transaction_date <= $last)
          and ($asin is null or asin = $asin or list_contains(string_split(po_asins, ','), $asin))
          and ($po is null or list_contains(string_split(replace(purchase_order_number, ' ', ''), ','), $po))
        order by transaction_date, purchase_order_number, transaction_type, transaction_id
    """
    params = {
        "first": window.first if window else None,
        "last": window.last if window else None,
        "asin": asin.strip().upper() if asin else None,
        "po": po.strip().upper() if po else None,
    }
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        rows = conn.execute(sql, params).fetchall()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_xlsx(rows) if fmt == "xlsx" else _csv(rows))
    return len(rows)


def _csv(rows: list[tuple]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else value.isoformat() if isinstance(value, date) else str(value)
                         for value in row])
    return text.getvalue().encode("utf-8")


def _xlsx(rows: list[tuple]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "vendor_transactions"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
