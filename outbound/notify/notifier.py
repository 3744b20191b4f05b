"""Send each new open alert once to every configured channel: claim, send (retried with backoff), record.

Called after each pipeline run (the Dagster asset in orchestration/notify) and never raises for a channel that
fails: the failure is logged in audit.alert_deliveries and the next run tries that alert again.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import duckdb
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from config.settings import Settings
from connectors import warehouse
from connectors.warehouse_schema import AUDIT_TABLES
from outbound.notify import channels
from outbound.notify.alerts import Alert, open_alerts
from outbound.notify.config import SEVERITIES, Channel, NotifyConfig, NotifyConfigError, load_notify_config
from outbound.notify.deliveries import TABLE, claim, mark, pending
from outbound.notify.messages import compose

log = logging.getLogger(__name__)
Sender = Callable[..., None]


@dataclass
class NotifyReport:
    run_id: str
    alerts_open: int = 0
    sent: dict[str, int] = field(default_factory=dict)  # channel -> alerts delivered by this run
    failed: dict[str, str] = field(default_factory=dict)  # channel -> last (redacted) error
    problems: list[str] = field(default_factory=list)  # channels that could not be tried (config)

    def lines(self) -> list[str]:
        out = [f"alerts: {n} new alert(s) sent to {name}" for name, n in self.sent.items() if n]
        out += [f"alerts: {name} failed: {error} (retried next run; see {TABLE})" for name, error in self.failed.items()]
        out += [f"alerts: {problem}" for problem in self.problems]
        return out


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def notify(
    settings: Settings,
    config: NotifyConfig | None = None,
    *,
    now: Callable[[], datetime] = _utcnow,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    sender: Sender = channels.send,
) -> NotifyReport:
    """`now`, `sleep`, `clock` and `sender` are the seams the tests turn (a later run, no waiting, a crash)."""
    if config is None:
        if settings.notify_config is None:
            raise NotifyConfigError("no notify config: set ACORN_NOTIFY_CONFIG to a JSON or YAML file")
        config = load_notify_config(settings.notify_config)
    report = NotifyReport(run_id=uuid.uuid4().hex)
    with _connection(settings) as con:
        alerts = open_alerts(con)
    report.alerts_open = len(alerts)
    for channel in config.channels:
        try:
            secrets = channel.secrets()
        except NotifyConfigError as problem:
            report.problems.append(str(problem))
            log.warning("%s", problem)
            continue
        wanted = [a for a in alerts if _rank(a.severity) >= _rank(channel.min_severity)]
        report.sent[channel.name] = _deliver(settings, config, channel, wanted, secrets, report, now, sleep, clock,
                                             sender)
    return report


def _deliver(settings: Settings, config: NotifyConfig, channel: Channel, alerts: list[Alert], secrets, report,
             now, sleep, clock, sender: Sender) -> int:
    stale = timedelta(minutes=config.stale_claim_minutes)
    with _connection(settings) as con:
        todo = pending(con, channel.name, alerts, now(), stale)
    groups = _groups(channel, todo, max(config.max_alerts_per_message, 1), now())
    sent = 0
    for number, group in enumerate(groups, start=1):
        retrying = Retrying(
            stop=stop_after_attempt(max(config.retry.attempts, 1)),
            wait=wait_exponential(multiplier=config.retry.backoff_seconds, max=config.retry.max_backoff_seconds),
            retry=retry_if_exception_type(channels.DeliveryError),
            reraise=True,
            sleep=sleep,
        )
        try:
            for attempt in retrying:
                with attempt:
                    sent += _attempt(settings, channel, group, number, len(groups), len(todo), secrets, report.run_id,
                                     config.timeout_seconds, stale, now, clock, sender)
        except channels.DeliveryError as problem:
            report.failed[channel.name] = str(problem)
            log.warning("channel %s: not delivered after %d attempt(s): %s", channel.name, config.retry.attempts,
                        problem)
    if sent:
        log.info("channel %s: %d new alert(s) sent", channel.name, sent)
    return sent


def _attempt(settings: Settings, channel: Channel, group: list[Alert], number: int, groups: int, total: int,
             secrets, run_id: str, timeout: float, stale: timedelta, now, clock, sender: Sender) -> int:
    with _connection(settings) as con:
        claimed = claim(con, channel.name, group, run_id, now(), stale)
    if not claimed:
        return 0
    message = compose(claimed, channel.language, now(), number, groups, total)
    try:
        sender(channel, message, secrets, run_id, timeout, clock)
    except Exception as problem:
        error = str(problem) if isinstance(problem, channels.DeliveryError) else \
            channels.redact(f"{type(problem).__name__}: {problem}", secrets)
        with _connection(settings) as con:
            mark(con, channel.name, run_id, "failed", now(), error)
        raise channels.DeliveryError(error) from None
    with _connection(settings) as con:
        mark(con, channel.name, run_id, "sent", now())
    return len(claimed)


def _groups(channel: Channel, alerts: list[Alert], size: int, at: datetime) -> list[list[Alert]]:
    """At most `size` alerts a message, fewer where the channel's byte limit says so (one alert always goes)."""
    groups: list[list[Alert]] = []
    for alert in alerts:
        if groups and len(groups[-1]) < size and channels.fits(channel, compose([*groups[-1], alert], channel.language, at)):
            groups[-1].append(alert)
        else:
            groups.append([alert])
    return groups


def _rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES) - 1


@contextmanager
def _connection(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    con = warehouse.connect(settings.warehouse)
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({AUDIT_TABLES[TABLE]})")
        yield con
    finally:
        con.close()


def delivery_lines(settings: Settings, since: datetime) -> list[str]:
    """What the notifier did since `since`, per channel, for the run summary (from the delivery log)."""
    with _connection(settings) as con:
        rows = con.execute(
            f"with latest as (select channel, alert_id, arg_max(status, attempt) as status from {TABLE} "
            "where claimed_at >= ? group by channel, alert_id) "
            "select channel, count(*) filter (where status = 'sent'), count(*) filter (where status <> 'sent') "
            "from latest group by channel order by channel",
            [since],
        ).fetchall()
    lines = []
    for channel, sent, unsent in rows:
        line = f"Alerts sent to {channel}: {sent} new"
        lines.append(line + (f", {unsent} not delivered (retried next run; see {TABLE})" if unsent > 0 else ""))
    return lines
