"""The run summary's books lines: balance checks, trial balance totals, vouchers per period, gross margin per store."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from acorn.summary import print_books_summary
from config.settings import Settings
from tests.helpers.books_warehouse import ENTRIES, build_books_warehouse


def summary(warehouse: Path) -> tuple[list[str], str | None]:
    lines: list[str] = []
    latest = print_books_summary(Settings(warehouse=warehouse, archive_dir=warehouse.parent / "a"), lines.append)
    return lines, latest


def test_balanced_books(tmp_path):
    lines, latest = summary(build_books_warehouse(tmp_path / "acorn.duckdb"))
    assert lines == [
        "",
        "Books (4 entries, 11 journal lines, CNY)",
        "  every entry balances (debits = credits)",
        "  entries by source: cogs 1, deposit 1, settlement 2",
        "  trial balance over 2 period(s): debits 14,851.78 = credits 14,851.78",
        "  vouchers per period: 2026-08 3, 2026-09 1",
        "  gross margin acme-us     81.5%  (net revenue 6,918.89, COGS 1,283.40 CNY)",
    ]
    assert latest == "2026-09"


def test_unbalanced_entries_and_suspense_are_counted(tmp_path):
    broken = [*ENTRIES, ("bad", "2026-09", date(2026, 9, 9), "acme-us", "settlement", "9", "坏", None,
                         [("1122.01", "1.00", "0", "USD", "0.14", "7.1"), ("2241.99", "0", "0.99", "USD", "-0.14", "7.1")])]
    lines, _ = summary(build_books_warehouse(tmp_path / "acorn.duckdb", broken))
    assert "  1 entries do NOT balance (first: bad, debits 1.00 ≠ credits 0.99)" in lines
    assert "  1 suspense posting(s): map them in the account mapping seed" in lines
    assert "  trial balance over 2 period(s): debits 14,852.78 ≠ credits 14,852.77" in lines


def test_nothing_without_a_journal(tmp_path):
    warehouse = tmp_path / "acorn.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert summary(warehouse) == ([], None)
