"""Dashboard users for tests: one per role, a store-scoped operations user and a scoped finance user, and an
AppTest already logged in as one of them."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboards.accounts import add_user
from tests.helpers.paths import REPO

APP = str(REPO / "dashboards" / "app.py")
PASSWORD = "correct-horse"
USERS = (
    # user, roles, stores, vendor accounts, language
    ("finance", ["finance"], None, None, "zh"),
    ("operations", ["operations"], None, None, "en"),
    ("management", ["management"], None, None, "en"),
    ("auditor", ["auditor"], None, None, "en"),
    ("admin", ["admin"], None, None, "en"),
    ("ops-us", ["operations"], ["acme-us"], ["acme-vendor-na"], "en"),
    ("audit-de", ["auditor"], ["acme-de"], None, "en"),
    ("finance-de", ["finance"], ["acme-de"], None, "zh"),
)


@cache
def _template(directory: Path) -> Path:
    """bcrypt is slow on purpose: hash the users once per test session and copy the file."""
    path = directory / "users.yaml"
    for username, roles, stores, accounts, language in USERS:
        add_user(path, username, PASSWORD, roles, stores=stores, vendor_accounts=accounts, language=language)
    return path


def write_users(path: Path, cache_dir: Path) -> Path:
    shutil.copyfile(_template(cache_dir), path)
    return path


def app_as(username: str, page: str | None = None, timeout: float = 30) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["acorn_login"] = (username, datetime.now(UTC))
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
