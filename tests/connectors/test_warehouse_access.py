"""Issue 8, cases 6 and 7: a run waits (with one line) for a reader on the working file, readers hold the published
copy as long as they like, and what ACORN writes is readable by its owner only."""
from __future__ import annotations

import stat
import time
from pathlib import Path

import duckdb
import pytest

from connectors import warehouse
from connectors.warehouse import WarehouseLocked
from tests.helpers.readers import hold_read_only


def _create(path: Path, value: int) -> None:
    with warehouse.connect(path) as con:
        con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])


def test_a_writer_waits_for_a_reader_of_the_working_file_saying_so_once(tmp_path):
    path = tmp_path / "acorn.duckdb"
    _create(path, 1)
    notices: list[str] = []
    holder = hold_read_only(path, 3)
    started = time.monotonic()
    with warehouse.connect(path, wait=30, notice=notices.append) as con:
        con.execute("INSERT INTO t VALUES (2)")
    holder.wait()
    assert time.monotonic() - started >= 1
    assert len(notices) == 1 and notices[0].startswith(f"acorn: waiting for {path}: another process holds its lock")


def test_a_writer_gives_up_after_its_limit_with_one_line(tmp_path):
    path = tmp_path / "acorn.duckdb"
    _create(path, 1)
    holder = hold_read_only(path, 8)
    try:
        with pytest.raises(WarehouseLocked) as raised:
            warehouse.connect(path, wait=1, notice=lambda _: None)
    finally:
        holder.kill()
        holder.wait()
    assert "\n" not in str(raised.value) and "still locked by another process after 1 s" in str(raised.value)


def test_publishing_swaps_a_new_copy_in_while_a_reader_holds_the_old_one(tmp_path):
    working, published = tmp_path / "acorn.duckdb", tmp_path / "acorn.published.duckdb"
    _create(working, 1)
    warehouse.publish(working, published)
    holder = hold_read_only(published, 4)
    try:
        _create(working, 2)
        warehouse.publish(working, published, wait=1)
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT v FROM t").fetchall() == [(2,)]
    assert stat.S_IMODE(published.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial"))


def test_a_new_warehouse_and_archive_are_readable_by_their_owner_only(tmp_path):
    from config.settings import Settings
    from connectors.loader import load_inbox
    from tests.helpers.settlement_edits import edited, write

    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")
    write(tmp_path / "inbox", "us.txt", edited("settlement_v2_us.txt", {}))
    load_inbox(settings, tmp_path / "inbox")

    assert stat.S_IMODE(settings.warehouse.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.archive_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((settings.archive_dir / "manifest.jsonl").stat().st_mode) == 0o600
    stored = [p for p in settings.archive_dir.rglob("*") if p.is_file() and p.name != "manifest.jsonl"]
    assert stored and all(stat.S_IMODE(p.stat().st_mode) == 0o400 for p in stored)
