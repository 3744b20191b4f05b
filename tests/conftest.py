"""Test-wide environment (telemetry off, the venv's dbt on PATH) and fixtures shared by several modules."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

for name, value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}.items():
    os.environ.setdefault(name, value)

_venv_bin = str(Path(sys.executable).parent)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def vendor_warehouse(tmp_path_factory: pytest.TempPathFactory):
    """The generated vendor world loaded, synced through the local SP-API and built by dbt, once per session."""
    from test_dbt_vendor import build_vendor_warehouse

    return build_vendor_warehouse(tmp_path_factory.mktemp("vendor"), with_eom_invoices=True)
