"""macros/tests/not_null_columns.sql, the one test that checks all of a model's not-null columns, rendered by dbt
and run on DuckDB (`dbt show --inline`): it must name each column holding a null, with its count, and only those."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")
ROWS = "(select * from (values (1, 'x', null, 10), (2, null, null, 20), (3, 'z', 5, null)) t(id, a, b, month))"


def _failures(tmp_path: Path, columns: list[str]) -> list[dict]:
    inline = f"{{{{ test_not_null_columns({ROWS!r}, {columns!r}) }}}}"
    result = subprocess.run(
        [str(DBT), "show", "--quiet", "--output", "json", "--inline", inline, "--limit", "50",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target")],
        env={**os.environ, "ACORN_WAREHOUSE": str(tmp_path / "acorn.duckdb")}, capture_output=True, text=True,
        cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return json.loads(result.stdout[result.stdout.index("{"):])["show"]


def test_each_column_with_nulls_is_named_with_its_count_and_only_those(tmp_path: Path) -> None:
    failures = _failures(tmp_path, ["id", "a", "b", "month"])
    assert sorted((f["column_name"], f["null_rows"]) for f in failures) == [("a", 1), ("b", 2), ("month", 1)]
