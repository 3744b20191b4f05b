"""Typed configuration: the one place that reads ACORN's environment variables."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "acorn.duckdb"

ALLOCATION_DRIVERS = ("revenue", "units")
LANGUAGES = ("en", "zh")

# dbt, Dagster, Great Expectations and Streamlit all phone home unless told not to.
TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def turn_telemetry_off() -> None:
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


@dataclass(frozen=True)
class Settings:
    warehouse: Path
    archive_dir: Path
    functional_currency: str = "CNY"
    fx_rates_csv: Path | None = None
    allocation_driver: str = "revenue"
    # SP-API accounts and stores (JSON, see connectors/spapi/accounts.py); outside the repo when it holds credentials.
    spapi_config: Path | None = None
    # Vendor accounts, marketplaces, vendor codes and payment terms (JSON, see connectors/vendor/config.py); no credentials.
    vendor_config: Path | None = None
    # Measure vendor ages, overdue days and days in stage on this day instead of today (replaying sample data).
    as_of: date | None = None
    # Dashboard users: names, roles, store scopes, bcrypt hashes (YAML, `acorn users`); beside the warehouse, so
    # outside the repository's tracked files (data/ is gitignored).
    users_file: Path | None = None
    # Append-only JSON lines of logins, page views, SQL queries and exports; beside the warehouse, which the
    # dashboards open read-only.
    access_log: Path | None = None
    # Dashboard language when a user has none: "en" or "zh".
    language: str = "en"
    session_minutes: int = 480
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    sql_row_limit: int = 5000
    sql_timeout_seconds: float = 10.0

    @classmethod
    def from_env(cls, warehouse: Path | str | None = None) -> Settings:
        wh = Path(warehouse or os.environ.get("ACORN_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()
        archive = os.environ.get("ACORN_ARCHIVE_DIR")
        fx_csv = os.environ.get("ACORN_FX_RATES_CSV")
        spapi_config = os.environ.get("ACORN_SPAPI_CONFIG")
        vendor_config = os.environ.get("ACORN_VENDOR_CONFIG")
        as_of = os.environ.get("ACORN_AS_OF")
        driver = os.environ.get("ACORN_ALLOCATION_DRIVER", "revenue")
        language = os.environ.get("ACORN_LANGUAGE", "en").lower()
        if language not in LANGUAGES:
            raise ValueError(f"ACORN_LANGUAGE must be one of {LANGUAGES}, not {language!r}")
        users_file = os.environ.get("ACORN_USERS_FILE")
        access_log = os.environ.get("ACORN_ACCESS_LOG")
        if driver not in ALLOCATION_DRIVERS:
            raise ValueError(f"ACORN_ALLOCATION_DRIVER must be one of {ALLOCATION_DRIVERS}, not {driver!r}")
        return cls(
            warehouse=wh,
            # The archive sits beside the warehouse it feeds, so a temporary warehouse never writes into data/.
            archive_dir=Path(archive).resolve() if archive else wh.parent / "archive",
            functional_currency=os.environ.get("ACORN_FUNCTIONAL_CURRENCY", "CNY").upper(),
            fx_rates_csv=Path(fx_csv).resolve() if fx_csv else None,
            allocation_driver=driver,
            spapi_config=Path(spapi_config).resolve() if spapi_config else None,
            vendor_config=Path(vendor_config).resolve() if vendor_config else None,
            as_of=_iso_date("ACORN_AS_OF", as_of) if as_of else None,
            users_file=Path(users_file).resolve() if users_file else wh.parent / "users.yaml",
            access_log=Path(access_log).resolve() if access_log else wh.parent / "access_log.jsonl",
            language=language,
            session_minutes=_positive_int("ACORN_SESSION_MINUTES", 480),
            login_max_failures=_positive_int("ACORN_LOGIN_MAX_FAILURES", 5),
            login_lockout_minutes=_positive_int("ACORN_LOGIN_LOCKOUT_MINUTES", 15),
            sql_row_limit=_positive_int("ACORN_SQL_ROW_LIMIT", 5000),
            sql_timeout_seconds=float(_positive_int("ACORN_SQL_TIMEOUT_SECONDS", 10)),
        )

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
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


def _iso_date(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date YYYY-MM-DD, not {text!r}") from None


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {text!r}")
    return int(text)
