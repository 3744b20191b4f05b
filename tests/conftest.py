"""Test-wide environment (telemetry off, the venv's dbt on PATH) and fixtures shared by several modules."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import turn_telemetry_off
from tests.helpers.paths import SAMPLES

turn_telemetry_off()

_venv_bin = str(Path(sys.executable).parent)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def vendor_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """The generated vendor world loaded, synced through the local SP-API and built by dbt, once per session."""
    from tests.helpers.vendor_world import build_vendor_warehouse

    return build_vendor_warehouse(tmp_path_factory.mktemp("vendor"), with_eom_invoices=True)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`acorn demo` (seller and vendor parts) run once per session in a fresh process; its output is saved as
    `demo-output.txt` beside the warehouse. Tests that write to it must leave its marts as they found them."""
    warehouse = tmp_path_factory.mktemp("demo") / "acorn.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "acorn.cli", "demo", "--warehouse", str(warehouse)],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (warehouse.parent / "demo-output.txt").write_text(result.stdout)
    return warehouse


@pytest.fixture
def fresh_streamlit_cache():
    """Dashboard queries are cached across reruns; each test starts and ends with an empty cache."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="session")
def samples() -> Path:
    """Amazon's genuine samples in ../shared/formats/samples; the test is skipped where they are not."""
    if not SAMPLES.is_dir():
        pytest.skip(f"Amazon's genuine samples are not at {SAMPLES} (../shared beside the clone)")
    return SAMPLES
