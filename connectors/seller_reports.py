"""Pure parsers for the seller "money at risk" reports, as Amazon delivers them (tab-separated flat files):

- GET_FBA_REIMBURSEMENTS_DATA                 -> kind `fba_reimbursements`
- GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA   -> kind `fba_customer_returns`
- GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE   -> kind `seller_fulfilled_returns`

Columns are found by header name (case-insensitive), never by position. Each kind lists the columns it stores,
the columns it knows and deliberately drops (buyer names, addresses, free-text comments, product titles: personal
or useless for money), and anything else is an *unknown* column: its values are not kept, its name is reported
(the loader records it in `audit.report_unknown_columns`, and the alerts mart raises `report_columns_changed`).
Money parses to Decimal; a value that does not parse comes back as None with its text kept for validation.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.parsing import (
    ParseError,
    blank_to_none,
    decode_text,
    detect_day_first,
    detect_decimal_comma,
    parse_int,
    parse_money,
    parse_timestamp,
    physical_lines,
    sniff_delimiter,
)

REIMBURSEMENTS_KIND = "fba_reimbursements"
CUSTOMER_RETURNS_KIND = "fba_customer_returns"
SELLER_RETURNS_KIND = "seller_fulfilled_returns"
KINDS = (REIMBURSEMENTS_KIND, CUSTOMER_RETURNS_KIND, SELLER_RETURNS_KIND)
REPORT_TYPES = {
    REIMBURSEMENTS_KIND: "GET_FBA_REIMBURSEMENTS_DATA",
    CUSTOMER_RETURNS_KIND: "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    SELLER_RETURNS_KIND: "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
}
TABLES = {
    REIMBURSEMENTS_KIND: "raw.fba_reimbursements",
    CUSTOMER_RETURNS_KIND: "raw.fba_customer_returns",
    SELLER_RETURNS_KIND: "raw.seller_fulfilled_returns",
}

# Value types: text, money (Decimal, 2 places), int, timestamp (naive UTC), flag (Y/Yes/true -> True).
TEXT, MONEY, INT, TIMESTAMP, FLAG = "text", "money", "int", "timestamp", "flag"


@dataclass(frozen=True)
class Column:
    header: str          # Amazon's column name, lower case
    name: str            # the raw table's column
    type: str = TEXT


@dataclass(frozen=True)
class ReportSpec:
    kind: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]           # headers that identify the kind (and must be present)
    dropped: tuple[str, ...] = ()       # known headers whose values are never stored

    @property
    def known(self) -> frozenset[str]:
        return frozenset(c.header for c in self.columns) | frozenset(self.dropped)


# Amazon's documented columns (developer-docs.amazon.com/sp-api/docs/report-type-values-fba and
# .../returns-reports-attributes).
REIMBURSEMENTS = ReportSpec(
    REIMBURSEMENTS_KIND,
    (
        Column("approval-date", "approved_at", TIMESTAMP),
        Column("reimbursement-id", "reimbursement_id"),
        Column("case-id", "case_id"),
        Column("amazon-order-id", "amazon_order_id"),
        Column("reason", "reason"),
        Column("sku", "sku"),
        Column("fnsku", "fnsku"),
        Column("asin", "asin"),
        Column("condition", "condition"),
        Column("currency-unit", "currency"),
        Column("amount-per-unit", "amount_per_unit", MONEY),
        Column("amount-total", "amount_total", MONEY),
        Column("quantity-reimbursed-cash", "quantity_reimbursed_cash", INT),
        Column("quantity-reimbursed-inventory", "quantity_reimbursed_inventory", INT),
        Column("quantity-reimbursed-total", "quantity_reimbursed_total", INT),
        Column("original-reimbursement-id", "original_reimbursement_id"),
        Column("original-reimbursement-type", "original_reimbursement_type"),
    ),
    required=("approval-date", "reimbursement-id", "amount-total", "quantity-reimbursed-total"),
    dropped=("product-name",),
)
CUSTOMER_RETURNS = ReportSpec(
    CUSTOMER_RETURNS_KIND,
    (
        Column("return-date", "returned_at", TIMESTAMP),
        Column("order-id", "order_id"),
        Column("sku", "sku"),
        Column("asin", "asin"),
        Column("fnsku", "fnsku"),
        Column("quantity", "quantity", INT),
        Column("fulfillment-center-id", "fulfillment_center_id"),
        Column("detailed-disposition", "detailed_disposition"),
        Column("reason", "reason"),
        Column("status", "status"),
        Column("license-plate-number", "license_plate_number"),
    ),
    required=("return-date", "order-id", "detailed-disposition", "fulfillment-center-id"),
    dropped=("product-name", "customer-comments"),
)
SELLER_RETURNS = ReportSpec(
    SELLER_RETURNS_KIND,
    (
        Column("order id", "order_id"),
        Column("order date", "ordered_at", TIMESTAMP),
        Column("return request date", "return_requested_at", TIMESTAMP),
        Column("return request status", "return_request_status"),
        Column("amazon rma id", "amazon_rma_id"),
        Column("merchant rma id", "merchant_rma_id"),
        Column("label type", "label_type"),
        Column("label cost", "label_cost", MONEY),
        Column("currency code", "currency"),
        Column("return carrier", "return_carrier"),
        Column("tracking id", "tracking_id"),
        Column("label to be paid by", "label_to_be_paid_by"),
        Column("a-to-z claim", "is_a_to_z_claim", FLAG),
        Column("is prime", "is_prime", FLAG),
        Column("asin", "asin"),
        Column("merchant sku", "merchant_sku"),
        Column("return quantity", "return_quantity", INT),
        Column("return reason", "return_reason"),
        Column("in policy", "in_policy", FLAG),
        Column("return type", "return_type"),
        Column("resolution", "resolution"),
        Column("invoice number", "invoice_number"),
        Column("return delivery date", "return_delivered_at", TIMESTAMP),
        Column("order amount", "order_amount", MONEY),
        Column("order quantity", "order_quantity", INT),
        Column("safet action reason", "safet_action_reason"),
        Column("safet claim id", "safet_claim_id"),
        Column("safet claim state", "safet_claim_state"),
        Column("safet claim creation time", "safet_claim_created_at", TIMESTAMP),
        Column("safet claim reimbursement amount", "safet_reimbursement_amount", MONEY),
        Column("refunded amount", "refunded_amount", MONEY),
    ),
    required=("order id", "return request date", "a-to-z claim", "safet claim id"),
    # Item Name is a product title; the buyer columns some marketplaces add are personal data.
    dropped=("item name", "category", "buyer name", "buyer email", "buyer phone", "customer comments",
             "ship to address", "address"),
)
SPECS = {spec.kind: spec for spec in (REIMBURSEMENTS, CUSTOMER_RETURNS, SELLER_RETURNS)}

# An unknown column whose name says it holds personal data is reported as such, its values never kept.
_PERSONAL_HINTS = ("buyer", "customer", "name", "address", "comment", "email", "phone")


@dataclass(frozen=True)
class SellerReport:
    kind: str
    columns: list[str]                       # the file's header, lower case, in order
    rows: list[dict[str, Any]]               # raw-table columns + source_line + <name>_text for typed fields
    unknown_columns: list[str] = field(default_factory=list)


def kind_of(columns: list[str]) -> str | None:
    """Which seller report a header row belongs to, else None."""
    present = set(columns)
    for spec in SPECS.values():
        if set(spec.required) <= present:
            return spec.kind
    return None


def is_personal(column: str) -> bool:
    return any(hint in column for hint in _PERSONAL_HINTS)


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    if not value:
        return None
    return value in ("y", "yes", "true", "1")


def parse_seller_report(data: bytes, kind: str | None = None) -> SellerReport:
    lines = physical_lines(decode_text(data))
    delimiter = sniff_delimiter(lines)
    header = [name.strip().strip('"').lower() for name in lines[0].split(delimiter)]
    kind = kind or kind_of(header)
    if kind is None:
        raise ParseError(1, "header is not an FBA reimbursements, FBA customer returns or returns report header")
    spec = SPECS[kind]
    missing = [c for c in spec.required if c not in header]
    if missing:
        raise ParseError(1, f"{kind} header lacks column(s): {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ParseError(1, "a column name appears twice in the header")
    positions = {name: i for i, name in enumerate(header)}
    wanted = [c for c in spec.columns if c.header in positions]
    records: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split(delimiter)
        if len(fields) != len(header):
            raise ParseError(number, f"row has {len(fields)} fields, the header has {len(header)}")
        records.append((number, [f.strip() for f in fields]))

    def values(header_name: str) -> list[str]:
        return [fields[positions[header_name]] for _, fields in records] if header_name in positions else []

    money_values = [v for c in wanted if c.type == MONEY for v in values(c.header)]
    currency_header = next((c.header for c in wanted if c.name == "currency"), None)
    currencies = values(currency_header) if currency_header else []
    decimal_comma = detect_decimal_comma(money_values, currencies[0] if currencies else None)
    date_values = [v for c in wanted if c.type == TIMESTAMP for v in values(c.header)]
    day_first = detect_day_first(date_values, decimal_comma)
    convert: dict[str, Callable[[str], Any]] = {
        TEXT: blank_to_none,
        MONEY: lambda text: parse_money(text, decimal_comma),
        INT: parse_int,
        TIMESTAMP: lambda text: parse_timestamp(text, day_first),
        FLAG: _flag,
    }
    rows = []
    for number, fields in records:
        row: dict[str, Any] = {c.name: None for c in spec.columns}
        for column in wanted:
            text = fields[positions[column.header]]
            value = convert[column.type](text)
            row[column.name] = value.upper() if column.name == "currency" and value else value
            if column.type != TEXT:
                row[f"{column.name}_text"] = text
        row["source_line"] = number
        rows.append(row)
    unknown = [name for name in header if name and name not in spec.known]
    return SellerReport(kind, header, rows, unknown)


def stored_columns(kind: str) -> list[str]:
    """The raw table's data columns for `kind`, in order (without source_file_sha256 / source_line)."""
    return [c.name for c in SPECS[kind].columns]


def money_columns(kind: str) -> list[str]:
    return [c.name for c in SPECS[kind].columns if c.type == MONEY]


def timestamp_columns(kind: str) -> list[str]:
    return [c.name for c in SPECS[kind].columns if c.type == TIMESTAMP]

