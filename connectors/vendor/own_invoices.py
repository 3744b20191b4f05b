"""Own invoices at Amazon: submitInvoices through python-amazon-sp-api, then vendorTransactionStatus.

Which PO lines to invoice and the payloads are built by `outbound` from the candidates mart; the record of a
submission reaches the warehouse through the loader (`connectors.vendor.invoice_submissions`). Here only the calls.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

import duckdb

from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import ApiCaller, RetryPolicy
from connectors.vendor.clients import VendorClients


def _paced(clients: VendorClients, pacer: Pacer, policy: RetryPolicy) -> ApiCaller:
    return ApiCaller(clients.account.account_id, pacer, policy, clients.refresh_access_token)


def submit(clients: VendorClients, invoices: list[dict], *, pacer: Pacer, policy: RetryPolicy) -> str:
    """Submit one batch; returns Amazon's transaction id (the caller records the submission through the loader)."""
    call = _paced(clients, pacer, policy)
    response = call("submitInvoices", lambda: clients.invoices.submit_invoices({"invoices": invoices}))
    return response.payload["transactionId"]


def refresh_statuses(conn: duckdb.DuckDBPyConnection, clients: VendorClients, *, pacer: Pacer, policy: RetryPolicy,
                     now: datetime) -> dict[str, str]:
    """Ask vendorTransactionStatus about every transaction still Processing; returns transaction id → status."""
    call = _paced(clients, pacer, policy)
    pending = [tid for (tid,) in conn.execute(
        "SELECT DISTINCT transaction_id FROM raw.vendor_invoice_submissions WHERE account_id = ? AND "
        "transaction_status = 'Processing' ORDER BY 1", [clients.account.account_id]).fetchall()]
    statuses = {}
    for transaction_id in pending:
        payload = call("getTransaction", partial(clients.transactions.get_transaction, transaction_id)).payload
        transaction = payload["transactionStatus"]
        errors = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in transaction.get("errors") or []) or None
        conn.execute(
            "UPDATE raw.vendor_invoice_submissions SET transaction_status = ?, transaction_errors = ?, "
            "status_checked_at = ? WHERE account_id = ? AND transaction_id = ?",
            [transaction["status"], errors, now, clients.account.account_id, transaction_id])
        statuses[transaction_id] = transaction["status"]
    return statuses
