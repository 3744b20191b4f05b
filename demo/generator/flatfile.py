"""Writes Amazon V2 settlement flat files (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) in a store's conventions.

Amounts arrive as integers of the currency's minor unit (cents, yen): exact like Decimal, and fast enough
for benchmark-sized files of millions of rows. Rows are rendered to text as they are added and the total
is the exact sum of the amounts written, so the summary row's total-amount always ties out.

The builder also keeps what each row means (`lines()`), so the local SP-API can serve the same settlement as
events without reading the rendered text back.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from demo.generator.stores import StoreProfile

V2_COLUMNS = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
    "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
    "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
    "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
)
PROMOTION_ID_COLUMN = "promotion-id"
AMOUNT_INDEX = V2_COLUMNS.index("amount")
DAY_SECONDS = 86_400

# One amount row of a group: amount-type, amount-description, amount (minor units), quantity, promotion-id.
Entry = tuple[str, str, int, str, str]


class Head(NamedTuple):
    """The columns before amount-type, rendered and as values."""

    text: str
    transaction_type: str
    order_id: str
    adjustment_id: str
    shipment_id: str
    marketplace_name: str


class Posted(NamedTuple):
    offset: int                        # seconds after the cycle starts
    text: str                          # posted-date and posted-date-time


class Tail(NamedTuple):
    """The columns from fulfillment-id to sku, rendered and as values."""

    text: str
    offset: int                        # of the posted moment, seconds after the cycle starts
    fulfillment_id: str
    order_item_code: str
    merchant_adjustment_item_id: str
    sku: str


class Line(NamedTuple):
    """One amount row as simulated. `readable` is False for the row the malformed-file anomaly corrupted."""

    number: int                        # line in the file; the column header is line 1, the summary row line 2
    transaction_type: str
    order_id: str
    adjustment_id: str
    shipment_id: str
    marketplace_name: str
    amount_type: str
    amount_description: str
    amount: Decimal
    readable: bool
    fulfillment_id: str
    posted_at: datetime                # naive UTC
    order_item_code: str
    sku: str
    quantity: str                      # quantity-purchased as written, often blank
    promotion_id: str


def columns_for(profile: StoreProfile) -> tuple[str, ...]:
    return V2_COLUMNS + (PROMOTION_ID_COLUMN,) if profile.promotion_id_column else V2_COLUMNS


def format_minor(amount: int, decimals: int, decimal_comma: bool = False) -> str:
    """Minor units as text: `-1234.56`, `-1.234,56` (decimal comma, `.` thousands) or `-1234` (no decimals)."""
    sign = "-" if amount < 0 else ""
    if decimals == 0:
        return f"{sign}{abs(amount)}"
    major, minor = divmod(abs(amount), 10**decimals)
    if decimal_comma:
        return f"{sign}{major:,}".replace(",", ".") + f",{minor:0{decimals}d}"
    return f"{sign}{major}.{minor:0{decimals}d}"


def to_decimal(amount: int, decimals: int) -> Decimal:
    return Decimal(amount).scaleb(-decimals)


def format_timestamp(moment: datetime, profile: StoreProfile) -> str:
    return f"{moment.strftime(profile.date_format)} {moment:%H:%M:%S} UTC"


class SettlementFileBuilder:
    """Accumulates the amount rows of one settlement and renders the finished file."""

    def __init__(self, profile: StoreProfile, settlement_id: str, start_at: datetime, end_at: datetime,
                 deposit_at: datetime) -> None:
        self.profile = profile
        self.settlement_id = settlement_id
        self.start_at, self.end_at, self.deposit_at = start_at, end_at, deposit_at
        self.decimals = profile.decimals
        self.rows: list[str] = []
        self.groups: list[tuple[Head, Tail, list[Entry]]] = []   # what the rows mean, in row order
        self.unreadable: set[int] = set()                # indices of rows whose amount was made unreadable
        self.total = 0                                   # minor units
        self._zone = ZoneInfo(profile.time_zone)
        self._midnight = datetime(start_at.year, start_at.month, start_at.day)
        self._start_second = int((start_at - self._midnight).total_seconds())
        self._texts: dict[int, str] = {}
        self._utc_dates: dict[int, str] = {}
        self._local_dates: dict[int, str] = {}

    def head(self, transaction_type: str, order_id: str = "", adjustment_id: str = "", shipment_id: str = "",
             marketplace: bool = False) -> Head:
        """The columns before amount-type. FBA orders leave merchant-order-id blank."""
        marketplace_name = self.profile.marketplace_name if marketplace else ""
        text = (f"{self.settlement_id}\t\t\t\t\t\t{transaction_type}\t{order_id}\t\t{adjustment_id}\t"
                f"{shipment_id}\t{marketplace_name}")
        return Head(text, transaction_type, order_id, adjustment_id, shipment_id, marketplace_name)

    def posted(self, offset: int) -> Posted:
        """posted-date and posted-date-time of the moment `offset` seconds after the cycle starts.

        posted-date is the store-local date. Local dates are looked up per UTC hour: the stores' zones
        change offset only on the hour.
        """
        absolute = self._start_second + offset
        day, second = divmod(absolute, DAY_SECONDS)
        hour = absolute // 3600
        local = self._local_dates.get(hour)
        if local is None:
            moment = (self._midnight + timedelta(hours=hour)).replace(tzinfo=UTC)
            local = self._local_dates[hour] = moment.astimezone(self._zone).strftime(self.profile.posted_date_format)
        utc_date = self._utc_dates.get(day)
        if utc_date is None:
            utc_date = self._utc_dates[day] = (self._midnight + timedelta(days=day)).strftime(self.profile.date_format)
        hours, rest = divmod(second, 3600)
        minutes, seconds = divmod(rest, 60)
        return Posted(offset, f"{local}\t{utc_date} {hours:02d}:{minutes:02d}:{seconds:02d} UTC")

    @staticmethod
    def tail(posted: Posted, fulfillment_id: str = "", order_item_code: str = "",
             merchant_adjustment_item_id: str = "", sku: str = "") -> Tail:
        """The columns from fulfillment-id to sku; `posted` comes from `posted()`."""
        text = f"{fulfillment_id}\t{posted.text}\t{order_item_code}\t\t{merchant_adjustment_item_id}\t{sku}"
        return Tail(text, posted.offset, fulfillment_id, order_item_code, merchant_adjustment_item_id, sku)

    def add(self, head: Head, amount_type: str, description: str, amount: int, tail: Tail,
            quantity: str = "", promotion_id: str = "") -> None:
        self.add_group(head, tail, [(amount_type, description, amount, quantity, promotion_id)])

    def add_group(self, head: Head, tail: Tail, entries: list[Entry]) -> None:
        """Rows sharing the same transaction columns (head) and item columns (tail), such as one order item.

        `entries` is kept as given, not copied: the caller must not change it afterwards.
        """
        texts, rows, extra = self._texts, self.rows, self.profile.promotion_id_column
        self.groups.append((head, tail, entries))
        for amount_type, description, amount, quantity, promotion_id in entries:
            text = texts.get(amount)
            if text is None:
                text = texts[amount] = format_minor(amount, self.decimals, self.profile.decimal_comma)
            row = f"{head.text}\t{amount_type}\t{description}\t{text}\t{tail.text}\t{quantity}"
            rows.append(f"{row}\t{promotion_id}" if extra else row)
            self.total += amount

    def make_unreadable(self, index: int) -> tuple[str, str]:
        """Make row `index`'s amount unreadable (the total keeps it); returns the original and the bad text."""
        self.rows[index], original, bad = corrupt_amount(self.rows[index])
        self.unreadable.add(index)
        return original, bad

    def lines(self) -> Iterator[Line]:
        """Every amount row as simulated, in file order."""
        index = 0
        for head, tail, entries in self.groups:
            posted_at = self.start_at + timedelta(seconds=tail.offset)
            for amount_type, description, amount, quantity, promotion_id in entries:
                yield Line(index + 3, head.transaction_type, head.order_id, head.adjustment_id, head.shipment_id,
                           head.marketplace_name, amount_type, description, to_decimal(amount, self.decimals),
                           index not in self.unreadable, tail.fulfillment_id, posted_at, tail.order_item_code,
                           tail.sku, quantity, promotion_id)
                index += 1

    @property
    def total_amount(self) -> Decimal:
        return to_decimal(self.total, self.decimals)

    def render(self) -> bytes:
        profile = self.profile
        columns = columns_for(profile)
        summary = [
            self.settlement_id,
            format_timestamp(self.start_at, profile),
            format_timestamp(self.end_at, profile),
            format_timestamp(self.deposit_at, profile),
            format_minor(self.total, self.decimals, profile.decimal_comma),
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
