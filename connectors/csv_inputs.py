"""Pure parsers for the user's CSV inputs: bank statement, store config, SKU map and FX rate overrides.

Columns are found by header name (`,` or `;` delimited, BOM tolerated). Money, rates and dates that do
not parse come back as None with their text kept; a missing required column raises `ParseError`.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from connectors.parsing import (
    ParseError,
    blank_to_none,
    decode_text,
    detect_day_first,
    detect_decimal_comma,
    parse_date,
    parse_decimal,
    parse_money,
    physical_lines,
    sniff_delimiter,
)

BANK_COLUMNS = ("account_id", "booking_date", "amount", "currency")
STORE_COLUMNS = ("store_id", "marketplace_name", "currency", "time_zone")
SKU_MAP_COLUMNS = ("seller_sku", "internal_sku")
FX_RATE_COLUMNS = ("rate_date", "base_currency", "quote_currency", "rate")

UNIT_COST_STEP = Decimal("0.0001")  # raw.sku_map.unit_cost is DECIMAL(18,4)
RATE_STEP = Decimal("0.00000001")  # raw.fx_rate_overrides.rate is DECIMAL(18,8)


@dataclass(frozen=True)
class BankTransaction:
    account_id: str | None
    booking_date: date | None
    amount: Decimal | None
    currency: str | None
    counterparty: str | None
    reference: str | None
    source_line: int
    booking_date_text: str
    amount_text: str


@dataclass(frozen=True)
class StoreConfig:
    store_id: str | None
    seller_id: str | None
    marketplace_id: str | None
    marketplace_name: str | None
    currency: str | None
    time_zone: str | None
    source_line: int


@dataclass(frozen=True)
class SkuMapping:
    store_id: str | None  # blank: applies to every store
    seller_sku: str | None
    internal_sku: str | None
    brand: str | None
    category: str | None
    unit_cost: Decimal | None
    unit_cost_currency: str | None
    source_line: int
    unit_cost_text: str


@dataclass(frozen=True)
class FxRate:
    rate_date: date | None
    base_currency: str | None
    quote_currency: str | None
    rate: Decimal | None
    source_line: int
    rate_date_text: str
    rate_text: str


def read_table(data: bytes, required: tuple[str, ...], kind: str) -> list[tuple[int, dict[str, str]]]:
    """Rows as (physical line number, {lower-case column: stripped value}); blank rows skipped."""
    lines = physical_lines(decode_text(data))
    reader = csv.reader((line + "\n" for line in lines), delimiter=sniff_delimiter(lines))
    columns = [name.strip().lower() for name in next(reader, [])]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ParseError(1, f"{kind} header lacks column(s): {', '.join(missing)}")
    rows = []
    # line_num counts physical lines read so far, so a record starts one after the previous record ended.
    start = reader.line_num + 1
    for fields in reader:
        if any(f.strip() for f in fields):
            if len(fields) != len(columns):
                raise ParseError(start, f"row has {len(fields)} fields, the header has {len(columns)}")
            rows.append((start, {c: f.strip() for c, f in zip(columns, fields)}))
        start = reader.line_num + 1
    return rows


def _code(text: str | None) -> str | None:
    value = blank_to_none(text)
    return value.upper() if value else None


def parse_bank_statement(data: bytes) -> list[BankTransaction]:
    rows = read_table(data, BANK_COLUMNS, "bank statement")
    decimal_comma = detect_decimal_comma(row["amount"] for _, row in rows)
    day_first = detect_day_first((row["booking_date"] for _, row in rows), decimal_comma)
    return [
        BankTransaction(
            account_id=blank_to_none(row["account_id"]),
            booking_date=parse_date(row["booking_date"], day_first),
            amount=parse_money(row["amount"], decimal_comma),
            currency=_code(row["currency"]),
            counterparty=blank_to_none(row.get("counterparty")),
            reference=blank_to_none(row.get("reference")),
            source_line=line,
            booking_date_text=row["booking_date"],
            amount_text=row["amount"],
        )
        for line, row in rows
    ]


def parse_store_config(data: bytes) -> list[StoreConfig]:
    return [
        StoreConfig(
            store_id=blank_to_none(row["store_id"]),
            seller_id=blank_to_none(row.get("seller_id")),
            marketplace_id=blank_to_none(row.get("marketplace_id")),
            marketplace_name=blank_to_none(row["marketplace_name"]),
            currency=_code(row["currency"]),
            time_zone=blank_to_none(row["time_zone"]),
            source_line=line,
        )
        for line, row in read_table(data, STORE_COLUMNS, "store config")
    ]


def parse_sku_map(data: bytes) -> list[SkuMapping]:
    rows = read_table(data, SKU_MAP_COLUMNS, "SKU map")
    decimal_comma = detect_decimal_comma(row.get("unit_cost", "") for _, row in rows)
    mappings = []
    for line, row in rows:
        cost_text = row.get("unit_cost", "")
        cost = parse_decimal(cost_text, decimal_comma)
        mappings.append(SkuMapping(
            store_id=blank_to_none(row.get("store_id")),
            seller_sku=blank_to_none(row["seller_sku"]),
            internal_sku=blank_to_none(row["internal_sku"]),
            brand=blank_to_none(row.get("brand")),
            category=blank_to_none(row.get("category")),
            unit_cost=None if cost is None else cost.quantize(UNIT_COST_STEP),
            unit_cost_currency=_code(row.get("unit_cost_currency")),
            source_line=line,
            unit_cost_text=cost_text,
        ))
    return mappings


def parse_fx_rates(data: bytes) -> list[FxRate]:
    rows = read_table(data, FX_RATE_COLUMNS, "FX rates")
    decimal_comma = detect_decimal_comma(row["rate"] for _, row in rows)
    day_first = detect_day_first((row["rate_date"] for _, row in rows), decimal_comma)
    rates = []
    for line, row in rows:
        rate = parse_decimal(row["rate"], decimal_comma)
        rates.append(FxRate(
            rate_date=parse_date(row["rate_date"], day_first),
            base_currency=_code(row["base_currency"]),
            quote_currency=_code(row["quote_currency"]),
            rate=None if rate is None else rate.quantize(RATE_STEP),
            source_line=line,
            rate_date_text=row["rate_date"],
            rate_text=row["rate"],
        ))
    return rates

