"""Vendor Central exports dropped into an inbox load through the same archive / audit / GX path as other files."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import Settings
from connectors.loader import connect, load_inbox
from demo.generator.vendor import generate_vendor


@pytest.fixture(scope="module")
def vendor_inbox(tmp_path_factory) -> Path:
    return generate_vendor(tmp_path_factory.mktemp("inbox")).out_dir


def _settings(root: Path) -> Settings:
    return Settings(warehouse=root / "warehouse.duckdb", archive_dir=root / "archive")


def test_generated_exports_load_and_rerun_changes_nothing(vendor_inbox: Path, tmp_path: Path):
    settings = _settings(tmp_path)
    report = load_inbox(settings, vendor_inbox)
    assert report.counts() == {"loaded": 6, "duplicate": 0, "quarantined": 0}
    assert {f.kind for f in report.files} == {"vendor_remittance", "vendor_invoice_export"}
    con = connect(settings)
    try:
        de = con.execute(
            "SELECT source_sheet, min(source_line), sum(amount_paid), typeof(sum(amount_paid)) FROM raw.vendor_remittances "
            "WHERE currency = 'EUR' GROUP BY 1").fetchall()
        assert de[0][0] == "Export" and de[0][1] == 2 and isinstance(de[0][2], Decimal)
        claims = con.execute("SELECT invoice_number, amount_paid FROM raw.vendor_remittances "
                             "WHERE invoice_number LIKE '%SC' ORDER BY 1").fetchall()
        assert len(claims) == 2 and all(amount < 0 for _, amount in claims)
        assert con.execute("SELECT count(*) FROM raw.vendor_central_invoices").fetchone()[0] == 34
        checks = con.execute("SELECT DISTINCT rule FROM audit.validation_results WHERE kind = 'vendor_remittance'").fetchall()
        assert ("parseable amount paid",) in checks
    finally:
        con.close()
    again = load_inbox(settings, vendor_inbox)
    assert again.files == [] and len(again.unchanged) == 6


def test_bad_remittance_row_is_quarantined_with_line_and_rule(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "remittance.csv").write_text(
        "Payment Number,Payment Date,Invoice Number,Amount Paid,Invoice Currency\n"
        "71000001,06/20/2026,7100001,722.65,USD\n"
        "71000001,06/20/2026,7100002,seven,USD\n")
    report = load_inbox(_settings(tmp_path), inbox)
    (outcome,) = report.quarantined
    assert outcome.kind == "vendor_remittance"
    assert outcome.message == "remittance.csv: line 3: parseable amount paid: amount paid is not a number ('seven')"


def test_renamed_xlsx_export_still_detected(vendor_inbox: Path, tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(vendor_inbox / "vendor_invoices_de.xlsx", inbox / "download (3)")
    report = load_inbox(_settings(tmp_path), inbox)
    assert [(f.kind, f.status, f.rows_loaded) for f in report.files] == [("vendor_invoice_export", "loaded", 12)]
