"""Another process reading a warehouse, as an auditor's `duckdb -readonly` session or a BI tool does."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def hold_read_only(path: Path, seconds: float) -> subprocess.Popen[str]:
    """A process keeping `path` open read-only for `seconds`; returns once it holds the file."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
         "c.execute('select 1'); print('holding', flush=True); time.sleep(float(sys.argv[2]))", str(path), str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder
