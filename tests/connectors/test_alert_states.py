"""Alert state changes: the Money-at-risk page's file, detected by content, parsed, validated and loaded."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors.alert_states import parse_alert_states
from connectors.file_kinds import detect_kind
from connectors.loader import load_inbox
from dashboards.alert_state_file import record_state_change


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")


def rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_pages_file_is_loaded_into_raw_alert_state_changes(settings, tmp_path):
    inbox = tmp_path / "inbox"
    written = record_state_change("seller:a_to_z_claim:acme-de:302-1", "acknowledged", "王会计", "已联系买家",
                                  directory=inbox / "alert_states", now=datetime(2026, 12, 1, 21, 5, 7, tzinfo=UTC))
    assert written.name.startswith("alert-state-20261201T210507Z-") and written.suffix == ".jsonl"
    assert detect_kind("renamed.txt", written.read_bytes()) == "alert_states"
    report = load_inbox(settings, inbox)
    assert report.counts() == {"loaded": 1, "duplicate": 0, "quarantined": 0}
    assert rows(settings, "select alert_id, state, changed_at, changed_by, note, source_line from raw.alert_state_changes") == [
        ("seller:a_to_z_claim:acme-de:302-1", "acknowledged", datetime(2026, 12, 1, 21, 5, 7), "王会计", "已联系买家", 1)
    ]
    assert rows(settings, "select kind, status from audit.file_loads") == [("alert_states", "loaded")]
    # A second run loads nothing again.
    assert load_inbox(settings, inbox).files == []


def test_a_csv_with_the_same_columns_reads_the_same_and_offsets_become_utc():
    data = b"alert_id,state,changed_at,changed_by,note\nA1,Resolved,2026-12-01T22:00:00+01:00,li,\"filed, case 123\"\n"
    assert detect_kind("states.csv", data) == "alert_states"
    (change,) = parse_alert_states(data)
    assert (change.alert_id, change.state, change.changed_at, change.note, change.source_line) == (
        "A1", "resolved", datetime(2026, 12, 1, 21, 0), "filed, case 123", 2)


def test_an_unknown_state_or_time_quarantines_the_file_naming_the_line(settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "states.jsonl").write_text(
        '{"alert_id": "A1", "state": "open", "changed_at": "2026-12-01T21:00:00Z"}\n'
        '{"alert_id": "A2", "state": "snoozed", "changed_at": "2026-12-01T21:00:00Z"}\n'
    )
    (quarantined,) = load_inbox(settings, inbox).quarantined
    assert quarantined.message == (
        "states.jsonl: line 2: known state: state is not open, acknowledged or resolved ('snoozed')")
    assert rows(settings, "select count(*) from raw.alert_state_changes") == [(0,)]
