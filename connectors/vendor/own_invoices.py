"""Own invoices: submitInvoices payloads built from received PO lines not invoiced yet, exported in batch (JSON and
XLSX), submitted through python-amazon-sp-api and followed through vendorTransactionStatus.

A PO counts as invoiced once any source names it: a Finances invoice (PURCHASE_ORDER_IDS), a Vendor Central
invoice export row, or an invoice ACORN built before. One invoice per PO, for the quantity received (eaches) at the
PO's net cost, with the marketplace's payment terms from the vendor configuration.
"""
from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

import duckdb
from openpyxl import Workbook

from connectors import archive
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import ApiCaller, RetryPolicy
from connectors.vendor.clients import VendorClients
from connectors.vendor.config import VendorConfig
from connectors.warehouse_writer import write_rows

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Receipt:
    account_id: str
    purchase_order_number: str
    item_sequence_number: str
    asin: str | None
    vendor_sku: str | None
    received_eaches: int
    net_cost: Decimal
    currency: str
    vendor_code: str
    ship_to_party_id: str | None


_UNINVOICED = """
    WITH latest AS (
        SELECT *, row_number() OVER (PARTITION BY account_id, purchase_order_number, item_sequence_number
                                     ORDER BY last_updated_at DESC) AS newest
        FROM raw.vendor_purchase_order_status WHERE account_id = ?)
    SELECT account_id, purchase_order_number, item_sequence_number, asin, vendor_sku,
           received_quantity * coalesce(received_unit_size, 1), net_cost, currency, selling_party_id, ship_to_party_id
    FROM latest
    WHERE newest = 1 AND received_quantity > 0
      AND purchase_order_number NOT IN (SELECT identifier_value FROM raw.vendor_invoice_related_ids
                                        WHERE identifier_name = 'PURCHASE_ORDER_IDS')
      AND purchase_order_number NOT IN (SELECT purchase_order_number FROM raw.vendor_central_invoices
                                        WHERE purchase_order_number IS NOT NULL)
      AND purchase_order_number NOT IN (SELECT purchase_order_number FROM raw.vendor_invoice_submission_items)
    ORDER BY purchase_order_number, item_sequence_number
"""


def uninvoiced_receipts(conn: duckdb.DuckDBPyConnection, account_id: str) -> list[Receipt]:
    return [Receipt(*row) for row in conn.execute(_UNINVOICED, [account_id]).fetchall()]


def _amount_text(amount: Decimal) -> str:
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else format(amount.normalize(), "f")


def build_invoices(receipts: list[Receipt], config: VendorConfig, invoice_date: date) -> list[dict]:
    """One submitInvoices `Invoice` per PO (vendorInvoices model), items in PO item order."""
    by_po: dict[str, list[Receipt]] = defaultdict(list)
    for receipt in receipts:
        by_po[receipt.purchase_order_number].append(receipt)
    invoices = []
    for po, lines in by_po.items():
        vendor = config.by_vendor_code(lines[0].vendor_code)
        if vendor is None:
            raise ValueError(f"PO {po}: vendor code {lines[0].vendor_code!r} is not in the vendor configuration")
        terms = vendor.payment_terms
        total = sum(((r.net_cost * r.received_eaches).quantize(CENT, ROUND_HALF_UP) for r in lines), Decimal("0"))
        invoices.append({
            "invoiceType": "Invoice",
            "id": f"{config.invoice_prefix}{po}",
            "date": f"{invoice_date.isoformat()}T00:00:00Z",
            "remitToParty": {"partyId": vendor.remit_to_party_id},
            "billToParty": {"partyId": vendor.bill_to_party_id},
            **({"shipToParty": {"partyId": lines[0].ship_to_party_id}} if lines[0].ship_to_party_id else {}),
            "paymentTerms": {"type": terms.type, "discountPercent": _amount_text(terms.discount_percent),
                             "discountDueDays": terms.discount_due_days, "netDueDays": terms.net_due_days},
            "invoiceTotal": {"currencyCode": vendor.currency, "amount": _amount_text(total)},
            "items": [
                {"itemSequenceNumber": position, "amazonProductIdentifier": r.asin,
                 "vendorProductIdentifier": r.vendor_sku,
                 "invoicedQuantity": {"amount": r.received_eaches, "unitOfMeasure": "Eaches", "unitSize": 1},
                 "netCost": {"currencyCode": r.currency, "amount": _amount_text(r.net_cost)},
                 "purchaseOrderNumber": po}
                for position, r in enumerate(lines, start=1)
            ],
        })
    return invoices


def export_json(invoices: list[dict]) -> bytes:
    """The submitInvoices request body, as submitted (and archived by its SHA-256)."""
    return (json.dumps({"invoices": invoices}, indent=2, sort_keys=True) + "\n").encode("utf-8")


EXPORT_COLUMNS = ("Invoice ID", "Invoice Date", "Remit To", "Bill To", "Ship To", "Terms Type", "Net Due Days",
                  "Discount %", "Discount Due Days", "Invoice Total", "Currency", "Item", "PO Number", "ASIN",
                  "Vendor SKU", "Invoiced Quantity", "Net Cost")


def export_xlsx(invoices: list[dict]) -> bytes:
    """One row per invoice item, for review or upload by hand; amounts as exact text, never floats."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoices"
    sheet.append(list(EXPORT_COLUMNS))
    for invoice in invoices:
        terms = invoice["paymentTerms"]
        for item in invoice["items"]:
            sheet.append([invoice["id"], invoice["date"][:10], invoice["remitToParty"]["partyId"],
                          invoice["billToParty"]["partyId"], (invoice.get("shipToParty") or {}).get("partyId"),
                          terms["type"], terms["netDueDays"], terms["discountPercent"], terms["discountDueDays"],
                          invoice["invoiceTotal"]["amount"], invoice["invoiceTotal"]["currencyCode"],
                          item["itemSequenceNumber"], item["purchaseOrderNumber"], item["amazonProductIdentifier"],
                          item["vendorProductIdentifier"], item["invoicedQuantity"]["amount"], item["netCost"]["amount"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_built(conn: duckdb.DuckDBPyConnection, account_id: str, invoices: list[dict], payload: bytes,
                 archive_dir, built_at: datetime, marketplace_ids: dict[str, str]) -> str:
    """Archive the batch body and record its invoices in raw.vendor_invoice_submissions (+ items)."""
    sha = archive.sha256_of(payload)
    archive.store(archive_dir, payload, sha)
    heads, items = [], []
    for invoice in invoices:
        terms, lines = invoice["paymentTerms"], invoice["items"]
        heads.append({
            "account_id": account_id, "invoice_id": invoice["id"], "invoice_date": date.fromisoformat(invoice["date"][:10]),
            "marketplace_id": marketplace_ids.get(invoice["remitToParty"]["partyId"]),
            "selling_party_id": invoice["remitToParty"]["partyId"], "bill_to_party_id": invoice["billToParty"]["partyId"],
            "ship_to_party_id": (invoice.get("shipToParty") or {}).get("partyId"),
            "purchase_order_numbers": ",".join(dict.fromkeys(i["purchaseOrderNumber"] for i in lines)),
            "invoice_total": Decimal(invoice["invoiceTotal"]["amount"]), "currency": invoice["invoiceTotal"]["currencyCode"],
            "payment_terms_type": terms["type"], "discount_percent": Decimal(terms["discountPercent"]),
            "discount_due_days": terms["discountDueDays"], "net_due_days": terms["netDueDays"], "item_count": len(lines),
            "payload_sha256": sha, "built_at": built_at,
        })
        items += [{
            "account_id": account_id, "invoice_id": invoice["id"], "item_sequence_number": i["itemSequenceNumber"],
            "purchase_order_number": i["purchaseOrderNumber"], "asin": i["amazonProductIdentifier"],
            "vendor_sku": i["vendorProductIdentifier"], "invoiced_quantity": i["invoicedQuantity"]["amount"],
            "net_cost": Decimal(i["netCost"]["amount"]),
            "amount": (Decimal(i["netCost"]["amount"]) * i["invoicedQuantity"]["amount"]).quantize(CENT, ROUND_HALF_UP),
            "currency": i["netCost"]["currencyCode"],
        } for i in lines]
    write_rows(conn, "raw.vendor_invoice_submissions", heads, on_conflict="ignore")
    write_rows(conn, "raw.vendor_invoice_submission_items", items, on_conflict="ignore")
    return sha


def _paced(clients: VendorClients, pacer: Pacer, policy: RetryPolicy) -> ApiCaller:
    return ApiCaller(clients.account.account_id, pacer, policy, clients.refresh_access_token)


def submit(conn: duckdb.DuckDBPyConnection, clients: VendorClients, invoices: list[dict], *, pacer: Pacer,
           policy: RetryPolicy, now: datetime) -> str:
    """Submit one batch (all `invoices` must already be recorded); returns Amazon's transaction id."""
    call = _paced(clients, pacer, policy)
    response = call("submitInvoices", lambda: clients.invoices.submit_invoices({"invoices": invoices}))
    transaction_id = response.payload["transactionId"]
    conn.execute(
        "UPDATE raw.vendor_invoice_submissions SET submitted_at = ?, transaction_id = ?, transaction_status = "
        "'Processing' WHERE account_id = ? AND invoice_id IN (SELECT unnest(?::VARCHAR[]))",
        [now, transaction_id, clients.account.account_id, [i["id"] for i in invoices]])
    return transaction_id


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
