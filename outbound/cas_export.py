"""`acorn export cas`: the period's Chinese GAAP tables as one workbook, a sheet per mart, Chinese headers.

Columns come from the marts as they are (a header mapping in cas_headers.yaml turns names into Chinese; unknown
columns keep their name). DECIMAL values become numeric cells written from the Decimal: money (scale 2) shows two
decimals, rates and margins their own scale; never text, never through a float.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import yaml
from openpyxl import Workbook

from outbound.vouchers.journal import JournalRefused, check_period_text
from outbound.workbooks import stable_xlsx_bytes

HEADERS_FILE = Path(__file__).parent / "cas_headers.yaml"
SHEETS = (
    ("收入确认表", "marts.fct_cas_revenue_recognition"),
    ("成本分摊表", "marts.fct_cas_cost_allocation"),
    ("科目余额表", "marts.fct_trial_balance"),
    ("汇兑损益明细", "marts.fct_fx_gain_loss"),
)
# Which column names a mart's period, in order of preference: 'YYYY-MM' text, or a month's first day.
_PERIOD_COLUMNS = ("period", "month")


def headers() -> dict[str, str]:
    return {str(k): str(v) for k, v in (yaml.safe_load(HEADERS_FILE.read_text(encoding="utf-8")) or {}).items()}


def _number_format(duckdb_type: str) -> str | None:
    if duckdb_type.startswith("DECIMAL"):
        scale = int(duckdb_type.rstrip(")").split(",")[1])
        return "0" if scale == 0 else "0." + "0" * scale
    if duckdb_type == "DATE":
        return "yyyy-mm-dd"
    return None


def _sheet_rows(con: duckdb.DuckDBPyConnection, table: str, period: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    described = con.execute(f"describe select * from {table}").fetchall()
    columns = [(name, kind) for name, kind, *_ in described]
    names = {name for name, _ in columns}
    where, params = "", []
    for candidate in _PERIOD_COLUMNS:
        if candidate in names:
            kind = dict(columns)[candidate]
            where = f"where {candidate} = ?" if kind == "VARCHAR" else f"where strftime({candidate}, '%Y-%m') = ?"
            params = [period]
            break
    rows = con.execute(f"select * from {table} {where} order by all", params).fetchall()
    return columns, rows


def export_cas(warehouse: Path, period: str, out: Path) -> dict[str, int]:
    """Write the workbook; returns rows per sheet. Refuses a warehouse whose books marts are not built."""
    check_period_text(period)
    if not Path(warehouse).exists():
        raise JournalRefused(f"no warehouse at {warehouse}: run `acorn run` or `acorn demo` first")
    names = headers()
    book = Workbook()
    book.remove(book.active)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for title, table in SHEETS:
            try:
                columns, rows = _sheet_rows(con, table, period)
            except duckdb.CatalogException:
                raise JournalRefused(f"{warehouse} has no {table} yet: run `acorn run` or `acorn demo` first") from None
            sheet = book.create_sheet(title)
            sheet.append([names.get(name, name) for name, _ in columns])
            for row in rows:
                sheet.append([_cell(value) for value in row])
            for index, (_, kind) in enumerate(columns, start=1):
                number_format = _number_format(kind)
                if number_format:
                    for (target,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        target.number_format = number_format
            counts[title] = len(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    year, month = (int(part) for part in period.split("-"))
    out.write_bytes(stable_xlsx_bytes(book, datetime(year, month, 1)))
    return counts


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal | int | float | date | bool) or value is None:
        return value
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text
