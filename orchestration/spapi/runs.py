"""One sync of one account's sources into the warehouse: what the Dagster assets and `acorn demo --source api` run."""
from __future__ import annotations

from dataclasses import dataclass

from config.settings import Settings
from connectors import warehouse
from connectors.spapi.accounts import Account
from connectors.spapi.clients import LWA_URL, build_clients
from connectors.spapi.engine import ACCOUNT_WIDE, SourceResult, SyncOptions
from connectors.spapi.sync import AccountSync


@dataclass
class SyncRun:
    run_id: str                        # audit.sync_log.run_id of this sync's windows
    results: dict[str, SourceResult]


def sync_account(
    settings: Settings,
    account: Account,
    sources: tuple[str, ...],
    options: SyncOptions,
    *,
    endpoint: str | None = None,
    lwa_url: str = LWA_URL,
) -> SyncRun:
    """Sync `sources` of `account`; raises `WindowFailed` (credentials redacted) when a window gives up."""
    clients = build_clients(account, endpoint=endpoint, lwa_url=lwa_url)
    conn = warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds)
    try:
        runner = AccountSync(conn, clients, options)
        return SyncRun(runner.run_id, runner.run(sources))
    finally:
        conn.close()
        clients.close()


def sync_facts(settings: Settings, account_id: str, run_id: str, source: str) -> dict[str, object]:
    """What this run logged for `source` (pages, calls, retries, restarts) and where its cursor now stands."""
    with warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds) as conn:
        logged = conn.execute(
            "SELECT coalesce(sum(pages), 0), coalesce(sum(calls), 0), coalesce(sum(retries), 0), "
            "coalesce(sum(window_restarts), 0) FROM audit.sync_log WHERE run_id = ? AND source = ?",
            [run_id, source],
        ).fetchone()
        cursor = conn.execute(
            "SELECT cursor_at FROM audit.sync_cursors WHERE account_id = ? AND scope = ? AND source = ?",
            [account_id, ACCOUNT_WIDE, source],
        ).fetchone()
    facts: dict[str, object] = dict(zip(("pages", "calls", "retries", "window_restarts"), map(int, logged)))
    facts["cursor_at"] = cursor[0].isoformat() + "Z" if cursor else "none"
    return facts
