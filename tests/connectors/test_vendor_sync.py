"""Vendor extraction through python-amazon-sp-api against the local fake SP-API, with faults; own invoices
submitted, recorded through the loader and tracked (building them from the marts: tests/dbt, tests/cli)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors.archive import sha256_of
from connectors.loader import load_file
from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.engine import SyncOptions, WindowFailed
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor import own_invoices
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import parse_vendor_config
from connectors.vendor.invoice_submissions import SUBMISSION_KIND, render_submission
from connectors.vendor.sync import VendorSync
from connectors.warehouse_schema import create_statements
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import build_world, render_config

MODELS = Path("/work/shared/formats/api-models")
WORLD = build_world()
CONFIG = parse_vendor_config(render_config(WORLD))
CREDENTIALS = {
    "acme-vendor-na": dict(refresh_token="Atzr|IwEBIvendor-na-0123", lwa_app_id="amzn1.application-oa2-client.vna",
                           lwa_client_secret="amzn1.oa2-cs.v1.vendor-na-secret"),
    "acme-vendor-eu": dict(refresh_token="Atzr|IwEBIvendor-eu-4567", lwa_app_id="amzn1.application-oa2-client.veu",
                           lwa_client_secret="amzn1.oa2-cs.v1.vendor-eu-secret"),
}
TABLES = ("vendor_purchase_orders", "vendor_purchase_order_items", "vendor_purchase_order_status", "vendor_invoices",
          "vendor_invoice_lines", "vendor_invoice_breakdowns", "vendor_invoice_related_ids")


def account(account_id: str) -> Account:
    markets = [m for m in WORLD.marketplaces if m.account_id == account_id]
    secrets = CREDENTIALS[account_id]
    return Account(account_id, markets[0].region, "",
                   tuple(Store(m.key, m.marketplace_id, m.marketplace_name, m.currency) for m in markets),
                   Secret(secrets["refresh_token"]), Secret(secrets["lwa_app_id"]), Secret(secrets["lwa_client_secret"]))


def situation(kind: str) -> dict:
    return next(vars(s) for s in WORLD.situations if s.kind == kind)


@pytest.fixture()
def server():
    with FakeSpApi(FakeData([], []), vendor=build_vendor_fake_data(WORLD, CREDENTIALS)) as fake:
        yield fake


def warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    for statement in create_statements():
        conn.execute(statement)
    return conn


def sync(conn, server: FakeSpApi, tmp: Path, account_id: str, *, page_size: int = 100, attempts: int = 6) -> dict:
    clients = build_vendor_clients(account(account_id), endpoint=server.url, lwa_url=server.lwa_url)
    options = SyncOptions(archive_dir=tmp / "archive", inbox_dir=tmp / "inbox", pacer=Pacer(sleep=lambda s: None),
                          policy=RetryPolicy(max_attempts=attempts, sleep=lambda s: None),
                          now=lambda: server.vendor.data.as_of, backfill=timedelta(days=140), page_size=page_size)
    try:
        return VendorSync(conn, clients, options, CONFIG).run_vendor()
    finally:
        clients.close()


def snapshot(conn) -> dict[str, list]:
    """Every row's content; where a row sat (page hash, position) and when it was fetched depend on paging."""
    placement = {"source_page_sha256", "source_index", "fetched_at"}
    tables = {}
    for table in TABLES:
        columns = [c for (c,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall() if c not in placement]
        tables[table] = sorted(map(str, conn.execute(f"SELECT {', '.join(columns)} FROM raw.{table}").fetchall()))
    return tables


def test_faults_and_paging_give_the_same_rows_as_a_clean_sync(server, tmp_path):
    clean = warehouse(tmp_path / "clean.duckdb")
    sync(clean, server, tmp_path / "a", "acme-vendor-na")
    server.inject("getPurchaseOrders", "429", times=2)
    server.inject("getPurchaseOrders", "invalid_next_token", times=1)
    server.inject("getPurchaseOrdersStatus", "expired_token", times=1, after=2)
    server.inject("getInvoiceHeaders", "500", times=1)
    server.inject("getInvoice", "429", times=1, after=4)
    server.vendor.data.invoice_line_page_size = 1
    faulty = warehouse(tmp_path / "faulty.duckdb")
    sync(faulty, server, tmp_path / "b", "acme-vendor-na", page_size=2)
    assert snapshot(faulty) == snapshot(clean)
    log = faulty.execute("SELECT sum(retries), sum(window_restarts), count(*) FILTER (WHERE status <> 'complete') "
                         "FROM audit.sync_log").fetchone()
    assert log == (5, 1, 0)
    errors = " ".join(e for (e,) in faulty.execute("SELECT errors FROM audit.sync_log WHERE errors IS NOT NULL").fetchall())
    assert "QuotaExceeded" in errors and CREDENTIALS["acme-vendor-na"]["refresh_token"] not in errors
    us_invoices = [i for i in WORLD.invoices if i.marketplace.key == "us"]
    assert faulty.execute("SELECT count(DISTINCT invoice_identifier), sum(invoice_amount) FROM raw.vendor_invoices "
                          "WHERE marketplace_id = 'ATVPDKIKX0DER'").fetchone() == (
        len(us_invoices), sum(i.amount for i in us_invoices))


def test_a_vendor_sync_sets_up_its_own_tables_in_an_empty_warehouse(server, tmp_path):
    conn = duckdb.connect(str(tmp_path / "empty.duckdb"))      # no schema at all, as a first Dagster run finds it
    sync(conn, server, tmp_path, "acme-vendor-na")
    assert conn.execute("SELECT count(*) FROM audit.sync_cursors").fetchone()[0] >= 3
    assert conn.execute("SELECT count(*) FROM audit.sync_log WHERE status = 'complete'").fetchone()[0] > 0


def test_failed_run_resumes_without_gaps_or_duplicates(server, tmp_path):
    clean = warehouse(tmp_path / "clean.duckdb")
    sync(clean, server, tmp_path / "a", "acme-vendor-eu")
    conn = warehouse(tmp_path / "resumed.duckdb")
    server.inject("getPurchaseOrdersStatus", "500", times=3, after=6)
    with pytest.raises(WindowFailed, match="vendor_purchase_orders_status"):
        sync(conn, server, tmp_path / "b", "acme-vendor-eu", attempts=3)
    assert conn.execute("SELECT count(*) FROM audit.sync_log WHERE status = 'failed'").fetchone()[0] == 1
    partial = conn.execute("SELECT count(*) FROM raw.vendor_purchase_order_status").fetchone()[0]
    assert 0 < partial < clean.execute("SELECT count(*) FROM raw.vendor_purchase_order_status").fetchone()[0]
    sync(conn, server, tmp_path / "b", "acme-vendor-eu")
    assert snapshot(conn) == snapshot(clean)


def test_changes_arrive_as_new_versions_and_history_is_kept(server, tmp_path):
    cancelled = situation("po_cancelled_after_acknowledgement")
    conn = warehouse(tmp_path / "w.duckdb")
    server.vendor.data.as_of = datetime.fromisoformat(cancelled["details"]["acknowledged_at"][:-1]) + timedelta(days=1)
    sync(conn, server, tmp_path, "acme-vendor-na")
    server.vendor.data.as_of = WORLD.as_of
    sync(conn, server, tmp_path, "acme-vendor-na")
    po = cancelled["purchase_order_number"]
    versions = conn.execute(
        "SELECT purchase_order_state, version_id FROM raw.vendor_purchase_orders WHERE purchase_order_number = ? "
        "ORDER BY coalesce(purchase_order_changed_at, purchase_order_state_changed_at)", [po]).fetchall()
    assert [state for state, _ in versions] == ["Acknowledged", "Closed"]
    states = conn.execute("SELECT DISTINCT item_state FROM raw.vendor_purchase_order_items WHERE version_id = ?",
                          [versions[-1][1]]).fetchall()
    assert states == [("Cancelled",)]
    status = conn.execute(
        "SELECT confirmation_status, cancelled_quantity, acknowledged_at FROM raw.vendor_purchase_order_status "
        "WHERE purchase_order_number = ? AND item_sequence_number = '1' ORDER BY last_updated_at", [po]).fetchall()
    assert [(s, c > 0) for s, c, _ in status] == [("ACCEPTED", False), ("ACCEPTED", True)]
    changed = situation("po_changed_before_acknowledgement")
    quantities = conn.execute(
        "SELECT i.ordered_quantity FROM raw.vendor_purchase_orders o JOIN raw.vendor_purchase_order_items i USING "
        "(account_id, purchase_order_number, version_id) WHERE o.purchase_order_number = ? AND i.item_sequence_number = '1'",
        [changed["purchase_order_number"]]).fetchall()
    assert {q for (q,) in quantities} == {changed["details"]["quantity_after"]}
    paid = conn.execute("SELECT count(*) FROM raw.vendor_invoices WHERE invoice_status = 'PAID'").fetchone()[0]
    in_progress_then_paid = conn.execute(
        "SELECT count(*) FROM (SELECT invoice_identifier FROM raw.vendor_invoices GROUP BY 1 "
        "HAVING count(DISTINCT invoice_status) = 2)").fetchone()[0]
    assert paid > 0 and in_progress_then_paid > 0


def _required(definition: str) -> list[str]:
    return json.loads((MODELS / "vendorInvoices.json").read_text())["definitions"][definition]["required"]


def _invoice(total: str = "90.00") -> dict:
    return {"invoiceType": "Invoice", "id": "ACORN-PO1", "date": "2026-10-15T00:00:00Z",
            "remitToParty": {"partyId": "ACME1"}, "billToParty": {"partyId": "AMZN_US"},
            "paymentTerms": {"type": "Basic", "discountPercent": "0.00", "discountDueDays": 0, "netDueDays": 60},
            "invoiceTotal": {"currencyCode": "USD", "amount": total},
            "items": [{"itemSequenceNumber": 1, "purchaseOrderNumber": "PO1", "amazonProductIdentifier": "B0X",
                       "vendorProductIdentifier": "X", "invoicedQuantity": {"amount": 3, "unitOfMeasure": "Eaches"},
                       "netCost": {"currencyCode": "USD", "amount": "30.00"}}]}


def _record(conn: duckdb.DuckDBPyConnection, tmp_path: Path, invoice: dict, transaction_id: str) -> str:
    """The submission record through the loader, as `acorn vendor-invoices --submit` writes it."""
    body = json.dumps({"invoices": [invoice]}).encode()
    record = render_submission(account_id="acme-vendor-na", body=json.loads(body), body_sha256=sha256_of(body),
                               built_at=WORLD.as_of, submitted_at=WORLD.as_of, transaction_id=transaction_id,
                               marketplace_ids={invoice["id"]: "ATVPDKIKX0DER"},
                               po_item_sequence_numbers={invoice["id"]: ["1"]})
    settings = Settings(warehouse=tmp_path / "w.duckdb", archive_dir=tmp_path / "archive")
    outcome = load_file(conn, settings, f"submission_{transaction_id}.json", record)
    assert (outcome.kind, outcome.status) == (SUBMISSION_KIND, "loaded"), outcome.message
    return outcome.sha256


def test_own_invoice_is_submitted_recorded_through_the_loader_and_tracked(server, tmp_path):
    conn = warehouse(tmp_path / "w.duckdb")
    invoice = _invoice()
    assert all(field in invoice for field in _required("Invoice"))
    assert all(field in item for item in invoice["items"] for field in _required("InvoiceItem"))
    clients = build_vendor_clients(account("acme-vendor-na"), endpoint=server.url, lwa_url=server.lwa_url)
    pacing = dict(pacer=Pacer(sleep=lambda s: None), policy=RetryPolicy(sleep=lambda s: None))
    server.inject("submitInvoices", "429")
    transaction_id = own_invoices.submit(clients, [invoice], **pacing)
    (recorded,) = server.vendor.data.submissions.values()
    assert recorded.transaction_id == transaction_id and recorded.body == {"invoices": [invoice]}
    _record(conn, tmp_path, invoice, transaction_id)
    refresh = dict(pacing, now=WORLD.as_of)
    assert own_invoices.refresh_statuses(conn, clients, **refresh) == {transaction_id: "Processing"}
    assert own_invoices.refresh_statuses(conn, clients, **refresh) == {transaction_id: "Success"}
    assert own_invoices.refresh_statuses(conn, clients, **refresh) == {}
    clients.close()
    row = conn.execute("SELECT transaction_id, transaction_status, invoice_total, net_due_days "
                       "FROM raw.vendor_invoice_submissions").fetchone()
    assert row == (transaction_id, "Success", Decimal("90.00"), 60)
    assert conn.execute("SELECT po_item_sequence_number, amount FROM raw.vendor_invoice_submission_items").fetchall() == [
        ("1", Decimal("90.00"))]


def test_invoice_total_that_does_not_add_up_ends_in_failure(server, tmp_path):
    conn = warehouse(tmp_path / "w.duckdb")
    invoice = {**_invoice("100.00"), "id": "ACORN-BAD"}
    clients = build_vendor_clients(account("acme-vendor-na"), endpoint=server.url, lwa_url=server.lwa_url)
    pacing = dict(pacer=Pacer(sleep=lambda s: None), policy=RetryPolicy(sleep=lambda s: None))
    _record(conn, tmp_path, invoice, own_invoices.submit(clients, [invoice], **pacing))
    own_invoices.refresh_statuses(conn, clients, **pacing, now=WORLD.as_of)
    own_invoices.refresh_statuses(conn, clients, **pacing, now=WORLD.as_of)
    clients.close()
    assert conn.execute("SELECT transaction_status, transaction_errors FROM raw.vendor_invoice_submissions").fetchone() == (
        "Failure", "InvalidInvoiceTotal: invoice ACORN-BAD: total 100.00 differs from its items (90.00)")


def test_whole_world_through_the_fake_fills_every_raw_table(tmp_path):
    from demo.vendor_through_fake import sync_world_through_fake

    conn = warehouse(tmp_path / "w.duckdb")
    rows = sync_world_through_fake(conn, WORLD, tmp_path / "archive")
    assert set(rows) >= {"acme-vendor-na/vendor_purchase_orders", "acme-vendor-eu/vendor_invoices:A1PA6795UKMFR9"}
    assert conn.execute("SELECT count(DISTINCT purchase_order_number) FROM raw.vendor_purchase_orders").fetchone()[0] == len(
        WORLD.orders)
    assert conn.execute("SELECT count(DISTINCT invoice_identifier), sum(amount) FILTER (WHERE breakdown_type = "
                        "'QuickPayDiscount') FROM raw.vendor_invoice_breakdowns").fetchone() == (
        len(WORLD.invoices), Decimal(situation("quick_pay_discount")["details"]["discount"]))
    late = situation("late_shipment")["purchase_order_number"]
    assert conn.execute("SELECT max(last_receive_at) > max(s.ship_window_end) FROM raw.vendor_purchase_order_status "
                        "JOIN raw.vendor_purchase_orders s USING (account_id, purchase_order_number) "
                        "WHERE purchase_order_number = ?", [late]).fetchone() == (True,)
