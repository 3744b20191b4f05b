"""Typed configuration: the one place in ACORN that reads the environment.

`Settings` shapes what is loaded and built (it travels to Dagster runs in full, see orchestration/resources.py).
The functions below it answer the few questions about the process itself: where the inbox is, whether to show
tracebacks, which SP-API credentials are set, what a subprocess inherits. Nothing else in the product touches
`os.environ` (tests/config/test_settings.py checks the source for it).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType, UnionType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "acorn.duckdb"
DEFAULT_INBOX = REPO_ROOT / "data" / "inbox"

# The one statement of the default; dbt_project.yml repeats it only for a bare `dbt` call, and
# `Settings.dbt_vars()` always passes this value (tests/orchestration check that the two agree).
DEFAULT_FUNCTIONAL_CURRENCY = "CNY"
ALLOCATION_DRIVERS = ("revenue", "units")

# dbt, Dagster, Great Expectations and Streamlit all phone home unless told not to. The one list of switches:
# the CLI sets them in its own process, subprocesses inherit them, the Makefile reads them from here. Dagster's
# instance setting is its own file (orchestration/dagster_home/dagster.yaml).
TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}

# python-amazon-sp-api's credential names (connectors/spapi/accounts.py CREDENTIAL_ENV), each optionally
# suffixed `_<account_id>`: the only variables handed to the account loaders.
CREDENTIAL_PREFIXES = ("SP_API_", "LWA_")


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    archive_dir: Path
    functional_currency: str = DEFAULT_FUNCTIONAL_CURRENCY
    fx_rates_csv: Path | None = None
    allocation_driver: str = "revenue"
    # SP-API accounts and stores (JSON, see connectors/spapi/accounts.py); outside the repo when it holds credentials.
    spapi_config: Path | None = None
    # Vendor accounts, marketplaces, vendor codes and payment terms (JSON, see connectors/vendor/config.py); no credentials.
    vendor_config: Path | None = None
    # Measure vendor ages, overdue days and days in stage on this day instead of today (replaying sample data).
    as_of: date | None = None
    # Alert channels (JSON or YAML, see outbound/notify/config.py); outside the repo. Secrets are named, not held.
    notify_config: Path | None = None

    @classmethod
    def from_env(cls, warehouse: Path | str | None = None) -> Settings:
        wh = Path(warehouse or configured_warehouse() or DEFAULT_WAREHOUSE).resolve()
        archive = os.environ.get("ACORN_ARCHIVE_DIR")
        fx_csv = os.environ.get("ACORN_FX_RATES_CSV")
        spapi_config = os.environ.get("ACORN_SPAPI_CONFIG")
        vendor_config = os.environ.get("ACORN_VENDOR_CONFIG")
        notify_config = os.environ.get("ACORN_NOTIFY_CONFIG")
        as_of = os.environ.get("ACORN_AS_OF")
        driver = os.environ.get("ACORN_ALLOCATION_DRIVER", "revenue")
        if driver not in ALLOCATION_DRIVERS:
            raise ValueError(f"ACORN_ALLOCATION_DRIVER must be one of {ALLOCATION_DRIVERS}, not {driver!r}")
        return cls(
            warehouse=wh,
            # The archive sits beside the warehouse it feeds, so a temporary warehouse never writes into data/.
            archive_dir=Path(archive).resolve() if archive else wh.parent / "archive",
            functional_currency=os.environ.get("ACORN_FUNCTIONAL_CURRENCY", DEFAULT_FUNCTIONAL_CURRENCY).upper(),
            fx_rates_csv=Path(fx_csv).resolve() if fx_csv else None,
            allocation_driver=driver,
            spapi_config=Path(spapi_config).resolve() if spapi_config else None,
            vendor_config=Path(vendor_config).resolve() if vendor_config else None,
            as_of=_iso_date("ACORN_AS_OF", as_of) if as_of else None,
            notify_config=Path(notify_config).resolve() if notify_config else None,
        )

    def to_strings(self) -> dict[str, str | None]:
        """Every field as text (paths as written, dates ISO), for config systems that hold strings only."""
        return {f.name: _to_text(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_strings(cls, values: Mapping[str, str | None]) -> Settings:
        """The inverse of `to_strings`; a field missing from `values` keeps its default."""
        hints = typing.get_type_hints(cls)
        return cls(**{name: _from_text(hints[name], text) for name, text in values.items()})

    def dbt_vars(self) -> dict[str, str]:
        variables = {
            "functional_currency": self.functional_currency,
            "allocation_driver": self.allocation_driver,
        }
        if self.as_of:
            variables["as_of"] = self.as_of.isoformat()
        return variables

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess: the warehouse path, and telemetry off."""
        return {
            # dbt is installed beside this Python; a caller need not have the venv on PATH.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "ACORN_WAREHOUSE": str(self.warehouse),
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
            **TELEMETRY_OFF,
        }


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _from_text(hint: Any, text: str | None) -> Any:
    if text is None:
        return None
    # `Path | None` and friends: the one non-None member says how to read the text.
    kinds = [k for k in typing.get_args(hint) if k is not type(None)] if isinstance(hint, UnionType) else [hint]
    if len(kinds) != 1:
        raise TypeError(f"Settings cannot read a field of type {hint}")
    kind = kinds[0]
    if kind is str:
        return text
    if kind is Path:
        return Path(text)
    if kind is date:
        return date.fromisoformat(text)
    raise TypeError(f"Settings cannot read a field of type {hint}: teach _to_text and _from_text")


def _iso_date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, not {text!r}") from None


# ---- the process's own environment ----------------------------------------------------------------------------


def configured_warehouse() -> Path | None:
    """ACORN_WAREHOUSE when it is set: the warehouse every command uses unless told otherwise."""
    configured = os.environ.get("ACORN_WAREHOUSE")
    return Path(configured) if configured else None


def default_inbox() -> Path:
    """ACORN_INBOX, else data/inbox: the directory Dagster's inbox sensor watches."""
    return Path(os.environ.get("ACORN_INBOX") or DEFAULT_INBOX).resolve()


def alert_states_dir() -> Path:
    """Where the dashboards drop alert state changes (acknowledge / resolve) for the loader: inside the inbox."""
    return default_inbox() / "alert_states"


def show_tracebacks() -> bool:
    """ACORN_DEBUG set: the CLI re-raises errors instead of printing one line."""
    return bool(os.environ.get("ACORN_DEBUG"))


def credentials_environ() -> Mapping[str, str]:
    """The SP-API credential variables that are set, read-only: what the account loaders may look up.

    Values are secrets: callers hand them to python-amazon-sp-api and name the variables in errors, never the values.
    """
    return MappingProxyType({name: value for name, value in os.environ.items() if name.startswith(CREDENTIAL_PREFIXES)})


def secret_environ(names: Iterable[str]) -> Mapping[str, str]:
    """The variables among `names` that are set, read-only: the notifier's SMTP passwords and webhook URLs.

    Values are secrets: callers send them where they belong and name the variables in errors, never the values.
    """
    wanted = set(names)
    return MappingProxyType({name: value for name, value in os.environ.items() if name in wanted})


def subprocess_environ(**overrides: str) -> dict[str, str]:
    """The environment for a child process ACORN starts: this one's, telemetry off, then `overrides`."""
    return {**os.environ, **TELEMETRY_OFF, **overrides}


def turn_telemetry_off() -> None:
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
