"""The project's one way to divide money, macros/quotient.sql, compiled by dbt and run on DuckDB and on a local Spark
(`dbt show --inline`).

DuckDB divides decimals in DOUBLE, so each tie below is a case where `round(x / y, scale)` there lands a unit low;
Spark keeps only 6 places of a quotient wider than 38 digits, which the DECIMAL(38, 2) sums below would be.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")


def money(value: str, scale: int = 2) -> str:
    return f"cast({value} as decimal(18, {scale}))"


# name -> (numerator, denominator, scale, denominator_scale, the exact quotient rounded half away from zero)
CASES: dict[str, tuple[str, str, int, int, str | None]] = {
    "tie_rounds_up": (money("39.73"), "2", 2, 0, "19.87"),
    "other_tie_rounds_up": (money("39.71"), "2", 2, 0, "19.86"),
    "negative_tie_rounds_away_from_zero": (money("-39.73"), "2", 2, 0, "-19.87"),
    "negative_denominator": (money("39.73"), "-2", 2, 0, "-19.87"),
    "below_the_tie_rounds_down": (money("10.00"), "3", 2, 0, "3.33"),
    "above_the_tie_rounds_up": (money("-20.00"), "3", 2, 0, "-6.67"),
    "zero_denominator_is_null": (money("1.00"), "0", 2, 0, None),
    "zero_rate_is_null": (money("5.00"), money("0", 8), 2, 8, None),
    # the ECB cross rate CNY per CZK on 2020-02-26: 7.6329 / 25.344 = 0.301171875 exactly
    "rate_over_rate_tie": (money("7.63290000", 8), money("25.34400000", 8), 8, 8, "0.30117188"),
    # DuckDB keeps DECIMAL(18, s) * INTEGER at width 18: a rate over 100 times 10^8 overflowed, as did an amount
    # over 10^8 in minor units, until the powers of ten became HUGEINTs
    "rate_over_a_rate_above_100": (money("8.09870000", 8), money("160.00000000", 8), 8, 8, "0.05061688"),
    "inverse_rate": ("1", money("7.10000000", 8), 8, 8, "0.14084507"),
    "amount_in_minor_units": (money("-12.35"), money("0.01", 8), 0, 8, "-1235"),
    "large_amount_in_minor_units": (money("123456789.01"), money("0.01", 8), 0, 8, "12345678901"),
    "large_amount_at_rate_scale": (money("12345678.91"), money("1.50"), 8, 2, "8230452.60666667"),
    "rate_of_wide_sums": ("cast(1122.01 as decimal(38, 2))", "cast(7923.45 as decimal(38, 2))", 8, 2, "0.14160624"),
}
SPARK_MISSING = importlib.util.find_spec("pyspark") is None or shutil.which("java") is None


@pytest.mark.parametrize("target", ["local", pytest.param("spark", marks=pytest.mark.skipif(
    SPARK_MISSING, reason="the spark extra or a Java runtime is missing"))])
def test_quotient_rounds_the_exact_quotient_half_away_from_zero(tmp_path: Path, target: str) -> None:
    columns = ",\n".join(
        f"cast({{{{ quotient({numerator!r}, {denominator!r}, {scale}, {denominator_scale}) }}}}"
        f" as {{{{ dbt.type_string() }}}}) as {name}"
        for name, (numerator, denominator, scale, denominator_scale, _) in CASES.items())
    env = {**os.environ, "ACORN_WAREHOUSE": str(tmp_path / "acorn.duckdb"), "ACORN_SPARK_HOME": str(tmp_path / "spark")}
    result = subprocess.run(
        [str(DBT), "show", "--quiet", "--output", "json", "--target", target, "--inline", f"select {columns}",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(tmp_path / "target")],
        env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    # a Spark session may log to stdout before the result
    (row,) = json.loads(result.stdout[result.stdout.index("{"):])["show"]
    assert row == {name: expected for name, (*_, expected) in CASES.items()}
