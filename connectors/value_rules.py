"""Value rules for settlement files as functions over whole columns (pandas Series), for Great Expectations to judge.

Each function returns a flag column: True where the value is acceptable (or absent: a missing value is another
rule's business), None where it breaks the rule, so an `ExpectColumnValuesToNotBeNull` on the flag names the first
failing line. Columns in, columns out: the same functions serve a row parser today and a columnar reader tomorrow.
Money is never turned into float here: amounts stay Decimal objects.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from config.settings import DBT_PROJECT_DIR

# DECIMAL(18,2): sixteen digits before the point.
MONEY_LIMIT = Decimal(10) ** 16
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1
# Amazon writes numbers in ASCII digits; full-width or Arabic-Indic digits are not Amazon's, yet `\d` takes them.
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_ASCII_WHOLE = re.compile(r"[+-]?[0-9]+")
# A date or timestamp where a name or code belongs: `2025-06-09`, `09.06.2025 05:23:19 UTC`, `06/09/25`.
_DATE_SHAPE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]\d{1,2}:\d{2}.*)?")
_NUMBER_SHAPE = re.compile(r"[+-]?[0-9][0-9.,]*")
DEFAULT_MINOR_UNITS = 2
CURRENCIES_SEED = DBT_PROJECT_DIR / "seeds" / "currencies.csv"
FEE_TAXONOMY_SEED = DBT_PROJECT_DIR / "seeds" / "fee_taxonomy.csv"


def _flags(ok: pd.Series) -> pd.Series:
    return pd.Series([True if v else None for v in ok], index=ok.index, dtype=object)


@cache
def minor_units(seed: Path = CURRENCIES_SEED) -> Mapping[str, int]:
    """Currency -> decimals it is written with, from the dbt seed (the one list; JPY has none)."""
    with seed.open(encoding="utf-8", newline="") as handle:
        return {row["currency"]: int(row["minor_units"]) for row in csv.DictReader(handle)}


@cache
def known_vocabulary(seed: Path = FEE_TAXONOMY_SEED) -> tuple[frozenset[str], frozenset[str]]:
    """(transaction types, amount types) Amazon's files use, as the fee taxonomy seed classifies them."""
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    transaction_types = frozenset(r["transaction_type"] for r in rows if r["transaction_type"] != "*")
    amount_types = frozenset(r["amount_type"] for r in rows if r["amount_type"] != "*")
    return transaction_types, amount_types


def ascii_digits(texts: pd.Series) -> pd.Series:
    """A number's text has no digits but ASCII ones (what else it holds, the parsing rule judges)."""
    return _flags(texts.map(lambda t: not t or pd.isna(t) or not _NON_ASCII_DIGIT.search(t)))


def within_money_range(amounts: pd.Series) -> pd.Series:
    """An amount fits DECIMAL(18,2)."""
    return _flags(amounts.map(lambda a: a is None or pd.isna(a) or abs(a) < MONEY_LIMIT))


def within_minor_units(amounts: pd.Series, currencies: pd.Series) -> pd.Series:
    """An amount has no more decimals than its currency's minor units (nothing is rounded on the way in)."""
    units = minor_units()
    places = amounts.map(lambda a: None if a is None or pd.isna(a) else max(-a.as_tuple().exponent, 0))
    allowed = currencies.map(lambda c: units.get(c, DEFAULT_MINOR_UNITS))
    return _flags(pd.Series([pd.isna(p) or p <= u for p, u in zip(places, allowed)], index=amounts.index))


def whole_quantity(texts: pd.Series) -> pd.Series:
    """A quantity is blank or a whole number of ASCII digits within INTEGER range."""
    def ok(text: str) -> bool:
        value = (text or "").strip()
        return not value or bool(_ASCII_WHOLE.fullmatch(value)) and INTEGER_MIN <= int(value) <= INTEGER_MAX
    return _flags(texts.map(ok))


def real_date(texts: pd.Series, parsed: pd.Series) -> pd.Series:
    """A date text that is present parsed into a real calendar date (`2026-02-30` does not)."""
    return _flags(pd.Series([not t or not pd.isna(p) for t, p in zip(texts, parsed)], index=texts.index))


def _day(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def within_window(moments: pd.Series, first: date, last: date) -> pd.Series:
    """A date lies in the plausible window (years 0001 or 9999 are typing errors, not business)."""
    return _flags(moments.map(lambda m: (d := _day(m)) is None or first <= d <= last))


def in_order(*columns: pd.Series) -> pd.Series:
    """Each present date is on or after the present dates before it (settlement start ≤ end ≤ deposit)."""
    def ok(values: tuple[object, ...]) -> bool:
        days = [d for d in map(_day, values) if d is not None]
        return all(a <= b for a, b in zip(days, days[1:]))
    return _flags(pd.Series([ok(v) for v in zip(*columns)], index=columns[0].index))


def not_date_shaped(texts: pd.Series) -> pd.Series:
    """A name or code column holds no date or timestamp (a sign its header and values were swapped)."""
    return _flags(texts.map(lambda t: not t or pd.isna(t) or not _DATE_SHAPE.fullmatch(str(t).strip())))


def not_number_shaped(texts: pd.Series) -> pd.Series:
    """A type or description column holds no bare number (an amount or id under the wrong header)."""
    return _flags(texts.map(lambda t: not t or pd.isna(t) or not _NUMBER_SHAPE.fullmatch(str(t).strip())))


def in_vocabulary(values: pd.Series, vocabulary: frozenset[str]) -> pd.Series:
    """A value Amazon is known to write; an unknown one is flagged (and kept, like an unknown fee type)."""
    return _flags(values.map(lambda v: not v or pd.isna(v) or v in vocabulary))
