"""The access log: who logged in (or failed to), viewed financial pages, ran SQL or exported, and when.

The dashboards open the warehouse read-only, so the log is a separate append-only JSON-lines file beside it
(Settings.access_log). Each event is one line written with O_APPEND, never rewritten; the app has no way to
edit or delete it. Auditors read it on the Access log page and as the table `access_log` in the SQL console.
Failed logins in it are also what locks an account for a while (`locked_until`).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EVENTS = ("login_success", "login_failure", "login_locked", "logout", "page_view", "page_refused", "sql_query",
          "sql_refused", "export", "archive_download", "alert_state")  # fmt: skip


@dataclass(frozen=True)
class Event:
    at: datetime
    event: str
    username: str
    what: str
    stores: str


def record(path: Path, event: str, username: str, what: str = "", stores: Iterable[str] | None = None) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown access-log event {event!r}")
    line = json.dumps(
        {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "username": username,
            "what": what,
            # Which stores the figures covered: the user's scope, "*" for every store.
            "stores": "*" if stores is None else ",".join(stores),
        },
        ensure_ascii=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def events(path: Path) -> list[Event]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data: dict[str, Any] = json.loads(line)
            out.append(Event(datetime.fromisoformat(data["at"]), data["event"], data["username"], data.get("what", ""),
                             data.get("stores", "")))  # fmt: skip
    return out


def locked_until(path: Path, username: str, max_failures: int, lockout_minutes: int,
                 now: datetime | None = None) -> datetime | None:  # fmt: skip
    """When `username` may try again, if its last `max_failures` failures (with no success since) all fall
    within the lockout window ending now; None when it may log in."""
    now = now or datetime.now(UTC)
    window = timedelta(minutes=lockout_minutes)
    failures: list[datetime] = []
    for event in events(path):
        if event.username != username:
            continue
        if event.event == "login_success":
            failures = []
        elif event.event == "login_failure":
            failures.append(event.at)
    recent = [at for at in failures if now - at < window]
    if len(recent) < max_failures:
        return None
    return recent[-1] + window
