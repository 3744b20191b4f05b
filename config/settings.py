"""Typed configuration: the one place in ACORN that reads the environment.

`Settings` shapes what is loaded and built (it travels to Dagster runs in full, see orchestration/resources.py).
The functions below it answer the few questions about the process itself: where the inbox is, whether to show
tracebacks, which SP-API credentials are set, what a subprocess inherits. Nothing else in the product touches
`os.environ` (tests/config/test_settings.py checks the source for it).
"""
from __future__ import annotations

import dataclasses
import os
import re
import sys
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
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
# The books (issue 9): CAS 19 allows the transaction-date spot rate or a systematic approximation of it.
FX_POLICIES = ("transaction_date", "month_first_day", "month_average")
FX_RATE_SOURCES = ("ecb", "pboc")  # pboc: the user's central-parity file, loaded as raw.fx_rate_overrides
COST_METHODS = ("moving_average", "fifo", "month_end_average")  # CAS 1 permits these; LIFO it does not
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
LANGUAGES = ("en", "zh")

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
    # A local folder, or an object-storage URL (`s3://bucket/prefix`, a str) that connectors/archive.py writes via fsspec.
    archive_dir: Path | str
    functional_currency: str = DEFAULT_FUNCTIONAL_CURRENCY
    fx_rates_csv: Path | None = None
    allocation_driver: str = "revenue"
    # SP-API accounts and stores (JSON, see connectors/spapi/accounts.py); outside the repo when it holds credentials.
    spapi_config: Path | None = None
    # Vendor accounts, marketplaces, vendor codes and payment terms (JSON, see connectors/vendor/config.py); no credentials.
    vendor_config: Path | None = None
    # Measure vendor ages, overdue days and days in stage on this day instead of today (replaying sample data).
    as_of: date | None = None
    fx_policy: str = "transaction_date"
    fx_rate_source: str = "ecb"
    cost_method: str = "moving_average"
    # 库存商品 is 1405 in the CAS general chart; some charts print 1406.
    inventory_account: str = "1405"
    # Refunded units return to stock at their original cost; False writes them off.
    refund_restock: bool = True
    # What a purchase (purchases.csv) credits against inventory: 2202 应付账款, or the code of the chart in use.
    purchase_credit_account: str = "2202"
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
    # How dashboard users log in: "password" (the users file) or "oidc" (Streamlit's st.login, single sign-on).
    auth: str = "password"
    # Settlement dates outside [from, until] are typing errors, not business; until None: a year after today.
    plausible_dates_from: date = date(2000, 1, 1)
    plausible_dates_until: date | None = None
    # The read-only copy readers open (dashboards, auditors' `duckdb -readonly`, BI tools), published atomically
    # after each successful run, so no reader ever holds the file the pipeline writes. None: beside the warehouse.
    published_warehouse: Path | None = None
    # How long a run waits for another process to release the working warehouse before it gives up.
    lock_wait_seconds: int = 600
    # Group given read access to the warehouse, its published copy, the archive and exports; None: owner only.
    file_group: str | None = None
    # DuckDB's memory while loading (a DuckDB size, "512MB"): a large settlement file spills beyond it to disk.
    load_memory_limit: str = "512MB"
    # DuckDB's memory during a dbt build: the marts' joins and windows spill beyond it to the warehouse's .tmp folder,
    # so a year of a large seller builds within a fixed budget (dbt's own Python adds about 400 MB).
    build_memory_limit: str = "1536MB"

    def __post_init__(self) -> None:
        if self.published_warehouse is None:
            object.__setattr__(self, "published_warehouse", published_beside(self.warehouse))
        # Spliced into DuckDB's SET statement, so only a size ("512MB", "2 GiB") is accepted.
        for purpose, size in (("load", self.load_memory_limit), ("build", self.build_memory_limit)):
            if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?\s*[KMGT]i?B", size):
                raise ValueError(f"{purpose} memory limit {size!r} is not a size such as 512MB")
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
        dates_from = os.environ.get("ACORN_PLAUSIBLE_DATES_FROM")
        dates_until = os.environ.get("ACORN_PLAUSIBLE_DATES_UNTIL")
        published = os.environ.get("ACORN_PUBLISHED_WAREHOUSE")
        lock_wait = os.environ.get("ACORN_LOCK_WAIT_SECONDS", "600")
        if not lock_wait.isdigit():
            raise ValueError(f"ACORN_LOCK_WAIT_SECONDS must be a whole number of seconds, not {lock_wait!r}")
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
            archive_dir=(archive if "://" in archive else Path(archive).resolve()) if archive else wh.parent / "archive",
            functional_currency=os.environ.get("ACORN_FUNCTIONAL_CURRENCY", DEFAULT_FUNCTIONAL_CURRENCY).upper(),
            fx_rates_csv=Path(fx_csv).resolve() if fx_csv else None,
            allocation_driver=driver,
            spapi_config=Path(spapi_config).resolve() if spapi_config else None,
            vendor_config=Path(vendor_config).resolve() if vendor_config else None,
            as_of=_iso_date("ACORN_AS_OF", as_of) if as_of else None,
            fx_policy=_choice("ACORN_FX_POLICY", "transaction_date", FX_POLICIES),
            fx_rate_source=_choice("ACORN_FX_RATE_SOURCE", "ecb", FX_RATE_SOURCES),
            cost_method=_choice("ACORN_COST_METHOD", "moving_average", COST_METHODS),
            inventory_account=_account_code("ACORN_INVENTORY_ACCOUNT", "1405"),
            refund_restock=_flag("ACORN_REFUND_RESTOCK", True),
            purchase_credit_account=_account_code("ACORN_PURCHASE_CREDIT_ACCOUNT", "2202"),
            users_file=Path(users_file).resolve() if users_file else wh.parent / "users.yaml",
            access_log=Path(access_log).resolve() if access_log else wh.parent / "access_log.jsonl",
            language=language,
            session_minutes=_positive_int("ACORN_SESSION_MINUTES", 480),
            login_max_failures=_positive_int("ACORN_LOGIN_MAX_FAILURES", 5),
            login_lockout_minutes=_positive_int("ACORN_LOGIN_LOCKOUT_MINUTES", 15),
            sql_row_limit=_positive_int("ACORN_SQL_ROW_LIMIT", 5000),
            sql_timeout_seconds=float(_positive_int("ACORN_SQL_TIMEOUT_SECONDS", 10)),
            auth=_choice("ACORN_AUTH", "password", ("password", "oidc")),
            plausible_dates_from=_iso_date("ACORN_PLAUSIBLE_DATES_FROM", dates_from) if dates_from else date(2000, 1, 1),
            plausible_dates_until=_iso_date("ACORN_PLAUSIBLE_DATES_UNTIL", dates_until) if dates_until else None,
            published_warehouse=Path(published).resolve() if published else None,
            lock_wait_seconds=int(lock_wait),
            file_group=os.environ.get("ACORN_FILE_GROUP") or None,
            load_memory_limit=os.environ.get("ACORN_LOAD_MEMORY_LIMIT") or "512MB",
            build_memory_limit=os.environ.get("ACORN_BUILD_MEMORY_LIMIT") or "1536MB",
            notify_config=Path(notify_config).resolve() if notify_config else None,
        )

    def plausible_dates(self) -> tuple[date, date]:
        """The window a settlement date must fall in to be believed."""
        return self.plausible_dates_from, self.plausible_dates_until or date.today() + timedelta(days=366)

    def to_strings(self) -> dict[str, str | None]:
        """Every field as text (paths as written, dates ISO), for config systems that hold strings only."""
        return {f.name: _to_text(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_strings(cls, values: Mapping[str, str | None]) -> Settings:
        """The inverse of `to_strings`; a field missing from `values` keeps its default."""
        hints = typing.get_type_hints(cls)
        return cls(**{name: _from_text(hints[name], text) for name, text in values.items()})

    def dbt_vars(self) -> dict[str, str | bool]:
        variables: dict[str, str | bool] = {
            "functional_currency": self.functional_currency,
            "allocation_driver": self.allocation_driver,
            "fx_policy": self.fx_policy,
            "fx_rate_source": self.fx_rate_source,
            "cost_method": self.cost_method,
            "inventory_account": self.inventory_account,
            "refund_restock": self.refund_restock,
            "purchase_credit_account": self.purchase_credit_account,
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
            "ACORN_BUILD_MEMORY_LIMIT": self.build_memory_limit,
            "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
            **TELEMETRY_OFF,
        }


def _to_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _from_text(hint: Any, text: str | None) -> Any:
    if text is None:
        return None
    # `Path | None` and friends: the one non-None member says how to read the text.
    kinds = [k for k in typing.get_args(hint) if k is not type(None)] if isinstance(hint, UnionType) else [hint]
    if set(kinds) == {Path, str}:  # a folder or an object-storage URL (archive_dir)
        return text if "://" in text else Path(text)
    if len(kinds) != 1:
        raise TypeError(f"Settings cannot read a field of type {hint}")
    kind = kinds[0]
    if kind is str:
        return text
    if kind is bool:
        return text == "true"
    if kind is Path:
        return Path(text)
    if kind is date:
        return date.fromisoformat(text)
    if kind is int:
        return int(text)
    if kind is float:
        return float(text)
    raise TypeError(f"Settings cannot read a field of type {hint}: teach _to_text and _from_text")


def published_beside(warehouse: Path) -> Path:
    """`acorn.duckdb` -> `acorn.published.duckdb`, in the same directory."""
    return warehouse.with_name(f"{warehouse.stem}.published{warehouse.suffix or '.duckdb'}")


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


def adopt_environ(environ: Mapping[str, str]) -> None:
    """This process's environment becomes `environ`: the dbt process prepared for a run takes on the environment of
    the invocation it serves (orchestration/dbt_models/warm_dbt.py), as a dbt started for it would have."""
    os.environ.clear()
    os.environ.update(environ)


def turn_telemetry_off() -> None:
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _account_code(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if not value.isdigit() or not 4 <= len(value) <= 15:
        raise ValueError(f"{name} must be an account code of 4 to 15 digits (e.g. 1405), not {value!r}")
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {text!r}")
    return int(text)
