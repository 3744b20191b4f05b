"""The stores an SP-API config names, read without credentials so definitions load on any machine.

Partitions, schedules and the sensor only need store ids, their accounts and time zones; credentials are
resolved at run time by `SpApiResource`, so a Dagster UI without them still shows the graph.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# Amazon's marketplace time zones, for a store whose config gives none (the settlement day boundary).
MARKETPLACE_TIME_ZONES = {
    "ATVPDKIKX0DER": "America/Los_Angeles",
    "A2EUQ1WTGCTBG2": "America/Los_Angeles",
    "A1AM78C64UM0Y8": "America/Los_Angeles",
    "A2Q3Y263D00KWC": "America/Sao_Paulo",
    "A1F83G8C2ARO7P": "Europe/London",
    "A1PA6795UKMFR9": "Europe/Berlin",
    "A13V1IB3VIYZZH": "Europe/Paris",
    "APJ6JRA9NG5V4": "Europe/Rome",
    "A1RKKUPIHCS9HS": "Europe/Madrid",
    "A1VC38T7YXB528": "Asia/Tokyo",
    "A39IBJ37TRP1C6": "Australia/Sydney",
    "A19VAU5U5O7RUS": "Asia/Singapore",
}


@dataclass(frozen=True)
class ConfiguredStore:
    store_id: str
    account_id: str
    time_zone: str

    @property
    def dagster_name(self) -> str:
        """Store id as Dagster names allow it (letters, digits, underscores)."""
        return re.sub(r"[^A-Za-z0-9_]", "_", self.store_id)


def configured_stores(config_path: Path | None) -> list[ConfiguredStore]:
    """Every store of every account in the config, in file order; none without a config."""
    if config_path is None:
        return []
    raw = json.loads(Path(config_path).read_text(encoding="utf-8"))
    stores = []
    for account in raw.get("accounts", []):
        for store in account.get("stores", []):
            time_zone = store.get("time_zone") or MARKETPLACE_TIME_ZONES.get(store.get("marketplace_id", ""), "UTC")
            stores.append(ConfiguredStore(store["store_id"], account["account_id"], time_zone))
    ids = [s.store_id for s in stores]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{config_path}: a store_id appears twice")
    return stores
