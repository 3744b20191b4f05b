"""Running `acorn` as a user does, and reading what it built."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.helpers.paths import REPO

MARTS = ("marts.fct_ledger", "marts.fct_settlement_reconciliation", "marts.fct_pnl_monthly")
VENDOR_MARTS = ("marts.fct_po_lifecycle", "marts.fct_vendor_invoices", "marts.fct_vendor_deductions", "marts.fct_alerts")

def acorn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "acorn.cli", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def marts_snapshot(warehouse: Path, marts: tuple[str, ...] = MARTS) -> dict[str, list[tuple]]:
    return {m: sorted(rows(warehouse, f"SELECT * FROM {m}"), key=repr) for m in marts}
