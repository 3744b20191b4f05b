"""The demo's answer-key checks: did the run flag exactly what the generator injected, and nothing else?"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from acorn.catalogue import Words
from acorn.summary import settlement_statuses, vendor_chain_flags
from config.settings import Settings
from demo.generator import ANSWER_KEY_NAME
from demo.generator.vendor import ANSWER_KEY_NAME as VENDOR_ANSWER_KEY_NAME
from demo.generator.vendor import MARKETPLACES

Say = Callable[[str], None]
# The checks' lines in the run summary's language (Settings.language).
I18N = Path(__file__).resolve().parent / "i18n"


def demo_checks(settings: Settings, result: Any, say: Say) -> list[Callable[[], None]]:
    """The checks `print_summary` runs after the results, for the answer keys found in the demo inbox."""
    return [lambda: check_answer_key(settings, result.load_report, say),
            lambda: check_seller_alerts(settings, say),
            lambda: check_vendor_answer_key(settings, say)]


def check_answer_key(settings: Settings, report: Any, say: Say) -> None:
    key_path = settings.warehouse.parent / "inbox" / ANSWER_KEY_NAME
    if not key_path.exists():
        return
    expected = expected_flags(json.loads(key_path.read_text(encoding="utf-8")))
    rows = settlement_statuses(settings.warehouse)
    # Which statuses are flags is the product's seed (reconciliation_statuses.needs_attention), read by the summary.
    found = {(row.status, str(row.settlement_id)) for row in rows if row.needs_attention}
    found |= {(f.status, f.file_name) for f in report.files if f.status != "loaded"}
    words = Words(settings.language, I18N)
    say("")
    if found == expected:
        say(words("anomalies.ok", count=len(expected)))
    else:
        say(words("anomalies.failed", missed=sorted(expected - found), unexpected=sorted(found - expected)))


def expected_flags(answer_key: dict[str, Any]) -> set[tuple[str, str]]:
    """The (status, settlement id or file name) pairs a correct run flags, from the generator's answer key."""
    flags: set[tuple[str, str]] = set()
    for anomaly in answer_key["anomalies"]:
        kind = anomaly["kind"]
        if kind in ("deposit_missing", "deposit_short"):
            flags.add((kind, str(anomaly["settlement_id"])))
        elif kind == "malformed_file":
            flags.add(("quarantined", anomaly["file_name"]))
        elif kind == "duplicate_file":
            flags.add(("duplicate", anomaly["duplicate_file_name"]))
        else:
            raise ValueError(f"answer key names an anomaly ACORN does not know: {kind}")
    return flags


def check_seller_alerts(settings: Settings, say: Say) -> None:
    """Exactly the seller alerts the answer key lists (the injected money-at-risk situations, the settlement
    situations the world holds and the deposit anomalies), nothing else."""
    key_path = settings.warehouse.parent / "inbox" / ANSWER_KEY_NAME
    if not key_path.exists():
        return
    answer_key = json.loads(key_path.read_text(encoding="utf-8"))
    if "money_at_risk" not in answer_key:
        return
    expected = expected_seller_alerts(answer_key)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        found = set(con.execute(
            "SELECT alert_type, store_id, subject FROM marts.fct_alerts WHERE domain = 'seller'").fetchall())
    words = Words(settings.language, I18N)
    say("")
    if found == expected:
        kinds = sorted({situation["kind"] for situation in answer_key["money_at_risk"]["injected"]})
        say(words("seller.ok", count=len(expected), kinds=", ".join(kinds)))
    else:
        say(words("seller.failed", missed=sorted(expected - found, key=repr),
                  unexpected=sorted(found - expected, key=repr)))


def expected_seller_alerts(answer_key: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(rule, store id, subject) of every seller alert a correct run raises, from the answer key."""
    return {(a["rule"], a["store_id"], a["subject"]) for a in answer_key["money_at_risk"]["seller_alerts"]}


def check_vendor_answer_key(settings: Settings, say: Say) -> None:
    key_path = settings.warehouse.parent / "inbox" / VENDOR_ANSWER_KEY_NAME
    if not key_path.exists():
        return
    answer_key = json.loads(key_path.read_text(encoding="utf-8"))
    expected = expected_vendor_alerts(answer_key)
    expected_chain = expected_vendor_flags(answer_key)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        found = set(con.execute(
            "SELECT alert_type, marketplace_name, purchase_order_number, invoice_number FROM marts.fct_alerts "
            "WHERE domain = 'vendor'").fetchall())
        flags = set(vendor_chain_flags(con))
    words = Words(settings.language, I18N)
    say("")
    if found == expected:
        say(words("vendor.ok", count=len(expected)))
    else:
        say(words("vendor.failed", missed=sorted(expected - found, key=repr),
                  unexpected=sorted(found - expected, key=repr)))
    kinds = ", ".join(sorted({flag for flag, *_ in expected_chain}))
    if flags == expected_chain:
        say(words("chain.ok", count=len(expected_chain), kinds=kinds))
    else:
        say(words("chain.failed", missed=sorted(expected_chain - flags, key=repr),
                  unexpected=sorted(flags - expected_chain, key=repr)))


def expected_vendor_alerts(answer_key: dict[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    """(alert type, marketplace name, PO, invoice) of every alert a correct run raises, from the vendor answer key."""
    names = {market.key: market.marketplace_name for market in MARKETPLACES}
    return {(a["alert"], names[a["marketplace"]], a["purchase_order_number"], a["invoice_number"])
            for a in answer_key["expected_alerts"]}


def expected_vendor_flags(answer_key: dict[str, Any]) -> set[tuple[str, str, str | None, str | None]]:
    """(flag, marketplace name, PO, detail) the vendor chain shows beyond alerts, from the vendor answer key."""
    names = {market.key: market.marketplace_name for market in MARKETPLACES}
    return {(f["flag"], names[f["marketplace"]], f["purchase_order_number"], f["detail"])
            for f in answer_key.get("expected_flags", [])}
