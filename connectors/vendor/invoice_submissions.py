"""The record of one own-invoice submission: the submitInvoices body as submitted and what Amazon answered.

`acorn vendor-invoices --submit` writes one such JSON document per accepted submitInvoices call and hands it to
the loader like any dropped file, so it is archived by SHA-256, listed in `audit.file_loads` and replayed by a
rebuild; nothing writes `raw.vendor_invoice_submissions` (+ items) but the loader. Amazon's later verdicts on the
transaction (vendorTransactionStatus) are API answers like the vendor sync's and are asked again after a rebuild.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from connectors.parsing import ParseError

SUBMISSION_KIND = "vendor_invoice_submission"
# The document's own marker: detection is by content, and no SP-API response carries this key.
_MARKER = "acorn_vendor_invoice_submission"
_VERSION = 1
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SubmissionRows:
    invoices: list[dict[str, Any]]   # raw.vendor_invoice_submissions
    items: list[dict[str, Any]]      # raw.vendor_invoice_submission_items


def render_submission(
    *,
    account_id: str,
    body: dict[str, Any],
    body_sha256: str,
    built_at: datetime,
    submitted_at: datetime,
    transaction_id: str,
    marketplace_ids: dict[str, str | None],
    po_item_sequence_numbers: dict[str, list[str | None]],
) -> bytes:
    """The document for one submitted body. `marketplace_ids` and `po_item_sequence_numbers` are keyed by invoice id
    (the latter one entry per invoice item, in item order): the body itself has no field for either."""
    return (json.dumps({
        _MARKER: _VERSION,
        "account_id": account_id,
        "transaction_id": transaction_id,
        "transaction_status": "Processing",
        "built_at": built_at.isoformat(),
        "submitted_at": submitted_at.isoformat(),
        "payload_sha256": body_sha256,
        "marketplace_ids": marketplace_ids,
        "po_item_sequence_numbers": po_item_sequence_numbers,
        "submit_invoices_request": body,
    }, indent=2, sort_keys=True) + "\n").encode("utf-8")


def is_submission(data: bytes) -> bool:
    head = data[:4096].lstrip()
    if not head.startswith(b"{") or _MARKER.encode() not in head:
        return False
    try:
        document = json.loads(data)
    except ValueError:
        return False
    return isinstance(document, dict) and _MARKER in document


def parse_submission(data: bytes) -> SubmissionRows:
    """Rows for raw.vendor_invoice_submissions and its items; amounts as Decimal from their JSON text."""
    try:
        document = json.loads(data, parse_float=Decimal)
        account_id = document["account_id"]
        invoices = document["submit_invoices_request"]["invoices"]
        built_at = datetime.fromisoformat(document["built_at"])
        submitted_at = datetime.fromisoformat(document["submitted_at"])
        heads, items = [], []
        for invoice in invoices:
            terms, lines = invoice["paymentTerms"], invoice["items"]
            po_items = document["po_item_sequence_numbers"].get(invoice["id"]) or [None] * len(lines)
            heads.append({
                "account_id": account_id, "invoice_id": invoice["id"],
                "invoice_date": date.fromisoformat(invoice["date"][:10]),
                "marketplace_id": document["marketplace_ids"].get(invoice["id"]),
                "selling_party_id": invoice["remitToParty"]["partyId"],
                "bill_to_party_id": invoice["billToParty"]["partyId"],
                "ship_to_party_id": (invoice.get("shipToParty") or {}).get("partyId"),
                "purchase_order_numbers": ",".join(dict.fromkeys(i["purchaseOrderNumber"] for i in lines)),
                "invoice_total": Decimal(invoice["invoiceTotal"]["amount"]),
                "currency": invoice["invoiceTotal"]["currencyCode"],
                "payment_terms_type": terms["type"], "discount_percent": Decimal(terms["discountPercent"]),
                "discount_due_days": terms["discountDueDays"], "net_due_days": terms["netDueDays"],
                "item_count": len(lines), "payload_sha256": document["payload_sha256"], "built_at": built_at,
                "submitted_at": submitted_at, "transaction_id": document["transaction_id"],
                "transaction_status": document["transaction_status"], "transaction_errors": None,
                "status_checked_at": None,
            })
            for item, po_item in zip(lines, po_items, strict=True):
                quantity, net_cost = item["invoicedQuantity"]["amount"], Decimal(item["netCost"]["amount"])
                items.append({
                    "account_id": account_id, "invoice_id": invoice["id"],
                    "item_sequence_number": item["itemSequenceNumber"],
                    "purchase_order_number": item["purchaseOrderNumber"], "po_item_sequence_number": po_item,
                    "asin": item.get("amazonProductIdentifier"), "vendor_sku": item.get("vendorProductIdentifier"),
                    "invoiced_quantity": quantity, "net_cost": net_cost,
                    "amount": (net_cost * quantity).quantize(CENT, ROUND_HALF_UP),
                    "currency": item["netCost"]["currencyCode"], "source_line": len(items) + 1,
                })
    except (ValueError, KeyError, TypeError, AttributeError) as problem:
        raise ParseError(None, f"not a readable invoice submission record ({type(problem).__name__}: {problem})") from None
    return SubmissionRows(heads, items)
