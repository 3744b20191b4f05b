"""The money-at-risk report parsers on Amazon's documented columns, and their path through the loader."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from config.settings import Settings
from connectors.file_kinds import detect_kind
from connectors.loader import connect as loader_connect
from connectors.loader import load_file
from connectors.parsing import ParseError
from connectors.seller_reports import parse_seller_report

REIMBURSEMENTS = (
    "approval-date\treimbursement-id\tcase-id\tamazon-order-id\treason\tsku\tfnsku\tasin\tproduct-name\tcondition\t"
    "currency-unit\tamount-per-unit\tamount-total\tquantity-reimbursed-cash\tquantity-reimbursed-inventory\t"
    "quantity-reimbursed-total\toriginal-reimbursement-id\toriginal-reimbursement-type\n"
    "2026-08-03T10:11:12+00:00\t2398473981\t\t\tLost_Warehouse\tACME-MUG-01\tX00ABCDEF1\tB0ABCDEF12\tMug, blue\t"
    "NewItem\tUSD\t12.34\t24.68\t2\t0\t2\t\t\n"
    "2026-08-20T08:00:00+00:00\t2398999999\t16453\t112-0000001-0000002\tReimbursement_Reversal\tACME-MUG-01\t"
    "X00ABCDEF1\tB0ABCDEF12\tMug, blue\tNewItem\tUSD\t-12.34\t-24.68\t-2\t0\t-2\t2398473981\tLost_Warehouse\n"
)
CUSTOMER_RETURNS = (
    "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\tdetailed-disposition\t"
    "reason\tstatus\tlicense-plate-number\tcustomer-comments\n"
    "2026-08-05T14:02:00+00:00\t112-1234567-7654321\tACME-MUG-01\tB0ABCDEF12\tX00ABCDEF1\tMug, blue\t1\tPHX3\t"
    "CARRIER_DAMAGED\tDAMAGED_BY_CARRIER\tUnit returned to inventory\tLPNRR123456789\tBox crushed, John at 12 Elm St\n"
)
SELLER_RETURNS = (
    "Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\tMerchant RMA ID\tLabel type\t"
    "Label cost\tCurrency code\tReturn carrier\tTracking ID\tLabel to be paid by\tA-to-Z Claim\tIs prime\tASIN\t"
    "Merchant SKU\tItem Name\tReturn quantity\tReturn Reason\tIn policy\tReturn type\tResolution\tInvoice number\t"
    "Return delivery date\tOrder Amount\tOrder quantity\tSafeT Action reason\tSafeT claim id\tSafeT claim state\t"
    "SafeT claim creation time\tSafeT claim reimbursement amount\tRefunded Amount\tBuyer Name\n"
    "114-1111111-2222222\t2026-07-01\t2026-07-10\tApproved\tDk1234567\t\tAmazonUnPaidLabel\t5.10\tUSD\tUPS\t"
    "1Z999\tSeller\tY\tN\tB0ABCDEF12\tACME-MUG-01\tMug, blue\t1\tDEFECTIVE\tY\tC-Returns\tStandardRefund\t\t"
    "2026-07-14\t29.99\t1\tReturned item damaged\tSTC-889\tUnder review\t2026-07-20T09:00:00+00:00\t\t29.99\t"
    "Jane Buyer\n"
)


def test_reimbursements_parse_exactly_with_their_documented_columns() -> None:
    report = parse_seller_report(REIMBURSEMENTS.encode())
    assert report.kind == "fba_reimbursements"
    first, reversal = report.rows
    assert first["approved_at"] == datetime(2026, 8, 3, 10, 11, 12)
    assert first["amount_total"] == Decimal("24.68") and isinstance(first["amount_total"], Decimal)
    assert first["quantity_reimbursed_total"] == 2 and first["case_id"] is None
    assert reversal["original_reimbursement_id"] == "2398473981" and reversal["amount_total"] == Decimal("-24.68")
    assert report.unknown_columns == [] and "product_name" not in first


def test_customer_returns_drop_the_buyers_comment() -> None:
    report = parse_seller_report(CUSTOMER_RETURNS.encode())
    assert report.kind == "fba_customer_returns"
    (row,) = report.rows
    assert row["detailed_disposition"] == "CARRIER_DAMAGED" and row["quantity"] == 1
    assert not any("Elm St" in str(value) for value in row.values())


def test_seller_returns_read_the_claim_columns_and_never_keep_buyer_names() -> None:
    report = parse_seller_report(SELLER_RETURNS.encode())
    (row,) = report.rows
    assert row["is_a_to_z_claim"] is True and row["is_prime"] is False
    assert row["safet_claim_id"] == "STC-889" and row["refunded_amount"] == Decimal("29.99")
    assert row["safet_claim_created_at"] == datetime(2026, 7, 20, 9)
    assert report.unknown_columns == []
    assert not any(value in ("Jane Buyer", "Mug, blue") for value in row.values())


def test_a_new_column_is_reported_not_stored() -> None:
    data = REIMBURSEMENTS.replace("original-reimbursement-type\n", "original-reimbursement-type\tnew-thing\n", 1)
    data = data.replace("\t\t\n", "\t\t\tsecret\n", 1).replace("Lost_Warehouse\n", "Lost_Warehouse\tsecret\n", 1)
    report = parse_seller_report(data.encode())
    assert report.unknown_columns == ["new-thing"]
    assert all("secret" not in map(str, row.values()) for row in report.rows)


def test_columns_are_found_by_name_not_position() -> None:
    lines = [line.split("\t") for line in CUSTOMER_RETURNS.strip().split("\n")]
    swapped = "\n".join("\t".join(fields[::-1]) for fields in lines).encode()
    assert parse_seller_report(swapped).rows[0]["order_id"] == "112-1234567-7654321"


def test_an_uneven_row_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="line 2"):
        parse_seller_report(CUSTOMER_RETURNS.replace("\tPHX3", "").encode())


@pytest.mark.parametrize(("text", "kind"), [(REIMBURSEMENTS, "fba_reimbursements"),
                                            (CUSTOMER_RETURNS, "fba_customer_returns"),
                                            (SELLER_RETURNS, "seller_fulfilled_returns")])
def test_kinds_are_detected_by_header(text: str, kind: str) -> None:
    assert detect_kind("whatever.csv", text.encode()) == kind


def test_loader_stores_rows_and_records_unknown_columns(tmp_path) -> None:
    settings = Settings.from_env(tmp_path / "acorn.duckdb")
    con = loader_connect(settings)
    data = CUSTOMER_RETURNS.replace("customer-comments\n", "customer-comments\tbuyer-address\n", 1)
    data = data.replace("12 Elm St\n", "12 Elm St\t12 Elm St\n")
    outcome = load_file(con, settings, "returns.txt", data.encode())
    assert outcome is not None and outcome.status == "loaded", outcome
    assert con.execute("SELECT order_id, detailed_disposition FROM raw.fba_customer_returns").fetchall() == [
        ("112-1234567-7654321", "CARRIER_DAMAGED")]
    assert con.execute("SELECT column_name, looks_personal FROM audit.report_unknown_columns").fetchall() == [
        ("buyer-address", True)]
    dump = con.execute("SELECT * FROM raw.fba_customer_returns").fetchall()
    assert "Elm St" not in repr(dump)
    bad = REIMBURSEMENTS.replace("\t24.68\t", "\tabc\t", 1)
    quarantined = load_file(con, settings, "reimb.txt", bad.encode())
    assert quarantined is not None and quarantined.status == "quarantined"
    assert "line 2" in quarantined.message and "amount-total" in quarantined.message
    con.close()
    assert duckdb.connect(str(settings.warehouse)).execute("SELECT count(*) FROM raw.fba_reimbursements").fetchone() == (0,)
