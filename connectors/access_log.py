"""The dashboards' access log (an append-only JSONL file beside the warehouse) into `audit.access_log`.

The dashboards open the warehouse read-only, so they append their events to Settings.access_log instead; every
pipeline run copies the lines it has not copied yet. A line is keyed by its byte offset and SHA-256, so a re-run
loads nothing twice, and two identical events (same millisecond) are still two rows. The raw line is kept beside
the parsed columns: a line that is not a readable event is stored with NULL columns rather than dropped.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from config.settings import Settings
from connectors.warehouse import connect
from connectors.warehouse_schema import create_statements

Row = tuple[int, str, str, Any, Any, Any, Any, Any, datetime]


def complete_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, line) for every newline-terminated, non-blank line; a last line still being written waits."""
    offset = 0
    while (end := data.find(b"\n", offset)) != -1:
        line = data[offset:end]
        if line.strip():
            yield offset, line
        offset = end + 1


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def _row(offset: int, line: bytes, loaded_at: datetime) -> Row:
    text = line.decode("utf-8", errors="replace")
    try:
        record = json.loads(text)
        at = _utc(datetime.fromisoformat(record["at"])) if isinstance(record, dict) else None
    except (ValueError, KeyError, TypeError):
        record, at = None, None
    fields = [record.get(key) if isinstance(record, dict) else None for key in ("event", "username", "what", "stores")]
    return (offset, hashlib.sha256(line).hexdigest(), text, at, *fields, loaded_at)


def load_access_log(settings: Settings) -> int:
    """Copy the access log's new lines into audit.access_log; returns how many rows were added."""
    path = settings.access_log
    if path is None or not path.exists():
        return 0
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    rows = [_row(offset, line, loaded_at) for offset, line in complete_lines(path.read_bytes())]
    with connect(settings.warehouse, wait=settings.lock_wait_seconds, group=settings.file_group) as con:
        for statement in create_statements():
            con.execute(statement)
        loaded = set(con.execute("SELECT line_offset, line_sha256 FROM audit.access_log").fetchall())
        new = [row for row in rows if (row[0], row[1]) not in loaded]
        if new:
            con.executemany("INSERT INTO audit.access_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", new)
        return len(new)
