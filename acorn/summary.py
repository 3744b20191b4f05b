"""What a run tells the user at the end: files, settlements by status, where to look next, in the language of
Settings.language (ACORN_LANGUAGE; acorn/i18n holds the words)."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb

from acorn.catalogue import Words
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
    words = Words(settings.language)
    report = result.load_report
    if report is not None:
        counts = report.counts()
        say("")
        say(words("files.title"))
        say("  " + words("files.counts", **counts)
            + (words("files.unchanged", count=len(report.unchanged)) if report.unchanged else ""))
    quarantines = {load.message for load in report.quarantined} if report is not None else set()
    warnings = [line for line in result.warnings if line not in quarantines]
    if warnings:
        say("")
        say(words("warnings"))
        for line in warnings:
            say(f"  {line}")
    if not result.success:
        say("")
        say(words("failed"))
        for failure in result.failures or [words("no_reason")]:
            say(f"  {failure}")
        return
    rows = settlement_statuses(settings.warehouse)
    say("")
    say(words("settlements.title", count=len(rows)))
    say("  " + ", ".join(f"{words.name('status', status)} {count}" for status, count in status_counts(settings.warehouse)))
    for row in rows:
        if not row.needs_attention:
            continue
        if row.status == "deposit_missing":
            detail = words("settlements.deposit_missing", amount=row.header_total, currency=row.currency)
        elif row.status == "deposit_short":
            detail = words("settlements.deposit_short", amount=row.bank_difference, currency=row.currency)
        else:
            detail = words("settlements.difference", amount=row.difference, currency=row.currency)
        say(f"  {words.name('status', row.status):<16} {row.store_id or words('settlements.no_store')} "
            + words("settlements.line", settlement=row.settlement_id, detail=detail))
    print_seller_risk_summary(settings, say)
    vendor = print_vendor_summary(settings, say)
    books = print_books_summary(settings, say)
    for check in checks:
        check()
    print_next_steps(settings, say, vendor=vendor, books=books)


def print_next_steps(settings: Settings, say: Callable[[str], None], *, vendor: bool, books: str | None = None) -> None:
    """Commands that work as typed from where the user is."""
    words = Words(settings.language)
    acorn, warehouse = acorn_command(), path_as_typed(settings.warehouse)
    say("")
    say(words("next.warehouse", path=settings.warehouse))
    say(words("next.title"))
    say(f"  {acorn} dashboards --warehouse {warehouse}")
    if vendor:
        say(f"  {acorn} export vendor --po PO_NUMBER --out po.xlsx --warehouse {warehouse}")
    if books:
        say(f"  {acorn} export vouchers --period {books} --format kingdee-kis --out vouchers_{books}.xlsx "
            f"--warehouse {warehouse}")
    if shutil.which("duckdb"):
        say(f"  duckdb -readonly {warehouse} \"SELECT * FROM marts.fct_settlement_reconciliation\"")
    dagster = make_command("dagster", WAREHOUSE=settings.warehouse) or (
        f"ACORN_WAREHOUSE={warehouse} {program_as_typed(Path(sys.executable).parent / 'dagster')} "
        "dev -m orchestration.definitions")
    say(f"  {dagster}   {words('next.dagster')}")


# ---- seller money at risk ------------------------------------------------------------------------------------


def print_seller_risk_summary(settings: Settings, say: Callable[[str], None]) -> None:
    """Open seller alerts by rule, and the reimbursement opportunities to file; nothing without seller alerts."""
    words = Words(settings.language)
    message = "coalesce(message_zh, message)" if words.language == "zh" else "message"
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        try:
            alerts = con.execute(
                f"SELECT alert_type, severity, store_id, subject, amount, currency, {message} FROM marts.fct_alerts "
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
    say(words("seller.alerts", count=len(alerts)))
    for alert_type, severity, store_id, _subject, _amount, _currency, message in alerts:
        say(f"  {alert_type:<26} {severity:<6} {store_id or '-':<8} {message}")
    if opportunities:
        say(words("seller.opportunities"))
        for kind, count, amount, currency in opportunities:
            say(f"  {kind:<30} {count:>3}  {amount or 0:,} {currency or ''}")


# ---- vendor (Vendor Central) ----------------------------------------------------------------------------------


def _money_by_currency(pairs: list[tuple[Any, str]]) -> str:
    totals: dict[str, Any] = {}
    for amount, currency in pairs:
        totals[currency] = totals.get(currency, 0) + (amount or 0)
    return ", ".join(f"{totals[c]:,} {c}" for c in sorted(totals))


# What the vendor chain shows beyond alerts, as (flag, marketplace name, PO, detail): shipments shipped after their
# ship window or still in transit, POs partly invoiced with lines still offered, candidate lines held back by an
# invoice-compliance rule, and deductions under a vendor agreement (co-op, MDF, freight allowance).
VENDOR_CHAIN_FLAGS = """
    SELECT DISTINCT 'shipped_late', marketplace_name, purchase_order_number, CAST(shipped_on AS VARCHAR)
    FROM marts.fct_po_lifecycle WHERE shipped_on > CAST(ship_window_end AS DATE)
    UNION
    SELECT DISTINCT 'shipment_in_transit', marketplace_name, purchase_order_number, shipment_id
    FROM marts.fct_po_lifecycle WHERE is_in_transit
    UNION
    SELECT DISTINCT 'partly_invoiced', c.marketplace_name, c.purchase_order_number, c.item_sequence_number
    FROM marts.fct_vendor_invoice_candidates AS c
    WHERE EXISTS (SELECT 1 FROM marts.fct_po_lifecycle AS l WHERE l.account_id = c.account_id
                  AND l.purchase_order_number = c.purchase_order_number AND l.invoiced_quantity > 0)
    UNION
    SELECT DISTINCT 'invoice_held_back', marketplace_name, purchase_order_number, rule
    FROM marts.fct_vendor_invoice_compliance WHERE NOT is_passed
    UNION
    SELECT DISTINCT 'agreement_deduction', marketplace_name, purchase_order_number, deduction_number
    FROM marts.fct_vendor_deductions WHERE agreement_id IS NOT NULL
"""


def vendor_chain_flags(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    return sorted(con.execute(VENDOR_CHAIN_FLAGS).fetchall(), key=repr)


def print_vendor_summary(settings: Settings, say: Callable[[str], None]) -> bool:
    """POs by stage, invoices by status, deductions by type and open alerts; nothing (False) without vendor data."""
    words = Words(settings.language)
    message = "coalesce(message_zh, message)" if words.language == "zh" else "message"
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
            f"SELECT alert_type, marketplace_name, purchase_order_number, invoice_number, {message} FROM marts.fct_alerts "
            "WHERE domain = 'vendor' ORDER BY alert_type, marketplace_name, purchase_order_number").fetchall()
        try:
            flags = vendor_chain_flags(con)
            held = con.execute(
                "SELECT marketplace_name, purchase_order_number, item_sequence_number, reason "
                "FROM marts.fct_vendor_invoice_compliance WHERE NOT is_passed ORDER BY 1, 2, 3, rule").fetchall()
        except duckdb.CatalogException:
            flags, held = [], []  # marts built before shipments and invoice compliance existed
    if not stages and not invoices and not deductions:
        return False
    say("")
    say(words("vendor.pos", pos=sum(pos for _, _, pos in stages), lines=sum(n for _, n, _ in stages)))
    say("  " + words("vendor.stages", stages=", ".join(f"{stage} {lines}" for stage, lines, _ in stages)))
    say(words("vendor.invoices", count=len(invoices)))
    for status in dict.fromkeys(status for status, _, _ in invoices):
        own = [(amount, currency) for s, amount, currency in invoices if s == status]
        outstanding = [(amount, currency) for amount, currency in own if amount]
        say(f"  {status:<16} {len(own):>3}"
            + (f"  {words('vendor.outstanding', amounts=_money_by_currency(outstanding))}" if outstanding else ""))
    say(words("vendor.deductions", count=len(deductions)))
    for kind in dict.fromkeys(kind for kind, _, _ in deductions):
        own = [(amount, currency) for k, amount, currency in deductions if k == kind]
        say(f"  {kind:<24} {len(own):>3}  {_money_by_currency(own)}")
    in_transit = [f for f in flags if f[0] == "shipment_in_transit"]
    late = [f for f in flags if f[0] == "shipped_late"]
    say(words("vendor.shipments", in_transit=len(in_transit), late=len(late)))
    for _, marketplace, po, shipment in in_transit:
        say("  " + words("vendor.in_transit", marketplace=marketplace, po=po, shipment=shipment))
    for _, marketplace, po, shipped_on in late:
        say("  " + words("vendor.late", marketplace=marketplace, po=po, day=shipped_on))
    offered = [f for f in flags if f[0] == "partly_invoiced"]
    if offered or held:
        say(words("vendor.candidates", offered=len(offered), held=len(held)))
        for _, marketplace, po, line in offered:
            say("  " + words("vendor.offered", marketplace=marketplace, po=po, line=line))
        for marketplace, po, line, reason in held:
            say("  " + words("vendor.held", marketplace=marketplace, po=po, line=line, reason=reason))
    say(words("vendor.alerts", count=len(alerts)))
    for alert_type, marketplace, po, invoice, message in alerts:
        where = " ".join(part for part in (marketplace, po and words("vendor.po", po=po),
                                           invoice and words("vendor.invoice", invoice=invoice)) if part)
        say(f"  {alert_type:<36} {where}: {message}")
    return True




# ---- the books (journal, trial balance, vouchers) ---------------------------------------------------------------


def books_figures(warehouse: Path) -> dict[str, Any] | None:
    """Balance checks and per-store gross margin from the books marts; None for a warehouse without them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            entries, lines, unbalanced = con.execute("""
                select count(*), coalesce(sum(n), 0), count(*) filter (where debit <> credit)
                from (select entry_id, sum(debit) as debit, sum(credit) as credit, count(*) as n
                      from marts.fct_journal_lines group by entry_id)""").fetchone()
        except duckdb.CatalogException:
            return None
        vouchers = con.execute("select period, count(distinct voucher_no) from marts.fct_journal_lines "
                               "group by period order by period").fetchall()
        suspense = con.execute("select count(*) from marts.fct_journal_lines where is_suspense").fetchone()[0]
        by_source = con.execute("select source_type, count(distinct entry_id) from marts.fct_journal_lines "
                                "group by source_type order by source_type").fetchall()
        first_unbalanced = con.execute("""
            select entry_id, sum(debit), sum(credit) from marts.fct_journal_lines group by entry_id
            having sum(debit) <> sum(credit) order by entry_id limit 1""").fetchone()
        try:
            trial = con.execute("select coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(distinct period) "
                                "from marts.fct_trial_balance").fetchone()
            margins = con.execute("""
                select store_id, sum(net_revenue), sum(cogs), sum(gross_profit)
                from marts.fct_cas_cost_allocation group by store_id order by store_id""").fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):
            trial, margins = None, []  # journal built, reports not (yet): the balance lines still stand
    return {"entries": entries, "lines": lines, "unbalanced": unbalanced, "first_unbalanced": first_unbalanced,
            "vouchers": vouchers, "by_source": by_source, "suspense": suspense, "trial": trial, "margins": margins}


def print_books_summary(settings: Settings, say: Callable[[str], None]) -> str | None:
    """The books' balance checks, trial balance totals, vouchers per period and gross margin per store.
    Returns the latest period (for the "Next:" hint), or None when the warehouse has no journal."""
    figures = books_figures(settings.warehouse)
    if figures is None or not figures["entries"]:
        return None
    words = Words(settings.language)
    currency = settings.functional_currency
    say("")
    say(words("books.title", entries=figures["entries"], lines=figures["lines"], currency=currency))
    if figures["unbalanced"]:
        entry, debit, credit = figures["first_unbalanced"]
        say("  " + words("books.unbalanced", count=figures["unbalanced"], entry=entry, debit=f"{debit:,}",
                         credit=f"{credit:,}"))
    else:
        say("  " + words("books.balanced"))
    by_source = ", ".join(f"{source} {count}" for source, count in figures["by_source"])
    say("  " + words("books.by_source", sources=by_source))
    if figures["trial"] is not None:
        debit, credit, periods = figures["trial"]
        relation = "=" if debit == credit else "≠"
        say("  " + words("books.trial", periods=periods, debit=f"{debit:,}", relation=relation, credit=f"{credit:,}"))
    if figures["suspense"]:
        say("  " + words("books.suspense", count=figures["suspense"]))
    say("  " + words("books.vouchers", periods=", ".join(f"{period} {count}" for period, count in figures["vouchers"])))
    for store, revenue, cogs, profit in figures["margins"]:
        margin = f"{profit / revenue:.1%}" if revenue else "—"
        say("  " + words("books.margin", store=f"{store or words('settlements.no_store'):<10}", margin=f"{margin:>6}",
                         revenue=f"{revenue:,}", cogs=f"{cogs:,}", currency=currency))
    return figures["vouchers"][-1][0]
