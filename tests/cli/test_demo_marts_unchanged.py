"""The demo's marts, row for row, against a fingerprint recorded before the restructuring (issue 7)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.marts_fingerprint import marts_fingerprint, stored_fingerprint
from tests.helpers.paths import EXPECTED

pytestmark = pytest.mark.slow


def test_every_recorded_mart_keeps_every_row_and_value(demo_warehouse: Path):
    expected = stored_fingerprint(EXPECTED / "demo_marts.json")
    actual = marts_fingerprint(demo_warehouse, {table: spec["columns"] for table, spec in expected.items()})
    changed = sorted(table for table in expected if actual[table] != expected[table])
    assert not changed, {table: (expected[table], actual[table]) for table in changed}
