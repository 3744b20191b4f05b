"""Settlement cycles: 14-day periods back to back, each paid out two days after it closes."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

CYCLE = timedelta(days=14)
DEPOSIT_DELAY = timedelta(days=2)
MIN_CYCLES = 3


@dataclass(frozen=True)
class Cycle:
    index: int
    start_at: datetime                 # naive UTC, inclusive
    end_at: datetime                   # naive UTC, exclusive; the next cycle's start
    deposit_at: datetime               # naive UTC


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    # Clamp the 31st to the last day of a shorter month.
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def cycle_count(start: date, months: int) -> int:
    """Enough cycles to cover `months` calendar months from `start`, and never fewer than three."""
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    days = (add_months(start, months) - start).days
    return max(MIN_CYCLES, math.ceil(days / CYCLE.days))


def cycles_for(start: date, months: int, time_of_day: timedelta) -> list[Cycle]:
    """The store's cycles; Amazon closes each store's cycles at its own time of day."""
    first = datetime(start.year, start.month, start.day) + time_of_day
    cycles = []
    for index in range(cycle_count(start, months)):
        start_at = first + index * CYCLE
        cycles.append(Cycle(index, start_at, start_at + CYCLE, start_at + CYCLE + DEPOSIT_DELAY))
    return cycles
