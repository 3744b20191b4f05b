"""Vendor parsers and generator: genuine SP-API samples flattened to rows, Vendor Central exports (CSV and XLSX),
deduction classification, and the generated data set's determinism and answer key."""
from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from connectors.file_kinds import detect_kind
from connectors.parsing import ParseError
from connectors.vendor.deductions import classify_invoice_number, deduction_rules
from connectors.vendor.exports import export_kind, parse_invoice_export, parse_remittance
from connectors.vendor.flatten import (
    flatten_invoice,
    flatten_invoice_headers,
    flatten_purchase_order_status,
    flatten_purchase_orders,
)
from demo.generator.vendor import ANSWER_KEY_NAME, generate_vendor
from tests.helpers.paths import SAMPLES

FETCHED = datetime(2026, 10, 1)


def sample(name: str) -> dict:
    body = json.loads((SAMPLES / name).read_text())["response"]
    return body.get("payload", body)


def test_get_purchase_orders_sample_flattens_to_versions_and_items(samples):
    orders, items = flatten_purchase_orders(
        sample("vendorOrders_getPurchaseOrders_sandbox_static_200_0.json"), account_id="na", page_sha256="p",
        fetched_at=FETCHED, marketplaces={"999US": "ATVPDKIKX0DER"})
    assert [o["purchase_order_number"] for o in orders] == ["2JK3S9VC", "3TRD2IAB"]
    first = orders[0]
    assert first["marketplace_id"] == "ATVPDKIKX0DER" and orders[1]["marketplace_id"] is None
    assert first["purchase_order_changed_at"] == datetime(2019, 8, 22, 16, 5)
    assert (first["ship_window_start"], first["ship_window_end"]) == (datetime(2019, 8, 21, 7), datetime(2019, 8, 27, 7))
    assert first["item_count"] == 3 and first["source_index"] == 1
    assert [(i["asin"], i["ordered_quantity"], i["net_cost"]) for i in items[:3]] == [
        ("B07DFVDRAB", 1, Decimal("346.27")), ("B07DFYF5AB", 2, Decimal("229.47")), ("B07MC84QAB", 13, Decimal("412.71"))]
    case = items[3]
    assert (case["unit_of_measure"], case["unit_size"], case["net_cost_unit_of_measure"]) == ("CASES", 10, "POUNDS")
    assert "FreeOnBoard" in orders[1]["import_details"]


def test_po_version_changes_when_amazon_changes_the_po(samples):
    page = sample("vendorOrders_getPurchaseOrders_sandbox_static_200_0.json")
    before, _ = flatten_purchase_orders(page, account_id="na", page_sha256="p", fetched_at=FETCHED)
    page["orders"][0]["orderDetails"]["purchaseOrderChangedDate"] = "2019-08-23T10:00:00Z"
    after, items = flatten_purchase_orders(page, account_id="na", page_sha256="q", fetched_at=FETCHED,
                                           cancelled_items=True)
    assert before[0]["version_id"] != after[0]["version_id"]
    assert before[1]["version_id"] == after[1]["version_id"]
    assert {i["item_state"] for i in items} == {"Cancelled"}


def test_every_purchase_order_sample_flattens(samples):
    for path in sorted(SAMPLES.glob("vendorOrders_getPurchaseOrders_sandbox_static_200_*.json")):
        page = sample(path.name)
        orders, items = flatten_purchase_orders(page, account_id="na", page_sha256="p", fetched_at=FETCHED)
        assert len(orders) == len(page["orders"]) and len({o["version_id"] for o in orders}) == len(orders), path.name
        # Pages fetched without includeDetails carry no dates and no items; ACORN always asks for details.
        assert all(bool(o["purchase_order_date"]) == ("orderDetails" in raw) for o, raw in zip(orders, page["orders"]))
        assert sum(o["item_count"] for o in orders) == len(items)


def test_get_purchase_orders_status_sample(samples):
    rows = flatten_purchase_order_status(sample("vendorOrders_getPurchaseOrdersStatus_sandbox_static_200_0.json"),
                                         account_id="na", page_sha256="p", fetched_at=FETCHED)
    by_item = {r["item_sequence_number"]: r for r in rows}
    partial = by_item["2"]
    assert (partial["confirmation_status"], partial["accepted_quantity"], partial["rejected_quantity"]) == (
        "PARTIALLY_ACCEPTED", 15, 5)
    assert (partial["receive_status"], partial["received_quantity"]) == ("PARTIALLY_RECEIVED", 10)
    assert partial["last_receive_at"] == datetime(2020, 8, 30, 21, 5, 58, 193000)
    assert partial["ordered_quantity"] == 20 and partial["cancelled_quantity"] == 0
    assert by_item["3"]["confirmation_status"] == "REJECTED" and by_item["3"]["net_cost"] == Decimal("20.0000")
    assert by_item["1"]["received_unit_of_measure"] == "Cases"
    assert all(r["last_updated_at"] == datetime(2020, 8, 17, 21, 5, 58, 193000) for r in rows)


def test_invoice_headers_sample(samples):
    invoices, related = flatten_invoice_headers(
        sample("financesInvoices_2026-06-25_getInvoiceHeaders_sandbox_static_0.json"), account_id="na",
        marketplace_id="ATVPDKIKX0DER", page_sha256="p", fetched_at=FETCHED)
    (header,) = invoices
    assert header["invoice_amount"] == Decimal("2500.00") and isinstance(header["invoice_amount"], Decimal)
    assert (header["payment_terms"], header["due_at"], header["invoice_status"]) == (
        "NET30", datetime(2025, 7, 18, 14, 30), "IN_PROGRESS")
    assert header["payee_entities"] == "ABCDEF,GHIJKL" and header["from_get_invoice"] is False
    assert [(r["identifier_name"], r["identifier_value"]) for r in related] == [
        ("PURCHASE_ORDER_IDS", "PO123456"), ("PURCHASE_ORDER_IDS", "PO789012")]


def test_get_invoice_sample(samples):
    tables = flatten_invoice(sample("financesInvoices_2026-06-25_getInvoice_sandbox_static_0.json"), account_id="na",
                             marketplace_id="ATVPDKIKX0DER", page_sha256="p", fetched_at=FETCHED)
    breakdowns = {(b["breakdown_set"], b["position"]): (b["breakdown_type"], b["amount"], b["is_leaf"])
                  for b in tables["raw.vendor_invoice_breakdowns"]}
    assert breakdowns == {
        ("amount", "0"): ("Total", Decimal("540.00"), False),
        ("amount", "0.0"): ("InvoiceAmountWithoutTax", Decimal("500.00"), True),
        ("amount", "0.1"): ("TaxAmount", Decimal("40.00"), True),
        ("settlement", "0"): ("AmountPaid", Decimal("540.00"), True),
    }
    (line,) = tables["raw.vendor_invoice_lines"]
    assert (line["asin"], line["quantity"], line["unit_cost"], line["total_amount"]) == (
        "B0EXAMPLE1", 10, Decimal("50.0000"), Decimal("540.00"))
    assert line["purchase_order_numbers"] == "PO123456" and line["tax_rate_codes"] == "DE 19"
    assert tables["raw.vendor_invoices"][0]["from_get_invoice"] is True


def test_matching_context_and_variance_reasons(samples):
    page = sample("financesInvoices_2026-06-25_getInvoice_sandbox_static_0.json")
    page["invoiceItems"][0]["lineItemContext"]["matchingContext"] = {
        "matchedQuantity": 8, "matchedAmount": {"currencyCode": "USD", "currencyAmount": 400.0},
        "quantityVariance": 2, "priceVariance": {"currencyCode": "USD", "currencyAmount": 0.1},
        "paidQuantity": 8, "paidAmount": {"currencyCode": "USD", "currencyAmount": 400.0},
        "varianceReasons": [{"varianceType": "PQV", "defectTypes": ["SHORTAGES_IN_TRANSIT"]},
                            {"varianceType": "PPV", "defectTypes": ["DEALBUY", "FALSE_CCOGS_PPA"]}]}
    (line,) = flatten_invoice(page, account_id="na", marketplace_id="m", page_sha256="p",
                              fetched_at=FETCHED)["raw.vendor_invoice_lines"]
    assert (line["matched_quantity"], line["quantity_variance"], line["price_variance"]) == (8, 2, Decimal("0.10"))
    assert line["variance_types"] == "PQV,PPV" and line["defect_types"] == "SHORTAGES_IN_TRANSIT,DEALBUY,FALSE_CCOGS_PPA"


@pytest.mark.parametrize(("number", "expected"), [
    ("7100003SC", "shortage_claim"), ("7100003SCR", "shortage_claim_reversal"), ("7100003SCRSC", "shortage_claim_rebill"),
    ("HM50MZRTVCBSINV", "chargeback"), ("4410-PROVISION FOR RECEIVABLES", "provision"), ("IPAPUS0012345", "price_protection"),
    ("7300004PC", "price_claim"), ("7100001", None), (" 7100003SC ", "shortage_claim"),
])
def test_deduction_classification(number: str, expected: str | None):
    assert classify_invoice_number(number) == expected


def test_deduction_reference_list_is_ordered_and_unique():
    rules = deduction_rules()
    assert len({r.priority for r in rules}) == len(rules) == 10
    assert [r.deduction_type for r in rules][:3] == ["shortage_claim_rebill", "shortage_claim_reversal", "shortage_claim"]


def test_agreement_deductions_are_classified_by_their_suffix():
    assert [classify_invoice_number(n) for n in ("7100004COOP", "7100004MDF", "7100004FRTA", "7100004")] == [
        "coop", "marketing_development_fund", "freight_allowance", None]


def test_remittance_csv_by_column_name_in_any_order_with_symbols():
    data = ("Amount Paid;Invoice #;Payment No;Currency;Payment Date;Invoice Amount;Discount\n"
            "\"1.234,50\";INV-1;P1;eur;31.08.2026;\"1.260,00\";\"25,50\"\n"
            "(36,80);INV-1SC;P1;EUR;31.08.2026;-36,80;0\n").encode("cp1252")
    assert export_kind(data) == "vendor_remittance"
    first, claim = parse_remittance(data)
    assert (first.invoice_number, first.amount_paid, first.discount_taken, first.currency) == (
        "INV-1", Decimal("1234.50"), Decimal("25.50"), "EUR")
    assert first.payment_date == date(2026, 8, 31) and first.source_line == 2 and first.source_sheet is None
    assert claim.amount_paid == Decimal("-36.80") and claim.invoice_amount == Decimal("-36.80")


def test_remittance_missing_column_is_a_parse_error():
    with pytest.raises(ParseError, match="lacks column"):
        parse_remittance(b"Payment Number,Invoice Number,Currency\n1,2,USD\n")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_remittance_xlsx_typed_cells():
    data = _xlsx([["Payment Number", "Payment Date", "Invoice Number", "Amount Paid", "Invoice Currency"],
                  [73000001, datetime(2026, 9, 20), 7300002, 1519.95, "EUR"],
                  [None, None, None, None, None],
                  [73000001, datetime(2026, 9, 20), "7300004PC", -45.9, "EUR"]])
    assert detect_kind("anything.bin", data) == "vendor_remittance"
    rows = parse_remittance(data)
    assert [(r.payment_number, r.invoice_number, r.amount_paid, r.source_line) for r in rows] == [
        ("73000001", "7300002", Decimal("1519.95"), 2), ("73000001", "7300004PC", Decimal("-45.90"), 4)]
    assert rows[0].payment_date == date(2026, 9, 20) and rows[0].source_sheet == "Sheet"


def test_xlsx_that_is_no_vendor_export_is_unknown():
    assert detect_kind("x.xlsx", _xlsx([["Name", "Amount"], ["a", 1]])) == "unknown"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate_vendor(tmp_path_factory.mktemp("vendor"))


def test_generated_exports_parse_and_tie_to_the_answer_key(generated):
    key = json.loads(generated.answer_key.read_text())
    out = generated.out_dir
    for market, suffix in (("us", "csv"), ("ca", "csv"), ("de", "xlsx")):
        remittance = (out / f"vendor_remittance_{market}.{suffix}").read_bytes()
        invoices = (out / f"vendor_invoices_{market}.{suffix}").read_bytes()
        assert detect_kind("r", remittance) == "vendor_remittance" and detect_kind("i", invoices) == "vendor_invoice_export"
        rows = parse_remittance(remittance)
        paid = {i["invoice_number"]: i for i in key["invoices"] if i["marketplace"] == market and i["paid_date"]}
        assert {r.invoice_number for r in rows if classify_invoice_number(r.invoice_number) is None} == set(paid)
        for r in rows:
            if r.invoice_number in paid:
                assert r.amount_paid == Decimal(paid[r.invoice_number]["amount_paid"])
        deductions = {r.invoice_number: r.amount_paid for r in rows if classify_invoice_number(r.invoice_number)}
        expected = {s["deduction_invoice_number"]: Decimal(s["amount"]) for s in key["situations"]
                    if s["marketplace"] == market and "deduction_invoice_number" in s}
        assert deductions == expected
        exported = parse_invoice_export(invoices)
        assert sorted(r.invoice_number for r in exported) == sorted(
            i["invoice_number"] for i in key["invoices"] if i["marketplace"] == market)


def test_answer_key_lists_every_situation_once(generated):
    key = json.loads(generated.answer_key.read_text())
    kinds = sorted(s["kind"] for s in key["situations"])
    assert kinds == sorted([
        "po_changed_before_acknowledgement", "po_cancelled_after_acknowledgement", "po_cancelled_before_acknowledgement",
        "partial_acceptance", "partial_receipt", "late_shipment", "received_not_invoiced", "invoice_overdue",
        "invoice_overdue", "quick_pay_discount", "shortage_claim", "shortage_claim", "shortage_claim_reversal",
        "chargeback", "price_claim", "shipment_in_transit", "partly_invoiced", "invoice_deadline",
        "invoice_compliance_hold", "coop_deduction"])
    assert {a["alert"] for a in key["expected_alerts"]} == {
        "po_cancelled_after_acknowledgement", "shipment_late", "received_not_invoiced", "invoice_overdue",
        "deduction_above_threshold", "invoice_deadline"}
    assert sorted(f["flag"] for f in key["expected_flags"]) == [
        "agreement_deduction", "invoice_held_back", "partly_invoiced", "shipment_in_transit", "shipped_late"]
    unbilled = next(s for s in key["situations"] if s["kind"] == "received_not_invoiced")
    assert unbilled["purchase_order_number"] not in {i["purchase_order_number"] for i in key["invoices"]}
    for overdue in (s for s in key["situations"] if s["kind"] == "invoice_overdue"):
        invoice = next(i for i in key["invoices"] if i["invoice_number"] == overdue["invoice_number"])
        assert invoice["paid_date"] is None and invoice["due_date"] < key["generator"]["as_of"]
    # Every other invoice due by as_of is paid: nothing else is overdue.
    overdue_numbers = {s["invoice_number"] for s in key["situations"] if s["kind"] == "invoice_overdue"}
    assert all(i["paid_date"] for i in key["invoices"]
               if i["due_date"] <= key["generator"]["as_of"] and i["invoice_number"] not in overdue_numbers)
    assert {i["terms"] for i in key["invoices"]} == {"NET30", "NET60", "NET90"}


def test_generator_is_deterministic_and_seeded(generated, tmp_path):
    again = generate_vendor(tmp_path / "again")
    for path in generated.files:
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    other = generate_vendor(tmp_path / "other", seed=8)
    assert (tmp_path / "other" / ANSWER_KEY_NAME).read_bytes() != generated.answer_key.read_bytes()
    assert len(other.world.situations) == len(again.world.situations)
