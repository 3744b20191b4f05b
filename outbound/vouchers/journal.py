"""One period's journal lines as the exports read them, and the checks that refuse a period before any file is written."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from connectors.period_close import JOURNAL_COLUMNS

PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class JournalRefused(Exception):
    """The period cannot be exported or closed as it is; the message is one line saying why."""


@dataclass(frozen=True)
class Unbalanced:
    entry_id: str
    voucher_no: int
    debit: Decimal
    credit: Decimal


def check_period_text(period: str) -> str:
    if not PERIOD.fullmatch(period):
        raise JournalRefused(f"--period must be YYYY-MM (for example 2026-09), not {period!r}")
    return period


def read_period(warehouse: Path, period: str) -> list[dict[str, Any]]:
    """The period's journal lines in voucher order, Decimal money, from marts.fct_journal_lines."""
    check_period_text(period)
    if not Path(warehouse).exists():
        raise JournalRefused(f"no warehouse at {warehouse}: run `acorn run` or `acorn demo` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            cursor = con.execute(
                f"select period, {', '.join(JOURNAL_COLUMNS)} from marts.fct_journal_lines where period = ? "
                "order by voucher_no, line_no, journal_line_id", [period])
        except duckdb.CatalogException:
            raise JournalRefused(f"{warehouse} has no journal (marts.fct_journal_lines) yet: run `acorn run` "
                                 "or `acorn demo` first") from None
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]


def unbalanced_entries(lines: list[dict[str, Any]]) -> list[Unbalanced]:
    totals: dict[str, list[Any]] = {}
    for line in lines:
        entry = totals.setdefault(line["entry_id"], [line["voucher_no"], Decimal(0), Decimal(0)])
        entry[1] += line["debit"] or 0
        entry[2] += line["credit"] or 0
    return [Unbalanced(entry_id, voucher, debit, credit)
            for entry_id, (voucher, debit, credit) in totals.items() if debit != credit]


def split_entries(lines: list[dict[str, Any]]) -> dict[str, set[tuple[int, Any]]]:
    """Entries whose lines carry more than one (voucher_no, entry_date): a voucher is one entry on one day."""
    seen: dict[str, set[tuple[int, Any]]] = {}
    for line in lines:
        seen.setdefault(line["entry_id"], set()).add((line["voucher_no"], line["entry_date"]))
    return {entry: keys for entry, keys in seen.items() if len(keys) > 1}


def suspense_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["is_suspense"]]


def refuse_unbalanced(period: str, lines: list[dict[str, Any]]) -> None:
    if not lines:
        raise JournalRefused(f"period {period} has no journal lines")
    unbalanced = unbalanced_entries(lines)
    if unbalanced:
        first = unbalanced[0]
        raise JournalRefused(
            f"period {period} has {len(unbalanced)} unbalanced entr{'y' if len(unbalanced) == 1 else 'ies'} "
            f"(first: voucher {first.voucher_no}, entry {first.entry_id}, debits {first.debit} ≠ credits "
            f"{first.credit}); nothing was written")
    # Balanced entries still make unbalanced vouchers if an entry's lines are numbered or dated apart.
    split = split_entries(lines)
    if split:
        entry, keys = sorted(split.items())[0]
        numbers = ", ".join(str(number) for number in sorted({number for number, _ in keys}))
        raise JournalRefused(
            f"period {period} has {len(split)} entr{'y' if len(split) == 1 else 'ies'} spread over several vouchers "
            f"or dates (first: entry {entry}, vouchers {numbers}); nothing was written")
