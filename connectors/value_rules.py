"""Value rules for settlement files as SQL over whole columns, for Great Expectations to judge.

Each function returns a SQL condition that is true where the value is acceptable (or absent: a missing value is
another rule's business); `flag` turns it into a flag column, TRUE or NULL, so an `ExpectColumnValuesToNotBeNull` on
the flag names the first failing line. DuckDB evaluates them column-wise on the staged file (see
connectors/settlement_flatfile.py), so no value becomes a Python object, and money is never turned into float:
amounts are judged on their normalised text (`acorn_decimal_text`), exactly as written.
"""
from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

from config.settings import DBT_PROJECT_DIR

DEFAULT_MINOR_UNITS = 2
CURRENCIES_SEED = DBT_PROJECT_DIR / "seeds" / "currencies.csv"
FEE_TAXONOMY_SEED = DBT_PROJECT_DIR / "seeds" / "fee_taxonomy.csv"
# A date or timestamp where a name or code belongs: `2025-06-09`, `09.06.2025 05:23:19 UTC`, `06/09/25`.
_DATE_SHAPE = r"\p{Nd}{1,4}[-/.]\p{Nd}{1,2}[-/.]\p{Nd}{1,4}(?:[ T]\p{Nd}{1,2}:\p{Nd}{2}.*)?"
_NUMBER_SHAPE = r"[+-]?[0-9][0-9.,]*"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def flag(condition: str) -> str:
    """TRUE where `condition` holds, NULL where it does not (what the not-null expectation catches)."""
    return f"CASE WHEN {condition} THEN true END"


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


def ascii_digits(text: str) -> str:
    """A number's text has no digits but ASCII ones (what else it holds, the parsing rule judges).

    The class is "a decimal digit other than 0-9" (not a non-digit, not ASCII); one regexp pass, where removing
    the ASCII digits first cost fifteen times as much."""
    return f"NOT regexp_matches(coalesce({text}, ''), '[^\\P{{Nd}}0-9]')"


def within_money_range(number: str) -> str:
    """An amount (normalised text) fits DECIMAL(18,2)."""
    return f"({number} IS NULL OR acorn_within_money({number}))"


def within_minor_units(number: str, currency: str) -> str:
    """An amount has no more decimals than its currency's minor units (nothing is rounded on the way in)."""
    units = " ".join(f"WHEN {literal(c)} THEN {u}" for c, u in sorted(minor_units().items()))
    return f"({number} IS NULL OR acorn_decimal_places({number}) <= CASE {currency} {units} ELSE {DEFAULT_MINOR_UNITS} END)"


def whole_quantity(text: str) -> str:
    """A quantity is blank or a whole number of ASCII digits within INTEGER range."""
    value = f"coalesce({text}, '')"
    return f"({value} = '' OR (regexp_full_match({value}, '[+-]?[0-9]+') AND try_cast({value} AS INTEGER) IS NOT NULL))"


def real_date(text: str, parsed: str) -> str:
    """A date text that is present parsed into a real calendar date (`2026-02-30` does not)."""
    return f"(coalesce({text}, '') = '' OR {parsed} IS NOT NULL)"


def within_window(moment: str, first: date, last: date) -> str:
    """A date lies in the plausible window (years 0001 or 9999 are typing errors, not business)."""
    return f"({moment} IS NULL OR CAST({moment} AS DATE) BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}')"


def in_order(*moments: str) -> str:
    """Each present date is on or after the present dates before it (settlement start ≤ end ≤ deposit)."""
    days = f"list_filter([{', '.join(f'CAST({m} AS DATE)' for m in moments)}], lambda d: d IS NOT NULL)"
    return f"(list_sort({days}) = {days})"


def not_date_shaped(text: str) -> str:
    """A name or code column holds no date or timestamp (a sign its header and values were swapped)."""
    return f"(coalesce({text}, '') = '' OR NOT regexp_full_match({text}, '{_DATE_SHAPE}'))"


def not_number_shaped(text: str) -> str:
    """A type or description column holds no bare number (an amount or id under the wrong header)."""
    return f"(coalesce({text}, '') = '' OR NOT regexp_full_match({text}, '{_NUMBER_SHAPE}'))"


def in_vocabulary(value: str, vocabulary: frozenset[str]) -> str:
    """A value Amazon is known to write; an unknown one is flagged (and kept, like an unknown fee type)."""
    return f"(coalesce({value}, '') = '' OR {value} IN ({', '.join(literal(v) for v in sorted(vocabulary))}))"
