"""Vendor accounts as the vendor configuration (ACORN_VENDOR_CONFIG) names them.

Partitions and schedules need only account ids, read without credentials so definitions load on any machine.
Credentials are resolved at run time, under the same names as seller accounts (`SP_API_REFRESH_TOKEN_<account_id>`,
`LWA_APP_ID_<account_id>`, `LWA_CLIENT_SECRET_<account_id>`, or the unsuffixed names).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from connectors.spapi.accounts import Account, AccountConfigError, account_from_entry
from connectors.vendor.config import VendorConfig, load_vendor_config


def configured_account_ids(config_path: Path | None) -> list[str]:
    """Every vendor account of the config, in file order; none without a config."""
    if config_path is None:
        return []
    return list(dict.fromkeys(v.account_id for v in load_vendor_config(config_path).vendors))


def dagster_name(account_id: str) -> str:
    """Account id as Dagster names allow it (letters, digits, underscores)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", account_id)


def vendor_account(config: VendorConfig, account_id: str, environ: Mapping[str, str]) -> Account:
    """The account with its marketplaces as stores (store id = vendor code) and its credentials from `environ`."""
    vendors = [v for v in config.vendors if v.account_id == account_id]
    if not vendors:
        raise AccountConfigError(f"vendor account {account_id} is not in the vendor configuration")
    stores = [{"store_id": v.vendor_code, "marketplace_id": v.marketplace_id, "marketplace_name": v.marketplace_name,
               "currency": v.currency} for v in vendors]
    # The seller accounts' reading of credentials, so both kinds of account are configured the same way.
    return account_from_entry({"account_id": account_id, "region": vendors[0].region, "stores": stores}, environ)


def vendor_accounts(config: VendorConfig, environ: Mapping[str, str]) -> list[Account]:
    return [vendor_account(config, account_id, environ)
            for account_id in dict.fromkeys(v.account_id for v in config.vendors)]
