"""The vendor half of `acorn demo`: a Vendor Central world in the demo inbox and from a local fake SP-API.

`generate_vendor` writes the Vendor Central exports (remittances, invoices) into the demo inbox, where the normal
pipeline loads them like any dropped file. Purchase orders, their status and the Finances invoices are served by
the local fake SP-API from the same world and pulled through python-amazon-sp-api by the same code as the Dagster
vendor assets (`orchestration.vendor.runs`), with Amazon's faults switched on, before the pipeline runs: one
`dbt build` then builds the seller and the vendor marts together, as of the world's as_of day.

Credentials are random fake values held in a mapping of this demo (never in the process environment, never
printed); the fake accepts exactly those.
"""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from config.settings import Settings
from connectors.spapi.accounts import CREDENTIAL_ENV, Account
from connectors.spapi.engine import SourceResult, SyncOptions, ensure_schema
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.config import load_vendor_config
from connectors.vendor.schema import create_statements
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import VendorGenerationResult, generate_vendor
from demo.injected_faults import reporting_injected_faults

Say = Callable[[str], None]
# The demo's pacer keeps Amazon's rates and bursts but runs its clock this much faster: the same schedule of waits,
# a tenth of the wall time (the local fake meters nothing; production pacing is `Pacer()`).
DEMO_PACE = 10.0


def demo_pacer(pace: float = DEMO_PACE) -> Pacer:
    return Pacer(clock=lambda: time.monotonic() * pace, sleep=lambda seconds: time.sleep(seconds / pace))

# (operation, fault, times): absorbed by the connectors' retries and token refresh, logged in audit.sync_log.
FAULTS: tuple[tuple[str, str, int], ...] = (
    ("getPurchaseOrders", "429", 2),
    ("getPurchaseOrdersStatus", "500", 1),
    ("getInvoiceHeaders", "expired_token", 1),
    ("getInvoice", "429", 1),
    ("getShipmentDetails", "500", 1),
)


def generate_and_sync_vendor(settings: Settings, inbox: Path, seed: int, say: Say, *, pacer: Pacer | None = None,
                             policy: RetryPolicy | None = None) -> Settings:
    """Write the vendor exports into `inbox`, sync the vendor API part into the warehouse; returns the settings
    the pipeline must run with (vendor ages as of the world's as_of)."""
    generated = generate_vendor(inbox, seed=seed)
    exports = [p.name for p in generated.files if not p.name.startswith(".")]
    say(f"  {len(exports)} Vendor Central exports for {', '.join(m.marketplace_name for m in generated.world.marketplaces)} "
        f"(vendor answer key: {generated.answer_key.name})")
    sync_vendor_demo(settings, generated, say, pacer=pacer, policy=policy)
    return replace(settings, as_of=vendor_as_of(generated))


def vendor_as_of(generated: VendorGenerationResult) -> date:
    """The day the answer key holds for: the demo's dbt build measures ages and overdue days on it."""
    return generated.world.as_of.date()


def _fake_credentials(account_ids: list[str]) -> dict[str, dict[str, str]]:
    prefixes = {"refresh_token": "Atzr|vendor-demo-", "lwa_app_id": "amzn1.application-oa2-client.vendordemo",
                "lwa_client_secret": "amzn1.oa2-cs.v1.vendordemo"}
    return {account: {key: prefix + secrets.token_hex(16) for key, prefix in prefixes.items()} for account in account_ids}


def sync_vendor_demo(
    settings: Settings,
    generated: VendorGenerationResult,
    say: Say,
    *,
    pacer: Pacer | None = None,
    policy: RetryPolicy | None = None,
) -> dict[str, dict[str, SourceResult]]:
    """Every vendor account of the world, synced from the local fake (faults on) into the warehouse."""
    from connectors.vendor.accounts import vendor_accounts
    from orchestration.vendor.runs import SOURCES, sync_vendor_account

    config = load_vendor_config(generated.config)
    account_ids = list(dict.fromkeys(v.account_id for v in config.vendors))
    credentials = _fake_credentials(account_ids)
    # The accounts are resolved as in production, from environment-style names, here a private mapping.
    environ = {f"{CREDENTIAL_ENV[key]}_{account}": value
               for account, values in credentials.items() for key, value in values.items()}
    accounts = vendor_accounts(config, environ)
    data = build_vendor_fake_data(generated.world, credentials)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as conn:
        # Once, so the concurrent account syncs never race to create a table.
        ensure_schema(conn)
        for statement in create_statements():
            conn.execute(statement)
    shared_pacer = pacer or demo_pacer()
    say(f"Starting the fake SP-API on 127.0.0.1 for {len(accounts)} vendor accounts "
        f"(faults on: {', '.join(f'{fault} on {op}' for op, fault, _ in FAULTS)}) ...")
    with FakeSpApi(FakeData([], []), vendor=data) as server:
        for operation, fault, times in FAULTS:
            server.inject(operation, fault, times=times)

        def one(account: Account) -> dict[str, SourceResult]:
            options = SyncOptions(
                archive_dir=settings.archive_dir, inbox_dir=settings.archive_dir, pacer=shared_pacer,
                # A demo backs off for a fraction of the production delays; the schedule of retries is the same.
                policy=policy or RetryPolicy(base_delay=0.25, max_delay=5.0),
                now=lambda: data.as_of, backfill=_backfill(generated, data.as_of),
            )
            return sync_vendor_account(settings, account, config, SOURCES, options, endpoint=server.url,
                                       lwa_url=server.lwa_url).results

        say(f"Syncing purchase orders, their status, shipments and Finances invoices from {server.url}")
        say("  (paced at Amazon's documented rate per operation and account: expect ten to twenty seconds) ..." if pacer
            else f"  (paced on Amazon's documented rates per operation and account, {DEMO_PACE:g}x faster against the "
                 "local fake: expect a few seconds) ...")
        started = time.monotonic()
        # Side by side: Amazon meters each vendor account on its own.
        with reporting_injected_faults(FAULTS, say), \
                ThreadPoolExecutor(max_workers=len(accounts) or 1, thread_name_prefix="vendor-sync") as pool:
            results = dict(zip((a.account_id for a in accounts), pool.map(one, accounts)))
        say(f"  synced in {time.monotonic() - started:.0f} s: " + ", ".join(
            f"{account} {sum(r.rows for r in by_source.values())} rows" for account, by_source in results.items()))
    return results


def _backfill(generated: VendorGenerationResult, now: datetime) -> timedelta:
    """Reach back to the world's first purchase order: the demo replays its whole history in one sync."""
    return now - datetime.combine(generated.world.start, datetime.min.time()) + timedelta(days=1)

