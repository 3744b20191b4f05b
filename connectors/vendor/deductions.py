"""Deduction types from remittance invoice numbers, by the dbt seed `vendor_deduction_types.csv`.

The seed is the single source of truth: dbt matches it with SQL LIKE in the marts; this module applies the same
patterns in Python (tests, exports). Raw rows stay unclassified.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

SUFFIX_FILE = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "vendor_deduction_types.csv"


@dataclass(frozen=True)
class DeductionRule:
    priority: int
    like_pattern: str
    deduction_type: str
    description: str

    def matches(self, invoice_number: str) -> bool:
        return _like_regex(self.like_pattern).fullmatch(invoice_number) is not None


@cache
def _like_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern), re.DOTALL)


@lru_cache(maxsize=1)
def deduction_rules() -> tuple[DeductionRule, ...]:
    with SUFFIX_FILE.open(encoding="utf-8", newline="") as handle:
        rules = [DeductionRule(int(r["priority"]), r["like_pattern"], r["deduction_type"], r["description"])
                 for r in csv.DictReader(handle)]
    return tuple(sorted(rules, key=lambda r: r.priority))


def classify_invoice_number(invoice_number: str) -> str | None:
    """The deduction type of a remittance row's invoice number, or None for an ordinary invoice."""
    number = invoice_number.strip()
    return next((rule.deduction_type for rule in deduction_rules() if rule.matches(number)), None)
