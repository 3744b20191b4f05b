"""Writes Amazon V2 settlement flat files (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) in a store's conventions.

Rows are rendered to text as they are added, and the total is kept as an exact Decimal sum of the
amounts as written, so the summary row's total-amount always ties out to the lines below it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from acorn.generator.stores import StoreProfile

V2_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
)
PROMOTION_ID_COLUMN = "promotion-id"
AMOUNT_INDEX = V2_COLUMNS.index("amount")
_SWAP_SEPARATORS = str.maketrans(",.", ".,")


def columns_for(profile: StoreProfile) -> tuple[str, ...]:
    return V2_COLUMNS + (PROMOTION_ID_COLUMN,) if profile.promotion_id_column else V2_COLUMNS


def format_amount(amount: Decimal, decimal_style: str) -> str:
    if decimal_style == "point":
        return f"{amount:.2f}"
    if decimal_style == "comma":
        return f"{amount:,.2f}".translate(_SWAP_SEPARATORS)
    if decimal_style == "integer":
        if amount != amount.to_integral_value():
            raise ValueError(f"{amount} has a minor unit, but this currency has none")
        return f"{amount:.0f}"
    raise ValueError(f"unknown decimal style {decimal_style!r}")


class SettlementFileBuilder:
    """Accumulates the amount rows of one settlement and renders the finished file."""

    def __init__(self, profile: StoreProfile, settlement_id: str) -> None:
        self.profile = profile
        self.settlement_id = settlement_id
        self.rows: list[str] = []
        self.total = Decimal(0)
        self._zone = ZoneInfo(profile.time_zone)
        self._amount_texts: dict[Decimal, str] = {}
        self._extra_column = profile.promotion_id_column

    def head(self, transaction_type: str, order_id: str = "", adjustment_id: str = "", shipment_id: str = "",
             marketplace: bool = False) -> str:
        """The columns before amount-type. FBA orders leave merchant-order-id blank."""
        marketplace_name = self.profile.marketplace_name if marketplace else ""
        return (f"{self.settlement_id}\t\t\t\t\t\t{transaction_type}\t{order_id}\t\t{adjustment_id}\t"
                f"{shipment_id}\t{marketplace_name}")

    def tail(self, posted_at: datetime, fulfillment_id: str = "", order_item_code: str = "",
             merchant_adjustment_item_id: str = "", sku: str = "") -> str:
        """The columns from fulfillment-id to sku. posted-date is the store-local date of posted-date-time."""
        local_day = posted_at.replace(tzinfo=timezone.utc).astimezone(self._zone)
        posted_date = local_day.strftime(self.profile.posted_date_format)
        posted_date_time = posted_at.strftime(self.profile.datetime_format)
        return (f"{fulfillment_id}\t{posted_date}\t{posted_date_time}\t{order_item_code}\t\t"
                f"{merchant_adjustment_item_id}\t{sku}")

    def add(self, head: str, amount_type: str, description: str, amount: Decimal, tail: str,
            quantity: int | None = None, promotion_id: str = "") -> None:
        text = self._amount_texts.get(amount)
        if text is None:
            text = self._amount_texts[amount] = format_amount(amount, self.profile.decimal_style)
        row = f"{head}\t{amount_type}\t{description}\t{text}\t{tail}\t{'' if quantity is None else quantity}"
        self.rows.append(f"{row}\t{promotion_id}" if self._extra_column else row)
        self.total += amount

    def render(self, start_at: datetime, end_at: datetime, deposit_at: datetime) -> bytes:
        profile = self.profile
        columns = columns_for(profile)
        summary = [
            self.settlement_id,
            start_at.strftime(profile.datetime_format),
            end_at.strftime(profile.datetime_format),
            deposit_at.strftime(profile.datetime_format),
            format_amount(self.total, profile.decimal_style),
            profile.currency,
        ] + [""] * (len(columns) - 6)
        lines = ["\t".join(columns), "\t".join(summary), *self.rows]
        return (profile.line_end.join(lines) + profile.line_end).encode(profile.encoding)


def corrupt_amount(row: str) -> tuple[str, str, str]:
    """The row with its amount made unreadable (last character replaced by `x`), the original and bad text."""
    fields = row.split("\t")
    original = fields[AMOUNT_INDEX]
    bad = original[:-1] + "x"
    fields[AMOUNT_INDEX] = bad
    return "\t".join(fields), original, bad
