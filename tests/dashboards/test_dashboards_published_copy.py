"""Issue 8, case 6: the dashboards read the published copy, so a dashboard left open never blocks a run."""
from __future__ import annotations

from dashboards import ui


def test_dashboards_read_the_published_copy_once_there_is_one(monkeypatch, tmp_path):
    working = tmp_path / "acorn.duckdb"
    working.write_bytes(b"")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(working))
    assert ui.warehouse() == str(working)  # nothing published yet: a first run's warehouse is still readable

    (tmp_path / "acorn.published.duckdb").write_bytes(b"")
    assert ui.warehouse() == str(tmp_path / "acorn.published.duckdb")
