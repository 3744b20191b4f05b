"""Writes Amazon V2 settlement flat files (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2) in a store's conventions.

Amounts arrive as integers of the currency's minor unit (cents, yen): exact like Decimal, and fast enough
for benchmark-sized files of millions of rows. Rows are rendered to text as they are added and the total
is the exact sum of the amounts written, so the summary row's total-amount always ties out.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
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
        self.total = 0                                   # minor units
        self._zone = ZoneInfo(profile.time_zone)
        self._midnight = datetime(start_at.year, start_at.month, start_at.day)
        self._start_second = int((start_at - self._midnight).total_seconds())
        self._texts: dict[int, str] = {}
        self._utc_dates: dict[int, str] = {}
        self._local_dates: dict[int, str] = {}

    def head(self, transaction_type: str, order_id: str = "", adjustment_id: str = "", shipment_id: str = "",
             marketplace: bool = False) -> str:
        """The columns before amount-type. FBA orders leave merchant-order-id blank."""
        marketplace_name = self.profile.marketplace_name if marketplace else ""
        return (f"{self.settlement_id}\t\t\t\t\t\t{transaction_type}\t{order_id}\t\t{adjustment_id}\t"
                f"{shipment_id}\t{marketplace_name}")

    def posted(self, offset: int) -> str:
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
        return f"{local}\t{utc_date} {hours:02d}:{minutes:02d}:{seconds:02d} UTC"

    @staticmethod
    def tail(posted: str, fulfillment_id: str = "", order_item_code: str = "",
             merchant_adjustment_item_id: str = "", sku: str = "") -> str:
        """The columns from fulfillment-id to sku; `posted` comes from `posted()`."""
        return f"{fulfillment_id}\t{posted}\t{order_item_code}\t\t{merchant_adjustment_item_id}\t{sku}"

    def add(self, head: str, amount_type: str, description: str, amount: int, tail: str,
            quantity: str = "", promotion_id: str = "") -> None:
        self.add_group(head, tail, [(amount_type, description, amount, quantity, promotion_id)])

    def add_group(self, head: str, tail: str, entries: list[Entry]) -> None:
        """Rows sharing the same transaction columns (head) and item columns (tail), such as one order item."""
        texts, rows, extra = self._texts, self.rows, self.profile.promotion_id_column
        for amount_type, description, amount, quantity, promotion_id in entries:
            text = texts.get(amount)
            if text is None:
                text = texts[amount] = format_minor(amount, self.decimals, self.profile.decimal_comma)
            row = f"{head}\t{amount_type}\t{description}\t{text}\t{tail}\t{quantity}"
            rows.append(f"{row}\t{promotion_id}" if extra else row)
            self.total += amount

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
