"""The answer key (`.expected_anomalies.json`): what a correct pipeline must find in the generated inbox.

Amounts are strings in plain notation (`1234.56`, JPY `1234`), dates ISO, timestamps UTC with `Z`,
line numbers 1-based with the header as line 1.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from demo.generator.anomalies import ANOMALY_DESCRIPTIONS
from demo.generator.bank import BankRow, plain_amount
from demo.generator.result import Anomaly, SettlementSummary

ANSWER_KEY_NAME = ".expected_anomalies.json"
SCHEMA_VERSION = 1


def _timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def render_answer_key(*, seed: int, months: int, orders_per_day: int, start: date, store_ids: list[str],
                      settlements: list[SettlementSummary], anomalies: list[Anomaly],
                      unrelated: list[tuple[int, BankRow]], minor_units: dict[str, Decimal],
                      money_at_risk: dict | None = None) -> bytes:
    def money(amount: Decimal | None, currency: str) -> str | None:
        return None if amount is None else plain_amount(amount, minor_units[currency])

    key = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"seed": seed, "months": months, "orders_per_day": orders_per_day,
                      "start": start.isoformat(), "stores": store_ids},
        "anomalies": [
            {"kind": a.kind, "description": ANOMALY_DESCRIPTIONS[a.kind], "store_id": a.store_id,
             "settlement_id": a.settlement_id, "file_name": a.file_name, **a.details}
            for a in anomalies
        ],
        "negative_settlements": [s.settlement_id for s in settlements if s.total_amount < 0],
        "settlements": [
            {
                "store_id": s.store_id,
                "settlement_id": s.settlement_id,
                "cycle_index": s.cycle_index,
                "file_name": s.file_name,
                "currency": s.currency,
                "period_start": _timestamp(s.period_start),
                "period_end": _timestamp(s.period_end),
                "deposit_at": _timestamp(s.deposit_at),
                "deposit_date": s.deposit_date.isoformat(),
                "total_amount": money(s.total_amount, s.currency),
                "line_count": s.line_count,
                "reserve_released": money(s.reserve_released, s.currency),
                "reserve_held": money(s.reserve_held, s.currency),
                "bank_amount": money(s.bank_amount, s.currency),
                "bank_booking_date": _day(s.bank_booking_date),
                "bank_line": s.bank_line,
                "expected_status": s.expected_status,
                "quarantined": s.quarantined,
            }
            for s in settlements
        ],
        "unrelated_bank_rows": [
            {"line": line, "account_id": r.account_id, "booking_date": r.booking_date.isoformat(),
             "amount": money(r.amount, r.currency), "currency": r.currency, "counterparty": r.counterparty,
             "reference": r.reference}
            for line, r in unrelated
        ],
    }
    if money_at_risk is not None:
        # The money-at-risk situations placed in the reports, and every seller alert a correct run raises.
        key["money_at_risk"] = money_at_risk
    return (json.dumps(key, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
