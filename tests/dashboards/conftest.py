"""Every dashboard test runs with a users file of its own (one user per role, scoped users) and its own access log."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.dashboard_users import write_users


@pytest.fixture(scope="session")
def _users_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("users")


@pytest.fixture(autouse=True)
def dashboard_users(tmp_path, monkeypatch, _users_cache) -> Path:
    path = write_users(tmp_path / "users.yaml", _users_cache)
    monkeypatch.setenv("ACORN_USERS_FILE", str(path))
    monkeypatch.setenv("ACORN_ACCESS_LOG", str(tmp_path / "access_log.jsonl"))
    return path
