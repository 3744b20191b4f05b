"""Issue 8, case 1 and 7: every file's fate is decided inside its own boundary; the manifest records committed loads."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from config.settings import Settings
from connectors import archive, loader
from connectors.loader import LoadInterrupted, load_inbox
from tests.helpers.settlement_edits import edited, write


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _holds(con: duckdb.DuckDBPyConnection, select: str, params, settlement_id: str) -> bool:
    """Whether the rows an INSERT ... SELECT is about to write belong to `settlement_id`."""
    ids = con.execute(f"SELECT DISTINCT settlement_id FROM ({select})", list(params)).fetchall()
    return (settlement_id,) in ids


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    write(inbox, "a_good.txt", edited("settlement_v2_us.txt", {}))
    write(inbox, "b_hostile.txt", edited("settlement_v2_us.txt", {(3, "amount"): "12345678901234567890"}, "11000000777"))
    write(inbox, "c_good.txt", edited("settlement_v2_jp.txt", {}))
    return inbox


def test_a_value_too_large_for_the_warehouse_quarantines_its_file_and_the_rest_load(settings, tmp_path):
    report = load_inbox(settings, _inbox(tmp_path))

    fates = {f.file_name: f for f in report.files}
    assert fates["a_good.txt"].status == fates["c_good.txt"].status == "loaded"
    assert fates["b_hostile.txt"].status == "quarantined"
    assert fates["b_hostile.txt"].message.startswith("b_hostile.txt: ")
    assert _rows(settings, "SELECT count(*) FROM audit.file_loads") == [(3,)]


def test_an_insert_that_raises_quarantines_only_that_file(settings, tmp_path, monkeypatch):
    real = loader.write_select

    def refusing(con, table, columns, select, params=()):
        # The JP file's lines (its header went in just before, in the same transaction).
        if table == "raw.settlement_lines" and _holds(con, select, params, "33000000003"):
            raise pa.ArrowInvalid("Decimal type with precision 22 does not fit into precision inferred from first array")
        return real(con, table, columns, select, params)

    monkeypatch.setattr(loader, "write_select", refusing)
    report = load_inbox(settings, _inbox(tmp_path))

    jp = next(f for f in report.files if f.file_name == "c_good.txt")
    assert jp.status == "quarantined"
    assert jp.message.startswith("c_good.txt: whole file: could not be loaded (ArrowInvalid: Decimal type")
    # Rolled back: neither its header nor any line is left behind.
    assert _rows(settings, "SELECT count(*) FROM raw.settlement_headers WHERE settlement_id = '33000000003'") == [(0,)]
    assert report.counts()["quarantined"] == 2


def test_an_interrupted_load_names_its_file_is_not_in_the_manifest_and_is_retried(settings, tmp_path, monkeypatch):
    inbox = _inbox(tmp_path)
    real = loader.write_select

    def disk_full(con, table, columns, select, params=()):
        if table == "raw.settlement_lines" and _holds(con, select, params, "33000000003"):
            raise OSError(28, "No space left on device")
        return real(con, table, columns, select, params)

    monkeypatch.setattr(loader, "write_select", disk_full)
    with pytest.raises(LoadInterrupted, match=r"^c_good.txt: loading stopped by OSError"):
        load_inbox(settings, inbox)
    delivered = [d.file_name for d in archive.deliveries(settings.archive_dir)]
    assert delivered == ["a_good.txt", "b_hostile.txt"]

    monkeypatch.setattr(loader, "write_select", real)
    load_inbox(settings, inbox)
    load_inbox(settings, inbox)

    assert [d.file_name for d in archive.deliveries(settings.archive_dir)] == ["a_good.txt", "b_hostile.txt", "c_good.txt"]
    assert _rows(settings, "SELECT file_name, status FROM audit.file_loads ORDER BY file_name") == [
        ("a_good.txt", "loaded"), ("b_hostile.txt", "quarantined"), ("c_good.txt", "loaded")]
