"""Own invoices from the warehouse: the PO lines `marts.fct_vendor_invoice_candidates` says still wait for an
invoice, turned into submitInvoices payloads and exported for review (JSON as submitted, XLSX for people).

What counts as invoiced is decided in dbt only (the mart is also what the received_not_invoiced alert sums), so a
partly invoiced PO is offered exactly its remaining lines and quantities. One invoice per PO at the line's net cost,
with the vendor's payment terms and parties from the vendor configuration. Whether a line may be invoiced at all is
decided in dbt too (`marts.fct_vendor_invoice_compliance`, rules per marketplace country): a line failing a rule is
held back with its reasons, and a compliant line carries its tax (VAT, GST, consumption tax) from there.
"""
from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import duckdb
from openpyxl import Workbook

from connectors.vendor.config import VendorConfig
from outbound.spreadsheet_safety import neutralise_row

CENT = Decimal("0.01")
CANDIDATES = "marts.fct_vendor_invoice_candidates"
COMPLIANCE = "marts.fct_vendor_invoice_compliance"


@dataclass(frozen=True)
class Candidate:
    """One PO line's units still to invoice (a row of the candidates mart)."""

    account_id: str
    marketplace_id: str | None
    vendor_code: str
    ship_to_party_id: str | None
    purchase_order_number: str
    item_sequence_number: str
    asin: str | None
    vendor_sku: str | None
    quantity_to_invoice: int
    net_cost: Decimal
    currency: str
    amount_to_invoice: Decimal
    invoices_naming_po: int


_COLUMNS = ", ".join(f.name for f in Candidate.__dataclass_fields__.values())


def read_candidates(conn: duckdb.DuckDBPyConnection, account_id: str) -> list[Candidate]:
    try:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM {CANDIDATES} WHERE account_id = ? "
            # PO item sequence numbers are text: '10' sorts after '9'
            "ORDER BY purchase_order_number, try_cast(item_sequence_number AS INTEGER) NULLS LAST, item_sequence_number",
            [account_id]).fetchall()
    except duckdb.CatalogException:
        raise LookupError(f"the warehouse has no {CANDIDATES} yet: run `acorn run` first") from None
    return [Candidate(*row) for row in rows]


@dataclass(frozen=True)
class LineCompliance:
    """The compliance verdict of one candidate line: its tax, and the reasons (one per failed rule) it is held back."""

    tax_type: str | None
    tax_rate: Decimal | None
    tax_amount: Decimal | None
    tax_registration_number: str | None
    reasons: tuple[str, ...]

    @property
    def held_back(self) -> bool:
        return bool(self.reasons)


def read_compliance(conn: duckdb.DuckDBPyConnection, account_id: str) -> dict[tuple[str, str], LineCompliance]:
    """(PO, item sequence number) → verdict; empty when the warehouse predates the compliance mart."""
    try:
        rows = conn.execute(
            f"SELECT purchase_order_number, item_sequence_number, api_tax_type, tax_rate, tax_amount, "
            f"tax_registration_number, reason FROM {COMPLIANCE} WHERE account_id = ? ORDER BY rule",
            [account_id]).fetchall()
    except duckdb.CatalogException:
        return {}
    verdicts: dict[tuple[str, str], LineCompliance] = {}
    for po, line, tax_type, rate, amount, registration, reason in rows:
        known = verdicts.get((po, line))
        reasons = (known.reasons if known else ()) + ((reason,) if reason else ())
        verdicts[(po, line)] = LineCompliance(tax_type, rate, amount, registration, reasons)
    return verdicts


@dataclass(frozen=True)
class HeldBack:
    candidate: Candidate
    reasons: tuple[str, ...]


def split_held_back(candidates: list[Candidate], compliance: dict[tuple[str, str], LineCompliance]
                    ) -> tuple[list[Candidate], list[HeldBack]]:
    """The lines that may be invoiced, and those a compliance rule holds back (with one reason per failed rule).
    A PO with any held-back line is held back whole: half an invoice would need a second number later."""
    held_pos = {po for (po, _), verdict in compliance.items() if verdict.held_back}
    ready = [c for c in candidates if c.purchase_order_number not in held_pos]
    held = [HeldBack(c, compliance.get((c.purchase_order_number, c.item_sequence_number),
                                       LineCompliance(None, None, None, None, ())).reasons
                     or ("another line of this PO is held back",))
            for c in candidates if c.purchase_order_number in held_pos]
    return ready, held


def _amount_text(amount: Decimal) -> str:
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else format(amount.normalize(), "f")


def invoice_id(prefix: str, candidate: Candidate) -> str:
    """prefix + PO for a PO's first invoice; a later one for its remaining lines gets -2, -3, ..."""
    suffix = f"-{candidate.invoices_naming_po + 1}" if candidate.invoices_naming_po else ""
    return f"{prefix}{candidate.purchase_order_number}{suffix}"


def _tax_details(candidate: Candidate, verdict: LineCompliance | None) -> dict:
    if verdict is None or verdict.tax_amount is None:
        return {}
    return {"taxDetails": [{"taxType": verdict.tax_type or "MutuallyDefined",
                            "taxRate": _amount_text(verdict.tax_rate),
                            "taxAmount": {"currencyCode": candidate.currency, "amount": _amount_text(verdict.tax_amount)},
                            "taxableAmount": {"currencyCode": candidate.currency,
                                              "amount": _amount_text(candidate.amount_to_invoice)}}]}


def _remit_to(vendor) -> dict:
    party: dict = {"partyId": vendor.remit_to_party_id}
    if vendor.tax_registration_number:
        kind = "GST" if (vendor.tax_registration_type or "").upper() in ("GST", "HST") else "VAT"
        party["taxRegistrationDetails"] = [{"taxRegistrationType": kind,
                                            "taxRegistrationNumber": vendor.tax_registration_number}]
    return party


def build_invoices(candidates: list[Candidate], config: VendorConfig, invoice_date: date,
                   compliance: dict[tuple[str, str], LineCompliance] | None = None) -> list[dict]:
    """One submitInvoices `Invoice` per PO (vendorInvoices model), items in PO item order; with `compliance`, each
    item carries its tax and the total includes it."""
    compliance = compliance or {}
    by_po: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_po[candidate.purchase_order_number].append(candidate)
    invoices = []
    for po, lines in by_po.items():
        vendor = config.by_vendor_code(lines[0].vendor_code)
        if vendor is None:
            raise ValueError(f"PO {po}: vendor code {lines[0].vendor_code!r} is not in the vendor configuration")
        terms = vendor.payment_terms
        total = sum(((c.net_cost * c.quantity_to_invoice).quantize(CENT, ROUND_HALF_UP) for c in lines), Decimal("0"))
        taxes = [compliance.get((po, c.item_sequence_number)) for c in lines]
        total += sum((t.tax_amount for t in taxes if t is not None and t.tax_amount is not None), Decimal("0"))
        invoices.append({
            "invoiceType": "Invoice",
            "id": invoice_id(config.invoice_prefix, lines[0]),
            "date": f"{invoice_date.isoformat()}T00:00:00Z",
            "remitToParty": _remit_to(vendor),
            "billToParty": {"partyId": vendor.bill_to_party_id},
            **({"shipToParty": {"partyId": lines[0].ship_to_party_id}} if lines[0].ship_to_party_id else {}),
            "paymentTerms": {"type": terms.type, "discountPercent": _amount_text(terms.discount_percent),
                             "discountDueDays": terms.discount_due_days, "netDueDays": terms.net_due_days},
            "invoiceTotal": {"currencyCode": vendor.currency, "amount": _amount_text(total)},
            "items": [
                {"itemSequenceNumber": position, "amazonProductIdentifier": c.asin,
                 "vendorProductIdentifier": c.vendor_sku,
                 "invoicedQuantity": {"amount": c.quantity_to_invoice, "unitOfMeasure": "Eaches", "unitSize": 1},
                 "netCost": {"currencyCode": c.currency, "amount": _amount_text(c.net_cost)},
                 "purchaseOrderNumber": po, **_tax_details(c, tax)}
                for position, (c, tax) in enumerate(zip(lines, taxes), start=1)
            ],
        })
    return invoices


def po_item_sequence_numbers(candidates: list[Candidate], invoices: list[dict]) -> dict[str, list[str]]:
    """Invoice id → the PO line of each of its items (submitInvoices has no field for it; the record keeps it)."""
    by_po: dict[str, list[str]] = defaultdict(list)
    for candidate in candidates:
        by_po[candidate.purchase_order_number].append(candidate.item_sequence_number)
    return {i["id"]: by_po[i["items"][0]["purchaseOrderNumber"]] for i in invoices}


def export_json(invoices: list[dict]) -> bytes:
    """The submitInvoices request body, as submitted (and archived by its SHA-256)."""
    return (json.dumps({"invoices": invoices}, indent=2, sort_keys=True) + "\n").encode("utf-8")


HELD_BACK_COLUMNS = ("PO Number", "Item", "ASIN", "Vendor SKU", "Quantity", "Amount", "Currency", "Reason")


def held_back_rows(held: list[HeldBack]) -> list[list]:
    """One row per held-back line and reason."""
    return [[h.candidate.purchase_order_number, h.candidate.item_sequence_number, h.candidate.asin,
             h.candidate.vendor_sku, h.candidate.quantity_to_invoice, _amount_text(h.candidate.amount_to_invoice),
             h.candidate.currency, reason] for h in held for reason in h.reasons]


def export_held_back_json(held: list[HeldBack]) -> bytes:
    """The held-back lines with their reasons, beside the submitInvoices body (which must hold only invoices)."""
    return (json.dumps({"heldBack": [dict(zip(HELD_BACK_COLUMNS, row)) for row in held_back_rows(held)]},
                       indent=2, ensure_ascii=False) + "\n").encode("utf-8")


EXPORT_COLUMNS = ("Invoice ID", "Invoice Date", "Remit To", "Bill To", "Ship To", "Terms Type", "Net Due Days",
                  "Discount %", "Discount Due Days", "Invoice Total", "Currency", "Item", "PO Number", "ASIN",
                  "Vendor SKU", "Invoiced Quantity", "Net Cost", "Tax Type", "Tax Rate", "Tax Amount")


def _tax_cells(item: dict) -> list:
    tax = (item.get("taxDetails") or [{}])[0]
    return [tax.get("taxType"), tax.get("taxRate"), (tax.get("taxAmount") or {}).get("amount")]


def export_xlsx(invoices: list[dict], held: list[HeldBack] | None = None) -> bytes:
    """One row per invoice item, for review or upload by hand; amounts as exact text, never floats. A second sheet
    "Held back" lists the lines a compliance rule keeps out, one row per reason."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Invoices"
    sheet.append(list(EXPORT_COLUMNS))
    for invoice in invoices:
        terms = invoice["paymentTerms"]
        for item in invoice["items"]:
            sheet.append(neutralise_row([invoice["id"], invoice["date"][:10], invoice["remitToParty"]["partyId"],
                          invoice["billToParty"]["partyId"], (invoice.get("shipToParty") or {}).get("partyId"),
                          terms["type"], terms["netDueDays"], terms["discountPercent"], terms["discountDueDays"],
                          invoice["invoiceTotal"]["amount"], invoice["invoiceTotal"]["currencyCode"],
                          item["itemSequenceNumber"], item["purchaseOrderNumber"], item["amazonProductIdentifier"],
                          item["vendorProductIdentifier"], item["invoicedQuantity"]["amount"], item["netCost"]["amount"],
                          *_tax_cells(item)]))
    if held:
        blocked = book.create_sheet("Held back")
        blocked.append(list(HELD_BACK_COLUMNS))
        for row in held_back_rows(held):
            blocked.append(neutralise_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
