"""Pure parser for alert state changes: who acknowledged or resolved which alert, and when.

The Money-at-risk page writes them (the dashboards open the warehouse read-only) as JSON Lines, one object a
line; a CSV with the same columns, written by hand or another tool, reads the same. `changed_at` is UTC (an offset,
if given, is converted). A field that does not parse comes back as None beside its text; validation names the line.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.parsing import ParseError, blank_to_none, decode_text, physical_lines, sniff_delimiter

ALERT_STATES_KIND = "alert_states"
ALERT_STATE_COLUMNS = ("alert_id", "state", "changed_at")
STATES = ("open", "acknowledged", "resolved")


@dataclass(frozen=True)
class AlertStateChange:
    alert_id: str | None
    state: str | None  # one of STATES, else None (validation names the text)
    changed_at: datetime | None  # UTC wall time
    changed_by: str | None
    note: str | None
    source_line: int
    state_text: str
    changed_at_text: str


def is_alert_states_jsonl(data: bytes) -> bool:
    """A JSON Lines file whose first object holds the alert state columns."""
    try:
        first = physical_lines(decode_text(data[:64 * 1024]).lstrip())[0]
        record = json.loads(first)
    except (ParseError, ValueError, IndexError):
        return False
    return isinstance(record, dict) and set(ALERT_STATE_COLUMNS) <= set(record)


def parse_alert_states(data: bytes) -> list[AlertStateChange]:
    text = decode_text(data)
    lines = physical_lines(text)
    if is_alert_states_jsonl(data):
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise ParseError(number, "not a JSON object") from None
            if not isinstance(record, dict):
                raise ParseError(number, "not a JSON object")
            records.append((number, {k: "" if v is None else str(v) for k, v in record.items()}))
    else:
        reader = csv.DictReader(lines, delimiter=sniff_delimiter(lines))
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        missing = [c for c in ALERT_STATE_COLUMNS if c not in columns]
        if missing:
            raise ParseError(1, f"missing column(s) {', '.join(missing)}")
        records = [
            (reader.line_num, {k.strip().lower(): v or "" for k, v in row.items() if k is not None})
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]
    return [_change(number, record) for number, record in records]


def _change(number: int, record: dict[str, str]) -> AlertStateChange:
    state_text = record.get("state", "").strip()
    changed_at_text = record.get("changed_at", "").strip()
    state = state_text.lower()
    return AlertStateChange(
        alert_id=blank_to_none(record.get("alert_id")),
        state=state if state in STATES else None,
        changed_at=_utc(changed_at_text),
        changed_by=blank_to_none(record.get("changed_by")),
        note=blank_to_none(record.get("note")),
        source_line=number,
        state_text=state_text,
        changed_at_text=changed_at_text,
    )


def _utc(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
