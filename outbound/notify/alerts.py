"""The open alerts of `marts.fct_alerts`, most severe first, as the notifier sends them.

Seller alerts carry store_id, subject, evidence, first_seen_at, the Chinese message and next steps, and a state;
vendor-only warehouses may not have those columns yet: a missing column reads as NULL and every alert as open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import duckdb

ALERT_COLUMNS = (
    "alert_id", "domain", "alert_type", "severity", "store_id", "account_id", "vendor_code", "marketplace_name",
    "subject", "amount", "currency", "raised_on", "first_seen_at", "message", "message_zh", "next_step_zh",
    "next_step_en", "state",
)  # fmt: skip


@dataclass(frozen=True)
class Alert:
    alert_id: str
    domain: str | None
    alert_type: str | None
    severity: str | None
    store_id: str | None
    account_id: str | None
    vendor_code: str | None
    marketplace_name: str | None
    subject: str | None
    amount: Decimal | None
    currency: str | None
    raised_on: date | None
    first_seen_at: datetime | None
    message: str | None
    message_zh: str | None
    next_step_zh: str | None
    next_step_en: str | None
    state: str | None


def open_alerts(con: duckdb.DuckDBPyConnection) -> list[Alert]:
    """Every open alert, oldest first; none when the alerts mart is not built yet."""
    present = {
        row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = 'fct_alerts'"
        ).fetchall()
    }
    if not present:
        return []
    selected = ", ".join(name if name in present else f"null as {name}" for name in ALERT_COLUMNS)
    where = "where coalesce(state, 'open') = 'open'" if "state" in present else ""
    # The most severe first: a message cut short by a chat client still shows what matters.
    order = "case severity when 'high' then 0 when 'medium' then 1 else 2 end, " \
        + ("first_seen_at, " if "first_seen_at" in present else "") + "raised_on, alert_id"
    rows = con.execute(f"select {selected} from marts.fct_alerts {where} order by {order}").fetchall()
    return [Alert(*row) for row in rows]
