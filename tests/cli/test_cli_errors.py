"""What a user can get wrong is one line of advice: read-only folders, empty inboxes, bad periods.

Each of these stops before the pipeline starts, so they run in a second or two.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from acorn.build import progress_printer
from acorn.invocation import acorn_command, make_command, path_as_typed
from acorn.preflight import holds_data
from acorn.summary import print_summary
from config.settings import REPO_ROOT, Settings
from connectors.loader import load_inbox
from orchestration.pipeline import PipelineResult
from outbound.periods import PERIOD_FORMS
from tests.helpers.cli import acorn


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot create files in: permission bits, or for root (who ignores them) the
    immutable attribute; skipped where neither holds."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        restore = ["chmod", "755", str(folder)]
    elif shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        restore = ["chattr", "-i", str(folder)]
    else:
        pytest.skip("cannot make a folder read-only here")
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            yield folder
        else:
            pytest.skip(f"{folder} stayed writable")
    finally:
        subprocess.run(restore, check=True)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "stores.csv").write_text("store_id,seller_id,marketplace_id,marketplace_name,currency,time_zone\n")
    return folder


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    return lines[0]


def test_a_warehouse_in_a_read_only_folder_is_one_line_before_anything_runs(read_only_folder, inbox):
    for command in (["run", "--inbox", str(inbox)], ["demo"]):
        result = acorn(*command, "--warehouse", str(read_only_folder / "acorn.duckdb"))

        assert result.returncode == 1
        assert one_line(result) == f"acorn: error: cannot write {read_only_folder}: choose another --warehouse"
    assert not (inbox.parent / "archive").exists()


def test_a_warehouse_below_a_read_only_folder_names_that_folder(read_only_folder, inbox):
    result = acorn("run", "--inbox", str(inbox), "--warehouse", str(read_only_folder / "new" / "acorn.duckdb"))
    assert result.returncode == 1
    assert one_line(result) == f"acorn: error: cannot write {read_only_folder / 'new'}: choose another --warehouse"


def test_an_empty_inbox_and_an_empty_warehouse_build_nothing(tmp_path):
    empty = tmp_path / "empty"
    (empty / ".hidden").mkdir(parents=True)
    (empty / ".expected_anomalies.json").write_text("{}")  # hidden files are not inputs
    warehouse = tmp_path / "wh" / "acorn.duckdb"

    result = acorn("run", "--inbox", str(empty), "--warehouse", str(warehouse))

    assert result.returncode == 0
    assert one_line(result).startswith(f"acorn: warning: inbox {empty} has no files to load: drop settlement reports")
    assert "nothing was built" in result.stdout
    assert not warehouse.exists()


def test_a_warehouse_holds_data_once_anything_was_received(tmp_path):
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "archive")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "notes.txt").write_text("not a report")
    assert not holds_data(settings)
    load_inbox(settings, tmp_path / "inbox")  # quarantined, and so received
    assert holds_data(settings)


@pytest.mark.parametrize("period", ["2026-Q5", "foo", "", "2026-13", "2026-07..", "2026-10..2026-07", "20260715"])
def test_each_bad_period_is_one_line_listing_the_forms(tmp_path, period):
    result = acorn("export", "vendor", "--period", period, "--out", str(tmp_path / "x.csv"),
                   "--warehouse", str(tmp_path / "none.duckdb"))

    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith(f"acorn: error: --period {period!r}: ") and line.endswith(f"use {PERIOD_FORMS}")
    assert not (tmp_path / "x.csv").exists()


def test_progress_shows_each_files_outcome_and_the_rest_only_when_verbose():
    lines = ["started inbox_tables", "loaded      stores.csv: 3 rows",
             "quarantined bad.txt: line 3: parseable amount", "duplicate   copy.txt: same bytes as a.txt",
             "materialized marts/fct_ledger", "finished inbox_tables in 1.0 s"]
    quiet: list[str] = []
    loud: list[str] = []
    for line in lines:
        progress_printer(quiet.append, verbose=False)(line)
        progress_printer(loud.append, verbose=True)(line)
    assert quiet == [f"  {line}" for line in lines[1:4]]
    assert loud == [f"  {line}" for line in lines]


def test_summary_of_a_run_whose_inbox_step_failed_prints_the_failures(tmp_path):
    settings = Settings(warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive")
    result = PipelineResult(success=False, load_report=None,
                            failures=["inbox_tables: IO Error: Cannot open file", "raw__fx_ecb_rates: failed"])
    lines: list[str] = []

    print_summary(settings, result, lines.append)

    assert lines[-3:] == ["The pipeline failed:", "  inbox_tables: IO Error: Cannot open file",
                          "  raw__fx_ecb_rates: failed"]
    assert not any(line.startswith("Files") for line in lines)


def test_suggested_commands_work_as_typed(tmp_path, monkeypatch):
    venv_acorn = Path(sys.executable).parent / "acorn"
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    # `.venv/bin/acorn demo` typed in the clone, the venv not on PATH: the same path back.
    monkeypatch.setattr(sys, "argv", [str(venv_acorn.relative_to(REPO_ROOT)), "demo"])
    assert acorn_command() == str(venv_acorn.relative_to(REPO_ROOT))
    # `python -m acorn.cli`: the script beside this Python; by its bare name once PATH finds that very file.
    monkeypatch.setattr(sys, "argv", [str(REPO_ROOT / "acorn" / "cli.py")])
    assert acorn_command() == str(venv_acorn.relative_to(REPO_ROOT))
    monkeypatch.setenv("PATH", f"{venv_acorn.parent}:/usr/bin:/bin")
    assert acorn_command() == "acorn"

    assert path_as_typed(REPO_ROOT / "data" / "demo" / "acorn.duckdb") == "data/demo/acorn.duckdb"
    assert path_as_typed(Path("/tmp/a b/acorn.duckdb")) == "'/tmp/a b/acorn.duckdb'"
    assert make_command("dagster", WAREHOUSE=REPO_ROOT / "data" / "x.duckdb") == "make dagster WAREHOUSE=data/x.duckdb"
    monkeypatch.chdir(tmp_path)
    assert make_command("dagster", WAREHOUSE=Path("w.duckdb")) == \
        f"make -C {REPO_ROOT} dagster WAREHOUSE={tmp_path.resolve() / 'w.duckdb'}"
