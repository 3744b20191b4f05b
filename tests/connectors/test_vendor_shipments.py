"""vendorShipments (getShipmentDetails) through python-amazon-sp-api against the local fake SP-API, with faults:
the same rows as a clean sync, a delivery arriving later as a new shipment version, pacing at the model's rate."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import RATE_LIMITS, Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import parse_vendor_config
from connectors.vendor.sync import SHIPMENT_REREAD, SHIPMENTS, VendorSync
from connectors.warehouse_schema import create_statements
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import build_world, render_config

WORLD = build_world()
CONFIG = parse_vendor_config(render_config(WORLD))
CREDENTIALS = {
    "acme-vendor-na": dict(refresh_token="Atzr|IwEBIship-na-0123", lwa_app_id="amzn1.application-oa2-client.sna",
                           lwa_client_secret="amzn1.oa2-cs.v1.ship-na-secret"),
    "acme-vendor-eu": dict(refresh_token="Atzr|IwEBIship-eu-4567", lwa_app_id="amzn1.application-oa2-client.seu",
                           lwa_client_secret="amzn1.oa2-cs.v1.ship-eu-secret"),
}
PLACEMENT = {"source_page_sha256", "source_index", "fetched_at"}


def account(account_id: str) -> Account:
    markets = [m for m in WORLD.marketplaces if m.account_id == account_id]
    secrets = CREDENTIALS[account_id]
    return Account(account_id, markets[0].region, "",
                   tuple(Store(m.key, m.marketplace_id, m.marketplace_name, m.currency) for m in markets),
                   Secret(secrets["refresh_token"]), Secret(secrets["lwa_app_id"]), Secret(secrets["lwa_client_secret"]))


@pytest.fixture()
def server():
    with FakeSpApi(FakeData([], []), vendor=build_vendor_fake_data(WORLD, CREDENTIALS)) as fake:
        yield fake


def warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(path))
    for statement in create_statements():
        conn.execute(statement)
    return conn


def sync_shipments(conn, server: FakeSpApi, tmp: Path, account_id: str, *, page_size: int = 100):
    clients = build_vendor_clients(account(account_id), endpoint=server.url, lwa_url=server.lwa_url)
    options = SyncOptions(archive_dir=tmp / "archive", inbox_dir=tmp / "inbox", pacer=Pacer(sleep=lambda s: None),
                          policy=RetryPolicy(max_attempts=6, sleep=lambda s: None),
                          now=lambda: server.vendor.data.as_of, backfill=timedelta(days=140), page_size=page_size)
    try:
        return VendorSync(conn, clients, options, CONFIG).sync_shipments()
    finally:
        clients.close()


def rows(conn, table: str) -> list[str]:
    columns = [c for (c,) in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall() if c not in PLACEMENT]
    return sorted(map(str, conn.execute(f"SELECT {', '.join(columns)} FROM raw.{table}").fetchall()))


def test_shipments_with_faults_and_small_pages_equal_a_clean_sync(server, tmp_path):
    clean = warehouse(tmp_path / "clean.duckdb")
    sync_shipments(clean, server, tmp_path / "a", "acme-vendor-na")
    server.inject("getShipmentDetails", "429", times=2)
    server.inject("getShipmentDetails", "500", times=1, after=3)
    server.inject("getShipmentDetails", "invalid_next_token", times=1, after=5)
    server.inject("getShipmentDetails", "expired_token", times=1, after=8)
    faulty = warehouse(tmp_path / "faulty.duckdb")
    result = sync_shipments(faulty, server, tmp_path / "b", "acme-vendor-na", page_size=1)
    for table in ("vendor_shipments", "vendor_shipment_items"):
        assert rows(faulty, table) == rows(clean, table), table
    retries, restarts, failed = faulty.execute(
        "SELECT sum(retries), sum(window_restarts), count(*) FILTER (WHERE status <> 'complete') "
        "FROM audit.sync_log WHERE source = ?", [SHIPMENTS]).fetchone()
    assert (restarts, failed) == (1, 0) and retries >= 4
    assert result.rows > 0
    # every page is archived by its SHA-256 and named by the rows it gave
    for (sha,) in faulty.execute("SELECT DISTINCT source_page_sha256 FROM raw.vendor_shipments").fetchall():
        assert any((tmp_path / "b" / "archive").rglob(f"*{sha}*")), sha


def test_every_shipped_po_line_of_the_world_arrives_with_its_quantity_and_dates(server, tmp_path):
    conn = warehouse(tmp_path / "w.duckdb")
    sync_shipments(conn, server, tmp_path, "acme-vendor-na")
    got = dict(((po, seq), qty) for po, seq, qty in conn.execute(
        "SELECT purchase_order_number, item_sequence_number, shipped_quantity FROM raw.vendor_shipment_items").fetchall())
    expected = {(o.number, l.sequence): l.shipped_quantity for o in WORLD.orders
                if o.marketplace.account_id == "acme-vendor-na" and o.shipped for l in o.lines if l.shipped_quantity}
    assert got == expected
    transit = next(s for s in WORLD.situations if s.kind == "shipment_in_transit")
    shipped, estimated, delivered, status = conn.execute(
        "SELECT shipped_at, estimated_delivery_at, delivered_at, current_shipment_status FROM raw.vendor_shipments "
        "WHERE vendor_shipment_identifier = ?", [transit.details["shipment_id"]]).fetchone()
    assert (shipped.isoformat() + "Z", estimated.isoformat() + "Z", delivered, status) == (
        transit.details["shipped_at"], transit.details["estimated_delivery_at"], None, "Shipped")


def test_a_delivery_seen_later_adds_a_version_and_keeps_the_shipped_one(server, tmp_path):
    late = WORLD.order(next(s for s in WORLD.situations if s.kind == "late_shipment").purchase_order_number)
    conn = warehouse(tmp_path / "w.duckdb")
    server.vendor.data.as_of = late.shipped + timedelta(hours=1)        # shipped, not delivered yet
    sync_shipments(conn, server, tmp_path, "acme-vendor-eu")
    cursor = conn.execute("SELECT cursor_at FROM audit.sync_cursors WHERE source = ?", [SHIPMENTS]).fetchone()[0]
    # recent shipments are read again next time: the cursor stays the re-read span behind
    assert cursor <= server.vendor.data.as_of - SHIPMENT_REREAD + timedelta(days=7)
    server.vendor.data.as_of = late.received + timedelta(days=2)
    sync_shipments(conn, server, tmp_path, "acme-vendor-eu")
    versions = conn.execute(
        "SELECT delivered_at FROM raw.vendor_shipments WHERE vendor_shipment_identifier = ? ORDER BY delivered_at NULLS FIRST",
        [late.shipment_id]).fetchall()
    assert versions == [(None,), (late.received,)]


def test_shipment_pacing_follows_the_vendor_shipments_model():
    model = json.loads((Path(__file__).resolve().parents[3] / "shared" / "formats" / "api-models" /
                        "vendorShipments.json").read_text(encoding="utf-8"))
    description = model["paths"]["/vendor/shipping/v1/shipments"]["get"]["description"]
    assert "| 10 | 10 |" in description
    assert RATE_LIMITS["getShipmentDetails"] == (10.0, 10)
