"""Seller accounts, their stores and their LWA credentials.

Credentials come from python-amazon-sp-api's own environment names (`SP_API_REFRESH_TOKEN`, `LWA_APP_ID`,
`LWA_CLIENT_SECRET`, each optionally suffixed `_<account_id>`) or from a JSON config file that must live
outside the repository. They are held in `Secret`, whose repr and str never show the value.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from config.settings import REPO_ROOT

REGIONS = ("NA", "EU", "FE")
CREDENTIAL_ENV = {
    "refresh_token": "SP_API_REFRESH_TOKEN",
    "lwa_app_id": "LWA_APP_ID",
    "lwa_client_secret": "LWA_CLIENT_SECRET",
}
REDACTED = "***"


class AccountConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Secret:
    value: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    __str__ = __repr__


@dataclass(frozen=True)
class Store:
    store_id: str
    marketplace_id: str
    marketplace_name: str
    currency: str


@dataclass(frozen=True)
class Account:
    account_id: str
    region: str
    seller_id: str
    stores: tuple[Store, ...]
    refresh_token: Secret
    lwa_app_id: Secret
    lwa_client_secret: Secret
    # When the seller granted the authorization (UTC, naive); Amazon's seller authorizations last a year.
    authorized_at: datetime | None = None

    def secrets(self) -> list[str]:
        return [self.refresh_token.value, self.lwa_app_id.value, self.lwa_client_secret.value]

    def sp_api_credentials(self) -> dict[str, str]:
        """The dict python-amazon-sp-api's `credentials=` takes; never log it."""
        return {
            "refresh_token": self.refresh_token.value,
            "lwa_app_id": self.lwa_app_id.value,
            "lwa_client_secret": self.lwa_client_secret.value,
        }

    def store_for(self, *, marketplace: str | None = None, currency: str | None = None) -> str | None:
        """The store a row belongs to: by marketplace id or name, else the only store (of that currency)."""
        if marketplace:
            for store in self.stores:
                if marketplace in (store.marketplace_id, store.marketplace_name):
                    return store.store_id
        candidates = [s for s in self.stores if currency is None or s.currency == currency]
        return candidates[0].store_id if len(candidates) == 1 else None


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def load_accounts(config_path: Path, environ: Mapping[str, str]) -> list[Account]:
    """Read accounts from `config_path` (JSON); credentials missing there are taken from `environ`.

    Shape: {"accounts": [{"account_id", "region", "seller_id", "authorized_at"? (ISO date the seller granted the
    authorization), "stores": [{"store_id", "marketplace_id", "marketplace_name", "currency"}],
    "credentials"?: {"refresh_token", "lwa_app_id", "lwa_client_secret"}}]}
    """
    raw = json.loads(Path(config_path).read_text(encoding="utf-8"))
    accounts = [account_from_entry(entry, environ) for entry in raw.get("accounts", [])]
    if any(entry.get("credentials") for entry in raw.get("accounts", [])) and _inside_repo(Path(config_path)):
        raise AccountConfigError(f"{config_path}: a file holding credentials must live outside the repository")
    ids = [a.account_id for a in accounts]
    if len(ids) != len(set(ids)):
        raise AccountConfigError(f"{config_path}: duplicate account_id")
    return accounts


def _inside_repo(path: Path) -> bool:
    return path.resolve().is_relative_to(REPO_ROOT)


def account_from_entry(entry: Mapping, environ: Mapping[str, str]) -> Account:
    """One account from a config entry; credentials the entry lacks come from `environ`."""
    account_id = entry["account_id"]
    region = str(entry["region"]).upper()
    if region not in REGIONS:
        raise AccountConfigError(f"account {account_id}: region must be one of {REGIONS}, not {region!r}")
    given = entry.get("credentials") or {}
    secrets: dict[str, Secret] = {}
    for key, env_name in CREDENTIAL_ENV.items():
        value = given.get(key) or environ.get(f"{env_name}_{account_id}") or environ.get(env_name)
        if not value:
            # Name the variable, never a value.
            raise AccountConfigError(f"account {account_id}: {env_name}_{account_id} (or {env_name}) is not set")
        secrets[key] = Secret(value)
    stores = tuple(
        Store(s["store_id"], s["marketplace_id"], s["marketplace_name"], s["currency"].upper())
        for s in entry.get("stores", [])
    )
    return Account(account_id, region, entry.get("seller_id", ""), stores, **secrets,
                   authorized_at=_authorized_at(account_id, entry.get("authorized_at")))


def _authorized_at(account_id: str, text: str | None) -> datetime | None:
    """`authorized_at` of the config: an ISO date or timestamp (UTC unless it says otherwise)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise AccountConfigError(f"account {account_id}: authorized_at {text!r} is not an ISO date") from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
