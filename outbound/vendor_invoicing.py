"""`acorn vendor-invoices`: invoices for received PO lines nobody invoiced, exported for review, optionally submitted.

Building reads `marts.fct_vendor_invoice_candidates` (the rule lives in dbt) and writes one JSON (the submitInvoices
body) and one XLSX per vendor account. Submitting sends each batch through the Vendor Invoices API; once Amazon
accepted it, the record of the submission (body, transaction id) is written beside the batch as
`submission_<account>_<transaction>.json` and loaded by the loader like any input (archived by SHA-256, listed in
audit.file_loads, replayed by a rebuild). A batch whose submission fails is not recorded, so the next run builds it
again. The marts learn about a submission at the next `acorn run`; until then building again is refused rather
than offering the same lines twice. Credentials are read from the environment only when submitting.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from config.settings import Settings, credentials_environ
from connectors import archive, loader
from connectors.file_modes import protect
from connectors.spapi.clients import LWA_URL
from connectors.spapi.engine import utc_now
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.vendor.clients import build_vendor_clients
from connectors.vendor.config import load_vendor_config
from connectors.vendor.invoice_submissions import render_submission
from connectors.vendor.own_invoices import refresh_statuses, submit
from outbound.own_invoices import (
    Candidate,
    HeldBack,
    build_invoices,
    export_held_back_json,
    export_json,
    export_xlsx,
    po_item_sequence_numbers,
    read_candidates,
    read_compliance,
    split_held_back,
)


class MartsBehind(LookupError):
    """Invoices were submitted since the marts were built: building now could offer the same lines twice."""


@dataclass(frozen=True)
class InvoiceBatch:
    account_id: str
    invoices: list[dict]
    payload: bytes           # the submitInvoices body, as written to `json_path` and submitted
    json_path: Path
    xlsx_path: Path
    candidates: tuple[Candidate, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    held_back_path: Path | None = None

    @property
    def purchase_orders(self) -> list[str]:
        return list(dict.fromkeys(item["purchaseOrderNumber"] for i in self.invoices for item in i["items"]))


def build_and_export(settings: Settings, config_path: Path, out_dir: Path, invoice_date: date | None = None) -> list[InvoiceBatch]:
    """One batch per vendor account with received, uninvoiced PO lines; files `submit_invoices_<account>.json|xlsx`.
    Lines a compliance rule holds back stay out of the invoices; they are listed with their reasons on the XLSX's
    "Held back" sheet and in `held_back_<account>.json`."""
    config = load_vendor_config(config_path)
    invoice_date = invoice_date or utc_now().date()
    with duckdb.connect(str(settings.warehouse), read_only=True) as conn:
        _refuse_if_marts_behind(conn)
        built = []
        for account_id in dict.fromkeys(v.account_id for v in config.vendors):
            candidates = read_candidates(conn, account_id)
            if not candidates:
                continue
            compliance = read_compliance(conn, account_id)
            ready, held = split_held_back(candidates, compliance)
            built.append((account_id, ready, held, build_invoices(ready, config, invoice_date, compliance)))
    out_dir.mkdir(parents=True, exist_ok=True)
    batches = []
    for account_id, candidates, held, invoices in built:
        payload = export_json(invoices)
        json_path, xlsx_path = out_dir / f"submit_invoices_{account_id}.json", out_dir / f"submit_invoices_{account_id}.xlsx"
        if invoices:  # an account whose every line is held back has no submitInvoices body to review
            json_path.write_bytes(payload)
        xlsx_path.write_bytes(export_xlsx(invoices, held))
        held_path = None
        if held:
            held_path = out_dir / f"held_back_{account_id}.json"
            held_path.write_bytes(export_held_back_json(held))
        for path in (json_path, xlsx_path, held_path):
            if path is not None and path.exists():
                protect(path, settings.file_group)
        batches.append(InvoiceBatch(account_id, invoices, payload, json_path, xlsx_path, tuple(candidates),
                                    tuple(held), held_path))
    return batches


def _refuse_if_marts_behind(conn: duckdb.DuckDBPyConnection) -> None:
    try:
        behind = conn.execute(
            "SELECT count(*) FROM raw.vendor_invoice_submissions AS s WHERE NOT EXISTS (SELECT 1 FROM "
            "marts.fct_vendor_invoices AS v WHERE v.invoice_number = upper(trim(s.invoice_id)))").fetchone()[0]
    except duckdb.CatalogException:
        return  # nothing submitted yet, or no vendor marts: read_candidates says what is missing
    if behind:
        raise MartsBehind(f"{behind} invoice(s) were submitted since the marts were built: "
                          "run `acorn run` first, so the same lines are not offered again")


def _record(con: duckdb.DuckDBPyConnection, settings: Settings, batch: InvoiceBatch, transaction_id: str,
            built_at, submitted_at) -> None:
    """The submission record, written beside the batch and loaded through the loader (archived, audited)."""
    body_sha = archive.sha256_of(batch.payload)
    archive.store(settings.archive_dir, batch.payload, body_sha)
    marketplaces = {c.purchase_order_number: c.marketplace_id for c in batch.candidates}
    record = render_submission(
        account_id=batch.account_id, body=json.loads(batch.payload), body_sha256=body_sha, built_at=built_at,
        submitted_at=submitted_at, transaction_id=transaction_id,
        marketplace_ids={i["id"]: marketplaces.get(i["items"][0]["purchaseOrderNumber"]) for i in batch.invoices},
        po_item_sequence_numbers=po_item_sequence_numbers(list(batch.candidates), batch.invoices),
    )
    path = batch.json_path.with_name(f"submission_{batch.account_id}_{transaction_id}.json")
    path.write_bytes(record)
    outcome = loader.load_file(con, settings, path.name, record, received_at=submitted_at)
    if outcome is not None and outcome.status != "loaded":
        raise RuntimeError(f"{path}: submitted as transaction {transaction_id} but not recorded: {outcome.message}")


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
    conn = loader.connect(settings)
    try:
        pending = [a for (a,) in conn.execute(
            "SELECT DISTINCT account_id FROM raw.vendor_invoice_submissions WHERE transaction_status = 'Processing' "
            "ORDER BY 1").fetchall()]
        account_ids = list(dict.fromkeys([*(b.account_id for b in batches), *pending]))
        # Every credential is resolved before anything is written: a missing one is one clear line, nothing half done.
        accounts = {a: vendor_account(config, a, credentials_environ() if environ is None else environ) for a in account_ids}
        lines, processing = [], False
        for account_id, account in accounts.items():
            clients = build_vendor_clients(account, endpoint=endpoint, lwa_url=lwa_url)
            try:
                # a batch whose every line is held back has nothing to submit
                for batch in (b for b in batches if b.account_id == account_id and b.invoices):
                    built_at = utc_now()
                    transaction_id = submit(clients, batch.invoices, pacer=pacer, policy=policy)
                    _record(conn, settings, batch, transaction_id, built_at, utc_now())
                    lines.append(f"{account_id}: submitted {len(batch.invoices)} invoice(s), transaction {transaction_id}")
                statuses = refresh_statuses(conn, clients, pacer=pacer, policy=policy, now=utc_now())
            finally:
                clients.close()
            lines += [f"{account_id}: transaction {tid}: {status}" for tid, status in statuses.items()]
            processing = processing or "Processing" in statuses.values()
    finally:
        conn.close()
    if processing:
        lines.append("Amazon is still processing: the daily vendor sync (or this command again) checks the status later.")
    return lines
