"""Issue 8, case 6, end to end: a reader on the published copy never fails `acorn run`; a reader on the working file
makes it wait with a message, then proceed, or fail in one line after the configured limit."""
from __future__ import annotations

import shutil

import pytest

from tests.helpers.cli import acorn, rows
from tests.helpers.paths import FIXTURES
from tests.helpers.readers import hold_read_only


@pytest.mark.slow
def test_readers_on_either_file_never_break_a_run(tmp_path):
    inbox, warehouse = tmp_path / "inbox", tmp_path / "acorn.duckdb"
    published = tmp_path / "acorn.published.duckdb"
    inbox.mkdir()
    shutil.copy(FIXTURES / "settlement_v2_us.txt", inbox)
    first = acorn("run", "--inbox", str(inbox), "--warehouse", str(warehouse))
    assert first.returncode == 0, first.stdout + first.stderr
    assert rows(published, "SELECT count(*) FROM marts.fct_settlement_reconciliation") == [(1,)]

    # An auditor keeps the published copy open for 15 s while the nightly run loads a new file.
    auditor = hold_read_only(published, 15)
    shutil.copy(FIXTURES / "settlement_v2_jp.txt", inbox)
    second = acorn("run", "--inbox", str(inbox), "--warehouse", str(warehouse))
    auditor.kill()
    auditor.wait()
    assert second.returncode == 0, second.stdout + second.stderr
    assert rows(published, "SELECT count(*) FROM marts.fct_settlement_reconciliation") == [(2,)]

    # Someone opened the working file instead: the run waits, says so, and goes on once they let go.
    # Long enough to outlast the CLI's own start (Dagster's import) on a busy machine.
    stray = hold_read_only(warehouse, 20)
    shutil.copy(FIXTURES / "settlement_v2_de.txt", inbox)
    third = acorn("run", "--inbox", str(inbox), "--warehouse", str(warehouse))
    stray.wait()
    assert third.returncode == 0, third.stdout + third.stderr
    assert f"acorn: waiting for {warehouse}: another process holds its lock" in third.stdout + third.stderr

    # ... or, past the configured limit, fails naming the lock in one line.
    stray = hold_read_only(warehouse, 60)
    try:
        (inbox / "settlement_v2_de.txt").unlink()
        shutil.copy(FIXTURES / "settlement_v2_de.txt", inbox / "again.txt")
        fourth = acorn("run", "--inbox", str(inbox), "--warehouse", str(warehouse),
                       env={"ACORN_LOCK_WAIT_SECONDS": "2"})
    finally:
        stray.kill()
        stray.wait()
    assert fourth.returncode == 1
    assert [line for line in (fourth.stdout + fourth.stderr).splitlines() if "still locked by another process after 2 s"]
