"""Every vendor transaction for a period, an ASIN or a PO, as CSV or XLSX (`acorn export vendor`).

Reads `marts.fct_vendor_transactions` through a short read-only connection. Amounts stay Decimal from DuckDB to
the file: CSV gets their exact text, XLSX numeric cells written from the Decimal (never through a float).
"""
from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
from openpyxl import Workbook

from config.settings import Settings
from connectors.file_modes import protect
from outbound.periods import parse_period
from outbound.spreadsheet_safety import neutralise_row

FORMATS = ("csv", "xlsx")

COLUMNS = (
    "transaction_id", "transaction_type", "transaction_date", "marketplace_id", "marketplace_name", "vendor_code",
    "purchase_order_number", "item_sequence_number", "asin", "invoice_number", "payment_number", "deduction_type",
    "description", "quantity", "amount", "currency", "fx_rate", "amount_functional", "functional_currency", "source",
)  # fmt: skip


class NoMatch(LookupError):
    """A PO or ASIN that no vendor transaction carries: probably mistyped, so nothing is written."""

    def __init__(self, option: str, label: str, value: str) -> None:
        super().__init__(f"no vendor transaction has {label} {value}")
        self.option = option


# A payment or deduction row may name several POs ("PO1, PO2"), and carries the ASINs of its POs in po_asins.
_PO_MATCHES = "list_contains(string_split(replace(purchase_order_number, ' ', ''), ','), $po)"
_ASIN_MATCHES = "(asin = $asin or list_contains(string_split(po_asins, ','), $asin))"


def export_vendor_transactions(settings: Settings, out: Path, *, period: str | None = None, asin: str | None = None,
                               po: str | None = None, fmt: str = "csv") -> int:
    """Write the vendor transactions matching every given filter to `out`; returns the number of rows.

    An ASIN matches its PO and invoice lines and the payments and deductions of the POs that hold it. A PO or
    ASIN that no transaction carries at all raises NoMatch and writes nothing; a period with none writes a header.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    window = parse_period(period) if period is not None else None
    params = {
        "first": window.first if window else None,
        "last": window.last if window else None,
        "asin": asin.strip().upper() if asin is not None else None,
        "po": po.strip().upper() if po is not None else None,
    }
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        for option, label, condition in (("po", "PO", _PO_MATCHES), ("asin", "ASIN", _ASIN_MATCHES)):
            value = params[option]
            if value is not None and not conn.execute(
                    f"select exists (select 1 from marts.fct_vendor_transactions where {condition})",
                    {option: value}).fetchone()[0]:
                raise NoMatch(option, label, value)
        rows = conn.execute(f"""
            select {", ".join(COLUMNS)}
            from marts.fct_vendor_transactions
            where ($first is null or transaction_date >= $first)
              and ($last is null or transaction_date <= $last)
              and ($asin is null or {_ASIN_MATCHES})
              and ($po is null or {_PO_MATCHES})
            order by transaction_date, purchase_order_number, transaction_type, transaction_id
        """, params).fetchall()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_xlsx(rows) if fmt == "xlsx" else _csv(rows))
    protect(out, settings.file_group)
    return len(rows)


def _csv(rows: list[tuple]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else value.isoformat() if isinstance(value, date) else str(value)
                         for value in neutralise_row(row)])
    return text.getvalue().encode("utf-8")


def _xlsx(rows: list[tuple]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "vendor_transactions"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(neutralise_row(row))
    for cell in sheet["C"][1:]:
        cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
