"""Pure parsers for Amazon settlement flat files: V2 (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) and legacy V1.

Columns are found by header name, never by position: the column set changes from file to file.
The first data row is the summary row (settlement id, period, deposit date, total, currency).
V1 rows carry several amount columns; each non-empty one becomes its own `SettlementLine`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.parsing import (
    ParseError,
    blank_to_none,
    decode_text,
    detect_day_first,
    detect_decimal_comma,
    header_index,
    parse_decimal,
    parse_int,
    parse_timestamp,
    physical_lines,
)

SUMMARY_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
)
_SHARED_COLUMNS = SUMMARY_COLUMNS + (
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "fulfillment-id", "posted-date", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id",
    "sku", "quantity-purchased",
)
V2_COLUMNS = _SHARED_COLUMNS + ("amount-type", "amount-description", "amount", "posted-date-time")

# V1 amount column -> (V2 amount-type, column holding the amount-description), per docs/architecture.md.
V1_AMOUNT_COLUMNS: dict[str, tuple[str, str]] = {
    "price-amount": ("ItemPrice", "price-type"),
    "item-related-fee-amount": ("ItemFees", "item-related-fee-type"),
    "shipment-fee-amount": ("ShipmentFees", "shipment-fee-type"),
    "order-fee-amount": ("OrderFees", "order-fee-type"),
    "promotion-amount": ("Promotion", "promotion-type"),
    "direct-payment-amount": ("DirectPayment", "direct-payment-type"),
    "misc-fee-amount": ("MiscFees", "transaction-type"),
    "other-fee-amount": ("OtherFees", "other-fee-reason-description"),
    "other-amount": ("other-transaction", "transaction-type"),
}
# As in the genuine files; the three promotion-* columns are missing from some (33 instead of 36 columns).
V1_COLUMNS = _SHARED_COLUMNS + (
    "shipment-fee-type", "shipment-fee-amount", "order-fee-type", "order-fee-amount", "price-type",
    "price-amount", "item-related-fee-type", "item-related-fee-amount", "misc-fee-amount", "other-fee-amount",
    "other-fee-reason-description", "promotion-id", "promotion-type", "promotion-amount", "direct-payment-type",
    "direct-payment-amount", "other-amount",
)
_V1_OPTIONAL = ("promotion-id", "promotion-type", "promotion-amount")
_DATE_COLUMNS = ("settlement-start-date", "settlement-end-date", "deposit-date", "posted-date", "posted-date-time")


@dataclass(frozen=True)
class SettlementHeader:
    settlement_id: str
    report_format: str
    settlement_start_at: datetime | None
    settlement_end_at: datetime | None
    deposit_at: datetime | None
    total_amount: Decimal | None
    currency: str
    source_line: int
    total_amount_text: str
    # The file's own date texts, so validation can tell a missing date from one that is not a real date.
    settlement_start_text: str = ""
    settlement_end_text: str = ""
    deposit_text: str = ""


@dataclass(frozen=True)
class SettlementLine:
    settlement_id: str
    report_format: str
    transaction_type: str | None
    order_id: str | None
    merchant_order_id: str | None
    adjustment_id: str | None
    shipment_id: str | None
    marketplace_name: str | None
    amount_type: str | None
    amount_description: str | None
    amount: Decimal | None
    currency: str
    fulfillment_id: str | None
    posted_at: datetime | None
    posted_date_raw: str | None
    order_item_code: str | None
    merchant_order_item_id: str | None
    merchant_adjustment_item_id: str | None
    sku: str | None
    quantity_purchased: int | None
    promotion_id: str | None
    amount_column: str
    source_line: int
    amount_text: str
    quantity_text: str = ""


@dataclass(frozen=True)
class SettlementReport:
    report_format: str
    columns: list[str]
    header_rows: list[SettlementHeader]
    lines: list[SettlementLine]


def report_format_of(columns: list[str]) -> str | None:
    """'v2' or 'v1' when the header names a settlement flat file of that layout, else None."""
    names = set(columns)
    if "settlement-id" not in names or "total-amount" not in names:
        return None
    if "amount" in names:
        return "v2"
    if names & set(V1_AMOUNT_COLUMNS):
        return "v1"
    return None


def parse_settlement_report(data: bytes) -> SettlementReport:
    lines = physical_lines(decode_text(data))
    # Blank lines above the header (a hand-edited or re-saved file) are tolerated; line numbers stay the file's.
    top = header_index(lines)
    columns = [name.strip().lower() for name in lines[top].split("\t")]
    report_format = report_format_of(columns)
    if report_format is None:
        raise ParseError(top + 1, "not a settlement flat file: no settlement-id, total-amount and amount columns")
    required = V2_COLUMNS if report_format == "v2" else [c for c in V1_COLUMNS if c not in _V1_OPTIONAL]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ParseError(top + 1, f"{report_format} settlement header lacks column(s): {', '.join(missing)}")
    if len(set(columns)) != len(columns):
        raise ParseError(top + 1, "settlement header repeats a column name")

    rows: list[tuple[int, dict[str, str]]] = []
    for number, text in enumerate(lines[top + 1:], start=top + 2):
        if not text.strip():
            continue
        fields = text.split("\t")
        if len(fields) != len(columns):
            raise ParseError(number, f"row has {len(fields)} fields, the header has {len(columns)}")
        rows.append((number, {c: f.strip() for c, f in zip(columns, fields)}))
    if not rows:
        raise ParseError(top + 2, "settlement file has a header but no summary row")
    first_line, first = rows[0]
    if not first["total-amount"]:
        raise ParseError(first_line, "first data row is not the summary row (total-amount is blank)")

    amount_columns = ["amount"] if report_format == "v2" else [c for c in V1_AMOUNT_COLUMNS if c in columns]
    decimal_comma = detect_decimal_comma(
        (row[c] for _, row in rows for c in ["total-amount", *amount_columns]), first["currency"]
    )
    day_first = detect_day_first((row.get(c, "") for _, row in rows for c in _DATE_COLUMNS), decimal_comma)

    headers: dict[str, SettlementHeader] = {}
    current: SettlementHeader | None = None
    parsed_lines: list[SettlementLine] = []
    quantity_rows: list[dict[str, Any]] = []
    for number, row in rows:
        # Every row with a total is a summary row; files holding several settlements repeat it.
        if row["total-amount"]:
            current = _header(number, row, report_format, decimal_comma, day_first)
            headers[current.settlement_id] = current
            continue
        assert current is not None  # the first row is a summary row
        summary = headers.get(row["settlement-id"], current)
        posted_at, posted_raw = _posted(row, day_first)
        base = dict(
            settlement_id=row["settlement-id"] or summary.settlement_id,
            report_format=report_format,
            transaction_type=blank_to_none(row["transaction-type"]),
            order_id=blank_to_none(row["order-id"]),
            merchant_order_id=blank_to_none(row["merchant-order-id"]),
            adjustment_id=blank_to_none(row["adjustment-id"]),
            shipment_id=blank_to_none(row["shipment-id"]),
            marketplace_name=blank_to_none(row["marketplace-name"]),
            # V1 rows leave currency blank: it is the settlement's.
            currency=row["currency"].upper() or summary.currency,
            fulfillment_id=blank_to_none(row["fulfillment-id"]),
            posted_at=posted_at,
            posted_date_raw=posted_raw,
            order_item_code=blank_to_none(row["order-item-code"]),
            merchant_order_item_id=blank_to_none(row["merchant-order-item-id"]),
            merchant_adjustment_item_id=blank_to_none(row["merchant-adjustment-item-id"]),
            sku=blank_to_none(row["sku"]),
            quantity_purchased=parse_int(row["quantity-purchased"]),
            quantity_text=row["quantity-purchased"],
            promotion_id=blank_to_none(row.get("promotion-id")),
            source_line=number,
        )
        if report_format == "v2":
            parsed_lines.append(SettlementLine(
                **base,
                amount_type=blank_to_none(row["amount-type"]),
                amount_description=blank_to_none(row["amount-description"]),
                amount=parse_decimal(row["amount"], decimal_comma),
                amount_column="amount",
                amount_text=row["amount"],
            ))
            continue
        if not any(row[column] for column in amount_columns):
            # V1 puts quantity-purchased on a row of its own; it belongs to the item's Principal line.
            if base["quantity_purchased"] is not None:
                quantity_rows.append(base)
            continue
        for column in amount_columns:
            if not row[column]:
                continue
            amount_type, description_column = V1_AMOUNT_COLUMNS[column]
            parsed_lines.append(SettlementLine(
                **base,
                amount_type=amount_type,
                amount_description=blank_to_none(row[description_column]) or blank_to_none(row["transaction-type"]),
                amount=parse_decimal(row[column], decimal_comma),
                amount_column=column,
                amount_text=row[column],
            ))
    if quantity_rows:
        parsed_lines = _attach_v1_quantities(parsed_lines, quantity_rows)
    return SettlementReport(report_format, columns, list(headers.values()), parsed_lines)


def _item_key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["settlement_id"], line["transaction_type"], line["order_id"], line["order_item_code"], line["sku"])


def _attach_v1_quantities(lines: list[SettlementLine], quantity_rows: list[dict[str, Any]]) -> list[SettlementLine]:
    """Give each V1 quantity row's quantity to its item's Principal price line; keep any orphan as a 0.00 line."""
    pending: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in quantity_rows:
        pending.setdefault(_item_key(row), []).append(row)
    attached: list[SettlementLine] = []
    for line in lines:
        waiting = pending.get(_item_key(dataclasses.asdict(line)))
        if waiting and line.amount_column == "price-amount" and line.amount_description == "Principal" \
                and line.quantity_purchased is None:
            line = dataclasses.replace(line, quantity_purchased=waiting.pop(0)["quantity_purchased"])
        attached.append(line)
    for orphans in pending.values():
        for row in orphans:
            attached.append(SettlementLine(
                **row, amount_type=None, amount_description=None, amount=Decimal("0.00"),
                amount_column="quantity-purchased", amount_text="",
            ))
    return attached


def _header(
    number: int, row: dict[str, str], report_format: str, decimal_comma: bool, day_first: bool
) -> SettlementHeader:
    if not row["settlement-id"]:
        raise ParseError(number, "summary row has no settlement-id")
    if not row["currency"]:
        raise ParseError(number, "summary row has no currency")
    return SettlementHeader(
        settlement_id=row["settlement-id"],
        report_format=report_format,
        settlement_start_at=parse_timestamp(row["settlement-start-date"], day_first),
        settlement_end_at=parse_timestamp(row["settlement-end-date"], day_first),
        deposit_at=parse_timestamp(row["deposit-date"], day_first),
        total_amount=parse_decimal(row["total-amount"], decimal_comma),
        currency=row["currency"].upper(),
        source_line=number,
        total_amount_text=row["total-amount"],
        settlement_start_text=row["settlement-start-date"],
        settlement_end_text=row["settlement-end-date"],
        deposit_text=row["deposit-date"],
    )


def _posted(row: dict[str, str], day_first: bool) -> tuple[datetime | None, str | None]:
    """posted-date-time is authoritative; posted-date (V1's only date) is the fallback. Returns the text used."""
    texts = [t for t in (row.get("posted-date-time", ""), row["posted-date"]) if t]
    for text in texts:
        if (posted_at := parse_timestamp(text, day_first)) is not None:
            return posted_at, text
    return None, texts[0] if texts else None
