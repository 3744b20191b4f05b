"""The generator's money-at-risk reports: consistent with its settlements, and an answer key that names them."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.seller_reports import parse_seller_report
from connectors.settlement_flatfile import parse_settlement_report
from demo.checks import expected_seller_alerts
from demo.generator import ANSWER_KEY_NAME, generate


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("risk")
    generate(out, seed=7)
    return out


def test_the_answer_key_lists_each_injected_situation_and_the_deposit_anomalies(inbox: Path) -> None:
    key = json.loads((inbox / ANSWER_KEY_NAME).read_text(encoding="utf-8"))
    injected = {situation["kind"] for situation in key["money_at_risk"]["injected"]}
    assert injected == {"safet_deadline", "refund_not_returned", "damaged_return_not_reimbursed"}
    rules = {rule for rule, _, _ in expected_seller_alerts(key)}
    assert {"daily_net_loss", "refund_rate_spike", "a_to_z_claim", "chargeback", "safet_deadline",
            "reimbursement_opportunity", "deposit_missing", "deposit_short"} <= rules
    deposits = {(a["kind"], a["settlement_id"]) for a in key["anomalies"] if a["kind"].startswith("deposit_")}
    assert deposits == {(rule, subject) for rule, _, subject in expected_seller_alerts(key) if rule.startswith("deposit_")}


def test_reimbursements_report_equals_the_settlements_reimbursement_lines(inbox: Path) -> None:
    for store in ("acme-us", "acme-de", "acme-jp"):
        report = parse_seller_report((inbox / f"fba_reimbursements_{store}.txt").read_bytes())
        settled = Decimal(0)
        for path in inbox.glob(f"settlement_{store}_*.txt"):
            if path.name.endswith("_resent.txt"):
                continue
            try:
                lines = parse_settlement_report(path.read_bytes()).lines
            except ValueError:
                continue
            settled += sum((line.amount or 0 for line in lines if line.amount_type == "FBA Inventory Reimbursement"),
                           Decimal(0))
        assert sum(row["amount_total"] for row in report.rows) == settled, store


def test_the_unreturned_refund_has_no_return_and_every_report_parses_without_unknown_columns(inbox: Path) -> None:
    key = json.loads((inbox / ANSWER_KEY_NAME).read_text(encoding="utf-8"))
    unreturned = next(s for s in key["money_at_risk"]["injected"] if s["kind"] == "refund_not_returned")
    returns = parse_seller_report((inbox / f"fba_customer_returns_{unreturned['store_id']}.txt").read_bytes())
    assert unreturned["order_id"] not in {row["order_id"] for row in returns.rows}
    for path in inbox.glob("*.txt"):
        if path.name.startswith(("fba_", "seller_returns_")):
            assert parse_seller_report(path.read_bytes()).unknown_columns == [], path.name
