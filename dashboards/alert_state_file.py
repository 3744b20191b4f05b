"""Acknowledge / resolve from the dashboards: a small JSON Lines file dropped into the inbox for the loader.

The dashboards open the warehouse read-only, so a state change travels like any input: the next pipeline run
archives and loads it into raw.alert_state_changes (kind `alert_states`), and fct_alerts shows the new state.
One file per change: the loader takes each file once, so a file that grew would load its first lines again.
"""
from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from config.settings import alert_states_dir

STATES = ("acknowledged", "resolved", "open")


def record_state_change(alert_id: str, state: str, changed_by: str | None, note: str | None,
                        directory: Path | None = None, now: datetime | None = None) -> Path:
    if state not in STATES:
        raise ValueError(f"state must be one of {', '.join(STATES)}, not {state!r}")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    folder = directory or alert_states_dir()
    folder.mkdir(parents=True, exist_ok=True)
    record = {"alert_id": alert_id, "state": state, "changed_at": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
              "changed_by": changed_by or None, "note": note or None}
    target = folder / f"alert-state-{moment:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}.jsonl"
    # Written under a hidden name, then renamed: the inbox sensor never sees half a file.
    partial = folder / f".{target.name}.partial"
    partial.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, target)
    return target
