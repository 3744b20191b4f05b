"""The money-at-risk marts of the demo warehouse, checked against the settlement lines and reports they come from."""
from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_refund_costs_what_its_settlement_lines_sum_to(demo_warehouse: Path) -> None:
    rows = query(demo_warehouse, """
        select r.net_cost, r.principal_refunded, r.refund_administration_fee, -sum(l.amount),
               -sum(l.amount) filter (where l.amount_description = 'RefundCommission')
        from marts.fct_refunds r
        join marts.fct_ledger l on l.order_id = r.order_id and l.order_item_code = r.order_item_code
            and l.transaction_type = 'Refund'
        group by r.order_id, r.order_item_code, r.net_cost, r.principal_refunded, r.refund_administration_fee""")
    assert len(rows) > 100
    for net_cost, principal, admin_fee, lines, kept in rows:
        assert isinstance(net_cost, Decimal) and net_cost == lines and principal > 0
        assert admin_fee == (kept or 0)


def test_safet_deadline_is_sixty_days_after_the_refund_and_claims_are_typed(demo_warehouse: Path) -> None:
    safet = query(demo_warehouse, "select state, refund_date, filing_deadline from marts.fct_claims where claim_type = 'safet'")
    assert sorted(state for state, _, _ in safet) == ["not_filed", "under review"]
    assert all(deadline == refund + timedelta(days=60) for _, refund, deadline in safet)
    kinds = dict(query(demo_warehouse, "select claim_type, count(*) from marts.fct_claims group by 1"))
    assert kinds["chargeback"] >= 1 and kinds["a_to_z"] >= 1


def test_opportunities_carry_their_evidence_and_alerts_their_state(demo_warehouse: Path) -> None:
    for kind, evidence in query(demo_warehouse, "select opportunity_type, evidence from marts.fct_reimbursement_opportunities"):
        keys = json.loads(evidence)
        assert (keys.get("order_id") or keys.get("reimbursement_id")), kind
    states = query(demo_warehouse, "select domain, state, count(*) from marts.fct_alerts group by all order by all")
    assert states == [("seller", "open", 14), ("vendor", "open", 8)]
    assert query(demo_warehouse, "select count(*) from marts.fct_alerts where message_zh is null or evidence is null") == [(0,)]


def test_refund_rate_baseline_pools_the_four_weeks_before(demo_warehouse: Path) -> None:
    rows = query(demo_warehouse, """
        select w.baseline_units_refunded, w.baseline_units_sold,
               (select sum(units_refunded) from marts.fct_refund_rates e where e.grain = 'store' and e.store_id = w.store_id
                  and e.week_start >= w.week_start - interval 28 day and e.week_start < w.week_start),
               (select sum(units_sold) from marts.fct_refund_rates e where e.grain = 'store' and e.store_id = w.store_id
                  and e.week_start >= w.week_start - interval 28 day and e.week_start < w.week_start)
        from marts.fct_refund_rates w where w.grain = 'store' and w.baseline_weeks = 4""")
    assert rows and all(a == c and b == d for a, b, c, d in rows)


def test_the_demo_says_exactly_the_expected_seller_alerts_were_raised(demo_warehouse: Path) -> None:
    output = (demo_warehouse.parent / "demo-output.txt").read_text()
    assert "Seller alerts check: exactly the 14 expected alerts were raised" in output
    assert "Open seller alerts (14)" in output and "Reimbursement opportunities" in output
