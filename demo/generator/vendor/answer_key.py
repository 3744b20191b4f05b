"""The vendor answer key (`.expected_vendor_situations.json`): every injected situation, and the normal rest.

Amounts are strings in plain notation, dates ISO, timestamps UTC with `Z`.
"""
from __future__ import annotations

import json

from demo.generator.vendor.world import Situation, VendorWorld

ANSWER_KEY_NAME = ".expected_vendor_situations.json"
SCHEMA_VERSION = 1


def render_answer_key(world: VendorWorld) -> bytes:
    key = {
        "schema_version": SCHEMA_VERSION,
        "generator": {"seed": world.seed, "start": world.start.isoformat(), "as_of": world.as_of.date().isoformat()},
        "alert_thresholds": {"deduction_above": "500.00", "received_not_invoiced_days": 14,
                             "invoice_overdue_grace_days": 0},
        "situations": [
            {"kind": s.kind, "marketplace": s.marketplace, "expected_alert": s.expected_alert,
             "purchase_order_number": s.purchase_order_number, "invoice_number": s.invoice_number, **s.details}
            for s in world.situations
        ],
        "expected_alerts": sorted(
            ({"alert": s.expected_alert, "marketplace": s.marketplace, "purchase_order_number": s.purchase_order_number,
              "invoice_number": s.invoice_number} for s in world.situations if s.expected_alert),
            key=lambda a: (a["alert"], a["marketplace"], a["purchase_order_number"] or ""),
        ),
        "expected_flags": sorted(
            (flag for s in world.situations if (flag := _chain_flag(s)) is not None), key=lambda f: tuple(map(str, f.values()))),
        "purchase_orders": [
            {"marketplace": o.marketplace.key, "purchase_order_number": o.number, "created_at": _ts(o.created),
             "state": "Closed" if o.cancelled or o.received else ("Acknowledged" if o.acknowledged else "New"),
             "cancelled": o.cancelled is not None,
             "ordered_amount": str(sum((l.net_cost * l.ordered for l in o.lines), start=0)),
             "received_quantity": sum(l.received for l in o.lines), "currency": o.marketplace.currency}
            for o in world.orders
        ],
        "invoices": [
            {"marketplace": i.marketplace.key, "invoice_number": i.number, "purchase_order_number": i.po.number,
             "issue_date": i.issued.date().isoformat(), "due_date": i.due.date().isoformat(),
             "terms": i.marketplace.terms, "amount": str(i.amount), "currency": i.marketplace.currency,
             "paid_date": i.paid.date().isoformat() if i.paid else None,
             "amount_paid": str(i.amount - i.discount) if i.paid else "0.00",
             "discount": str(i.discount), "payment_number": i.payment_number}
            for i in world.invoices
        ],
    }
    return (json.dumps(key, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _chain_flag(situation: Situation) -> dict | None:
    """What a correct pipeline shows for a situation beyond alerts (`acorn.summary.VENDOR_CHAIN_FLAGS`)."""
    detail = {
        "late_shipment": ("shipped_late", (situation.details.get("shipped_at") or "")[:10]),
        "shipment_in_transit": ("shipment_in_transit", situation.details.get("shipment_id")),
        "partly_invoiced": ("partly_invoiced", situation.details.get("remaining_item_sequence_number")),
        "invoice_compliance_hold": ("invoice_held_back", situation.details.get("rule")),
        "coop_deduction": ("agreement_deduction", situation.details.get("deduction_invoice_number")),
    }.get(situation.kind)
    if detail is None:
        return None
    return {"flag": detail[0], "marketplace": situation.marketplace,
            "purchase_order_number": situation.purchase_order_number, "detail": detail[1]}


def _ts(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
