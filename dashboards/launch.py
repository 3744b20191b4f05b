"""How `acorn dashboards` starts Streamlit: the command line and its environment."""
from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from config.settings import TELEMETRY_OFF, Settings, subprocess_environ

APP = Path(__file__).resolve().parent / "app.py"


def command(settings: Settings, port: int) -> list[str]:
    """`streamlit run` for the app, headless on localhost, no usage statistics, and no Deploy button or
    developer menu (`client.toolbarMode viewer`) for people who only read figures, and no CSV download or copy
    from the grid's own toolbar (`client.disableDataExport`): exports go through the page's buttons, which
    neutralise formulas and are logged.

    Streamlit has no option for the warehouse path: it reaches the app through
    `environment(settings)`; `settings` is taken here so callers build both from one object.
    """
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
        "--client.disableDataExport", "true",
    ]  # fmt: skip


def environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the Streamlit process (this process's, or `base`): the warehouse it reads, its users and
    access log, and telemetry off."""
    own = {"ACORN_WAREHOUSE": str(settings.warehouse), "ACORN_USERS_FILE": str(settings.users_file),
           "ACORN_ACCESS_LOG": str(settings.access_log)}
    if base is None:
        return subprocess_environ(**own)
    return {**base, **TELEMETRY_OFF, **own}
