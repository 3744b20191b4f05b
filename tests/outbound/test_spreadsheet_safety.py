"""Issue 8, case 7: exports neutralise formula-like text cells (OWASP), numbers stay numbers, the warehouse keeps
the value verbatim, and an export file is readable by its owner only."""
from __future__ import annotations

import csv
import io
import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from config.settings import Settings
from outbound.spreadsheet_safety import neutralise
from outbound.vendor_export import COLUMNS, export_vendor_transactions

HOSTILE_SKU = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", [HOSTILE_SKU, "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["ACME-MUG", "-12.50", "+3", Decimal("-12.50"), -3, None, "a=b"])
def test_numbers_and_plain_text_are_untouched(value):
    assert neutralise(value) == value


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive")
    values = {c: None for c in COLUMNS}
    values.update(transaction_id="T1", transaction_type="invoice", transaction_date=date(2026, 3, 1),
                  purchase_order_number="PO1", asin=HOSTILE_SKU, description="@evil", amount=Decimal("-12.50"),
                  currency="USD")
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.fct_vendor_transactions (" + ", ".join(
            f"{c} {'DATE' if c == 'transaction_date' else 'DECIMAL(18,2)' if c == 'amount' else 'VARCHAR'}"
            for c in COLUMNS) + ", po_asins VARCHAR)")
        con.execute(f"INSERT INTO marts.fct_vendor_transactions VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
                    [*values.values(), HOSTILE_SKU])
    return settings


def test_csv_and_xlsx_exports_neutralise_while_the_warehouse_keeps_the_value(settings, tmp_path):
    export_vendor_transactions(settings, tmp_path / "out.csv")
    export_vendor_transactions(settings, tmp_path / "out.xlsx", fmt="xlsx")

    row = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))[0]
    assert (row["asin"], row["description"], row["amount"]) == ("'" + HOSTILE_SKU, "'@evil", "-12.50")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    cells = dict(zip(COLUMNS, next(sheet.iter_rows(min_row=2, values_only=True))))
    assert (cells["asin"], cells["description"]) == ("'" + HOSTILE_SKU, "'@evil")
    assert cells["amount"] == -12.5  # a number cell, not text
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("SELECT asin FROM marts.fct_vendor_transactions").fetchone() == (HOSTILE_SKU,)
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o600
