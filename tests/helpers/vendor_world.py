"""The generated vendor world loaded, synced through the local SP-API and built by dbt: the warehouse the vendor
marts are tested (and the dashboards shown) on."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from config.settings import DBT_PROJECT_DIR, Settings
from connectors.fx import load_ecb_rates
from connectors.loader import load_inbox
from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import load_vendor_config
from connectors.vendor.sync import VendorSync
from demo.fake_spapi.data import FakeData
from demo.fake_spapi.server import FakeSpApi
from demo.fake_spapi.vendor_data import build_vendor_fake_data
from demo.generator.vendor import VendorGenerationResult, generate_vendor
from tests.helpers.fakes import FakeClock

DBT = Path(sys.executable).with_name("dbt")
FUNCTIONAL = "EUR"
MARKETPLACE_NAMES = {"us": "Amazon.com", "ca": "Amazon.ca", "de": "Amazon.de"}

# vendor code TESTEOM: (invoice number, invoice date, terms as exported, expected due date)
EOM_INVOICES = [
    ("9000001", date(2026, 1, 31), "Net 30 EOM", date(2026, 3, 2)),
    ("9000002", date(2026, 2, 10), "NET60EOM", date(2026, 4, 29)),
    ("9000003", date(2026, 2, 10), "EOM", date(2026, 2, 28)),
]


@dataclass(frozen=True)
class VendorWarehouse:
    settings: Settings
    generated: VendorGenerationResult
    answer_key: dict
    as_of: date


def sync_vendor_accounts(settings: Settings, generated: VendorGenerationResult, work: Path) -> None:
    """Every vendor account of the generated world, synced from the local SP-API as of the world's as_of."""
    world = generated.world
    config = load_vendor_config(generated.config)
    credentials = {
        m.account_id: {"refresh_token": f"Atzr|{m.account_id}", "lwa_app_id": f"app-{m.account_id}",
                       "lwa_client_secret": f"secret-{m.account_id}"}
        for m in world.marketplaces
    }  # fmt: skip
    conn = duckdb.connect(str(settings.warehouse))
    try:
        with FakeSpApi(FakeData([], []), vendor=build_vendor_fake_data(world, credentials)) as server:
            for account_id, secrets in credentials.items():
                markets = [m for m in world.marketplaces if m.account_id == account_id]
                account = Account(
                    account_id, markets[0].region, account_id,
                    tuple(Store(m.key, m.marketplace_id, m.marketplace_name, m.currency) for m in markets),
                    Secret(secrets["refresh_token"]), Secret(secrets["lwa_app_id"]), Secret(secrets["lwa_client_secret"]),
                )  # fmt: skip
                clock = FakeClock()
                options = SyncOptions(
                    archive_dir=work / "spapi_archive", inbox_dir=work / "spapi_inbox",
                    pacer=Pacer(clock=clock, sleep=clock.sleep), policy=RetryPolicy(sleep=clock.sleep),
                    now=lambda: world.as_of, backfill=timedelta(days=180),
                )  # fmt: skip
                clients = build_vendor_clients(account, endpoint=server.url, lwa_url=server.lwa_url, timeout=5)
                try:
                    VendorSync(conn, clients, options, config).run_vendor()
                finally:
                    clients.close()
    finally:
        conn.close()


def add_eom_invoices(settings: Settings) -> None:
    """Paid export invoices with end-of-month terms, as a loaded file, so they reach the marts."""
    sha = "e" * 64
    with duckdb.connect(str(settings.warehouse)) as conn:
        conn.execute(
            """insert into audit.file_loads (file_name, sha256, kind, received_at, status, message, rows_loaded,
               archive_path) values ('vendor_invoices_eom.csv', ?, 'vendor_invoice_export', ?, 'loaded', '3 rows', 3, ?)""",
            [sha, datetime(2026, 10, 15, 9), f"archive/{sha}"],
        )
        for line, (number, issued, terms, _) in enumerate(EOM_INVOICES, start=2):
            conn.execute(
                """insert into raw.vendor_central_invoices (invoice_number, invoice_date, invoice_status, vendor_code,
                   marketplace, invoice_amount, amount_paid, currency, payment_terms, source_file_sha256, source_line)
                   values (?, ?, 'Paid', 'TESTEOM', 'Amazon.com', 100.00, 100.00, 'USD', ?, ?, ?)""",
                [number, issued, terms, sha, line],
            )


def dbt_build(settings: Settings, as_of: date | None = None) -> None:
    """One real `dbt build` with the settings' vars (and measuring ages on `as_of`); fails the test on any error."""
    env = {**os.environ, **settings.dbt_env()}
    variables = {**settings.dbt_vars(), **({"as_of": as_of.isoformat()} if as_of else {})}
    args = [str(DBT), "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--vars", json.dumps(variables)]
    result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def build_vendor_warehouse(root: Path, *, with_eom_invoices: bool = False) -> VendorWarehouse:
    """Generate, load, sync and build: the warehouse the vendor marts are tested (and the dashboard shown) on."""
    inbox = root / "inbox"
    generated = generate_vendor(inbox)
    settings = replace(Settings.from_env(root / "acorn.duckdb"), functional_currency=FUNCTIONAL)
    load_inbox(settings, inbox)
    load_ecb_rates(settings)
    sync_vendor_accounts(settings, generated, root)
    if with_eom_invoices:
        add_eom_invoices(settings)
    answer_key = json.loads(generated.answer_key.read_text(encoding="utf-8"))
    as_of = date.fromisoformat(answer_key["generator"]["as_of"])
    dbt_build(settings, as_of)
    return VendorWarehouse(settings, generated, answer_key, as_of)


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()
