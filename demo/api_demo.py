"""`acorn demo --source api`: the whole demo through a local fake SP-API, with Amazon's faults switched on.

The generated world is served by the fake (demo/fake_spapi, rebuilt from the arguments the inbox's answer key
records, never by reading the settlement files back) on 127.0.0.1; every store's settlement reports,
event groups, events and transactions are pulled through python-amazon-sp-api while the fake throttles,
fails, expires tokens, NextTokens and document URLs and answers slowly. Then the usual pipeline loads and
builds everything.

What the API does not serve is dropped by hand beside the fetched documents, as a seller would: the bank
statement, `stores.csv` and `sku_map.csv`, and the re-delivered copy of one settlement (`*_resent.txt`).
Amazon lists each settlement once, so the duplicate anomaly can only arrive by hand; it is flagged as a
duplicate of the report fetched by API, which shows that an API report and the same file dropped by hand are
one settlement. The malformed settlement is served by the API byte for byte and quarantined as in the file
demo. So the settlement marts equal the file demo's on the same seed, and the demo's answer-key check holds.

Unless `vendor=False`, the vendor world follows (acorn/vendor_demo.py): its Vendor Central exports are dropped by
hand too (no API serves remittances), its purchase orders and Finances invoices are synced from a local fake
before the pipeline runs, and the one dbt build measures vendor ages as of the world's as_of day.

Credentials are random fake values set in this process's environment (python-amazon-sp-api's names, per
account), never printed; the fake accepts exactly those.
"""
from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from config.settings import Settings
from connectors.spapi.accounts import CREDENTIAL_ENV, Account, load_accounts
from connectors.spapi.engine import SourceResult, SyncOptions, ensure_schema
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.spapi.sync import RISK_REPORT_SOURCES, SOURCES
from demo.fake_spapi import FakeData, FakeSeller, FakeSpApi, fake_data_from_inbox
from demo.fake_spapi.data import MARKETPLACE_REGIONS
from demo.generator.risk_reports import RISK_AS_OF_DAYS
from demo.generator.world import arguments_of_inbox
from demo.injected_faults import reporting_injected_faults

Say = Callable[[str], None]

# (operation, fault, times): every fault the issue names, each absorbed by the connectors.
FAULTS: tuple[tuple[str, str, int], ...] = (
    ("listFinancialEvents", "429", 2),
    ("listTransactions", "500", 1),
    ("listFinancialEventGroups", "expired_token", 1),
    ("listFinancialEvents", "invalid_next_token", 1),
    ("getReportDocument", "expired_url", 1),
    ("downloadReportDocument", "slow", 1),
)
SLOW_SECONDS = 1.0
# The demo replays fixed sample data: it syncs as if it were a few days after the last settlement report.
DAYS_AFTER_LAST_REPORT = 5


@dataclass(frozen=True)
class DemoApi:
    """The fake's data, and the accounts (with their fake credentials) that read it."""

    data: FakeData
    accounts: list[Account]
    config_path: Path
    now: datetime
    backfill: timedelta


def prepare_demo_api(inbox: Path, work_dir: Path, environ: dict[str, str] | None = None) -> DemoApi:
    """One account per seller of the inbox's stores.csv, with fresh fake credentials in `environ`.

    The account config (stores, no credentials) is written to `work_dir/spapi_accounts.json`, the format
    ACORN_SPAPI_CONFIG names; the credentials go to the environment under `<NAME>_<account_id>`.
    """
    env = os.environ if environ is None else environ
    stores = list(csv.DictReader((inbox / "stores.csv").open(encoding="utf-8-sig")))
    by_seller: dict[str, list[dict[str, str]]] = {}
    for store in stores:
        by_seller.setdefault(store["seller_id"], []).append(store)
    sellers, config = [], []
    for seller_id, own in by_seller.items():
        account_id = own[0]["store_id"]
        values = {key: _fake_credential(key) for key in CREDENTIAL_ENV}
        for key, name in CREDENTIAL_ENV.items():
            env[f"{name}_{account_id}"] = values[key]
        region = MARKETPLACE_REGIONS[own[0]["marketplace_id"]]
        sellers.append(FakeSeller(seller_id, region, values["refresh_token"], values["lwa_app_id"],
                                  values["lwa_client_secret"]))
        config.append({
            "account_id": account_id, "region": region, "seller_id": seller_id,
            # Granted well within the year Amazon's seller authorizations last: no expiry alert in the demo.
            "authorized_at": "2026-06-01",
            "stores": [{key: s[key] for key in ("store_id", "marketplace_id", "marketplace_name", "currency",
                                                "time_zone")} for s in own],
        })
    work_dir.mkdir(parents=True, exist_ok=True)
    config_path = work_dir / "spapi_accounts.json"
    config_path.write_text(json.dumps({"accounts": config}, indent=2), encoding="utf-8")
    data = fake_data_from_inbox(inbox, sellers)
    # ... and no earlier than the day the money-at-risk situations are measured on (the vendor world's as_of).
    now = max(max(report.created for report in data.reports) + timedelta(days=DAYS_AFTER_LAST_REPORT),
              datetime.combine(arguments_of_inbox(inbox).start + timedelta(days=RISK_AS_OF_DAYS), datetime.min.time()))
    first = min(event.posted for event in data.events)
    return DemoApi(data, load_accounts(config_path, env), config_path, now, now - first + timedelta(days=1))


def _fake_credential(key: str) -> str:
    prefix = {"refresh_token": "Atzr|demo-", "lwa_app_id": "amzn1.application-oa2-client.demo",
              "lwa_client_secret": "amzn1.oa2-cs.v1.demo"}[key]
    return prefix + secrets.token_hex(16)


def inject_faults(server: FakeSpApi) -> None:
    for operation, fault, times in FAULTS:
        server.inject(operation, fault, times=times, delay=SLOW_SECONDS)


def sync_all(
    settings: Settings,
    api: DemoApi,
    server: FakeSpApi,
    inbox_dir: Path,
    *,
    pacer: Pacer | None = None,
    policy: RetryPolicy | None = None,
) -> dict[str, dict[str, SourceResult]]:
    """Every source of every account, accounts side by side (Amazon meters each account on its own)."""
    from orchestration.spapi.runs import sync_account

    with duckdb.connect(str(settings.warehouse)) as conn:
        ensure_schema(conn)  # once, so concurrent syncs never race to create a table
    shared_pacer = pacer or Pacer()

    def one(account: Account) -> dict[str, SourceResult]:
        options = SyncOptions(
            archive_dir=settings.archive_dir, inbox_dir=inbox_dir, pacer=shared_pacer,
            # A demo backs off for a fraction of the production delays; the schedule of retries is the same.
            policy=policy or RetryPolicy(base_delay=0.25, max_delay=5.0),
            now=lambda: api.now, backfill=api.backfill, report_poll_seconds=0.0,
        )
        return sync_account(settings, account, options=options, sources=SOURCES + RISK_REPORT_SOURCES,
                            endpoint=server.url,
                            lwa_url=server.lwa_url).results

    with ThreadPoolExecutor(max_workers=len(api.accounts) or 1, thread_name_prefix="spapi-sync") as pool:
        results = list(pool.map(one, api.accounts))
    return {account.account_id: result for account, result in zip(api.accounts, results)}


# The generator's money-at-risk report files: the API serves their rows (requested per window, under other names).
RISK_REPORT_PREFIXES = ("fba_reimbursements_", "fba_customer_returns_", "seller_returns_")


def hand_dropped_files(generated: Path, fetched: set[str]) -> list[Path]:
    """The generated inputs the API does not serve: every non-hidden file not fetched under its name, and not one
    of the money-at-risk reports the API serves."""
    return sorted(p for p in generated.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.name not in fetched and not p.name.startswith(RISK_REPORT_PREFIXES))


def api_demo(settings: Settings, seed: int, say: Say, *, pacer: Pacer | None = None,
             policy: RetryPolicy | None = None, vendor: bool = True, verbose: bool = False) -> int:
    from acorn.build import load_and_build
    from demo.checks import demo_checks
    from demo.generator import generate

    root = settings.warehouse.parent
    generated_dir, api_inbox = root / "inbox", root / "spapi_inbox"
    for path in (generated_dir, api_inbox, settings.archive_dir):
        shutil.rmtree(path, ignore_errors=True)
    for suffix in ("", ".wal"):
        Path(f"{settings.warehouse}{suffix}").unlink(missing_ok=True)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    say(f"Generating sample data into {generated_dir} (seed {seed}) ...")
    generate(generated_dir, seed=seed)
    api = prepare_demo_api(generated_dir, root)
    say(f"Starting the fake SP-API on 127.0.0.1 for {len(api.accounts)} accounts "
        f"(faults on: {', '.join(f'{f} on {op}' for op, f, _ in FAULTS)}) ...")
    with FakeSpApi(api.data) as server:
        inject_faults(server)
        say(f"Syncing settlement reports, event groups, events and transactions from {server.url}")
        say("  (paced at Amazon's documented rate per operation and account: expect one to two minutes) ...")
        started = time.monotonic()
        with reporting_injected_faults(FAULTS, say):
            results = sync_all(settings, api, server, api_inbox, pacer=pacer, policy=policy)
        say(f"  synced in {time.monotonic() - started:.0f} s")
    if vendor:
        from demo.vendor_demo import generate_and_sync_vendor

        settings = generate_and_sync_vendor(settings, generated_dir, seed, say, pacer=pacer, policy=policy)
    elif settings.as_of is None:
        settings = replace(settings, as_of=api.now.date())
    fetched = {path.name for by_source in results.values() for path in by_source["settlement_reports"].files}
    reports = sum(len(by_source[source].files) for by_source in results.values() for source in RISK_REPORT_SOURCES)
    dropped = hand_dropped_files(generated_dir, fetched)
    for path in dropped:
        shutil.copy2(path, api_inbox / path.name)
    say(f"  {len(fetched)} settlement reports and {reports} money-at-risk reports fetched; dropped by hand beside them: "
        f"{', '.join(p.name for p in dropped)}")
    result = load_and_build(settings, api_inbox, say, verbose=verbose, checks=demo_checks)
    if result is None:
        return 1
    if result.success:
        print_payment_figures(settings, say)
    print_sync_log(settings, say)
    return 0 if result.success else 1


def _query(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def print_payment_figures(settings: Settings, say: Say) -> None:
    say("")
    say("Payment events (Finances API)")
    for state, lines, amount, currency in _query(settings, """
            SELECT settlement_state, count(*), sum(amount_functional), min(functional_currency)
            FROM marts.fct_payment_events GROUP BY 1 ORDER BY 1"""):
        say(f"  {state:<10} {lines:>6} lines  {amount:>14,} {currency}")
    orders = _query(settings, "SELECT status, count(*) FROM marts.fct_order_reconciliation GROUP BY 1 ORDER BY 2 DESC")
    say("  orders: " + ", ".join(f"{status} {count}" for status, count in orders))
    say("  Amazon currency conversion (closed event groups, against the reference rate):")
    for original, converted, groups, cost, currency in _query(settings, """
            SELECT original_currency, converted_currency, count(*), sum(conversion_cost_functional),
                   min(functional_currency)
            FROM marts.fct_event_group_reconciliation WHERE is_closed GROUP BY 1, 2 ORDER BY 1, 2"""):
        how = "paid out unconverted" if original == converted else f"converted to {converted}"
        say(f"    {original} {how}: {groups} groups, cost {cost} {currency}")


def print_sync_log(settings: Settings, say: Say) -> None:
    say("")
    say("Sync log (audit.sync_log)")
    for source, accounts, windows, pages, rows, calls, retries, restarts, failed in _query(settings, """
            SELECT source, count(DISTINCT account_id), count(*), sum(pages), sum(rows_written), sum(calls),
                   sum(retries), sum(window_restarts), count(*) FILTER (WHERE status = 'failed')
            FROM audit.sync_log GROUP BY 1 ORDER BY 1"""):
        say(f"  {source:<24} {accounts} accounts, {windows} windows, {pages} pages, {rows} rows, {calls} calls, "
            f"{retries} retries, {restarts} window restarts" + (f", {failed} FAILED" if failed else ""))
    recovered = _query(settings, """
        SELECT account_id, source, errors FROM audit.sync_log
        WHERE status = 'complete' AND errors IS NOT NULL ORDER BY started_at, account_id, source""")
    say(f"  faults recovered ({len(recovered)} windows):")
    for account_id, source, errors in recovered:
        say(f"    {account_id} {source}: {errors}")
