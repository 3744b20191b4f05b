"""The money-at-risk reports through python-amazon-sp-api's Reports client against the local SP-API."""
from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.clients import build_clients
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.spapi.sync import RISK_REPORT_SOURCES, AccountSync
from demo.fake_spapi import FakeSeller, FakeSpApi, FakeStore, build_fake_data
from tests.helpers.fakes import FakeClock

CREDS = dict(refresh_token="Atzr|IwEBIrisk-0123456789", lwa_app_id="amzn1.application-oa2-client.risk",
             lwa_client_secret="amzn1.oa2-cs.v1.risk-secret")
NOW = datetime(2026, 10, 15)
REIMBURSEMENTS = (
    "approval-date\treimbursement-id\tcase-id\tamazon-order-id\treason\tsku\tfnsku\tasin\tproduct-name\tcondition\t"
    "currency-unit\tamount-per-unit\tamount-total\tquantity-reimbursed-cash\tquantity-reimbursed-inventory\t"
    "quantity-reimbursed-total\toriginal-reimbursement-id\toriginal-reimbursement-type\n"
    "2026-07-03T10:00:00+00:00\t111\t\t\tLost_Warehouse\tSKU-1\tX1\tB1\tMug\tNewItem\tUSD\t5.00\t10.00\t2\t0\t2\t\t\n"
    "2026-09-20T10:00:00+00:00\t222\t\t\tReimbursement_Reversal\tSKU-1\tX1\tB1\tMug\tNewItem\tUSD\t-5.00\t-10.00\t-2\t0\t-2\t111\tLost_Warehouse\n"
)


def test_reports_are_requested_per_window_and_land_in_the_inbox(tmp_path) -> None:
    store = FakeStore("acme-us", "A1SELLER", "ATVPDKIKX0DER", "Amazon.com", "USD")
    seller = FakeSeller("A1SELLER", "NA", CREDS["refresh_token"], CREDS["lwa_app_id"], CREDS["lwa_client_secret"])
    data = build_fake_data([], [store], [seller])
    data.requestable[("A1SELLER", "ATVPDKIKX0DER", "GET_FBA_REIMBURSEMENTS_DATA")] = REIMBURSEMENTS.encode()
    account = Account("acme-us", "NA", "A1SELLER", (Store("acme-us", "ATVPDKIKX0DER", "Amazon.com", "USD"),),
                      *(Secret(CREDS[k]) for k in ("refresh_token", "lwa_app_id", "lwa_client_secret")),
                      authorized_at=datetime(2025, 11, 1))
    clock = FakeClock()
    options = SyncOptions(archive_dir=tmp_path / "archive", inbox_dir=tmp_path / "inbox",
                          pacer=Pacer(clock=clock, sleep=clock.sleep), policy=RetryPolicy(sleep=clock.sleep),
                          now=lambda: NOW, backfill=timedelta(days=120), report_poll_seconds=0.0)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with FakeSpApi(data) as server:
        server.inject("getReportDocument", "expired_url")
        clients = build_clients(account, endpoint=server.url, lwa_url=server.lwa_url, timeout=5)
        try:
            results = AccountSync(conn, clients, options).run(RISK_REPORT_SOURCES)
        finally:
            clients.close()
        created = [query for operation, query in server.calls if operation == "createReport"]
    # 120 days back: two windows each, of 90 days for the FBA reports and of at most 60 for the returns report.
    assert len(created) == 6
    files = results["fba_reimbursements"].files
    assert [path.name for path in files] == ["fba_reimbursements_acme-us_20260617_20260915.txt",
                                             "fba_reimbursements_acme-us_20260915_20261014.txt"]
    first, second = (path.read_bytes().decode() for path in files)
    assert "\t111\t" in first and "\t222\t" not in first and "\t222\t" in second
    assert results["fba_customer_returns"].files == [] and results["seller_returns"].files == []  # CANCELLED: no data
    documents = conn.execute("SELECT report_type, store_id FROM raw.spapi_report_documents").fetchall()
    assert documents and {d for d in documents} == {("GET_FBA_REIMBURSEMENTS_DATA", "acme-us")}
    assert conn.execute("SELECT account_id, authorized_at FROM raw.spapi_authorizations").fetchall() == [
        ("acme-us", datetime(2025, 11, 1))]
    assert conn.execute("SELECT count(*) FROM audit.sync_log WHERE source = 'seller_returns' AND status = 'complete'"
                        ).fetchone() == (2,)


def test_authorized_at_is_read_from_the_accounts_config_in_utc() -> None:
    import pytest

    from connectors.spapi.accounts import AccountConfigError, account_from_entry

    entry = {"account_id": "a", "region": "NA", "seller_id": "S", "stores": [],
             "credentials": CREDS, "authorized_at": "2025-11-01T08:00:00+08:00"}
    assert account_from_entry(entry, {}).authorized_at == datetime(2025, 11, 1, 0, 0)
    assert account_from_entry({**entry, "authorized_at": None}, {}).authorized_at is None
    with pytest.raises(AccountConfigError, match="authorized_at"):
        account_from_entry({**entry, "authorized_at": "last spring"}, {})
