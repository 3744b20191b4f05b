"""A fingerprint of every mart: its columns, row count and a SHA-256 over its sorted rows.

The stored fingerprint of the demo (`tests/expected/demo_marts.json`) was recorded from a build before the
restructuring of issue 7; a mart may gain columns, but the recorded columns must keep every value. One deliberate
change since: dim_stores lost the `acme-ca` row the product's stores seed used to carry (demo data in a product seed;
the recorded 3 rows plus that seed row give the original fingerprint b724781b...). And fct_pnl_monthly's Cost of goods
sold rows (issue 9): refunded units return to stock at their original sale's cost, no longer at the current average,
and a purchase in a foreign currency is landed at its whole cost times the rate (only other_landed_cost was converted)
(fingerprint a0b498bb... before).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb


def marts_fingerprint(warehouse: Path, columns_of: dict[str, list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Every table of `marts`; with `columns_of`, only those tables and, of each, only those columns."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        result = {}
        for table in tables if columns_of is None else sorted(columns_of):
            present = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall()]
            columns = present if columns_of is None else [c for c in columns_of[table] if c in present]
            if not present:
                result[table] = {"missing": True}
                continue
            selected = ", ".join(f'"{c}"' for c in columns)
            rows = sorted(repr(row) for row in con.execute(f'SELECT {selected} FROM marts."{table}"').fetchall())
            result[table] = {"columns": columns, "rows": len(rows),
                             "sha256": hashlib.sha256("\n".join(rows).encode()).hexdigest()}
        return result


def stored_fingerprint(path: Path) -> dict[str, dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))
