"""Cells a spreadsheet would run as a formula (`=cmd|' /C calc'!A0`), made inert in every CSV/XLSX ACORN writes.

OWASP's rule for CSV injection: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
apostrophe, which spreadsheets show as text. Numbers stay numbers: a Decimal or int is never touched, and neither is
text that is just a number (`-12.50`). The warehouse keeps every value verbatim; only the export is neutralised.
"""
from __future__ import annotations

import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(value: Any) -> Any:
    """`value` as a cell that cannot execute: formula-like text gets a leading `'`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [neutralise(value) for value in values]
