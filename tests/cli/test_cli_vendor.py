"""The vendor side of the `acorn` command: the demo's vendor part and its check, `acorn export vendor`,
`acorn generate` with the vendor data set, `acorn vendor-invoices` (build, export, submit, track).

The demo runs once per session (`demo_warehouse` in tests/conftest.py), shared with tests/test_cli.py.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from contextlib import redirect_stdout
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from acorn import cli
from config.settings import Settings
from connectors.loader import replay_archive
from connectors.spapi.accounts import CREDENTIAL_ENV
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import ANSWER_KEY_NAME, CONFIG_NAME, build_world
from demo.vendor_demo import FAULTS as VENDOR_FAULTS
from outbound.periods import PERIOD_FORMS
from outbound.vendor_invoicing import MartsBehind, build_and_export, submit_and_refresh
from tests.helpers.cli import acorn, rows

pytestmark = pytest.mark.slow

MARKETPLACE_NAMES = {"us": "Amazon.com", "ca": "Amazon.ca", "de": "Amazon.de"}
VENDOR_FILES = ("vendor_invoices_ca.csv", "vendor_invoices_de.xlsx", "vendor_invoices_us.csv",
                "vendor_remittance_ca.csv", "vendor_remittance_de.xlsx", "vendor_remittance_us.csv",
                CONFIG_NAME, ANSWER_KEY_NAME)


def answer_key(warehouse: Path) -> dict:
    return json.loads((warehouse.parent / "inbox" / ANSWER_KEY_NAME).read_text(encoding="utf-8"))


def situation(key: dict, kind: str, marketplace: str | None = None) -> dict:
    return next(s for s in key["situations"] if s["kind"] == kind and marketplace in (None, s["marketplace"]))


def test_demo_flags_exactly_the_injected_vendor_situations(demo_warehouse):
    output = (demo_warehouse.parent / "demo-output.txt").read_text()
    key = answer_key(demo_warehouse)
    expected = {(a["alert"], MARKETPLACE_NAMES[a["marketplace"]], a["purchase_order_number"], a["invoice_number"])
                for a in key["expected_alerts"]}

    assert len(expected) == 8
    assert "Vendor demo check: exactly the 8 injected situations were flagged, nothing else." in output
    # beyond alerts: shipped late, in transit, the partly invoiced PO's remaining line, the compliance hold, co-op
    assert ("Vendor chain check: exactly the 5 shipment, invoicing and deduction situations were shown (agreement_deduction, "
            "invoice_held_back, partly_invoiced, shipment_in_transit, shipped_late), nothing else.") in output
    hold = situation(key, "invoice_compliance_hold")
    assert (f"held back Amazon.de PO {hold['purchase_order_number']} line 1: VAT registration number of vendor ACMD1 "
            "is required in DE and not configured") in output
    transit = situation(key, "shipment_in_transit")
    assert f"in transit Amazon.com PO {transit['purchase_order_number']}: shipment {transit['shipment_id']}" in output
    # The seller check is untouched by the vendor part.
    assert "Demo check: exactly the 4 injected anomalies were flagged, nothing else." in output
    alerts = rows(demo_warehouse, "SELECT alert_type, marketplace_name, purchase_order_number, invoice_number, "
                                  "as_of_date FROM marts.fct_alerts WHERE domain = 'vendor'")
    assert {alert[:4] for alert in alerts} == expected and len(alerts) == len(expected)
    # dbt measured ages on the answer key's day, not on the day the test runs.
    assert {alert[4] for alert in alerts} == {date.fromisoformat(key["generator"]["as_of"])}
    for heading in ("Vendor purchase orders (", "lines by stage:", "Vendor invoices (", "Vendor deductions (",
                    "Open vendor alerts (8)", "Vendor shipments: 1 in transit, 1 shipped after the ship window", "chargeback", "price_claim", "shortage_claim_reversal"):
        assert heading in output
    overdue = situation(key, "invoice_overdue", "ca")
    assert f"outstanding {Decimal(overdue['amount']):,} CAD" in output


def test_demo_syncs_the_vendor_api_through_injected_faults(demo_warehouse):
    output = (demo_warehouse.parent / "demo-output.txt").read_text()
    assert "vendor accounts (faults on: 429 on getPurchaseOrders" in output
    # Each injected fault is reported as the expected fault it is, not as a connector failure.
    for operation, fault, _ in VENDOR_FAULTS:
        assert f"injected fault absorbed: {fault} on {operation} for acme-vendor-" in output
    assert "failed (SellingApi" not in output
    logged = rows(demo_warehouse, "SELECT source, status, errors FROM audit.sync_log WHERE source LIKE 'vendor%'")
    sources = {source.split(":")[0] for source, _, _ in logged}
    assert sources == {"vendor_purchase_orders", "vendor_purchase_orders_status", "vendor_shipments", "vendor_invoices"}
    assert {status for _, status, _ in logged} == {"complete"}
    errors = " | ".join(e for _, _, e in logged if e)
    for evidence in ("QuotaExceeded", "InternalFailure", "Unauthorized"):
        assert evidence in errors
    # The vendor exports came in through the inbox, like any dropped file.
    loads = dict(rows(demo_warehouse, "SELECT file_name, kind FROM audit.file_loads WHERE file_name LIKE 'vendor_%'"))
    assert set(loads) == {name for name in VENDOR_FILES if not name.startswith(".")}


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_vendor_po_writes_its_whole_chain(demo_warehouse, tmp_path):
    key = answer_key(demo_warehouse)
    claim = situation(key, "shortage_claim", "us")
    reversal = situation(key, "shortage_claim_reversal", "us")
    po = claim["purchase_order_number"]

    result = acorn("export", "vendor", "--po", po, "--out", str(tmp_path / "po.csv"), "--warehouse", str(demo_warehouse))

    assert result.returncode == 0, result.stdout + result.stderr
    exported = read_csv(tmp_path / "po.csv")
    assert result.stdout.strip() == f"Wrote {len(exported)} vendor transactions (PO {po}) to {tmp_path / 'po.csv'} (csv)"
    assert {r["purchase_order_number"] for r in exported} == {po}
    # ordered → invoiced → paid, and the shortage claim with its reversal: where the money for this PO went.
    assert {r["transaction_type"] for r in exported} == {"po_line", "invoice_line", "payment", "deduction"}
    deductions = {r["deduction_type"]: Decimal(r["amount"]) for r in exported if r["transaction_type"] == "deduction"}
    assert deductions == {"shortage_claim": Decimal(claim["amount"]), "shortage_claim_reversal": Decimal(reversal["amount"])}
    lines = [r for r in exported if r["transaction_type"] == "po_line"]
    invoiced = [r for r in exported if r["transaction_type"] == "invoice_line"]
    assert sum(Decimal(r["amount"]) for r in lines) == sum(Decimal(r["amount"]) for r in invoiced)

    as_xlsx = acorn("export", "vendor", "--po", po, "--out", str(tmp_path / "po.xlsx"), "--warehouse", str(demo_warehouse))
    assert as_xlsx.returncode == 0, as_xlsx.stdout
    sheet = load_workbook(tmp_path / "po.xlsx").active
    assert sheet.max_row == len(exported) + 1


def test_export_vendor_mistakes_are_one_clear_line(demo_warehouse, tmp_path):
    bad_period = acorn("export", "vendor", "--period", "2026-13", "--out", str(tmp_path / "x.csv"),
                       "--warehouse", str(demo_warehouse))
    no_warehouse = acorn("export", "vendor", "--out", str(tmp_path / "x.csv"), "--warehouse", str(tmp_path / "none.duckdb"))
    unknown_po = acorn("export", "vendor", "--po", "NOPE", "--out", str(tmp_path / "x.csv"),
                       "--warehouse", str(demo_warehouse))

    assert bad_period.returncode == 1 and bad_period.stdout.strip().splitlines() == [
        f"acorn: error: --period '2026-13': month must be in 1..12; use {PERIOD_FORMS}"]
    assert no_warehouse.returncode == 1 and len(no_warehouse.stdout.strip().splitlines()) == 1
    assert "no warehouse at" in no_warehouse.stdout and "Traceback" not in no_warehouse.stderr + bad_period.stderr
    assert unknown_po.returncode == 1 and unknown_po.stdout.strip().splitlines() == [
        "acorn: error: no vendor transaction has PO NOPE: check it, or leave out --po to export every one; "
        "nothing was written"]
    assert not (tmp_path / "x.csv").exists()


def test_export_vendor_accepts_a_range_of_months(demo_warehouse, tmp_path):
    result = acorn("export", "vendor", "--period", "2026-07..2026-10", "--out", str(tmp_path / "x.csv"),
                   "--warehouse", str(demo_warehouse))

    assert result.returncode == 0, result.stdout + result.stderr
    exported = read_csv(tmp_path / "x.csv")
    (expected,) = rows(demo_warehouse, "SELECT count(*) FROM marts.fct_vendor_transactions "
                                       "WHERE transaction_date BETWEEN DATE '2026-07-01' AND DATE '2026-10-31'")[0]
    assert len(exported) == expected > 0
    assert min(r["transaction_date"] for r in exported) >= "2026-07-01"
    assert max(r["transaction_date"] for r in exported) <= "2026-10-31"


def generate(*args: str) -> str:
    with redirect_stdout(io.StringIO()) as out:
        assert cli.main(["generate", "--months", "1", "--orders-per-day", "2", *args]) == 0
    return out.getvalue()


def test_generate_writes_the_vendor_data_set_deterministically(tmp_path):
    output = generate("--out", str(tmp_path / "a"))
    generate("--out", str(tmp_path / "b"))
    generate("--out", str(tmp_path / "later"), "--vendor-as-of", "2026-11-30")
    generate("--out", str(tmp_path / "seller"), "--no-vendor")

    for name in VENDOR_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert "Wrote 8 vendor files as of 2026-10-15" in output
    assert json.loads((tmp_path / "a" / ANSWER_KEY_NAME).read_text())["generator"]["as_of"] == "2026-10-15"
    assert json.loads((tmp_path / "later" / ANSWER_KEY_NAME).read_text())["generator"]["as_of"] == "2026-11-30"
    assert not [p for p in (tmp_path / "seller").iterdir() if "vendor" in p.name]
    assert (tmp_path / "seller" / "stores.csv").exists()


def test_vendor_invoices_writes_the_payload_of_the_unsubmitted_invoice(demo_warehouse, tmp_path):
    key = answer_key(demo_warehouse)
    missing = situation(key, "received_not_invoiced")
    config = demo_warehouse.parent / "inbox" / CONFIG_NAME

    result = acorn("vendor-invoices", "--out", str(tmp_path / "out"), "--config", str(config),
                   "--invoice-date", "2026-10-15", "--warehouse", str(demo_warehouse))

    assert result.returncode == 0, result.stdout + result.stderr
    # the EU account's only candidate is held back (no VAT id): listed, not invoiced
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "held_back_acme-vendor-eu.json", "submit_invoices_acme-vendor-eu.xlsx",
        "submit_invoices_acme-vendor-na.json", "submit_invoices_acme-vendor-na.xlsx"]
    partly = situation(key, "partly_invoiced")
    remaining, invoice = json.loads((tmp_path / "out" / "submit_invoices_acme-vendor-na.json").read_text())["invoices"]
    # the partly invoiced PO gets a second number for its remaining line, with GST on it
    assert remaining["id"] == f"ACORN-{partly['purchase_order_number']}-2"
    assert [item["taxDetails"][0]["taxType"] for item in remaining["items"]] == ["GST"]
    assert invoice["id"] == f"ACORN-{missing['purchase_order_number']}" and invoice["date"] == "2026-10-15T00:00:00Z"
    assert invoice["invoiceTotal"] == {"amount": missing["amount"], "currencyCode": missing["currency"]}
    assert invoice["paymentTerms"]["netDueDays"] == 60
    assert {item["purchaseOrderNumber"] for item in invoice["items"]} == {missing["purchase_order_number"]}
    sheet = load_workbook(tmp_path / "out" / "submit_invoices_acme-vendor-na.xlsx").active
    assert sheet.max_row == len(invoice["items"]) + len(remaining["items"]) + 1
    assert f"2 invoice(s) for PO {partly['purchase_order_number']}, {missing['purchase_order_number']}" in result.stdout
    hold = situation(key, "invoice_compliance_hold")
    assert (f"held back PO {hold['purchase_order_number']} line 1: VAT registration number of vendor ACMD1 is "
            "required in DE and not configured") in result.stdout


def test_vendor_invoices_without_config_or_credentials_is_one_line_and_records_nothing(demo_warehouse, tmp_path, monkeypatch):
    for name in CREDENTIAL_ENV.values():
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_acme-vendor-na", raising=False)
    monkeypatch.delenv("ACORN_VENDOR_CONFIG", raising=False)
    config = demo_warehouse.parent / "inbox" / CONFIG_NAME

    no_config = acorn("vendor-invoices", "--out", str(tmp_path / "a"), "--warehouse", str(demo_warehouse))
    no_credentials = acorn("vendor-invoices", "--out", str(tmp_path / "b"), "--config", str(config), "--submit",
                           "--warehouse", str(demo_warehouse))

    assert no_config.stdout.strip().splitlines() == [
        "acorn: error: no vendor configuration: pass --config FILE or set ACORN_VENDOR_CONFIG"]
    assert no_credentials.returncode == 1
    assert no_credentials.stdout.strip().splitlines()[-1] == (
        "acorn: error: account acme-vendor-na: SP_API_REFRESH_TOKEN_acme-vendor-na (or SP_API_REFRESH_TOKEN) is not set")
    assert rows(demo_warehouse, "SELECT count(*) FROM raw.vendor_invoice_submissions") == [(0,)]


def test_submitted_invoices_are_recorded_and_their_transaction_tracked(demo_warehouse, tmp_path):
    warehouse = tmp_path / "acorn.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    settings = Settings(warehouse=warehouse, archive_dir=tmp_path / "archive")
    config = demo_warehouse.parent / "inbox" / CONFIG_NAME
    secrets = {account: {key: f"{key}-{account}-submit-test" for key in CREDENTIAL_ENV}
               for account in ("acme-vendor-na", "acme-vendor-eu")}
    environ = {f"{CREDENTIAL_ENV[key]}_{account}": value for account, values in secrets.items() for key, value in values.items()}
    data = build_vendor_fake_data(build_world(), secrets)
    quick = dict(pacer=Pacer(sleep=lambda s: None), policy=RetryPolicy(sleep=lambda s: None))
    batches = build_and_export(settings, config, tmp_path / "out", date(2026, 10, 15))

    with FakeSpApi(FakeData([], []), vendor=data) as server:
        server.inject("submitInvoices", "500", times=1)
        first = submit_and_refresh(settings, config, batches, environ=environ, endpoint=server.url,
                                   lwa_url=server.lwa_url, **quick)
        second = submit_and_refresh(settings, config, [], environ=environ, endpoint=server.url,
                                    lwa_url=server.lwa_url, **quick)

    (submission,) = data.submissions.values()
    assert submission.body == json.loads(batches[0].payload)          # what was reviewed is what was submitted
    tid = submission.transaction_id
    assert first == [f"acme-vendor-na: submitted 2 invoice(s), transaction {tid}",
                     f"acme-vendor-na: transaction {tid}: Processing",
                     "Amazon is still processing: the daily vendor sync (or this command again) checks the status later."]
    assert second == [f"acme-vendor-na: transaction {tid}: Success"]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        recorded = conn.execute("SELECT invoice_id, transaction_id, transaction_status, invoice_total "
                                "FROM raw.vendor_invoice_submissions").fetchall()
        loads = conn.execute("SELECT file_name, kind, status FROM audit.file_loads "
                             "WHERE kind = 'vendor_invoice_submission'").fetchall()
    missing = situation(answer_key(demo_warehouse), "received_not_invoiced")
    partly = situation(answer_key(demo_warehouse), "partly_invoiced")
    gst = (Decimal(partly["remaining_amount"]) * Decimal("0.05")).quantize(Decimal("0.01"))
    assert sorted(recorded) == [(f"ACORN-{partly['purchase_order_number']}-2", tid, "Success",
                                 Decimal(partly["remaining_amount"]) + gst),
                                (f"ACORN-{missing['purchase_order_number']}", tid, "Success", Decimal(missing["amount"]))]
    # The submission came in through the loader, as a file of its own beside the batch.
    record = f"submission_acme-vendor-na_{tid}.json"
    assert loads == [(record, "vendor_invoice_submission", "loaded")] and (tmp_path / "out" / record).is_file()
    # Until the marts know about it, building again is refused rather than offering the same lines twice.
    with pytest.raises(MartsBehind, match="run `acorn run` first"):
        build_and_export(settings, config, tmp_path / "again", date(2026, 10, 16))
    # A rebuild from the archive reproduces the submission (Amazon's later verdicts are asked again).
    rebuilt = Settings(warehouse=tmp_path / "rebuilt.duckdb", archive_dir=tmp_path / "rebuilt-archive")
    replay_archive(rebuilt, settings.archive_dir)
    assert sorted(rows(rebuilt.warehouse, "SELECT invoice_id, transaction_id, transaction_status, invoice_total "
                                          "FROM raw.vendor_invoice_submissions")) == [
        (invoice_id, tid, "Processing", total) for invoice_id, _, _, total in sorted(recorded)]
    assert rows(rebuilt.warehouse, "SELECT count(*) FROM raw.vendor_invoice_submission_items") == [
        (sum(len(i["items"]) for i in json.loads(batches[0].payload)["invoices"]),)]
