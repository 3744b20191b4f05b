"""Configuration at the bottom: the only reader of the environment, each default written once."""
from __future__ import annotations

import ast
import dataclasses
from datetime import date
from pathlib import Path

import pytest
import yaml

from config.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_FUNCTIONAL_CURRENCY,
    TELEMETRY_OFF,
    Settings,
    credentials_environ,
    subprocess_environ,
)
from tests.helpers.paths import REPO

PRODUCT = ("acorn", "config", "connectors", "orchestration", "outbound", "dashboards")
ENVIRONMENT_API = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_readers(path: Path) -> list[int]:
    """Lines of `path` that touch the process environment: `os.environ`, `os.getenv`, `from os import environ`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    attribute = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and node.attr in ENVIRONMENT_API and isinstance(node.value, ast.Name) and node.value.id == "os"]
    imported = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "os"
                and {alias.name for alias in node.names} & ENVIRONMENT_API]
    return sorted(attribute + imported)


def test_only_config_reads_the_environment():
    readers = {
        str(path.relative_to(REPO)): lines
        for package in PRODUCT if package != "config"
        for path in sorted((REPO / package).rglob("*.py"))
        if (lines := environment_readers(path))
    }
    assert not readers, readers
    # The scan sees what it is meant to see.
    assert environment_readers(REPO / "config" / "settings.py")


def test_settings_travel_as_strings_field_for_field():
    defaults = Settings(warehouse=Path("/w/acorn.duckdb"), archive_dir=Path("/w/archive"))
    changed = {"warehouse": Path("/x/acorn.duckdb"), "archive_dir": Path("/x/archive"), "functional_currency": "EUR",
               "fx_rates_csv": Path("/x/fx.csv"), "allocation_driver": "units", "spapi_config": Path("/x/spapi.json"),
               "vendor_config": Path("/x/vendor.json"), "as_of": date(2026, 10, 15),
               "plausible_dates_from": date(2010, 1, 1), "plausible_dates_until": date(2030, 12, 31),
               "published_warehouse": Path("/x/acorn.published.duckdb"), "lock_wait_seconds": 30,
               "file_group": "finance", "fx_policy": "month_average", "fx_rate_source": "pboc",
               "cost_method": "fifo", "inventory_account": "1406", "refund_restock": False,
               "purchase_credit_account": "1002",
               "users_file": Path("/x/users.yaml"), "access_log": Path("/x/access_log.jsonl"), "language": "zh",
               "session_minutes": 60, "login_max_failures": 3, "login_lockout_minutes": 30, "sql_row_limit": 100,
               "sql_timeout_seconds": 2.5, "auth": "oidc",
               "notify_config": Path("/x/notify.yaml"), "load_memory_limit": "2GB",
               "build_memory_limit": "3GB"}
    # A new field must be added here, with a value unlike its default.
    assert set(changed) == {f.name for f in dataclasses.fields(Settings)}
    settings = dataclasses.replace(defaults, **changed)
    assert all(getattr(settings, name) != getattr(defaults, name) for name in ("functional_currency", "as_of"))

    assert Settings.from_strings(settings.to_strings()) == settings
    assert Settings.from_strings(defaults.to_strings()) == defaults
    # The archive may be an object-storage URL: it travels as the URL, not as a Path that would fold its `//`.
    on_s3 = dataclasses.replace(defaults, archive_dir="s3://acme-finance/acorn/archive")
    assert Settings.from_strings(on_s3.to_strings()).archive_dir == "s3://acme-finance/acorn/archive"


def test_credentials_environ_holds_only_credential_names(monkeypatch):
    monkeypatch.setenv("SP_API_REFRESH_TOKEN_acme", "Atzr|x")
    monkeypatch.setenv("LWA_APP_ID", "amzn1.application-oa2-client.x")
    monkeypatch.setenv("ACORN_SOMETHING_ELSE", "not a credential")

    found = credentials_environ()

    assert found["SP_API_REFRESH_TOKEN_acme"] == "Atzr|x" and found["LWA_APP_ID"].startswith("amzn1.")
    assert "ACORN_SOMETHING_ELSE" not in found and "PATH" not in found
    assert all(name.startswith(("SP_API_", "LWA_")) for name in found)


def test_telemetry_switches_are_listed_once():
    env = subprocess_environ(ACORN_WAREHOUSE="/w.duckdb")
    assert all(env[name] == value for name, value in TELEMETRY_OFF.items()) and env["ACORN_WAREHOUSE"] == "/w.duckdb"
    assert all(Settings(Path("/w"), Path("/a")).dbt_env()[name] == value for name, value in TELEMETRY_OFF.items())
    restating = [str(path.relative_to(REPO)) for path in [REPO / "Makefile", *(
        p for package in PRODUCT for p in (REPO / package).rglob("*.py"))]
        if path != REPO / "config" / "settings.py" and any(name in path.read_text() for name in TELEMETRY_OFF)]
    assert restating == []


def test_dbt_projects_currency_default_is_configs():
    # dbt_project.yml keeps a default for a bare `dbt` call; Python always passes its own.
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["vars"]["functional_currency"] == DEFAULT_FUNCTIONAL_CURRENCY
    assert Settings(Path("/w"), Path("/a")).dbt_vars()["functional_currency"] == DEFAULT_FUNCTIONAL_CURRENCY


def test_the_published_copy_defaults_to_beside_the_warehouse_and_env_configures_access(monkeypatch, tmp_path):
    monkeypatch.setenv("ACORN_LOCK_WAIT_SECONDS", "45")
    monkeypatch.setenv("ACORN_PLAUSIBLE_DATES_FROM", "2015-01-01")
    settings = Settings.from_env(tmp_path / "acorn.duckdb")
    assert settings.published_warehouse == tmp_path / "acorn.published.duckdb"
    assert settings.lock_wait_seconds == 45 and settings.plausible_dates()[0] == date(2015, 1, 1)
    monkeypatch.setenv("ACORN_LOCK_WAIT_SECONDS", "soon")
    with pytest.raises(ValueError, match="ACORN_LOCK_WAIT_SECONDS"):
        Settings.from_env(tmp_path / "acorn.duckdb")


def test_secret_environ_holds_only_the_names_asked_for(monkeypatch):
    from config.settings import secret_environ

    monkeypatch.setenv("ACORN_WECOM_WEBHOOK", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    monkeypatch.setenv("ACORN_OTHER", "x")
    found = secret_environ(["ACORN_WECOM_WEBHOOK", "ACORN_UNSET"])
    assert dict(found) == {"ACORN_WECOM_WEBHOOK": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
    with pytest.raises(TypeError):
        found["ACORN_OTHER"] = "y"  # read-only
