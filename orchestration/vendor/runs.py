"""One sync of a vendor account's sources into the warehouse: what the Dagster assets and `acorn demo` run."""
from __future__ import annotations

from config.settings import Settings
from connectors import warehouse
from connectors.spapi.accounts import Account
from connectors.spapi.clients import LWA_URL
from connectors.spapi.engine import ACCOUNT_WIDE, SourceResult, SyncOptions
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import VendorConfig
from connectors.vendor.own_invoices import refresh_statuses
from connectors.vendor.schema import create_statements
from connectors.vendor.sync import INVOICES, PURCHASE_ORDER_STATUS, PURCHASE_ORDERS, SHIPMENTS, VendorSync
from orchestration.spapi.runs import SyncRun

# Finances invoices are synced per marketplace of the account: results and cursors are `vendor_invoices:<id>`.
SOURCES = (PURCHASE_ORDERS, PURCHASE_ORDER_STATUS, SHIPMENTS, INVOICES)


def sync_vendor_account(
    settings: Settings,
    account: Account,
    config: VendorConfig,
    sources: tuple[str, ...],
    options: SyncOptions,
    *,
    endpoint: str | None = None,
    lwa_url: str = LWA_URL,
) -> SyncRun:
    """Sync `sources` of `account`; raises `WindowFailed` (credentials redacted) when a window gives up."""
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown vendor sources {sorted(unknown)}; known: {SOURCES}")
    clients = build_vendor_clients(account, endpoint=endpoint, lwa_url=lwa_url)
    conn = warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds)
    try:
        runner = VendorSync(conn, clients, options, config)
        results: dict[str, SourceResult] = {}
        if PURCHASE_ORDERS in sources:
            results[PURCHASE_ORDERS] = runner.sync_purchase_orders()
        if PURCHASE_ORDER_STATUS in sources:
            results[PURCHASE_ORDER_STATUS] = runner.sync_purchase_order_status()
        if SHIPMENTS in sources:
            results[SHIPMENTS] = runner.sync_shipments()
        if INVOICES in sources:
            for store in account.stores:
                results[f"{INVOICES}:{store.marketplace_id}"] = runner.sync_invoices(store.marketplace_id)
        return SyncRun(runner.run_id, results)
    finally:
        conn.close()
        clients.close()


def refresh_submissions(
    settings: Settings, account: Account, options: SyncOptions, *, endpoint: str | None = None, lwa_url: str = LWA_URL
) -> dict[str, str]:
    """Ask Amazon about every own-invoice transaction of the account still Processing; transaction id → status."""
    conn = warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds)
    try:
        for statement in create_statements():
            conn.execute(statement)
        pending = conn.execute(
            "SELECT count(*) FROM raw.vendor_invoice_submissions WHERE account_id = ? AND transaction_status = 'Processing'",
            [account.account_id]).fetchone()[0]
        if not pending:
            return {}  # no call, no token: an account that never submitted costs nothing
        clients = build_vendor_clients(account, endpoint=endpoint, lwa_url=lwa_url)
        try:
            return refresh_statuses(conn, clients, pacer=options.pacer, policy=options.policy, now=options.now())
        finally:
            clients.close()
    finally:
        conn.close()


def vendor_sync_facts(settings: Settings, account_id: str, run_id: str, source: str) -> dict[str, object]:
    """What this run logged for `source` (all its marketplaces for invoices) and where its cursors now stand."""
    like = f"{source}:%"
    with warehouse.connect(settings.warehouse, wait=settings.lock_wait_seconds) as conn:
        logged = conn.execute(
            "SELECT coalesce(sum(pages), 0), coalesce(sum(calls), 0), coalesce(sum(retries), 0), "
            "coalesce(sum(window_restarts), 0) FROM audit.sync_log WHERE run_id = ? AND (source = ? OR source LIKE ?)",
            [run_id, source, like],
        ).fetchone()
        cursors = conn.execute(
            "SELECT source, cursor_at FROM audit.sync_cursors WHERE account_id = ? AND scope = ? "
            "AND (source = ? OR source LIKE ?) ORDER BY source",
            [account_id, ACCOUNT_WIDE, source, like],
        ).fetchall()
    facts: dict[str, object] = dict(zip(("pages", "calls", "retries", "window_restarts"), map(int, logged)))
    facts["cursors"] = {name: moment.isoformat() + "Z" for name, moment in cursors}
    return facts
