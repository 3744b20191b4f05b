"""What a run tells the user at the end: files, settlements by status, where to look next."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from acorn.invocation import acorn_command, make_command, path_as_typed, program_as_typed
from config.settings import Settings


class SettlementStatus(NamedTuple):
    status: str
    needs_attention: bool
    store_id: str | None
    settlement_id: str
    currency: str
    difference: Decimal | None
    bank_difference: Decimal | None
    header_total: Decimal | None


def settlement_statuses(warehouse: Path) -> list[SettlementStatus]:
    """Every settlement with its status and whether it needs attention (the `reconciliation_statuses` seed),
    the ones that do first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            SELECT r.status, coalesce(s.needs_attention, true), r.store_id, r.settlement_id, r.currency,
                   r.difference, r.bank_difference, r.header_total
            FROM marts.fct_settlement_reconciliation AS r
            LEFT JOIN seeds.reconciliation_statuses AS s USING (status)
            ORDER BY coalesce(s.needs_attention, true) DESC, r.store_id, r.period_start
            """
        ).fetchall()
    return [SettlementStatus(*row) for row in rows]


def status_counts(warehouse: Path) -> list[tuple[str, int]]:
    """(status, settlements) in the seed's order; a status the seed does not know comes last."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """
            SELECT r.status, count(*)
            FROM marts.fct_settlement_reconciliation AS r
            LEFT JOIN seeds.reconciliation_statuses AS s USING (status)
            GROUP BY r.status, s.sort_order
            ORDER BY s.sort_order NULLS LAST, r.status
            """
        ).fetchall()


def print_summary(settings: Settings, result: Any, say: Callable[[str], None],
                  checks: Sequence[Callable[[], None]] = ()) -> None:
    """Files, settlements by status, vendor results; then each of `checks` (the demo's answer keys), then what next.

    Each file's outcome was printed as it loaded: here only the counts, so a quarantine is reported once.
    """
    report = result.load_report
    if report is not None:
        counts = report.counts()
        say("")
        say("Files")
        say(f"  loaded {counts['loaded']}, duplicate {counts['duplicate']}, quarantined {counts['quarantined']}"
            + (f", unchanged since last run {len(report.unchanged)}" if report.unchanged else ""))
    quarantines = {load.message for load in report.quarantined} if report is not None else set()
    warnings = [line for line in result.warnings if line not in quarantines]
    if warnings:
        say("")
        say("Warnings")
        for line in warnings:
            say(f"  {line}")
    if not result.success:
        say("")
        say("The pipeline failed:")
        for failure in result.failures or ["(no step said why)"]:
            say(f"  {failure}")
        return
    rows = settlement_statuses(settings.warehouse)
    say("")
    say(f"Settlements ({len(rows)})")
    say("  " + ", ".join(f"{status} {count}" for status, count in status_counts(settings.warehouse)))
    for row in rows:
        if not row.needs_attention:
            continue
        if row.status == "deposit_missing":
            detail = f"no bank deposit found for {row.header_total} {row.currency}"
        elif row.status == "deposit_short":
            detail = f"bank deposit differs by {row.bank_difference} {row.currency}"
        else:
            detail = f"lines differ from the header total by {row.difference} {row.currency}"
        say(f"  {row.status:<16} {row.store_id or '(no store)'} settlement {row.settlement_id}: {detail}")
    print_seller_risk_summary(settings, say)
    vendor = print_vendor_summary(settings, say)
    for check in checks:
        check()
    print_next_steps(settings, say, vendor=vendor)


def print_next_steps(settings: Settings, say: Callable[[str], None], *, vendor: bool) -> None:
    """Commands that work as typed from where the user is."""
    acorn, warehouse = acorn_command(), path_as_typed(settings.warehouse)
    say("")
    say(f"Warehouse: {settings.warehouse}")
    say("Next:")
    say(f"  {acorn} dashboards --warehouse {warehouse}")
    if vendor:
        say(f"  {acorn} export vendor --po PO_NUMBER --out po.xlsx --warehouse {warehouse}")
    if shutil.which("duckdb"):
        say(f"  duckdb -readonly {warehouse} \"SELECT * FROM marts.fct_settlement_reconciliation\"")
    dagster = make_command("dagster", WAREHOUSE=settings.warehouse) or (
        f"ACORN_WAREHOUSE={warehouse} {program_as_typed(Path(sys.executable).parent / 'dagster')} "
        "dev -m orchestration.definitions")
    say(f"  {dagster}   (the same pipeline in the Dagster UI)")


# ---- seller money at risk ------------------------------------------------------------------------------------


def print_seller_risk_summary(settings: Settings, say: Callable[[str], None]) -> None:
    """Open seller alerts by rule, and the reimbursement opportunities to file; nothing without seller alerts."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        try:
            alerts = con.execute(
                "SELECT alert_type, severity, store_id, subject, amount, currency, message FROM marts.fct_alerts "
                "WHERE domain = 'seller' AND state = 'open' "
                "ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, alert_type, store_id, subject"
            ).fetchall()
            opportunities = con.execute(
                "SELECT opportunity_type, count(*), sum(amount), currency FROM marts.fct_reimbursement_opportunities "
                "GROUP BY opportunity_type, currency ORDER BY opportunity_type, currency").fetchall()
        except duckdb.CatalogException:
            return  # a warehouse built before the seller alerts existed
    if not alerts and not opportunities:
        return
    say("")
    say(f"Open seller alerts ({len(alerts)})")
    for alert_type, severity, store_id, _subject, _amount, _currency, message in alerts:
        say(f"  {alert_type:<26} {severity:<6} {store_id or '-':<8} {message}")
    if opportunities:
        say("Reimbursement opportunities (money Amazon probably owes; cases to file)")
        for kind, count, amount, currency in opportunities:
            say(f"  {kind:<30} {count:>3}  {amount or 0:,} {currency or ''}")


# ---- vendor (Vendor Central) ----------------------------------------------------------------------------------


def _money_by_currency(pairs: list[tuple[Any, str]]) -> str:
    totals: dict[str, Any] = {}
    for amount, currency in pairs:
        totals[currency] = totals.get(currency, 0) + (amount or 0)
    return ", ".join(f"{totals[c]:,} {c}" for c in sorted(totals))


def print_vendor_summary(settings: Settings, say: Callable[[str], None]) -> bool:
    """POs by stage, invoices by status, deductions by type and open alerts; nothing (False) without vendor data."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        try:
            stages = con.execute(
                "SELECT current_stage, count(*), count(DISTINCT purchase_order_number) FROM marts.fct_po_lifecycle "
                "GROUP BY 1 ORDER BY min(stage_order)").fetchall()
        except duckdb.CatalogException:
            return False  # a warehouse built before the vendor marts existed
        invoices = con.execute(
            "SELECT status, outstanding_amount, currency FROM marts.fct_vendor_invoices ORDER BY status").fetchall()
        deductions = con.execute(
            "SELECT deduction_type, amount, currency FROM marts.fct_vendor_deductions ORDER BY deduction_type").fetchall()
        alerts = con.execute(
            "SELECT alert_type, marketplace_name, purchase_order_number, invoice_number, message FROM marts.fct_alerts "
            "WHERE domain = 'vendor' ORDER BY alert_type, marketplace_name, purchase_order_number").fetchall()
    if not stages and not invoices and not deductions:
        return False
    say("")
    say(f"Vendor purchase orders ({sum(pos for _, _, pos in stages)} POs, {sum(n for _, n, _ in stages)} lines)")
    say("  lines by stage: " + ", ".join(f"{stage} {lines}" for stage, lines, _ in stages))
    say(f"Vendor invoices ({len(invoices)})")
    for status in dict.fromkeys(status for status, _, _ in invoices):
        own = [(amount, currency) for s, amount, currency in invoices if s == status]
        outstanding = [(amount, currency) for amount, currency in own if amount]
        say(f"  {status:<16} {len(own):>3}" + (f"  outstanding {_money_by_currency(outstanding)}" if outstanding else ""))
    say(f"Vendor deductions ({len(deductions)})")
    for kind in dict.fromkeys(kind for kind, _, _ in deductions):
        own = [(amount, currency) for k, amount, currency in deductions if k == kind]
        say(f"  {kind:<24} {len(own):>3}  {_money_by_currency(own)}")
    say(f"Open vendor alerts ({len(alerts)})")
    for alert_type, marketplace, po, invoice, message in alerts:
        where = " ".join(part for part in (marketplace, po and f"PO {po}", invoice and f"invoice {invoice}") if part)
        say(f"  {alert_type:<36} {where}: {message}")
    return True


