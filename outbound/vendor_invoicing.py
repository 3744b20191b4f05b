"""`acorn vendor-invoices`: invoices for received PO lines nobody invoiced, exported for review, optionally submitted.

Building only reads the warehouse and writes one JSON (the submitInvoices body) and one XLSX per vendor account.
Submitting records the batch (`raw.vendor_invoice_submissions` + items, body archived by SHA-256), submits it
through the Vendor Invoices API and asks for the transaction status; a batch whose submission fails is not
recorded, so the next run builds it again. Credentials are read from the environment only when submitting.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from config.settings import Settings
from connectors import warehouse
from connectors.spapi.clients import LWA_URL
from connectors.spapi.engine import utc_now
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import load_vendor_config
from connectors.vendor.own_invoices import (
    build_invoices,
    export_json,
    export_xlsx,
    record_built,
    refresh_statuses,
    submit,
    uninvoiced_receipts,
)


@dataclass(frozen=True)
class InvoiceBatch:
    account_id: str
    invoices: list[dict]
    payload: bytes           # the submitInvoices body, as written to `json_path` and submitted
    json_path: Path
    xlsx_path: Path

    @property
    def purchase_orders(self) -> list[str]:
        return list(dict.fromkeys(item["purchaseOrderNumber"] for i in self.invoices for item in i["items"]))


def build_and_export(settings: Settings, config_path: Path, out_dir: Path, invoice_date: date | None = None) -> list[InvoiceBatch]:
    """One batch per vendor account with received, uninvoiced PO lines; files `submit_invoices_<account>.json|xlsx`."""
    config = load_vendor_config(config_path)
    invoice_date = invoice_date or utc_now().date()
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        built = [(account_id, build_invoices(receipts, config, invoice_date))
                 for account_id in dict.fromkeys(v.account_id for v in config.vendors)
                 if (receipts := uninvoiced_receipts(conn, account_id))]
    out_dir.mkdir(parents=True, exist_ok=True)
    batches = []
    for account_id, invoices in built:
        payload = export_json(invoices)
        json_path, xlsx_path = out_dir / f"submit_invoices_{account_id}.json", out_dir / f"submit_invoices_{account_id}.xlsx"
        json_path.write_bytes(payload)
        xlsx_path.write_bytes(export_xlsx(invoices))
        batches.append(InvoiceBatch(account_id, invoices, payload, json_path, xlsx_path))
    return batches


def submit_and_refresh(
    settings: Settings,
    config_path: Path,
    batches: list[InvoiceBatch],
    *,
    environ: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    lwa_url: str = LWA_URL,
    pacer: Pacer | None = None,
    policy: RetryPolicy | None = None,
) -> list[str]:
    """Submit every batch, then ask for the status of every transaction still Processing; one line per outcome."""
    from connectors.vendor.accounts import vendor_account

    config = load_vendor_config(config_path)
    pacer, policy = pacer or Pacer(), policy or RetryPolicy()
    with warehouse.connect(settings.warehouse) as conn:
        pending = [a for (a,) in conn.execute(
            "SELECT DISTINCT account_id FROM raw.vendor_invoice_submissions WHERE transaction_status = 'Processing' "
            "ORDER BY 1").fetchall()]
        account_ids = list(dict.fromkeys([*(b.account_id for b in batches), *pending]))
        # Every credential is resolved before anything is written: a missing one is one clear line, nothing half done.
        accounts = {a: vendor_account(config, a, os.environ if environ is None else environ) for a in account_ids}
        marketplace_ids = {v.remit_to_party_id: v.marketplace_id for v in config.vendors}
        lines, processing = [], False
        for account_id, account in accounts.items():
            clients = build_vendor_clients(account, endpoint=endpoint, lwa_url=lwa_url)
            try:
                for batch in (b for b in batches if b.account_id == account_id):
                    now = utc_now()
                    conn.begin()
                    try:
                        record_built(conn, account_id, batch.invoices, batch.payload, settings.archive_dir, now,
                                     marketplace_ids)
                        transaction_id = submit(conn, clients, batch.invoices, pacer=pacer, policy=policy, now=now)
                    except BaseException:
                        conn.rollback()
                        raise
                    conn.commit()
                    lines.append(f"{account_id}: submitted {len(batch.invoices)} invoice(s), transaction {transaction_id}")
                statuses = refresh_statuses(conn, clients, pacer=pacer, policy=policy, now=utc_now())
            finally:
                clients.close()
            lines += [f"{account_id}: transaction {tid}: {status}" for tid, status in statuses.items()]
            processing = processing or "Processing" in statuses.values()
    if processing:
        lines.append("Amazon is still processing: the daily vendor sync (or this command again) checks the status later.")
    return lines
