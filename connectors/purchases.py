"""Pure parser for `purchases.csv`: what stock cost, landed (purchase price, 头程 freight, 关税 duty, other costs).

Bytes in, typed rows out; nothing here touches the warehouse. Rows are read like every CSV input
(`csv_inputs.read_table`, whose sniffer takes the `;` a spreadsheet saved in a European locale writes). Numbers stay Decimal; a field that does not parse comes back
as None beside its text, so validation can name the line and the value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.csv_inputs import read_table
from connectors.parsing import (
    CENT,
    blank_to_none,
    detect_decimal_comma,
    parse_decimal,
)

PURCHASE_COLUMNS = ("purchase_date", "internal_sku", "quantity", "unit_cost", "currency",
                    "inbound_freight", "duty", "other_landed_cost", "reference")
REQUIRED_COLUMNS = ("purchase_date", "internal_sku", "quantity", "unit_cost", "currency")
UNIT_COST_STEP = Decimal("0.0001")  # raw.purchases.unit_cost is DECIMAL(18,4)
_COST_COLUMNS = ("unit_cost", "inbound_freight", "duty", "other_landed_cost")


@dataclass(frozen=True)
class Purchase:
    purchase_date: date | None
    internal_sku: str | None
    quantity: int | None          # None unless a whole number
    unit_cost: Decimal | None
    currency: str | None
    inbound_freight: Decimal | None   # line totals in `currency`; blank is zero
    duty: Decimal | None
    other_landed_cost: Decimal | None
    reference: str | None
    source_line: int
    purchase_date_text: str
    quantity_text: str
    unit_cost_text: str
    inbound_freight_text: str
    duty_text: str
    other_landed_cost_text: str


def _whole(text: str) -> int | None:
    """`12`, `12.0` or `1,200` as a whole number; None for a fraction or anything else (a unit is not divisible)."""
    value = parse_decimal(text, decimal_comma=False)
    if value is None or value != value.to_integral_value():
        return None
    return int(value)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_purchases(data: bytes) -> list[Purchase]:
    rows = read_table(data, REQUIRED_COLUMNS, "purchases")
    decimal_comma = detect_decimal_comma(row.get(c, "") for _, row in rows for c in _COST_COLUMNS)
    purchases = []
    for line, row in rows:
        costs: dict[str, Decimal | None] = {}
        for column in _COST_COLUMNS:
            text = row.get(column, "")
            # Freight, duty and other costs are optional: blank means none was paid.
            value = Decimal(0) if column != "unit_cost" and not text else parse_decimal(text, decimal_comma)
            step = UNIT_COST_STEP if column == "unit_cost" else CENT
            costs[column] = None if value is None else value.quantize(step)
        currency = blank_to_none(row["currency"])
        purchases.append(Purchase(
            purchase_date=_iso_date(row["purchase_date"]),
            internal_sku=blank_to_none(row["internal_sku"]),
            quantity=_whole(row["quantity"]),
            unit_cost=costs["unit_cost"],
            currency=currency.upper() if currency else None,
            inbound_freight=costs["inbound_freight"],
            duty=costs["duty"],
            other_landed_cost=costs["other_landed_cost"],
            reference=blank_to_none(row.get("reference")),
            source_line=line,
            purchase_date_text=row["purchase_date"],
            quantity_text=row["quantity"],
            unit_cost_text=row["unit_cost"],
            inbound_freight_text=row.get("inbound_freight", ""),
            duty_text=row.get("duty", ""),
            other_landed_cost_text=row.get("other_landed_cost", ""),
        ))
    return purchases
