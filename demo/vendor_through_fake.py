"""Fill a warehouse's vendor raw tables from a generated world, through the local fake SP-API and the real
extraction code (python-amazon-sp-api, pacing, retries, cursors): what `acorn demo` and dbt tests need."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import parse_vendor_config
from connectors.vendor.sync import VendorSync
from demo.fake_spapi import FakeData, FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import render_config
from demo.generator.vendor.world import VendorWorld

# Demo-only credentials the fake accepts; they open nothing real.
DEMO_CREDENTIALS = {
    "acme-vendor-na": dict(refresh_token="Atzr|demo-vendor-na", lwa_app_id="demo-app-na", lwa_client_secret="demo-na"),
    "acme-vendor-eu": dict(refresh_token="Atzr|demo-vendor-eu", lwa_app_id="demo-app-eu", lwa_client_secret="demo-eu"),
}


def vendor_accounts(world: VendorWorld, credentials: dict[str, dict[str, str]]) -> list[Account]:
    accounts = []
    for account_id in dict.fromkeys(m.account_id for m in world.marketplaces):
        markets = [m for m in world.marketplaces if m.account_id == account_id]
        secrets = credentials[account_id]
        accounts.append(Account(
            account_id, markets[0].region, "",
            tuple(Store(m.key, m.marketplace_id, m.marketplace_name, m.currency) for m in markets),
            Secret(secrets["refresh_token"]), Secret(secrets["lwa_app_id"]), Secret(secrets["lwa_client_secret"])))
    return accounts


def sync_world_through_fake(conn: duckdb.DuckDBPyConnection, world: VendorWorld, archive_dir: Path,
                            as_of: datetime | None = None) -> dict[str, int]:
    """Serve `world` as of `as_of` (default: the world's as_of) and sync every vendor account; rows per source."""
    data = build_vendor_fake_data(world, DEMO_CREDENTIALS, as_of)
    config = parse_vendor_config(render_config(world))
    rows: dict[str, int] = {}
    with FakeSpApi(FakeData([], []), vendor=data) as server:
        for account in vendor_accounts(world, DEMO_CREDENTIALS):
            clients = build_vendor_clients(account, endpoint=server.url, lwa_url=server.lwa_url)
            options = SyncOptions(archive_dir=archive_dir, inbox_dir=archive_dir, pacer=Pacer(sleep=lambda s: None),
                                  policy=RetryPolicy(sleep=lambda s: None), now=lambda: data.as_of,
                                  backfill=data.as_of - datetime.combine(world.start, datetime.min.time()) + timedelta(days=1))
            try:
                for source, result in VendorSync(conn, clients, options, config).run_vendor().items():
                    rows[f"{account.account_id}/{source}"] = result.rows
            finally:
                clients.close()
    return rows
