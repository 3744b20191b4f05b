"""`acorn demo --source api` against the file demo on the same seed: same settlement marts, plus payment marts;
a sync killed mid-window resumes without gap or duplicate; no credential anywhere; converted deposits match.

Two full pipeline runs (file demo, API demo with every fault switched on) are shared by the module.
"""
from __future__ import annotations

import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import redirect_stdout
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from acorn import cli
from config.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings
from connectors.spapi.accounts import CREDENTIAL_ENV
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from demo.api_demo import api_demo, prepare_demo_api
from demo.fake_spapi import FakeSpApi
from orchestration.spapi.runs import sync_account
from tests.helpers.fakes import FakeClock

pytestmark = pytest.mark.slow

SEED = 7
EVENT_COLUMNS = "account_id, row_id, group_id, event_list, amount_path, amount, currency, order_id, sku, posted_at"


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def demos(tmp_path_factory, demo_warehouse):
    """The session's file demo (default seed) beside an API demo of the same seed."""
    api_wh = tmp_path_factory.mktemp("api-demo") / "acorn.duckdb"
    before = dict(os.environ)
    handler_stream = io.StringIO()
    handler = logging.StreamHandler(handler_stream)
    logging.getLogger().addHandler(handler)
    previous_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    lines: list[str] = []
    clock = FakeClock()
    try:
        with redirect_stdout(io.StringIO()) as api_stdout:
            code = api_demo(Settings.from_env(api_wh), SEED, lines.append,
                            pacer=Pacer(clock=clock, sleep=clock.sleep), policy=RetryPolicy(sleep=clock.sleep))
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous_level)
    assert code == 0, "\n".join(lines)
    secrets = [value for name, value in os.environ.items()
               if name not in before and name.startswith(tuple(CREDENTIAL_ENV.values()))]
    yield {
        "files": demo_warehouse, "api": api_wh,
        "files_out": (demo_warehouse.parent / "demo-output.txt").read_text(), "lines": lines,
        "logs": handler_stream.getvalue() + api_stdout.getvalue(), "secrets": secrets,
    }
    for name in set(os.environ) - set(before):
        del os.environ[name]


def test_cli_offers_the_api_source():
    args = cli._parser().parse_args(["demo", "--source", "api"])
    # `acorn demo` is the demo package's plugin command (entry point group acorn.commands).
    assert args.source == "api" and args.handler.__module__ == "demo.commands"


def test_settlement_marts_equal_the_file_demo(demos):
    for table, order in (("marts.fct_settlement_reconciliation", "settlement_id"),
                         ("marts.fct_ledger", "source_file_sha256, source_line, amount_description")):
        files = query(demos["files"], f"SELECT * FROM {table} ORDER BY {order}")
        api = query(demos["api"], f"SELECT * FROM {table} ORDER BY {order}")
        assert len(files) >= 20 and api == files, table


def test_vendor_marts_equal_the_file_demo(demos):
    for table, exclude in (("marts.fct_po_lifecycle", ""), ("marts.fct_vendor_invoices", ""),
                           ("marts.fct_alerts", ""), ("marts.fct_vendor_deductions", "EXCLUDE (source_file_sha256)")):
        files = sorted(query(demos["files"], f"SELECT * {exclude} FROM {table}"), key=repr)
        api = sorted(query(demos["api"], f"SELECT * {exclude} FROM {table}"), key=repr)
        assert files and api == files, table
    # Every settlement loaded in the API demo came through the API: the hand-dropped copy is the duplicate.
    loads = dict(query(demos["api"], "SELECT file_name, status FROM audit.file_loads WHERE kind = 'settlement_v2'"))
    fetched = {name for (name,) in query(demos["api"], "SELECT file_name FROM raw.spapi_settlement_reports")}
    assert {name for name, status in loads.items() if status != "duplicate"} == fetched
    assert [name for name, status in loads.items() if status == "duplicate"] == \
        [name for name in loads if name.endswith("_resent.txt")]


def test_summary_checks_the_answer_key_and_prints_payments_and_the_sync_log(demos):
    out = "\n".join(demos["lines"])
    assert "Demo check: exactly the 4 injected anomalies were flagged, nothing else." in out
    assert "Demo check: exactly the 4 injected anomalies" in demos["files_out"]
    for heading in ("Payment events (Finances API)", "orders: matched", "Amazon currency conversion", "Sync log"):
        assert heading in out
    for state in ("settled", "open", "deferred"):
        assert f"  {state} " in out
    # Every fault the fake injected was absorbed and logged as recovered.
    errors = " | ".join(e for (e,) in query(demos["api"], "SELECT errors FROM audit.sync_log WHERE errors IS NOT NULL"))
    for evidence in ("QuotaExceeded", "InternalFailure", "Unauthorized", "window restarted", "URL re-requested"):
        assert evidence in errors and evidence in out
    assert query(demos["api"], "SELECT count(*) FROM audit.sync_log WHERE status <> 'complete'") == [(0,)]


def test_payment_marts_are_built_and_retrocharges_reconcile(demos):
    wh = demos["api"]
    states = dict(query(wh, "SELECT settlement_state, count(*) FROM marts.fct_payment_events GROUP BY 1"))
    assert set(states) == {"settled", "open", "deferred"} and states["deferred"] == 6
    statuses = dict(query(wh, "SELECT status, count(*) FROM marts.fct_order_reconciliation GROUP BY 1"))
    assert statuses["matched"] > 0.9 * sum(statuses.values()) and statuses["pending_settlement"] == 9
    # Tax retrocharges are RetrochargeEvents on their order: outside the quarantined settlement, they match.
    quarantined = query(wh, "SELECT file_name FROM audit.file_loads WHERE status = 'quarantined'")[0][0]
    retrocharged = query(wh, """
        SELECT o.store_id, o.order_id, o.status FROM marts.fct_order_reconciliation o
        WHERE (o.store_id, o.order_id) IN (
            SELECT store_id, order_id FROM marts.fct_ledger WHERE transaction_type = 'Order_Retrocharge')""")
    quarantined_store = quarantined.split("_")[1]
    assert retrocharged and {status for store, _, status in retrocharged if store != quarantined_store} == {"matched"}
    groups = dict(query(wh, "SELECT status, count(*) FROM marts.fct_event_group_reconciliation GROUP BY 1"))
    assert groups == {"tied": 20, "settlement_missing": 1, "open": 3}


def test_no_credential_in_output_logs_warehouse_or_archive(demos):
    secrets = demos["secrets"]
    assert len(secrets) == 9
    texts = [*demos["lines"], demos["logs"]]
    with duckdb.connect(str(demos["api"]), read_only=True) as conn:
        columns = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND table_catalog = current_database()").fetchall()
        assert len(columns) > 100
        for schema, table, column in columns:
            texts += [v for (v,) in conn.execute(f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}"').fetchall() if v]
    root = demos["api"].parent
    for directory in ("archive", "spapi_inbox"):
        texts += [p.read_bytes().decode("latin-1") for p in (root / directory).rglob("*") if p.is_file()]
    texts.append((root / "spapi_accounts.json").read_text())
    blob = "\n".join(texts)
    assert "QuotaExceeded" in blob and "FinancialEventGroupId" in blob   # the scan saw logs and archived pages
    for secret in secrets:
        assert secret not in blob


_KILLABLE_SYNC = """
import json, sys
from datetime import datetime, timedelta
from pathlib import Path
from config.settings import Settings
from connectors.spapi.accounts import load_accounts
import os
from connectors.spapi.engine import SyncOptions
from orchestration.spapi.runs import sync_account
a = json.loads(sys.argv[1])
settings = Settings(warehouse=Path(a["warehouse"]), archive_dir=Path(a["archive"]))
account = next(x for x in load_accounts(Path(a["config"]), os.environ) if x.account_id == a["account"])
now = datetime.fromisoformat(a["now"])
options = SyncOptions(archive_dir=settings.archive_dir, inbox_dir=Path(a["inbox"]), now=lambda: now,
                      backfill=timedelta(seconds=a["backfill"]))
sync_account(settings, account, ("financial_event_groups", "financial_events"), options,
             endpoint=a["endpoint"], lwa_url=a["lwa_url"])
"""


def test_a_sync_killed_mid_window_resumes_without_gap_or_duplicate(demos, tmp_path):
    """A real process killed (SIGKILL) while it waits for page 12 of its events; then the sync runs again."""
    api = prepare_demo_api(demos["api"].parent / "inbox", tmp_path)
    settings = Settings(warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive")
    account = next(a for a in api.accounts if a.account_id == "acme-us")
    with FakeSpApi(api.data) as server:
        server.inject("listFinancialEvents", "slow", times=1, after=11, delay=120)
        args = dict(warehouse=str(settings.warehouse), archive=str(settings.archive_dir), config=str(api.config_path),
                    account="acme-us", now=api.now.isoformat(), backfill=api.backfill.total_seconds(),
                    inbox=str(tmp_path / "inbox"), endpoint=server.url, lwa_url=server.lwa_url)
        child = subprocess.Popen([sys.executable, "-c", _KILLABLE_SYNC, json.dumps(args)], cwd=REPO_ROOT)
        deadline = time.monotonic() + 60
        while sum(op == "listFinancialEvents" for op, _ in server.calls) < 12 and time.monotonic() < deadline:
            assert child.poll() is None, "the sync ended before it could be killed"
            time.sleep(0.05)
        time.sleep(0.2)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        server.clear_faults()
        partial = query(settings.warehouse, "SELECT count(*) FROM raw.financial_events")[0][0]
        cursor = query(settings.warehouse, "SELECT cursor_at FROM audit.sync_cursors WHERE source = 'financial_events'")
        assert partial > 0 and cursor and cursor[0][0] < api.now - timedelta(days=2)
        clock = FakeClock()
        options = SyncOptions(archive_dir=settings.archive_dir, inbox_dir=tmp_path / "inbox",
                              pacer=Pacer(clock=clock, sleep=clock.sleep), policy=RetryPolicy(sleep=clock.sleep),
                              now=lambda: api.now, backfill=api.backfill)
        sync_account(settings, account, ("financial_event_groups", "financial_events"), options,
                     endpoint=server.url, lwa_url=server.lwa_url)
    expected = query(demos["api"], f"SELECT {EVENT_COLUMNS} FROM raw.financial_events WHERE account_id = 'acme-us' ORDER BY row_id")
    got = query(settings.warehouse, f"SELECT {EVENT_COLUMNS} FROM raw.financial_events ORDER BY row_id")
    assert len(got) == len(expected) > partial and got == expected     # no gap, no duplicate


# The models between the edited raw rows and the settlement reconciliation.
REBUILT = ("stg_bank__transactions", "stg_spapi__financial_event_groups", "int_event_groups",
           "int_event_group_settlements", "int_bank_deposit_matches", "fct_settlement_reconciliation")


def test_a_converted_deposit_is_matched_in_the_deposit_currency(demos, tmp_path):
    """USD settlements Amazon paid out in CNY: the bank row is sought in CNY for the converted total."""
    warehouse = tmp_path / "acorn.duckdb"
    shutil.copy(demos["api"], warehouse)
    tied = query(warehouse, """
        SELECT r.settlement_id, r.header_total, g.group_id, r.bank_date FROM marts.fct_settlement_reconciliation r
        JOIN marts.fct_event_group_reconciliation g USING (settlement_id)
        WHERE r.currency = 'USD' AND r.status = 'tied' AND r.header_total > 0 ORDER BY r.settlement_id LIMIT 2""")
    (paid, total, paid_group, _), (unpaid, unpaid_total, unpaid_group, _) = tied
    rate = Decimal("7.1234")
    with duckdb.connect(str(warehouse)) as conn:
        for group, amount in ((paid_group, total), (unpaid_group, unpaid_total)):
            conn.execute("UPDATE raw.financial_event_groups SET converted_currency = 'CNY', converted_total = ? "
                         "WHERE group_id = ?", [(amount * rate).quantize(Decimal("0.01")), group])
        # The bank received CNY for the first; the USD row of the second no longer counts as its deposit.
        conn.execute("UPDATE raw.bank_transactions SET currency = 'CNY', amount = ?, account_id = 'CNY-BANK-01' "
                     "WHERE currency = 'USD' AND amount = ? AND reference LIKE ?",
                     [(total * rate).quantize(Decimal("0.01")), total, f"%{paid}%"])
    settings = Settings(warehouse=warehouse, archive_dir=tmp_path)
    env = {**os.environ, **settings.dbt_env()}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "build", "--select", *REBUILT,
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"), "--vars", json.dumps(settings.dbt_vars())],
        env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]
    matches = dict((s, rest) for s, *rest in query(warehouse, """
        SELECT settlement_id, deposit_currency, deposit_amount, bank_amount FROM intermediate.int_bank_deposit_matches"""))
    assert matches[paid] == ["CNY", (total * rate).quantize(Decimal("0.01")), total]
    assert unpaid not in matches
    statuses = dict(query(warehouse, "SELECT settlement_id, status FROM marts.fct_settlement_reconciliation"))
    before = dict(query(demos["api"], "SELECT settlement_id, status FROM marts.fct_settlement_reconciliation"))
    assert statuses[paid] == "tied" and statuses[unpaid] == "deposit_missing"
    assert {s: v for s, v in statuses.items() if s not in (paid, unpaid)} == \
        {s: v for s, v in before.items() if s not in (paid, unpaid)}
