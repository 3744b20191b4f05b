"""The `acorn` command end to end: real generator, loader, Dagster materialization and dbt build."""
from __future__ import annotations

import json
import re
import shlex
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from acorn.build import EMPTY_INBOX_ADVICE
from tests.helpers.cli import MARTS, VENDOR_MARTS, acorn, marts_snapshot, rows
from tests.helpers.paths import REPO, SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(demo_warehouse: Path) -> Path:
    """The session's `acorn demo` warehouse (tests/conftest.py), shared with tests/test_cli_vendor.py."""
    return demo_warehouse


def test_demo_flags_exactly_the_injected_anomalies(demo):
    output = (demo.parent / "demo-output.txt").read_text()
    key = json.loads((demo.parent / "inbox" / ".expected_anomalies.json").read_text())
    expected = {a["kind"]: a for a in key["anomalies"]}

    assert "Demo check: exactly the 4 injected anomalies were flagged, nothing else." in output
    flagged = rows(demo, "SELECT settlement_id, status FROM marts.fct_settlement_reconciliation "
                         "WHERE status <> 'tied' ORDER BY settlement_id")
    assert flagged == sorted([(expected["deposit_missing"]["settlement_id"], "deposit_missing"),
                              (expected["deposit_short"]["settlement_id"], "deposit_short")])
    short = rows(demo, "SELECT bank_difference FROM marts.fct_settlement_reconciliation "
                       f"WHERE settlement_id = '{expected['deposit_short']['settlement_id']}'")[0][0]
    assert short == -Decimal(expected["deposit_short"]["shortfall"])
    loads = dict(rows(demo, "SELECT file_name, status FROM audit.file_loads WHERE status <> 'loaded'"))
    assert loads == {expected["malformed_file"]["file_name"]: "quarantined",
                     expected["duplicate_file"]["duplicate_file_name"]: "duplicate"}
    malformed = expected["malformed_file"]
    assert f"line {malformed['line']}: parseable amount" in output
    # Each file's outcome once, as it loads; the summary only counts them.
    assert output.count(malformed["file_name"]) == 1
    assert output.count(expected["duplicate_file"]["duplicate_file_name"]) == 1


def test_demo_output_is_the_news_without_the_pipelines_steps(demo):
    output = (demo.parent / "demo-output.txt").read_text()
    lines = output.splitlines()

    assert not [line for line in lines if line.strip().startswith(("started ", "finished ", "materialized "))]
    counts = next(line for line in lines if re.fullmatch(r"  loaded \d+, duplicate \d+, quarantined \d+", line))
    assert sum(line.startswith("  loaded      ") for line in lines) == int(counts.split()[1].rstrip(",")) > 0
    # Statuses are counted in the seed's order, which the warehouse holds.
    order = [status for (status,) in rows(demo, "SELECT status FROM seeds.reconciliation_statuses ORDER BY sort_order")]
    counted = [part.split()[0] for part in lines[lines.index(next(ln for ln in lines if ln.startswith("Settlements ("))) + 1]
               .split(", ")]
    assert counted == [status for status in order if status in counted] and "tied" in counted


def test_demos_next_steps_work_as_typed(demo):
    output = (demo.parent / "demo-output.txt").read_text().splitlines()
    after = output[output.index("Next:") + 1:]
    # The "Next:" block ends at the first blank line (the demo's users follow it).
    steps = after[:after.index("")] if "" in after else after

    assert steps and any(" dashboards --warehouse " in step for step in steps)
    for step in steps:
        program = shlex.split(step)[0]
        # The demo ran from the clone with the venv on PATH (tests/conftest.py): a name PATH finds, or a path.
        assert shutil.which(program) or (REPO / program).is_file(), step
    dagster = next(step for step in steps if "dagster" in step)
    assert dagster.strip().startswith("make dagster WAREHOUSE=") and (REPO / "Makefile").is_file()


def test_ledger_is_decimal_utc_and_converted(demo):
    (types,) = rows(demo, "SELECT typeof(amount), typeof(amount_functional), typeof(fx_rate), typeof(posted_at) "
                          "FROM marts.fct_ledger LIMIT 1")
    assert types[0].startswith("DECIMAL") and types[1].startswith("DECIMAL") and types[2].startswith("DECIMAL")
    assert types[3] == "TIMESTAMP"
    missing = rows(demo, "SELECT count(*) FROM marts.fct_ledger WHERE amount_functional IS NULL OR fx_rate IS NULL")
    assert missing == [(0,)]
    assert rows(demo, "SELECT DISTINCT functional_currency FROM marts.fct_ledger") == [("CNY",)]


def test_second_run_on_the_same_inbox_changes_nothing(demo):
    before = marts_snapshot(demo, MARTS + VENDOR_MARTS)
    loads_before = rows(demo, "SELECT * FROM audit.file_loads ORDER BY file_name, sha256")
    (as_of,) = {d for (d,) in rows(demo, "SELECT DISTINCT as_of_date FROM marts.fct_po_lifecycle")}

    # The demo measured vendor ages on its vendor world's as_of day; the same day keeps the vendor marts equal.
    result = acorn("run", "--inbox", str(demo.parent / "inbox"), "--warehouse", str(demo),
                   env={"ACORN_AS_OF": as_of.isoformat()})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded 0, duplicate 0, quarantined 0" in result.stdout
    assert "materialized " not in result.stdout
    assert rows(demo, "SELECT * FROM audit.file_loads ORDER BY file_name, sha256") == loads_before
    assert marts_snapshot(demo, MARTS + VENDOR_MARTS) == before


def test_an_empty_inbox_is_a_warning_then_the_marts_are_rebuilt_verbosely(demo, tmp_path):
    before = marts_snapshot(demo, MARTS + VENDOR_MARTS)
    (as_of,) = {d for (d,) in rows(demo, "SELECT DISTINCT as_of_date FROM marts.fct_po_lifecycle")}
    empty = tmp_path / "empty"
    empty.mkdir()

    env = {"ACORN_AS_OF": as_of.isoformat()}

    nothing_new = acorn("run", "--inbox", str(empty), "--warehouse", str(demo), "--verbose", env=env)
    full = acorn("run", "--inbox", str(empty), "--warehouse", str(demo), "--verbose", "--full-refresh", env=env)

    for result in (nothing_new, full):
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[0] == (
            f"acorn: warning: inbox {empty} has no files to load: {EMPTY_INBOX_ADVICE}; "
            f"rebuilding the marts from what {demo} holds")
    # nothing changed since the last build, so only --full-refresh builds the models again
    assert "  materialized marts/fct_ledger" not in nothing_new.stdout.splitlines()
    assert "  unchanged marts/fct_ledger" in nothing_new.stdout.splitlines()
    assert "  materialized marts/fct_ledger" in full.stdout.splitlines()
    assert marts_snapshot(demo, MARTS + VENDOR_MARTS) == before


def test_rebuild_from_the_archive_reproduces_the_marts(demo, tmp_path):
    rebuilt = tmp_path / "rebuilt" / "acorn.duckdb"

    result = acorn("rebuild", "--from-archive", str(demo.parent / "archive"), "--warehouse", str(rebuilt))

    assert result.returncode == 0, result.stdout + result.stderr
    assert marts_snapshot(rebuilt) == marts_snapshot(demo)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/formats/samples is not beside the repo")
def test_run_on_amazons_genuine_samples(samples, tmp_path):
    warehouse = tmp_path / "acorn.duckdb"

    result = acorn("run", "--inbox", str(SAMPLES), "--warehouse", str(warehouse))

    assert result.returncode == 0, result.stdout + result.stderr
    statuses = dict(((s, (st, d)) for s, st, d in rows(
        warehouse, "SELECT settlement_id, status, difference FROM marts.fct_settlement_reconciliation")))
    for ca in ("23874396421", "23874397121", "24288684721", "24495221541"):
        assert statuses[ca] == ("pending_deposit", Decimal("0.00"))
    assert statuses["6016502941"] == ("mismatch", Decimal("16603.14"))
    unknown = rows(warehouse, "SELECT file_name, message FROM audit.file_loads WHERE kind = 'unknown'")
    assert len(unknown) == len([p for p in SAMPLES.iterdir() if p.suffix in (".json", ".tsv")])
    assert all("does not read this kind of file yet" in m or "unrecognised" in m for _, m in unknown)
    assert "lines differ from the header total by 16603.14 USD" in result.stdout


def test_errors_are_one_clear_line(tmp_path):
    result = acorn("run", "--inbox", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w.duckdb"))

    assert result.returncode != 0
    assert result.stdout.strip().splitlines() == [f"acorn: error: inbox {tmp_path / 'missing'} is not a directory"]
    assert "Traceback" not in result.stderr
