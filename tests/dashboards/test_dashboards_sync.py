"""The Sync status dashboard page and its queries, on a small warehouse with a known sync history."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from connectors.warehouse_schema import create_statements
from dashboards import sync_queries
from dashboards.scope import EVERYTHING, Scope
from tests.helpers.dashboard_users import app_as

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")

T = datetime(2026, 9, 14, 3, 0)

CURSORS = [
    # account, source, cursor
    ("acme-us", "financial_events", datetime(2026, 9, 12)),
    ("acme-us", "settlement_reports", datetime(2026, 9, 14)),
    ("acme-de", "financial_events", datetime(2026, 8, 1)),
]
SYNC_LOG = [
    # run, account, source, window start, status, pages, rows, calls, retries, restarts, errors, started
    ("r1", "acme-us", "financial_events", datetime(2026, 8, 13), "complete", 9, 900, 11, 2, 0,
     "listFinancialEvents: SellingApiRequestThrottledException: QuotaExceeded", T),
    ("r1", "acme-us", "settlement_reports", datetime(2026, 8, 15), "complete", 2, 2, 3, 0, 0, None, T),
    ("r2", "acme-de", "financial_events", datetime(2026, 7, 2), "complete", 4, 400, 4, 0, 0, None, datetime(2026, 8, 3)),
    ("r3", "acme-de", "financial_events", datetime(2026, 8, 1), "failed", 0, 0, 6, 5, 0,
     "RetriesExhausted: listFinancialEvents for acme-de: gave up after 6 attempts", T),
]  # fmt: skip


def build_warehouse(path: Path) -> Path:
    with duckdb.connect(str(path)) as conn:
        for statement in create_statements():
            conn.execute(statement)
        conn.executemany("insert into audit.sync_cursors values (?, '*', ?, ?, ?)",
                         [(a, s, c, T) for a, s, c in CURSORS])
        conn.executemany(
            "insert into audit.sync_log values (?, ?, '*', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1200)",
            [(run, acct, src, start, datetime(2026, 9, 12), status, pages, rows, calls, retries, restarts, errors, started)
             for run, acct, src, start, status, pages, rows, calls, retries, restarts, errors, started in SYNC_LOG],
        )
        conn.executemany(
            "insert into raw.spapi_settlement_reports values (?, ?, 'doc', ?, null, null, ?, ?, ?, ?, 10, null, ?)",
            [("acme-us", "r-us", T, "111", "acme-us", "settlement_acme-us_111.txt", "a" * 64, T),
             ("acme-de", "r-de", T, "222", "acme-de", "settlement_acme-de_222.txt", "b" * 64, T)],
        )
        conn.execute(
            "insert into audit.file_loads values ('settlement_acme-de_222.txt', ?, 'settlement_v2', ?, 'quarantined', "
            "'settlement_acme-de_222.txt: line 7: parseable amount: amount is not a number (''1,2x'')', 0, 'archive/b')",
            ["b" * 64, T],
        )
    return path


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_warehouse(tmp_path / "acorn.duckdb")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def test_freshness_per_store_and_source_puts_stuck_sources_first(warehouse):
    table = sync_queries.freshness(str(warehouse), EVERYTHING)
    rows = {(r.store_id, r.source): r for r in table.itertuples()}
    assert set(rows) == {("acme-us", "financial_events"), ("acme-us", "settlement_reports"),
                         ("acme-de", "financial_events")}
    stuck = table.iloc[0]
    assert (stuck.store_id, stuck.source, bool(stuck.failing), stuck.failed_windows) == ("acme-de", "financial_events", True, 1)
    assert stuck.synced_until == datetime(2026, 8, 1)
    us = rows[("acme-us", "financial_events")]
    assert not us.failing and us.retries == 2 and us.last_complete_at == T
    # the cursor of 12 Sep is two days behind the cursor of 14 Sep, whatever today is
    assert us.hours_behind - rows[("acme-us", "settlement_reports")].hours_behind == 48


def test_totals_and_recent_errors(warehouse):
    assert sync_queries.totals(str(warehouse), EVERYTHING) == {
        "accounts": 2, "windows": 4, "failed_windows": 1, "retries": 7, "window_restarts": 0}
    errors = sync_queries.recent_errors(str(warehouse), EVERYTHING)
    assert list(errors.status) == ["failed", "complete"]  # same start: by account
    assert {e for e in errors.errors} == {SYNC_LOG[0][10], SYNC_LOG[3][10]}


def test_sync_status_page_shows_freshness_errors_and_quarantined_inputs(warehouse):
    at = app_as("auditor", "views/sync_status.py")
    assert at.title[0].value == "Sync status"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Stores": "2", "Failing sources": "1", "Retries": "7", "Window restarts": "0"}
    assert "1 store sources failed" in at.error[0].value
    freshness, errors, quarantined = (d.value for d in at.dataframe)
    assert len(freshness) == 3 and freshness.iloc[0].store_id == "acme-de"
    assert any("RetriesExhausted" in text for text in errors.errors)
    assert list(quarantined.file_name) == ["settlement_acme-de_222.txt"]


def test_sync_status_page_without_any_sync(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as conn:
        for statement in create_statements():
            conn.execute(statement)
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    at = app_as("auditor", "views/sync_status.py")
    assert "No SP-API sync has run yet" in at.info[0].value
    assert at.success[0].value == "No input is quarantined."


def test_a_store_scoped_viewer_sees_only_the_accounts_of_their_stores(warehouse):
    only_us = Scope(stores=("acme-us",), vendor_accounts=())
    assert set(sync_queries.freshness(str(warehouse), only_us).store_id) == {"acme-us"}
    assert sync_queries.totals(str(warehouse), only_us)["accounts"] == 1
    assert set(sync_queries.recent_errors(str(warehouse), only_us).account_id) == {"acme-us"}
    at = app_as("ops-us", "views/sync_status.py")
    freshness, errors = (d.value for d in at.dataframe)
    assert set(freshness.store_id) == {"acme-us"} and set(errors.account_id) == {"acme-us"}
    # The quarantined acme-de file belongs to no store: a scoped viewer is not shown it.
    assert not any("acme-de" in str(d.value.to_dict()) for d in at.dataframe)
