"""The seller's bank statement: one row per Amazon payout, plus everyday rows that match no settlement."""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from demo.generator.stores import StoreProfile

BANK_COLUMNS = ("account_id", "booking_date", "amount", "currency", "counterparty", "reference")
BANK_NAME = "WORLDFIRST"
SUPPLIER = "SHENZHEN NORTHPEAK MANUFACTURING CO LTD"


@dataclass(frozen=True)
class BankRow:
    account_id: str
    booking_date: date
    amount: Decimal
    currency: str
    counterparty: str
    reference: str
    settlement_id: str | None          # the payout's settlement; None for unrelated rows (never written)


def plain_amount(amount: Decimal, currency_minor_unit: Decimal) -> str:
    """`.` decimals and no thousands separator; currencies without a minor unit as integers."""
    return f"{amount.quantize(currency_minor_unit):f}"


def add_business_days(day: date, days: int) -> date:
    """Banks book on business days: a weekend date rolls to Monday, then `days` more business days pass."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for _ in range(days):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return day


def payout_row(profile: StoreProfile, settlement_id: str, deposit_date: date, amount: Decimal,
               rng: random.Random) -> BankRow:
    booking = add_business_days(deposit_date, rng.choice((0, 1, 1, 2)))
    reference = profile.bank_reference.format(settlement_id=settlement_id, deposit_date=deposit_date)
    return BankRow(profile.bank_account, booking, amount, profile.currency, profile.bank_counterparty, reference,
                   settlement_id)


def unrelated_rows(profiles: list[StoreProfile], first_day: date, last_day: date, rng: random.Random,
                   settlement_totals: set[tuple[str, Decimal]]) -> list[BankRow]:
    """A monthly account fee on every account and a monthly supplier payment from the first account.

    No amount equals a settlement total in the same currency, so amount matching cannot pick one up.
    """
    accounts = {p.bank_account: p for p in profiles}
    payer = next((p for p in profiles if p.currency == "USD"), profiles[0])
    rows = []
    month = date(first_day.year, first_day.month, 1)
    while month <= last_day:
        next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        supplier_day = add_business_days(month.replace(day=15), 0)
        if first_day <= supplier_day <= last_day:
            amount = Decimal(rng.randrange(500_000, 2_000_000)) / 100 * payer.scale
            rows.append(_unique(BankRow(payer.bank_account, supplier_day, -amount, payer.currency, SUPPLIER,
                                        f"PO {month:%Y-%m} SUPPLIER PAYMENT", None), payer, settlement_totals))
        month_end = next_month - timedelta(days=1)
        while month_end.weekday() >= 5:
            month_end -= timedelta(days=1)
        if first_day <= month_end <= last_day:
            for account, profile in accounts.items():
                rows.append(_unique(BankRow(account, month_end, -profile.bank_fee, profile.currency, BANK_NAME,
                                            f"MONTHLY ACCOUNT FEE {month:%Y-%m}", None), profile, settlement_totals))
        month = next_month
    return rows


def _unique(row: BankRow, profile: StoreProfile, settlement_totals: set[tuple[str, Decimal]]) -> BankRow:
    amount = row.amount.quantize(profile.minor_unit, rounding=ROUND_HALF_UP)
    while (row.currency, amount) in settlement_totals:
        amount -= profile.minor_unit
    return BankRow(row.account_id, row.booking_date, amount, row.currency, row.counterparty, row.reference, None)


def sort_rows(rows: list[BankRow]) -> list[BankRow]:
    return sorted(rows, key=lambda r: (r.booking_date, r.account_id, r.reference, r.amount))


def render_statement(rows: list[BankRow], minor_units: dict[str, Decimal]) -> bytes:
    """UTF-8 CSV with ISO dates, in the order given (line numbers in the answer key refer to it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BANK_COLUMNS)
    for row in rows:
        writer.writerow((row.account_id, row.booking_date.isoformat(), plain_amount(row.amount, minor_units[row.currency]),
                         row.currency, row.counterparty, row.reference))
    return out.getvalue().encode("utf-8")
