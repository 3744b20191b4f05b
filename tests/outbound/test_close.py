"""`acorn close`: the close record is a file loaded like any input; refusals; and, once the books marts exist, a late
file after the close lands as an adjustment in the open period while the closed export stays byte-identical."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors.loader import replay_archive
from outbound.close import close_period
from outbound.vouchers.journal import JournalRefused
from tests.helpers.books_warehouse import ENTRIES, build_books_warehouse
from tests.helpers.cli import acorn
from tests.helpers.paths import REPO
from tests.helpers.vouchers import check_vouchers, leaf_accounts, read_back


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb")
    return Settings(warehouse=warehouse, archive_dir=warehouse.parent / "archive")


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_close_writes_a_record_and_loads_it_through_the_loader(settings):
    closed = close_period(settings, "2026-08", "会计 王", now=datetime(2026, 9, 3, 8, 0, tzinfo=UTC))
    assert closed.record == settings.warehouse.parent / "closes" / "close_2026-08.json"
    record = json.loads(closed.record.read_text(encoding="utf-8"))
    assert (record["period"], record["closed_at"], record["closed_by"]) == ("2026-08", "2026-09-03T08:00:00", "会计 王")
    assert len(record["journal_lines"]) == 9 == closed.lines
    assert record["journal_lines"][0]["debit"] == "5633.71" and record["journal_lines"][0]["entry_date"] == "2026-08-14"
    w = settings.warehouse
    assert rows(w, "select period, closed_at, closed_by, source_file_sha256 from raw.period_closes") == [
        ("2026-08", datetime(2026, 9, 3, 8, 0), "会计 王", closed.load.sha256)]
    assert rows(w, "select kind, status, rows_loaded from audit.file_loads where file_name like 'closes/%'") == [
        ("period_close", "loaded", 9)]
    frozen = rows(w, "select * exclude (period, close_file_sha256) from raw.closed_journal_lines order by journal_line_id")
    live = rows(w, "select * exclude (period) from marts.fct_journal_lines where period = '2026-08' "
                   "order by journal_line_id")
    # Same columns in the same order (the contract), same values, Decimal kept exact through the JSON.
    assert frozen == live
    assert (settings.archive_dir / "manifest.jsonl").read_text().count("close_2026-08.json") == 1


def test_a_closed_period_cannot_be_closed_again(settings):
    close_period(settings, "2026-08", "a")
    with pytest.raises(JournalRefused, match="^period 2026-08 is already closed$"):
        close_period(settings, "2026-08", "a")


def test_an_unbalanced_period_is_not_closed(tmp_path):
    broken = [*ENTRIES, ("x", "2026-09", date(2026, 9, 9), None, "adjustment", "x", "坏", None,
                         [("1002", "1.00", "0", "CNY", "1.00", "1")])]
    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb", broken)
    settings = Settings(warehouse=warehouse, archive_dir=warehouse.parent / "archive")
    with pytest.raises(JournalRefused, match="period 2026-09 has 1 unbalanced entry"):
        close_period(settings, "2026-09", "a")
    assert rows(warehouse, "select count(*) from raw.period_closes") == [(0,)]
    assert not (warehouse.parent / "closes").exists()


def test_a_rebuild_from_the_archive_keeps_the_period_closed(settings, tmp_path):
    close_period(settings, "2026-08", "a")
    again = Settings(warehouse=tmp_path / "rebuilt" / "acorn.duckdb", archive_dir=tmp_path / "rebuilt" / "archive")
    replay_archive(again, settings.archive_dir)
    assert rows(again.warehouse, "select period from raw.period_closes") == [("2026-08",)]
    assert rows(again.warehouse, "select sum(debit) from raw.closed_journal_lines") == [(Decimal("13851.78"),)]


def _retagged_settlement(data: bytes, old_id: str, new_id: str) -> bytes:
    """The same settlement under another id: a late file for lines already posted in the closed month."""
    return data.replace(old_id.encode(), new_id.encode())


@pytest.mark.slow
def test_a_late_file_after_close_posts_an_adjustment_and_the_closed_export_is_unchanged(tmp_path):
    warehouse = tmp_path / "demo" / "acorn.duckdb"
    demo = subprocess.run([sys.executable, "-m", "acorn.cli", "demo", "--no-vendor", "--warehouse", str(warehouse)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = con.execute("select count(*) from information_schema.tables where table_schema = 'marts' "
                            "and table_name = 'fct_journal_lines'").fetchone()[0]
    if not built:
        pytest.skip("marts.fct_journal_lines is not built on this branch (the dbt models are issue 9A's); "
                    "this end-to-end runs after both branches merge")
    # the first month with settlements (purchases into stock may start the journal a month earlier)
    periods = [p for (p,) in rows(warehouse, "select distinct period from marts.fct_journal_lines "
                                             "where source_type = 'settlement' order by 1")]
    closed = periods[0]
    before = tmp_path / "before.xlsx"
    result = acorn("export", "vouchers", "--period", closed, "--format", "kingdee-kis", "--out", str(before),
                   "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout
    check_vouchers(read_back(before, "kingdee-kis"), "kingdee-kis", leaf_accounts(warehouse))

    result = acorn("close", "--period", closed, "--by", "tester", "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    again = acorn("close", "--period", closed, "--warehouse", str(warehouse))
    assert again.returncode == 1 and again.stdout.strip() == f"acorn: error: period {closed} is already closed"

    # A settlement of the closed month arrives late (same lines, a new settlement id).
    settlement_id, file_name = rows(warehouse, f"""
        select h.settlement_id, h.source_file_name from raw.settlement_headers h
        where exists (select 1 from marts.fct_journal_lines j
                      where j.source_type = 'settlement' and j.source_id = h.settlement_id and j.period = '{closed}')
        order by h.settlement_id limit 1""")[0]
    late_inbox = tmp_path / "late"
    late_inbox.mkdir()
    source = warehouse.parent / "inbox" / file_name
    (late_inbox / "late_settlement.txt").write_bytes(
        _retagged_settlement(source.read_bytes(), settlement_id, "99" + settlement_id[2:]))
    run = acorn("run", "--inbox", str(late_inbox), "--warehouse", str(warehouse))
    assert run.returncode == 0, run.stdout + run.stderr
    assert rows(warehouse, "select status from audit.file_loads where file_name = 'late_settlement.txt'") == [
        ("loaded",)]

    adjustments = rows(warehouse, f"""select period, original_period, memo, entry_date from marts.fct_journal_lines
                                       where source_type = 'adjustment' and original_period = '{closed}'""")
    assert adjustments, "the late lines of the closed period post as adjustments"
    assert all(period > closed for period, *_ in adjustments)
    assert all(closed in memo for _, _, memo, _ in adjustments)
    after = tmp_path / "after.xlsx"
    result = acorn("export", "vouchers", "--period", closed, "--format", "kingdee-kis", "--out", str(after),
                   "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout
    assert after.read_bytes() == before.read_bytes()
    shutil.rmtree(late_inbox)
