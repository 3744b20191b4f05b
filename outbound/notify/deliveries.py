"""`audit.alert_deliveries`: the claim before a send and its outcome after, so an alert reaches a channel once.

A claim and its outcome are separate short transactions, and the warehouse is not held open while a message is
on the wire (a dashboard would wait on the lock). A run that dies between the two leaves a 'claimed' row: a later
run sends that alert again once the claim is older than the stale-claim age (the receiver deduplicates on the
alert ids the payload carries); a younger claim may still be in flight and is left alone.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from connectors.warehouse_writer import write_rows
from outbound.notify.alerts import Alert

TABLE = "audit.alert_deliveries"


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    channel: str
    attempt: int
    status: str
    error: str | None
    claimed_at: datetime
    sent_at: datetime | None
    run_id: str


def pending(con: duckdb.DuckDBPyConnection, channel: str, alerts: Iterable[Alert], now: datetime,
            stale_after: timedelta) -> list[Alert]:
    """The alerts this channel has not received and nobody is sending right now."""
    rows = con.execute(
        f"select alert_id, bool_or(status = 'sent'), bool_or(status = 'claimed' and claimed_at > ?) "
        f"from {TABLE} where channel = ? group by alert_id",
        [now - stale_after, channel],
    ).fetchall()
    done = {alert_id for alert_id, sent, in_flight in rows if sent or in_flight}
    return [a for a in alerts if a.alert_id not in done]


def claim(con: duckdb.DuckDBPyConnection, channel: str, alerts: list[Alert], run_id: str, now: datetime,
          stale_after: timedelta) -> list[Alert]:
    """Claim what is still pending among `alerts`, atomically; returns the alerts claimed (maybe fewer)."""
    con.execute("BEGIN TRANSACTION")
    try:
        claimed = pending(con, channel, alerts, now, stale_after)
        if claimed:
            attempts = dict(con.execute(
                f"select alert_id, max(attempt) from {TABLE} where channel = ? group by alert_id", [channel]
            ).fetchall())
            write_rows(con, TABLE, [
                {"alert_id": a.alert_id, "channel": channel, "attempt": attempts.get(a.alert_id, 0) + 1,
                 "status": "claimed", "claimed_at": now, "run_id": run_id}
                for a in claimed
            ])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return claimed


def mark(con: duckdb.DuckDBPyConnection, channel: str, run_id: str, status: str, at: datetime,
         error: str | None = None) -> int:
    """Record the outcome of this run's open claims on `channel`: 'sent' (at `at`) or 'failed' (with `error`)."""
    rows = con.execute(
        f"update {TABLE} set status = ?, error = ?, sent_at = ? "
        f"where channel = ? and run_id = ? and status = 'claimed' returning alert_id",
        [status, error, at if status == "sent" else None, channel, run_id],
    ).fetchall()
    return len(rows)


def deliveries(con: duckdb.DuckDBPyConnection, since: datetime | None = None) -> list[Delivery]:
    where, params = ("where claimed_at >= ?", [since]) if since else ("", [])
    return [Delivery(*row) for row in con.execute(
        f"select alert_id, channel, attempt, status, error, claimed_at, sent_at, run_id from {TABLE} {where} "
        "order by claimed_at, channel, alert_id, attempt", params
    ).fetchall()]
