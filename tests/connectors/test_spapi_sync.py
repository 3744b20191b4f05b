"""The extraction layer against the fake SP-API on 127.0.0.1, through python-amazon-sp-api itself."""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx
import pytest

from connectors.spapi.accounts import Account, AccountConfigError, Secret, Store, load_accounts
from connectors.spapi.clients import build_clients
from connectors.spapi.engine import SyncOptions, WindowFailed
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.spapi.sync import AccountSync
from demo.fake_spapi import FakeSeller, FakeSpApi, FakeStore, build_fake_data
from tests.helpers.fake_settlements import fake_settlement
from tests.helpers.fakes import FakeClock
from tests.helpers.paths import REPO, SAMPLES

CA_FILES = sorted(SAMPLES.glob("settlement_v1_flatfile_CA_CAD_*.txt"))
NOW = datetime(2025, 10, 20)

# Credentials shaped like real ones, so a leak would be recognisable.
NA = dict(refresh_token="Atzr|IwEBIna-refresh-0123456789", lwa_app_id="amzn1.application-oa2-client.na0123",
          lwa_client_secret="amzn1.oa2-cs.v1.na-secret-abcdef")
EU = dict(refresh_token="Atzr|IwEBIeu-refresh-9876543210", lwa_app_id="amzn1.application-oa2-client.eu4567",
          lwa_client_secret="amzn1.oa2-cs.v1.eu-secret-fedcba")
SECRETS = [*NA.values(), *EU.values()]
REVOKED = "Atzr|IwEBIrevoked-5555555555"

V2_COLUMNS = ["settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased", "promotion-id"]


def v2_de_file() -> bytes:
    """A small hand-made V2 Amazon.de report: cp1252, CRLF, comma decimals, day-first dates."""
    def row(**values: str) -> str:
        return "\t".join(values.get(c.replace("-", "_"), "") for c in V2_COLUMNS)

    order = dict(settlement_id="9000001", transaction_type="Order", order_id="302-1111111-1111111",
                 marketplace_name="Amazon.de", posted_date="02.09.2025", posted_date_time="02.09.2025 10:00:00 UTC",
                 order_item_code="111", sku="SKU-Ä", quantity_purchased="2")
    lines = [
        "\t".join(V2_COLUMNS),
        row(settlement_id="9000001", settlement_start_date="01.09.2025 00:00:00 UTC",
            settlement_end_date="15.09.2025 00:00:00 UTC", deposit_date="17.09.2025 00:00:00 UTC",
            total_amount="1.186,06", currency="EUR"),
        row(**order, amount_type="ItemPrice", amount_description="Principal", amount="1.300,00"),
        row(**order, amount_type="ItemFees", amount_description="Commission", amount="-65,44"),
        row(settlement_id="9000001", transaction_type="ServiceFee", amount_type="other-transaction",
            amount_description="Subscription Fee", amount="-39,00", posted_date="05.09.2025",
            posted_date_time="05.09.2025 08:00:00 UTC"),
        row(settlement_id="9000001", transaction_type="other-transaction", amount_type="other-transaction",
            amount_description="Current Reserve Amount", amount="-9,50", posted_date="14.09.2025",
            posted_date_time="14.09.2025 23:00:00 UTC"),
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def settlements() -> list[tuple[str, bytes]]:
    return [("acme-ca", path.read_bytes()) for path in CA_FILES] + [("acme-de", v2_de_file())]


def fake_server(max_page_size: int = 7) -> FakeSpApi:
    stores = [FakeStore("acme-ca", "A1NASELLER", "A2EUQ1WTGCTBG2", "Amazon.ca", "CAD"),
              FakeStore("acme-de", "A2EUSELLER", "A1PA6795UKMFR9", "Amazon.de", "EUR")]
    sellers = [FakeSeller("A1NASELLER", "NA", NA["refresh_token"], NA["lwa_app_id"], NA["lwa_client_secret"]),
               FakeSeller("A2EUSELLER", "EU", EU["refresh_token"], EU["lwa_app_id"], EU["lwa_client_secret"])]
    data = build_fake_data([fake_settlement(store, raw) for store, raw in settlements()], stores, sellers)
    return FakeSpApi(data, max_page_size=max_page_size)


def accounts() -> list[Account]:
    return [
        Account("acme-na", "NA", "A1NASELLER", (Store("acme-ca", "A2EUQ1WTGCTBG2", "Amazon.ca", "CAD"),),
                *(Secret(NA[k]) for k in ("refresh_token", "lwa_app_id", "lwa_client_secret"))),
        Account("acme-eu", "EU", "A2EUSELLER", (Store("acme-de", "A1PA6795UKMFR9", "Amazon.de", "EUR"),),
                *(Secret(EU[k]) for k in ("refresh_token", "lwa_app_id", "lwa_client_secret"))),
    ]


def options(tmp: Path, clock: FakeClock, now: datetime = NOW, **overrides) -> SyncOptions:
    return SyncOptions(
        archive_dir=tmp / "archive", inbox_dir=tmp / "inbox", pacer=Pacer(clock=clock, sleep=clock.sleep),
        policy=RetryPolicy(sleep=clock.sleep, max_attempts=overrides.pop("max_attempts", 6)),
        now=lambda: now, backfill=timedelta(days=150), **overrides,
    )


def sync(server: FakeSpApi, account: Account, conn: duckdb.DuckDBPyConnection, opts: SyncOptions,
         sources: tuple[str, ...] | None = None):
    clients = build_clients(account, endpoint=server.url, lwa_url=server.lwa_url, timeout=5)
    try:
        runner = AccountSync(conn, clients, opts)
        return runner.run(sources) if sources else runner.run()
    finally:
        clients.close()


EVENT_COLUMNS = "row_id, group_id, event_list, amount_path, amount, currency, order_id, sku, posted_at"


@pytest.fixture(scope="module")
def server():
    with fake_server() as running:
        yield running


@pytest.fixture(autouse=True)
def no_leftover_faults(server):
    server.clear_faults()
    yield
    server.clear_faults()


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """A clean run of both accounts: what every faulty run must end up equal to."""
    tmp = tmp_path_factory.mktemp("reference")
    conn = duckdb.connect(str(tmp / "w.duckdb"))
    for account in accounts():
        sync(server, account, conn, options(tmp, FakeClock()))
    return snapshot(conn), tmp


def snapshot(conn) -> dict[str, list]:
    return {
        "events": sorted(conn.execute(f"SELECT account_id, {EVENT_COLUMNS} FROM raw.financial_events").fetchall(), key=str),
        "groups": sorted(conn.execute("SELECT account_id, group_id, processing_status, original_total FROM raw.financial_event_groups").fetchall(), key=str),
        "transactions": sorted(conn.execute("SELECT account_id, transaction_id, transaction_status, total_amount FROM raw.finance_transactions").fetchall(), key=str),
        "breakdowns": sorted(conn.execute("SELECT * FROM raw.finance_transaction_breakdowns").fetchall(), key=str),
        "reports": sorted(conn.execute("SELECT account_id, report_id, settlement_id, store_id, sha256 FROM raw.spapi_settlement_reports").fetchall(), key=str),
    }


def test_events_reproduce_every_settlement_and_documents_are_the_dropped_bytes(samples, reference):
    snap, tmp = reference
    conn = duckdb.connect(str(tmp / "w.duckdb"), read_only=True)
    groups = dict(conn.execute(
        "SELECT group_id, original_total FROM raw.financial_event_groups WHERE processing_status = 'Closed'").fetchall())
    sums = dict(conn.execute(
        "SELECT group_id, sum(amount) FROM raw.financial_events WHERE amount_role = 'amount' GROUP BY 1").fetchall())
    assert len(groups) == 5                              # 4 Amazon.ca settlements + 1 Amazon.de
    for group_id, total in groups.items():
        assert sums[group_id] == total and isinstance(total, Decimal)
    assert sorted(groups.values()) == sorted([Decimal("-321.69"), Decimal("-62.31"), Decimal("1016.08"),
                                               Decimal("4630.23"), Decimal("1186.06")])
    # Unsettled money: an open group per store with events, and DEFERRED transactions.
    open_groups = conn.execute(
        "SELECT g.store_id, count(e.row_id) FROM raw.financial_event_groups g JOIN raw.financial_events e "
        "USING (account_id, group_id) WHERE g.processing_status = 'Open' GROUP BY 1 ORDER BY 1").fetchall()
    assert [store for store, rows in open_groups if rows > 0] == ["acme-ca", "acme-de"]
    statuses = dict(conn.execute(
        "SELECT transaction_status, count(*) FROM raw.finance_transactions GROUP BY 1").fetchall())
    assert statuses["DEFERRED"] >= 1 and statuses["RELEASED"] > 100
    # A report fetched by API is byte-identical to the file dropped by hand.
    dropped = {hashlib.sha256(data).hexdigest() for _, data in settlements()}
    assert {row[4] for row in snap["reports"]} == dropped
    for path in (tmp / "inbox").iterdir():
        assert hashlib.sha256(path.read_bytes()).hexdigest() in dropped
    assert sorted(p.name for p in (tmp / "inbox").iterdir()) == sorted(
        [f"settlement_acme-ca_{sid}.txt" for sid in ("23874396421", "23874397121", "24288684721", "24495221541")]
        + ["settlement_acme-de_9000001.txt"])


def test_rerun_changes_nothing(server, reference, tmp_path):
    snap, _ = reference
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    for now in (NOW, NOW, NOW + timedelta(days=1)):
        for account in accounts():
            sync(server, account, conn, options(tmp_path, FakeClock(), now=now))
        assert snapshot(conn) == snap


@pytest.mark.parametrize(
    "operation, fault, times, source",
    [
        ("listFinancialEvents", "429", 2, "financial_events"),
        ("listTransactions", "500", 2, "finance_transactions"),
        ("listFinancialEventGroups", "expired_token", 1, "financial_event_groups"),
        ("getReports", "429", 1, "settlement_reports"),
        ("getReportDocument", "expired_url", 2, "settlement_reports"),
        ("downloadReportDocument", "slow", 1, "settlement_reports"),
        ("listFinancialEvents", "invalid_next_token", 1, "financial_events"),
    ],
)
def test_faults_are_absorbed(server, reference, tmp_path, operation, fault, times, source):
    snap, _ = reference
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    server.inject(operation, fault, times=times, delay=0.3)
    clock = FakeClock()
    for account in accounts():
        sync(server, account, conn, options(tmp_path, clock))
    assert snapshot(conn) == snap
    retries, restarts, errors = conn.execute(
        "SELECT sum(retries), sum(window_restarts), string_agg(errors, ' | ') FROM audit.sync_log WHERE source = ?",
        [source]).fetchone()
    if fault == "slow":
        assert retries == 0                               # within the timeout: nothing to retry
    elif fault == "invalid_next_token":
        assert restarts == 1 and "window restarted" in errors
    else:
        assert retries == times and errors
    if fault in ("429", "500"):
        assert clock.now > 0                              # backed off (on the fake clock)


def test_kill_mid_window_then_resume(server, reference, tmp_path):
    snap, _ = reference
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    na = accounts()[0]
    # Windows start 2025-05-23 and are 30 days long; the first three take 5 pages. Pages 1 and 2 of the fourth
    # (the busiest) succeed, then Amazon fails until we give up: the run dies mid-window.
    busiest = datetime(2025, 8, 21)
    server.inject("listFinancialEvents", "500", times=50, after=7)
    with pytest.raises(WindowFailed) as failure:
        sync(server, na, conn, options(tmp_path, FakeClock(), max_attempts=2), sources=("financial_events",))
    assert "RetriesExhausted" in str(failure.value)
    cursor = conn.execute("SELECT cursor_at FROM audit.sync_cursors WHERE source = 'financial_events'").fetchone()
    partial = conn.execute("SELECT count(*) FROM raw.financial_events").fetchone()[0]
    assert cursor == (busiest,) and partial > 0
    # Nothing of the interrupted window was written.
    assert conn.execute("SELECT count(*) FROM raw.financial_events WHERE posted_at >= ?", [busiest]).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit.sync_log WHERE status = 'failed'").fetchone()[0] == 1
    server.clear_faults()
    sync(server, na, conn, options(tmp_path, FakeClock()), sources=("financial_event_groups", "financial_events"))
    expected = [row for row in snap["events"] if row[0] == na.account_id]
    got = sorted(conn.execute(f"SELECT account_id, {EVENT_COLUMNS} FROM raw.financial_events").fetchall(), key=str)
    assert got == expected                                # no gap, no duplicate


def test_pacing_is_applied_per_operation(server, tmp_path):
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    clock = FakeClock()
    opts = options(tmp_path, clock)
    opts.pacer.limits["getReports"] = (0.0222, 2)         # a small burst so the run must wait
    before = len(server.calls)
    sync(server, accounts()[0], conn, opts, sources=("settlement_reports",))
    calls = sum(1 for op, _ in server.calls[before:] if op == "getReports")
    assert calls >= 3 and clock.now == pytest.approx((calls - 2) / 0.0222, rel=0.01)


def test_unknown_event_list_is_archived_and_reported(server, tmp_path):
    from demo.fake_spapi.data import FakeEvent

    posted = datetime(2025, 9, 3, 12)
    body = {"PostedDate": "2025-09-03T12:00:00Z", "NewThing": {"CurrencyCode": "EUR", "CurrencyAmount": -4.2}}
    server.data.events.append(FakeEvent("A2EUSELLER", "FEG-x", "BrandNewEventList", posted, body))
    try:
        conn = duckdb.connect(str(tmp_path / "w.duckdb"))
        result = sync(server, accounts()[1], conn, options(tmp_path, FakeClock()), sources=("financial_events",))
    finally:
        server.data.events.pop()
    assert result["financial_events"].unknown_event_lists == {"BrandNewEventList": 1}
    row = conn.execute("SELECT amount, known_list, source_page_sha256 FROM raw.financial_events "
                       "WHERE event_list = 'BrandNewEventList'").fetchone()
    assert row[:2] == (Decimal("-4.20"), False)
    reported = conn.execute("SELECT events, source_page_sha256 FROM audit.spapi_unknown_event_lists").fetchall()
    assert reported == [(1, row[2])]
    archived = (tmp_path / "archive" / row[2][:2] / row[2]).read_bytes()
    assert b"BrandNewEventList" in archived and hashlib.sha256(archived).hexdigest() == row[2]


def test_credentials_never_leak(server, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    messages = []
    for account in accounts():
        sync(server, account, conn, options(tmp_path, FakeClock()))
        messages += [repr(account), str(account)]
    # Failures too: a window that gives up, and LWA refusing a bad secret.
    server.inject("listTransactions", "500", times=2)
    with pytest.raises(WindowFailed) as failed:
        sync(server, accounts()[0], conn, options(tmp_path, FakeClock(), now=NOW + timedelta(days=3), max_attempts=2))
    messages.append(str(failed.value))
    # A revoked refresh token (a new one: python-amazon-sp-api caches access tokens per refresh token).
    na = accounts()[0]
    bad = Account(na.account_id, na.region, na.seller_id, na.stores, Secret(REVOKED), na.lwa_app_id, na.lwa_client_secret)
    with pytest.raises(WindowFailed, match="AuthorizationError") as refused:
        sync(server, bad, conn, options(tmp_path, FakeClock(), now=NOW + timedelta(days=6)))
    messages += [str(refused.value), repr(refused.value)]
    captured = capsys.readouterr()
    texts = messages + [caplog.text, captured.out, captured.err]
    columns = conn.execute(
        "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR' "
        "AND table_schema IN ('raw', 'audit')").fetchall()
    assert len(columns) > 40
    for schema, table, column in columns:
        texts += [value for (value,) in conn.execute(f'SELECT DISTINCT "{column}" FROM {schema}.{table}').fetchall() if value]
    texts += [p.read_bytes().decode("latin-1") for p in (tmp_path / "archive").rglob("*") if p.is_file()]
    blob = "\n".join(texts)
    assert "RetriesExhausted" in blob and "listTransactions" in blob   # the scan did see real content
    for secret in SECRETS + [REVOKED]:
        assert secret not in blob


def test_accounts_from_config_and_environment(tmp_path):
    config = tmp_path / "spapi.json"
    config.write_text(json.dumps({"accounts": [
        {"account_id": "acme-na", "region": "na", "seller_id": "A1", "stores": [
            {"store_id": "acme-us", "marketplace_id": "ATVPDKIKX0DER", "marketplace_name": "Amazon.com", "currency": "usd"}]},
        {"account_id": "acme-eu", "region": "EU", "seller_id": "A2", "stores": [],
         "credentials": {"refresh_token": EU["refresh_token"], "lwa_app_id": EU["lwa_app_id"],
                         "lwa_client_secret": EU["lwa_client_secret"]}},
    ]}))
    env = {"SP_API_REFRESH_TOKEN_acme-na": NA["refresh_token"], "LWA_APP_ID": NA["lwa_app_id"],
           "LWA_CLIENT_SECRET": NA["lwa_client_secret"]}
    na, eu = load_accounts(config, env)
    assert na.region == "NA" and na.stores[0].currency == "USD" and na.store_for(marketplace="Amazon.com") == "acme-us"
    assert na.refresh_token.value == NA["refresh_token"] and eu.lwa_client_secret.value == EU["lwa_client_secret"]
    assert not any(secret in repr([na, eu]) for secret in SECRETS)
    with pytest.raises(AccountConfigError) as missing:
        load_accounts(config, {})
    assert "SP_API_REFRESH_TOKEN_acme-na" in str(missing.value)
    inside = REPO / "tests" / ".spapi-credentials-test.json"
    inside.write_text(config.read_text())
    try:
        with pytest.raises(AccountConfigError, match="outside the repository"):
            load_accounts(inside, env)
    finally:
        inside.unlink()


def test_fake_document_is_gzip_of_the_flat_file(samples, server):
    """The wire format itself: GZIP-compressed exact bytes behind a URL that expires."""
    token = httpx.post(server.lwa_url, data={"grant_type": "refresh_token", "refresh_token": NA["refresh_token"],
                                             "client_id": NA["lwa_app_id"], "client_secret": NA["lwa_client_secret"]}).json()
    headers = {"x-amz-access-token": token["access_token"]}
    listing = httpx.get(server.url + "/reports/2021-06-30/reports", headers=headers,
                        params={"reportTypes": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "pageSize": 2}).json()
    assert len(listing["reports"]) == 2 and listing["nextToken"]
    bad = httpx.get(server.url + "/reports/2021-06-30/reports", headers=headers,
                    params={"nextToken": listing["nextToken"], "pageSize": 2})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "InvalidInput"
    document = httpx.get(server.url + f"/reports/2021-06-30/documents/{listing['reports'][0]['reportDocumentId']}",
                         headers=headers).json()
    assert document["compressionAlgorithm"] == "GZIP"
    data = gzip.decompress(httpx.get(document["url"]).content)
    assert data in {raw for _, raw in settlements()}


def test_generated_inbox_is_served_consistently(tmp_path):
    """The generator's files through the fake and back: same bytes, and events that add up to each total."""
    import csv

    from demo.fake_spapi import fake_data_from_inbox
    from demo.fake_spapi.data import MARKETPLACE_REGIONS
    from demo.generator import generate

    inbox = tmp_path / "generated"
    generate(inbox, seed=11, months=1, orders_per_day=3)
    stores = list(csv.DictReader((inbox / "stores.csv").open(encoding="utf-8")))
    us = next(s for s in stores if s["store_id"] == "acme-us")
    seller = FakeSeller(us["seller_id"], MARKETPLACE_REGIONS[us["marketplace_id"]], *NA.values())
    account = Account("acme-us", seller.region, seller.seller_id,
                      (Store("acme-us", us["marketplace_id"], us["marketplace_name"], us["currency"]),),
                      *(Secret(NA[k]) for k in ("refresh_token", "lwa_app_id", "lwa_client_secret")))
    data = fake_data_from_inbox(inbox, [seller])
    last_deposit = max(r.created for r in data.reports)
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    with FakeSpApi(data, max_page_size=50) as running:
        sync(running, account, conn, options(tmp_path, FakeClock(), now=last_deposit + timedelta(days=5)))
    generated = {hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.glob("settlement_acme-us_*.txt")}
    fetched = {sha for (sha,) in conn.execute("SELECT sha256 FROM raw.spapi_settlement_reports").fetchall()}
    assert fetched == generated and len(fetched) >= 2
    mismatched = conn.execute(
        "SELECT g.group_id FROM raw.financial_event_groups g JOIN raw.financial_events e USING (account_id, group_id) "
        "WHERE g.processing_status = 'Closed' AND e.amount_role = 'amount' "
        "GROUP BY g.group_id, g.original_total HAVING sum(e.amount) <> g.original_total").fetchall()
    assert mismatched == []
