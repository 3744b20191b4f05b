"""The vendor marts end to end: the generated vendor data set (Vendor Central exports through the file loader,
purchase orders and Finances invoices synced from the local SP-API through python-amazon-sp-api), then one real
`dbt build` as of the generator's as_of day, checked against the generator's answer key: every injected
situation shows in the marts and alerts, and nothing else raises an alert.

Three paid Vendor Central export invoices of an extra vendor code add Net 30 EOM, Net 60 EOM and bare EOM terms
(the generator only uses Net 30/60/90), so the end-of-month due dates are checked by the same build.
"""
from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from config.settings import Settings
from connectors import archive, loader
from connectors.vendor.config import load_vendor_config
from connectors.vendor.invoice_submissions import render_submission
from outbound.own_invoices import build_invoices, export_json, po_item_sequence_numbers, read_candidates
from outbound.periods import PERIOD_FORMS, Period, PeriodError
from outbound.vendor_export import export_vendor_transactions, parse_period
from tests.helpers.vendor_world import EOM_INVOICES, MARKETPLACE_NAMES, VendorWarehouse, dbt_build, query

pytestmark = pytest.mark.slow

D = Decimal

@pytest.fixture
def built(vendor_warehouse: VendorWarehouse) -> VendorWarehouse:
    return vendor_warehouse


def situations(built: VendorWarehouse, kind: str) -> list[dict]:
    found = [s for s in built.answer_key["situations"] if s["kind"] == kind]
    assert found, kind
    return found


def lines_of(built: VendorWarehouse, po: str) -> list[dict]:
    with duckdb.connect(str(built.settings.warehouse), read_only=True) as con:
        cursor = con.execute("select * from marts.fct_po_lifecycle where purchase_order_number = ? "
                             "order by item_sequence_number", [po])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


# --- alerts ---------------------------------------------------------------------------------------------------


def test_exactly_the_expected_alerts_are_raised(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select alert_type, marketplace_name, purchase_order_number, invoice_number "
                                 "from marts.fct_alerts where domain = 'vendor'")
    expected = {(a["alert"], MARKETPLACE_NAMES[a["marketplace"]], a["purchase_order_number"], a["invoice_number"])
                for a in built.answer_key["expected_alerts"]}
    assert sorted(rows) == sorted(expected)


def test_alert_amounts_and_dates_come_from_the_situations(built: VendorWarehouse) -> None:
    alerts = {r[0]: r[1:] for r in query(built.settings, "select alert_type, amount, currency, raised_on from marts.fct_alerts")}
    by_po = {(r[0], r[1]): r[2:] for r in query(
        built.settings, "select alert_type, purchase_order_number, amount, currency, raised_on from marts.fct_alerts")}
    not_invoiced = situations(built, "received_not_invoiced")[0]
    assert by_po[("received_not_invoiced", not_invoiced["purchase_order_number"])][:2] == (
        D(not_invoiced["amount"]), not_invoiced["currency"])
    partly = situations(built, "partly_invoiced")[0]
    assert by_po[("received_not_invoiced", partly["purchase_order_number"])][:2] == (
        D(partly["remaining_amount"]), partly["currency"])
    deadline = situations(built, "invoice_deadline")[0]
    assert by_po[("invoice_deadline", deadline["purchase_order_number"])] == (
        D(deadline["amount"]), deadline["currency"],
        date.fromisoformat(deadline["received_at"][:10]) + timedelta(days=deadline["deadline_days"] + 1))
    chargeback = situations(built, "chargeback")[0]
    assert alerts["deduction_above_threshold"][:2] == (D(chargeback["amount"]), chargeback["currency"])
    late = situations(built, "late_shipment")[0]
    # the ship date on the ASN, no longer the first receipt
    assert alerts["shipment_late"][2] == date.fromisoformat(late["shipped_at"][:10])
    cancelled = situations(built, "po_cancelled_after_acknowledgement")[0]
    assert alerts["po_cancelled_after_acknowledgement"][2] == date.fromisoformat(cancelled["cancelled_at"][:10])


# --- purchase orders -----------------------------------------------------------------------------------------


def test_cancellations_show_with_their_timing(built: VendorWarehouse) -> None:
    after = situations(built, "po_cancelled_after_acknowledgement")[0]["purchase_order_number"]
    before = situations(built, "po_cancelled_before_acknowledgement")[0]["purchase_order_number"]
    for line in lines_of(built, after):
        assert (line["current_stage"], line["is_cancelled_after_acknowledgement"]) == ("cancelled", True)
        assert line["cancelled_quantity"] == line["accepted_quantity"] > 0 and line["acknowledged_on"] is not None
    for line in lines_of(built, before):
        assert (line["current_stage"], line["is_cancelled_after_acknowledgement"]) == ("cancelled", False)
        assert line["acknowledged_on"] is None and line["cancelled_quantity"] == line["ordered_quantity"]
    cancelled_pos = {r[0] for r in query(built.settings,
                     "select distinct purchase_order_number from marts.fct_po_lifecycle where current_stage = 'cancelled'")}
    assert cancelled_pos == {after, before}


def test_partial_acceptance_and_partial_receipt(built: VendorWarehouse) -> None:
    accepted = situations(built, "partial_acceptance")[0]
    line = next(l for l in lines_of(built, accepted["purchase_order_number"])
                if l["item_sequence_number"] == accepted["item_sequence_number"])
    assert (line["ordered_quantity"], line["accepted_quantity"], line["rejected_quantity"]) == (60, 45, 15)
    assert (line["received_quantity"], line["invoiced_quantity"], line["is_partially_accepted"]) == (45, 45, True)
    assert line["is_partially_received"] is False

    received = situations(built, "partial_receipt")[0]
    line = next(l for l in lines_of(built, received["purchase_order_number"])
                if l["item_sequence_number"] == received["item_sequence_number"])
    assert (line["accepted_quantity"], line["received_quantity"], line["invoiced_quantity"]) == (50, 42, 42)
    assert line["is_partially_received"] is True and line["current_stage"] == "paid"

    partially_accepted = {r[0] for r in query(built.settings,
                          "select distinct purchase_order_number from marts.fct_po_lifecycle where is_partially_accepted")}
    assert partially_accepted == {accepted["purchase_order_number"]}
    # short receipts: the partial receipt and the two shortage claims (Amazon counted fewer than invoiced)
    short = {r[0] for r in query(built.settings,
             "select distinct purchase_order_number from marts.fct_po_lifecycle where is_partially_received")}
    assert short == {received["purchase_order_number"]} | {s["purchase_order_number"] for s in situations(built, "shortage_claim")}


def test_a_received_po_nobody_invoiced_stays_received(built: VendorWarehouse) -> None:
    situation = situations(built, "received_not_invoiced")[0]
    lines = lines_of(built, situation["purchase_order_number"])
    assert {l["current_stage"] for l in lines} == {"received"}
    assert sum(l["received_amount"] for l in lines) == D(situation["amount"])
    assert all(l["invoiced_quantity"] == 0 and l["received_on"] == date(2026, 8, 4) for l in lines)
    assert lines[0]["days_in_stage"] == (built.as_of - date(2026, 8, 4)).days


def test_invoice_candidates_are_the_lines_the_alert_counts(built: VendorWarehouse) -> None:
    situation = situations(built, "received_not_invoiced")[0]
    partly = situations(built, "partly_invoiced")[0]
    deadline = situations(built, "invoice_deadline")[0]
    candidates = query(built.settings, "select purchase_order_number, sum(quantity_to_invoice), sum(amount_to_invoice), "
                                       "min(invoices_naming_po) from marts.fct_vendor_invoice_candidates group by 1 order by 1")
    lines = lines_of(built, situation["purchase_order_number"])
    assert sorted(candidates) == sorted([
        (situation["purchase_order_number"], sum(l["received_quantity"] for l in lines), D(situation["amount"]), 0),
        (partly["purchase_order_number"], partly["remaining_quantity"], D(partly["remaining_amount"]), 1),
        (deadline["purchase_order_number"], sum(l["received_quantity"] for l in lines_of(built, deadline["purchase_order_number"])),
         D(deadline["amount"]), 0)])


def test_a_partly_invoiced_po_offers_its_remaining_line_and_nothing_exceeds_the_receipt(built: VendorWarehouse) -> None:
    partly = situations(built, "partly_invoiced")[0]
    rows = query(built.settings, "select item_sequence_number, quantity_to_invoice from marts.fct_vendor_invoice_candidates "
                                 "where purchase_order_number = ?", [partly["purchase_order_number"]])
    assert rows == [(partly["remaining_item_sequence_number"], partly["remaining_quantity"])]
    # every candidate plus what is already invoiced is exactly what was received, never more
    over = query(built.settings, "select c.purchase_order_number from marts.fct_vendor_invoice_candidates as c "
                                 "join marts.fct_po_lifecycle as l using (account_id, purchase_order_number, item_sequence_number) "
                                 "where c.quantity_to_invoice + l.invoiced_quantity <> l.received_quantity "
                                 "or c.quantity_to_invoice <= 0")
    assert over == []
    config = load_vendor_config(built.generated.config)
    with duckdb.connect(str(built.settings.warehouse), read_only=True) as con:
        received = dict(((po, seq), (r, i)) for po, seq, r, i in con.execute(
            "select purchase_order_number, item_sequence_number, received_quantity, invoiced_quantity from marts.fct_po_lifecycle").fetchall())
        for account_id in ("acme-vendor-na", "acme-vendor-eu"):
            candidates = read_candidates(con, account_id)
            for invoice, lines in zip(build_invoices(candidates, config, built.as_of),
                                      [[c for c in candidates if c.purchase_order_number == po]
                                       for po in dict.fromkeys(c.purchase_order_number for c in candidates)]):
                for item, line in zip(invoice["items"], lines):
                    got, already = received[(line.purchase_order_number, line.item_sequence_number)]
                    assert item["invoicedQuantity"]["amount"] + already <= got


def test_shipments_show_in_the_lifecycle(built: VendorWarehouse) -> None:
    world = built.generated.world
    shipped = dict(((po, seq), (qty, on)) for po, seq, qty, on in query(
        built.settings, "select purchase_order_number, item_sequence_number, shipped_quantity, shipped_on "
                        "from marts.fct_po_lifecycle where shipped_quantity > 0"))
    assert shipped == {(o.number, l.sequence): (l.shipped_quantity, o.shipped.date())
                       for o in world.orders if o.shipped for l in o.lines if l.shipped_quantity}
    transit = situations(built, "shipment_in_transit")[0]
    lines = lines_of(built, transit["purchase_order_number"])
    assert {(l["current_stage"], l["is_in_transit"], l["received_quantity"]) for l in lines} == {("shipped", True, 0)}
    assert sum(l["in_transit_quantity"] for l in lines) == sum(l["shipped_not_received_quantity"] for l in lines) \
        == transit["shipped_quantity"]
    assert {l["days_in_transit"] for l in lines} == {(built.as_of - date.fromisoformat(transit["shipped_at"][:10])).days}
    assert {l["estimated_delivery_on"] for l in lines} == {date.fromisoformat(transit["estimated_delivery_at"][:10])}
    late = situations(built, "late_shipment")[0]
    line = lines_of(built, late["purchase_order_number"])[0]
    assert (line["shipped_on"], line["days_in_transit"]) == (date.fromisoformat(late["shipped_at"][:10]), 2)
    assert query(built.settings, "select distinct purchase_order_number from marts.fct_po_lifecycle where is_in_transit") == [
        (transit["purchase_order_number"],)]


def test_an_eu_candidate_without_the_vendors_vat_id_is_held_back(built: VendorWarehouse, tmp_path: Path) -> None:
    from outbound.vendor_invoicing import build_and_export

    hold = situations(built, "invoice_compliance_hold")[0]
    failed = query(built.settings, "select purchase_order_number, rule, reason, is_held_back "
                                   "from marts.fct_vendor_invoice_compliance where not is_passed")
    assert failed == [(hold["purchase_order_number"], hold["rule"],
                       "VAT registration number of vendor ACMD1 is required in DE and not configured", True)]
    taxed = query(built.settings, "select distinct country_code, tax_type, tax_rate from marts.fct_vendor_invoice_compliance "
                                  "where is_passed and rule = 'tax_rate'")
    assert sorted(taxed, key=repr) == sorted([("US", None, None), ("CA", "GST", D("0.0500")), ("DE", "VAT", D("0.1900"))], key=repr)
    batches = {b.account_id: b for b in build_and_export(built.settings, built.generated.config, tmp_path,
                                                         built.as_of)}
    eu = batches["acme-vendor-eu"]
    assert eu.invoices == [] and [h.candidate.purchase_order_number for h in eu.held_back] == [hold["purchase_order_number"]]
    assert json.loads(eu.held_back_path.read_text())["heldBack"][0]["Reason"].startswith("VAT registration number")
    sheet = load_workbook(eu.xlsx_path)["Held back"]
    assert [c.value for c in sheet[2]][0] == hold["purchase_order_number"]
    # the CA invoice carries GST per line and the vendor's GST number; the total includes the tax
    ca = next(i for i in batches["acme-vendor-na"].invoices if i["invoiceTotal"]["currencyCode"] == "CAD")
    tax = ca["items"][0]["taxDetails"][0]
    assert (tax["taxType"], tax["taxRate"]) == ("GST", "0.05")
    assert D(ca["invoiceTotal"]["amount"]) == D(tax["taxableAmount"]["amount"]) + D(tax["taxAmount"]["amount"])
    assert ca["remitToParty"]["taxRegistrationDetails"] == [
        {"taxRegistrationType": "GST", "taxRegistrationNumber": "123456789RT0001"}]


def test_a_coop_deduction_is_linked_to_its_agreement_and_shown_by_month(built: VendorWarehouse) -> None:
    coop = situations(built, "coop_deduction")[0]
    rows = query(built.settings, "select deduction_number, deduction_type, amount, agreement_id "
                                 "from marts.fct_vendor_deductions where agreement_id is not null")
    assert rows == [(coop["deduction_invoice_number"], "coop", D(coop["amount"]), coop["agreement_id"])]
    months = query(built.settings, "select deducted_amount, linked_amount, accrued_amount is not null "
                                   "from marts.fct_vendor_agreement_deductions where n_deductions > 0")
    assert months == [(-D(coop["amount"]), -D(coop["amount"]), True)]


def test_a_partly_invoiced_po_offers_exactly_its_remaining_lines(built: VendorWarehouse, tmp_path: Path) -> None:
    """An own invoice billing the PO's first line short by one unit and its second line in full, recorded through
    the loader: the candidates (and the alert) keep one unit of line 1 and every later line, nothing else."""
    import shutil
    from dataclasses import replace

    situation = situations(built, "received_not_invoiced")[0]
    po = situation["purchase_order_number"]
    others = {s["purchase_order_number"] for s in situations(built, "partly_invoiced")}
    settings: Settings = replace(built.settings, warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive")
    shutil.copy(built.settings.warehouse, settings.warehouse)
    config = load_vendor_config(built.generated.config)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        (account_id,) = {a for (a,) in con.execute(
            "select account_id from marts.fct_vendor_invoice_candidates where purchase_order_number = ?", [po]).fetchall()}
        before = [c for c in read_candidates(con, account_id) if c.purchase_order_number == po]
    assert before[0].quantity_to_invoice > 1
    billed = [replace(before[0], quantity_to_invoice=before[0].quantity_to_invoice - 1), *before[1:2]]
    invoices = build_invoices(billed, config, built.as_of)
    body = export_json(invoices)
    record = render_submission(
        account_id=account_id, body=json.loads(body), body_sha256=archive.sha256_of(body),
        built_at=datetime(2026, 10, 15, 9), submitted_at=datetime(2026, 10, 15, 9, 1), transaction_id="tx-partial",
        marketplace_ids={invoices[0]["id"]: before[0].marketplace_id},
        po_item_sequence_numbers=po_item_sequence_numbers(billed, invoices))
    con = loader.connect(settings)
    try:
        outcome = loader.load_file(con, settings, "submission_partial.json", record)
    finally:
        con.close()
    assert (outcome.kind, outcome.status) == ("vendor_invoice_submission", "loaded"), outcome.message
    dbt_build(settings, built.as_of)

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        after = [c for c in read_candidates(con, account_id) if c.purchase_order_number not in others]
        alert = con.execute("select amount from marts.fct_alerts where alert_type = 'received_not_invoiced' "
                            "and purchase_order_number = ?", [po]).fetchall()
    assert [(c.item_sequence_number, c.quantity_to_invoice) for c in after] == [
        (before[0].item_sequence_number, 1), *((c.item_sequence_number, c.quantity_to_invoice) for c in before[2:])]
    assert alert == [(sum(c.amount_to_invoice for c in after),)]
    # the next own invoice for this PO needs a number of its own
    assert build_invoices(after, config, built.as_of)[0]["id"] == f"{config.invoice_prefix}{po}-2"


def test_a_change_before_acknowledgement_is_no_change_after_it(built: VendorWarehouse) -> None:
    situation = situations(built, "po_changed_before_acknowledgement")[0]
    line = next(l for l in lines_of(built, situation["purchase_order_number"])
                if l["item_sequence_number"] == situation["item_sequence_number"])
    assert line["ordered_quantity"] == situation["quantity_after"]
    assert not line["is_changed_after_acknowledgement"]


def test_every_po_line_of_the_world_is_in_the_lifecycle_with_its_stage(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select purchase_order_number, sum(received_quantity), count(*) filter (where current_stage = 'ordered') "
                                 "from marts.fct_po_lifecycle group by 1")
    got = {po: (received, n_ordered) for po, received, n_ordered in rows}
    key = {po["purchase_order_number"]: po for po in built.answer_key["purchase_orders"]}
    assert set(got) == set(key)
    for po, (received, n_ordered) in got.items():
        assert received == key[po]["received_quantity"], po
        # only the PO created just before as_of is still waiting for its acknowledgement
        assert (n_ordered > 0) == (key[po]["state"] == "New"), po


# --- invoices --------------------------------------------------------------------------------------------------


def test_invoice_due_dates_follow_the_terms_and_match_amazon(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select invoice_number, terms_code, expected_due_date, amazon_due_date, "
                                 "due_date_difference_days from marts.fct_vendor_invoices where vendor_code <> 'TESTEOM'")
    got = {r[0]: r[1:] for r in rows}
    invoices = built.answer_key["invoices"]
    assert set(got) == {i["invoice_number"] for i in invoices}
    assert {i["terms"] for i in invoices} == {"NET30", "NET60", "NET90"}
    for invoice in invoices:
        due = date.fromisoformat(invoice["due_date"])
        assert got[invoice["invoice_number"]] == (invoice["terms"], due, due, 0)


def test_end_of_month_terms_count_from_the_month_end(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select invoice_number, terms_basis, expected_due_date, status "
                                 "from marts.fct_vendor_invoices where vendor_code = 'TESTEOM'")
    assert sorted(rows) == [(number, "end_of_month", due, "paid") for number, _, _, due in EOM_INVOICES]


def test_overdue_invoices_and_only_those(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select invoice_number, outstanding_amount, currency, days_overdue, aging_bucket "
                                 "from marts.fct_vendor_invoices where status = 'overdue'")
    expected = {(s["invoice_number"], D(s["amount"]), s["currency"], s["days_overdue"])
                for s in situations(built, "invoice_overdue")}
    assert {r[:4] for r in rows} == expected
    assert {r[4] for r in rows} == {"31-60"}


def test_paid_and_open_invoices_agree_with_the_answer_key(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select invoice_number, status, paid_amount, discount_taken, last_payment_date, outstanding_amount "
                                 "from marts.fct_vendor_invoices where vendor_code <> 'TESTEOM'")
    got = {r[0]: r[1:] for r in rows}
    for invoice in built.answer_key["invoices"]:
        status, paid, discount, paid_on, outstanding = got[invoice["invoice_number"]]
        if invoice["paid_date"]:
            assert (status, paid, discount, outstanding) == ("paid", D(invoice["amount_paid"]), D(invoice["discount"]), 0)
            assert paid_on == date.fromisoformat(invoice["paid_date"])
        else:
            assert status in ("open", "overdue") and outstanding == D(invoice["amount"]) and paid == 0
    quick = situations(built, "quick_pay_discount")[0]
    assert query(built.settings, "select invoice_number from marts.fct_vendor_invoices where is_quick_pay") == [(quick["invoice_number"],)]


# --- deductions --------------------------------------------------------------------------------------------------


def test_each_deduction_type_with_its_invoice_po_and_reversal(built: VendorWarehouse) -> None:
    rows = query(built.settings, "select deduction_number, deduction_type, amount, currency, related_invoice_number, "
                                 "purchase_order_number, is_reversed from marts.fct_vendor_deductions")
    got = {r[0]: r[1:] for r in rows}
    kinds = {"shortage_claim": "shortage_claim", "shortage_claim_reversal": "shortage_claim_reversal",
             "chargeback": "chargeback", "price_claim": "price_claim", "coop_deduction": "coop"}
    expected = {}
    for kind, deduction_type in kinds.items():
        for s in situations(built, kind):
            reversed_ = bool(s.get("reversed")) if kind == "shortage_claim" else False
            expected[s["deduction_invoice_number"]] = (deduction_type, D(s["amount"]), s["currency"], s["invoice_number"],
                                                       s["purchase_order_number"], reversed_)
    assert got == expected


def test_invoices_carry_their_deductions(built: VendorWarehouse) -> None:
    reversed_claim = next(s for s in situations(built, "shortage_claim") if s["reversed"])
    rows = query(built.settings, "select deduction_amount, n_deductions from marts.fct_vendor_invoices where invoice_number = ?",
                 [reversed_claim["invoice_number"]])
    assert rows == [(D("0.00"), 2)]  # the claim and its reversal cancel out
    price = situations(built, "price_claim")[0]
    rows = query(built.settings, "select deduction_amount, net_received_amount, paid_amount from marts.fct_vendor_invoices "
                                 "where invoice_number = ?", [price["invoice_number"]])
    assert rows[0][0] == D(price["amount"]) and rows[0][1] == rows[0][2] + D(price["amount"])


# --- forecast -------------------------------------------------------------------------------------------------------


def test_forecast_sums_equal_open_invoices_outstanding(built: VendorWarehouse) -> None:
    forecast = dict(query(built.settings, "select currency, sum(expected_amount) from marts.fct_vendor_cashflow_forecast group by 1"))
    open_invoices: dict[str, Decimal] = {}
    for invoice in built.answer_key["invoices"]:
        if not invoice["paid_date"]:
            open_invoices[invoice["currency"]] = open_invoices.get(invoice["currency"], D(0)) + D(invoice["amount"])
    assert forecast == open_invoices
    # overdue money is expected now (the as_of week); the rest after its due date plus the usual delay
    weeks = query(built.settings, "select min(week_start), sum(overdue_amount) from marts.fct_vendor_cashflow_forecast")
    assert weeks[0][0] == built.as_of - timedelta(days=built.as_of.weekday())
    assert weeks[0][1] == sum(D(s["amount"]) for s in situations(built, "invoice_overdue"))
    functional = query(built.settings, "select sum(expected_amount_functional) from marts.fct_vendor_cashflow_forecast "
                                       "where currency = 'EUR'")
    assert functional == [(open_invoices["EUR"],)]


def test_payment_delay_per_marketplace_is_learnt_from_history(built: VendorWarehouse) -> None:
    gaps = dict(query(built.settings, "select marketplace_id, avg_days_paid_after_due from intermediate.int_vendor_payment_gaps "
                                      "where n_paid_invoices > 0"))
    delays = {m.marketplace_id: m.pay_delay_days for m in built.generated.world.marketplaces}
    assert gaps == delays


# --- export ----------------------------------------------------------------------------------------------------------


def test_export_of_a_po_holds_its_whole_chain_to_the_cent(built: VendorWarehouse, tmp_path: Path) -> None:
    chargeback = situations(built, "chargeback")[0]
    po = chargeback["purchase_order_number"]
    out = tmp_path / "po.csv"
    n = export_vendor_transactions(built.settings, out, po=po.lower())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == n and {r["transaction_type"] for r in rows} == {"po_line", "invoice_line", "payment", "deduction"}
    assert all(po in r["purchase_order_number"] for r in rows)
    deduction = next(r for r in rows if r["transaction_type"] == "deduction")
    assert (deduction["amount"], deduction["invoice_number"]) == (chargeback["amount"], chargeback["deduction_invoice_number"])
    invoiced = sum(D(r["amount"]) for r in rows if r["transaction_type"] == "invoice_line")
    paid = sum(D(r["amount"]) for r in rows if r["transaction_type"] == "payment")
    assert invoiced == paid > 0


def test_export_by_period_and_asin_as_xlsx_keeps_exact_amounts(built: VendorWarehouse, tmp_path: Path) -> None:
    out = tmp_path / "q3.xlsx"
    n = export_vendor_transactions(built.settings, out, period="2026-Q3", asin="B0ACME0001", fmt="xlsx")
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == n > 0
    period = parse_period("2026-Q3")
    assert all(period.first <= r["transaction_date"].date() <= period.last for r in rows)
    assert all(r["asin"] in (None, "B0ACME0001") for r in rows)
    expected = query(built.settings, "select sum(amount) from marts.fct_vendor_transactions where transaction_type = 'po_line' "
                                     "and asin = 'B0ACME0001' and transaction_date between ? and ?", [period.first, period.last])
    assert sum(D(str(r["amount"])) for r in rows if r["transaction_type"] == "po_line") == expected[0][0]


def test_periods_parse() -> None:
    assert parse_period("2026") == parse_period("2026-01-01..2026-12-31")
    assert parse_period("2026-02").last == date(2026, 2, 28)
    assert parse_period("2024-02").last == date(2024, 2, 29)
    assert parse_period("2026-q4").first == date(2026, 10, 1)
    assert parse_period("2026-Q3") == Period(date(2026, 7, 1), date(2026, 9, 30))
    assert parse_period(" 2026-07-15 ") == Period(date(2026, 7, 15), date(2026, 7, 15))
    # Each side of a range is any single form: from the start of the first to the end of the last.
    assert parse_period("2026-07..2026-10") == Period(date(2026, 7, 1), date(2026, 10, 31))
    assert parse_period("2026-Q3..2027") == Period(date(2026, 7, 1), date(2027, 12, 31))
    assert parse_period("2026-12-01 .. 2026-12") == Period(date(2026, 12, 1), date(2026, 12, 31))
    for bad, reason in (("2026-03-01..2026-02-01", "ends before it starts"), ("2026-Q5", "quarter must be Q1 to Q4"),
                        ("2026-13", "month must be in 1..12"), ("2026-02-30", "day is out of range"),
                        ("foo", "not a period"), ("", "empty"), ("   ", "empty"), ("2026-07..", "a range needs"),
                        ("2026..2027..2028", "a range needs"), ("20260715", "not a period"), ("2026-W28", "not a period")):
        with pytest.raises(PeriodError, match=reason) as raised:
            parse_period(bad)
        assert str(raised.value).endswith(f"; use {PERIOD_FORMS}"), bad
