"""Journal lines → the rows and bytes of one voucher layout. Pure: no warehouse, no clock.

Money stays Decimal: XLSX gets numeric cells written from the Decimal with two decimals shown, CSV/TXT the exact
text with two decimals. Text that a spreadsheet would run as a formula (= + - @, tab, CR first) is prefixed with
`'` — a memo is copied from data nobody at the finance desk wrote.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from connectors.period_close import JOURNAL_COLUMNS
from outbound.vouchers.layouts import Column, Layout
from outbound.workbooks import stable_xlsx_bytes

CENT = Decimal("0.01")
VOUCHER_WORD = "记"  # 记账凭证: one word for every voucher, as small firms keep them
# Fields a layout may name beyond the journal's own columns.
DERIVED_FIELDS = (
    "voucher_word", "year", "month", "amount", "dc", "side", "entry_index", "amount_original_abs",
    "attachments", "preparer", "store_class", "store_name", "business_no",
)  # fmt: skip
FIELDS = JOURNAL_COLUMNS + ("period",) + DERIVED_FIELDS
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def record(line: dict[str, Any], preparer: str) -> dict[str, Any]:
    """A journal line with the derived fields layouts use."""
    debit, credit = line["debit"] or Decimal(0), line["credit"] or Decimal(0)
    entry_date: date = line["entry_date"]
    store = line.get("store_id")
    return {
        **line,
        "voucher_word": VOUCHER_WORD,
        "year": entry_date.year,
        "month": entry_date.month,
        "amount": debit if debit else credit,
        "dc": 1 if debit else 0,                 # Kingdee FDC: 1 debit, 0 credit
        "side": "借" if debit else "贷",
        "entry_index": line["line_no"] - 1,      # Kingdee FENTRYID counts from 0
        "amount_original_abs": abs(line["amount_original"]) if line.get("amount_original") is not None else None,
        "attachments": 1,                        # one source document (settlement, deposit, invoice) per voucher
        "preparer": preparer,
        "store_class": "店铺" if store else "",  # the auxiliary dimension (核算项目) a store is kept under
        "store_name": store or "",
        "business_no": str(line["voucher_no"]),
    }


def cell(column: Column, fields: dict[str, Any]) -> Any:
    """The typed value of one column: Decimal for money and numbers, int, date, or str."""
    if column.field is not None:
        value = fields.get(column.field)
    elif column.template is not None:
        value = column.template.format(**fields)
    else:
        value = column.value
    if value is None or value == "":
        return Decimal("0.00") if column.type == "money" else ""
    if column.type == "money":
        return Decimal(value).quantize(CENT)
    if column.type == "number":
        return Decimal(value)
    if column.type == "integer":
        return int(value)
    if column.type == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    text = str(value)
    return text[: column.max_length] if column.max_length else text


def rows(layout: Layout, lines: list[dict[str, Any]], preparer: str) -> list[list[Any]]:
    """One row per journal line carrying an amount, in voucher then line order."""
    return [[cell(column, record(line, preparer)) for column in layout.columns]
            for line in lines if (line["debit"] or line["credit"])]


def _text(column: Column, value: Any) -> str:
    if isinstance(value, date):
        return value.strftime(column.format or "%Y-%m-%d")
    if isinstance(value, Decimal):
        return f"{value:.2f}" if column.type == "money" else f"{value.normalize():f}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def render(layout: Layout, lines: list[dict[str, Any]], preparer: str, encoding: str | None = None,
           stamp: datetime | None = None) -> bytes:
    """The file's bytes. `stamp` fixes an XLSX's document times so the same journal gives the same bytes."""
    table = rows(layout, lines, preparer)
    if layout.file_type == "xlsx":
        return _xlsx(layout, table, stamp or datetime(2000, 1, 1))
    out = io.StringIO()
    # CRLF: Windows tools (U8's importer among them) expect it; csv quotes only what needs quoting.
    writer = csv.writer(out, delimiter=layout.delimiter, lineterminator="\r\n")
    if layout.header:
        writer.writerow([column.header for column in layout.columns])
    for row in table:
        writer.writerow([_text(column, value) for column, value in zip(layout.columns, row)])
    return out.getvalue().encode(encoding or layout.encoding)


def _xlsx(layout: Layout, table: list[list[Any]], stamp: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = layout.sheet
    if layout.header:
        sheet.append([column.header for column in layout.columns])
    for row in table:
        sheet.append([neutralise(value) if isinstance(value, str) else value for value in row])
    first = 2 if layout.header else 1
    for index, column in enumerate(layout.columns, start=1):
        number_format = {"money": "0.00", "date": "yyyy-mm-dd",
                         "integer": "0"}.get(column.type)
        if number_format:
            for (target,) in sheet.iter_rows(min_row=first, min_col=index, max_col=index):
                target.number_format = number_format
    return stable_xlsx_bytes(book, stamp)
