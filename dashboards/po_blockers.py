"""What keeps a PO from its next step, in the viewer's language: `vendor_queries.po_blockers` gives each blocker's
kind and figures, the catalogues (`vendor.blocker.*`) the words, the compliance mart its reasons in both."""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

from dashboards.i18n import language, lookup, t


def texts(blockers: pd.DataFrame, lang: str | None = None) -> list[str]:
    lang = lang or language()
    return [_text(row, lang) for row in blockers.itertuples(index=False)]


def _text(row: Any, lang: str) -> str:
    items = json.loads(row.items) if isinstance(row.items, str) else []
    if row.kind == "in_transit":
        text = t("vendor.blocker.in_transit", lang, units=row.quantity)
        return text + (t("vendor.blocker.eta", lang, day=str(row.day)) if _present(row.day) else "")
    if row.kind == "held_back":
        items = sorted(items, key=lambda i: (i["line"], i["reason"]))
        reasons = [t("vendor.blocker.held_line", lang, line=i["line"],
                     reason=(i.get("reason_zh") if lang == "zh" else None) or i["reason"]) for i in items]  # fmt: skip
        return t("vendor.blocker.held_back", lang, reasons=t("vendor.blocker.separator", lang).join(reasons))
    if row.kind == "awaiting_payment":
        invoices = [t("vendor.blocker.invoice", lang, invoice=i["invoice"], due=i["due"],
                      status=lookup("invoice_status", i["status"], lang)) for i in items]  # fmt: skip
        return t("vendor.blocker.awaiting_payment", lang, invoices=", ".join(invoices))
    return t(f"vendor.blocker.{row.kind}", lang, units=row.quantity, day=str(row.day))


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NaT
