"""Vendor configuration: per marketplace, the vendor code, parties and the payment terms of own invoices.

Shape (JSON; `acorn generate` writes one as `.vendor_config.json`):
{"invoice_prefix": "ACORN-", "vendors": [{"account_id", "region", "marketplace_id", "marketplace_name", "vendor_code",
 "currency", "bill_to_party_id", "remit_to_party_id", "payment_terms": {"type", "net_due_days", "discount_percent",
 "discount_due_days"}, "tax_registration_type", "tax_registration_number", "legal_name"}]}
The tax registration (VAT id in the EU, GST/HST number in Canada, the qualified-invoice number T+13 digits in Japan)
is what the invoice-compliance rules (`dbt_project/seeds/vendor_invoice_rules.csv`) require per marketplace.
Credentials are not here: vendor accounts use `connectors.spapi.accounts` like seller accounts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

TERM_TYPES = ("Basic", "EndOfMonth", "FixedDate", "Proximo", "PaymentDueUponReceiptOfInvoice", "LetterofCredit")


@dataclass(frozen=True)
class PaymentTerms:
    type: str
    net_due_days: int
    discount_percent: Decimal = Decimal("0")
    discount_due_days: int = 0


@dataclass(frozen=True)
class VendorMarketplaceConfig:
    account_id: str
    region: str
    marketplace_id: str
    marketplace_name: str
    vendor_code: str
    currency: str
    bill_to_party_id: str
    remit_to_party_id: str
    payment_terms: PaymentTerms
    tax_registration_type: str | None = None     # VAT / GST / HST / JCT ...
    tax_registration_number: str | None = None
    legal_name: str | None = None


@dataclass(frozen=True)
class VendorConfig:
    vendors: tuple[VendorMarketplaceConfig, ...]
    invoice_prefix: str = "ACORN-"

    def by_vendor_code(self, vendor_code: str | None) -> VendorMarketplaceConfig | None:
        return next((v for v in self.vendors if v.vendor_code == vendor_code), None)

    def marketplaces_of(self, account_id: str) -> dict[str, str]:
        """vendor code → marketplace id, for one account."""
        return {v.vendor_code: v.marketplace_id for v in self.vendors if v.account_id == account_id}


def parse_vendor_config(data: bytes) -> VendorConfig:
    raw = json.loads(data)
    vendors = []
    for entry in raw.get("vendors", []):
        terms = entry.get("payment_terms") or {}
        if terms.get("type", "Basic") not in TERM_TYPES:
            raise ValueError(f"vendor {entry.get('vendor_code')}: payment terms type must be one of {TERM_TYPES}")
        vendors.append(VendorMarketplaceConfig(
            account_id=entry["account_id"], region=entry["region"], marketplace_id=entry["marketplace_id"],
            marketplace_name=entry["marketplace_name"], vendor_code=entry["vendor_code"],
            currency=entry["currency"].upper(), bill_to_party_id=entry.get("bill_to_party_id", ""),
            remit_to_party_id=entry.get("remit_to_party_id") or entry["vendor_code"],
            payment_terms=PaymentTerms(terms.get("type", "Basic"), int(terms["net_due_days"]),
                                       Decimal(str(terms.get("discount_percent", "0"))),
                                       int(terms.get("discount_due_days", 0))),
            tax_registration_type=(entry.get("tax_registration_type") or None),
            tax_registration_number=(str(entry.get("tax_registration_number") or "").strip() or None),
            legal_name=entry.get("legal_name") or None,
        ))
    return VendorConfig(tuple(vendors), raw.get("invoice_prefix", "ACORN-"))


def load_vendor_config(path: Path) -> VendorConfig:
    return parse_vendor_config(Path(path).read_bytes())
