"""The periods `acorn export vendor --period` accepts: a year, month, quarter or day, or a range of them.

Kept apart from the export (no DuckDB, no openpyxl) so the command line can list the forms in its help cheaply.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_FORMS = "2026, 2026-07, 2026-Q3, 2026-07-15, or A..B with each side one of those (2026-07..2026-10)"


class PeriodError(ValueError):
    """A --period that is none of PERIOD_FORMS; the message says why and lists them."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def parse_period(text: str) -> Period:
    """A year, month, quarter or day, or `A..B` from the start of A to the end of B (both ends included)."""
    spec = text.strip()
    if ".." in spec:
        start, _, end = spec.partition("..")
        if not start.strip() or not end.strip() or ".." in end:
            raise PeriodError(f"a range needs one period on each side of '..'; use {PERIOD_FORMS}")
        period = Period(_span(start.strip()).first, _span(end.strip()).last)
    else:
        period = _span(spec)
    if period.last < period.first:
        raise PeriodError(f"it ends before it starts; use {PERIOD_FORMS}")
    return period


def _span(text: str) -> Period:
    """The days one of the single forms covers."""
    try:
        if re.fullmatch(r"\d{4}", text):
            return Period(date(int(text), 1, 1), date(int(text), 12, 31))
        if match := re.fullmatch(r"(\d{4})-[Qq](\d)", text):
            year, quarter = int(match[1]), int(match[2])
            if not 1 <= quarter <= 4:
                raise ValueError("quarter must be Q1 to Q4")
            return Period(date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first = date(int(match[1]), int(match[2]), 1)
            return Period(first, _month_end(first.year, first.month))
        if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return Period(day, day)
    except ValueError as invalid:
        raise PeriodError(f"{invalid}; use {PERIOD_FORMS}") from None
    raise PeriodError(f"{'empty' if not text else 'not a period'}; use {PERIOD_FORMS}")


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)
