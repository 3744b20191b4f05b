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
# The books (issue 9): CAS 19 allows the transaction-date spot rate or a systematic approximation of it.
FX_POLICIES = ("transaction_date", "month_first_day", "month_average")
FX_RATE_SOURCES = ("ecb", "pboc")  # pboc: the user's central-parity file, loaded as raw.fx_rate_overrides
COST_METHODS = ("moving_average", "fifo", "month_end_average")  # CAS 1 permits these; LIFO it does not
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")

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
    fx_policy: str = "transaction_date"
    fx_rate_source: str = "ecb"
    cost_method: str = "moving_average"
    # 库存商品 is 1405 in the CAS general chart; some charts print 1406.
    inventory_account: str = "1405"
    # Refunded units return to stock at their original cost; False writes them off.
    refund_restock: bool = True

    @classmethod
    def from_env(cls, warehouse: Path | str | None = None) -> Settings:
        wh = Path(warehouse or os.environ.get("ACORN_WAREHOUSE") or DEFAULT_WAREHOUSE).resolve()
        archive = os.environ.get("ACORN_ARCHIVE_DIR")
        fx_csv = os.environ.get("ACORN_FX_RATES_CSV")
        spapi_config = os.environ.get("ACORN_SPAPI_CONFIG")
        vendor_config = os.environ.get("ACORN_VENDOR_CONFIG")
        as_of = os.environ.get("ACORN_AS_OF")
        driver = os.environ.get("ACORN_ALLOCATION_DRIVER", "revenue")
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
            fx_policy=_choice("ACORN_FX_POLICY", "transaction_date", FX_POLICIES),
            fx_rate_source=_choice("ACORN_FX_RATE_SOURCE", "ecb", FX_RATE_SOURCES),
            cost_method=_choice("ACORN_COST_METHOD", "moving_average", COST_METHODS),
            inventory_account=_account_code("ACORN_INVENTORY_ACCOUNT", "1405"),
            refund_restock=_flag("ACORN_REFUND_RESTOCK", True),
        )

    def dbt_vars(self) -> dict[str, str | bool]:
        variables: dict[str, str | bool] = {
            "functional_currency": self.functional_currency,
            "allocation_driver": self.allocation_driver,
            "fx_policy": self.fx_policy,
            "fx_rate_source": self.fx_rate_source,
            "cost_method": self.cost_method,
            "inventory_account": self.inventory_account,
            "refund_restock": self.refund_restock,
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
