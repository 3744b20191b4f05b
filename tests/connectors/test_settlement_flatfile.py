from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.parsing import ParseError, parse_money, parse_timestamp
from connectors.settlement_flatfile import parse_settlement_report
from tests.helpers.paths import FIXTURES, SAMPLES

CA_FILES = sorted(SAMPLES.glob("settlement_v1_flatfile_CA_CAD__*.txt"))
US_2015 = SAMPLES / "settlement_v1_flatfile_US_USD_2015_excerpt__fluxxu_mws-rs__tdff.rs_testdata.txt"


def test_the_four_genuine_ca_files_are_present(samples):
    assert len(CA_FILES) == 4


@pytest.mark.parametrize("path", CA_FILES, ids=lambda p: p.name[-15:])
def test_genuine_ca_file_total_equals_its_lines(path: Path):
    report = parse_settlement_report(path.read_bytes())
    assert report.report_format == "v1"
    [header] = report.header_rows
    assert header.currency == "CAD"
    assert header.source_line == 2
    assert all(line.amount is not None and line.posted_at is not None for line in report.lines)
    assert all(line.currency == "CAD" for line in report.lines)
    assert sum(line.amount for line in report.lines) == header.total_amount


def test_33_column_file_with_negative_total_and_trailing_spaces(samples):
    report = parse_settlement_report(SAMPLES.joinpath(
        "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50011020300.txt").read_bytes())
    assert len(report.columns) == 33 and "promotion-amount" not in report.columns
    header = report.header_rows[0]
    assert header.settlement_id == "23874396421"
    assert header.total_amount == Decimal("-321.69")
    assert header.settlement_start_at == datetime(2025, 6, 5, 22, 7, 18)
    transport, subscription, charge = report.lines
    assert (transport.transaction_type, transport.amount_column, transport.amount_type) == (
        "Inbound Transportation Fee", "other-amount", "other-transaction")
    assert transport.amount_description == "Inbound Transportation Fee"
    assert transport.shipment_id == "FBA18ZN0LT90"
    # `32.09    ` in the file: trailing spaces are not part of the amount.
    assert charge.amount == Decimal("32.09") and charge.source_line == 5
    assert subscription.amount == Decimal("-32.09")


def test_us_2015_excerpt_total_is_the_whole_period(samples):
    report = parse_settlement_report(US_2015.read_bytes())
    header = report.header_rows[0]
    assert header.total_amount == Decimal("16630.13")
    assert sum(line.amount for line in report.lines) == Decimal("26.99")
    assert header.total_amount - sum(line.amount for line in report.lines) == Decimal("16603.14")
    price, fee = report.lines
    assert (price.amount_column, price.amount_type, price.amount_description) == (
        "price-amount", "ItemPrice", "Principal")
    assert (fee.amount_column, fee.amount_type, fee.amount_description, fee.amount) == (
        "item-related-fee-amount", "ItemFees", "FBAPerOrderFulfillmentFee", Decimal("-1.00"))
    assert price.currency == "USD" and price.sku == "edifier-p270-gold" and price.source_line == 4


def test_v1_row_with_several_amounts_yields_one_line_each(samples):
    columns = (US_2015.read_text().splitlines()[0]).split("\t")
    summary = {"settlement-id": "9", "total-amount": "3.50", "currency": "USD",
               "settlement-start-date": "2015-12-02T03:27:08+00:00"}
    row = {"settlement-id": "9", "transaction-type": "Order", "posted-date": "2015-12-02T04:15:26+00:00",
           "price-type": "Principal", "price-amount": "5.00", "shipment-fee-type": "FBA transportation fee",
           "shipment-fee-amount": "-1.00", "other-fee-amount": "-0.50"}
    data = "\n".join("\t".join(r.get(c, "") for c in columns) for r in ({c: c for c in columns}, summary, row))
    lines = parse_settlement_report(data.encode()).lines
    assert [(x.amount_column, x.amount_type, x.amount_description, x.amount) for x in lines] == [
        ("price-amount", "ItemPrice", "Principal", Decimal("5.00")),
        ("shipment-fee-amount", "ShipmentFees", "FBA transportation fee", Decimal("-1.00")),
        # other-fee-reason-description is blank: the transaction type describes it.
        ("other-fee-amount", "OtherFees", "Order", Decimal("-0.50")),
    ]
    assert {x.source_line for x in lines} == {3}


def test_v2_us_dot_decimals_and_month_first_posted_date():
    report = parse_settlement_report((FIXTURES / "settlement_v2_us.txt").read_bytes())
    assert report.report_format == "v2" and len(report.columns) == 24
    header = report.header_rows[0]
    assert header.total_amount == Decimal("1025.06") and header.total_amount_text == "1,025.06"
    assert header.deposit_at == datetime(2025, 6, 17, 7, 0, 0)
    principal, commission, _, refund = report.lines
    assert principal.amount == Decimal("1250.00") and principal.quantity_purchased == 2
    assert principal.amount_column == "amount" and principal.order_item_code == "50000000000001"
    # posted-date says 06/09/25; posted-date-time is authoritative.
    assert principal.posted_at == datetime(2025, 6, 9, 5, 23, 19)
    assert principal.posted_date_raw == "2025-06-09 05:23:19 UTC"
    assert commission.amount == Decimal("-187.50") and commission.merchant_order_id is None
    assert refund.posted_at == datetime(2025, 6, 13) and refund.posted_date_raw == "06/13/25"
    assert refund.promotion_id == "PROMO-1"
    assert sum(line.amount for line in report.lines) == header.total_amount


def test_v2_de_cp1252_crlf_comma_decimals_reordered_columns():
    data = (FIXTURES / "settlement_v2_de.txt").read_bytes()
    assert b"\r\n" in data and "MÜSLI".encode("cp1252") in data
    report = parse_settlement_report(data)
    assert report.columns[4] == "amount"
    header = report.header_rows[0]
    assert (header.total_amount, header.currency) == (Decimal("954.00"), "EUR")
    assert header.settlement_start_at == datetime(2025, 6, 1, 7, 0, 0)
    principal, commission, subscription, promotion = report.lines
    assert principal.amount == Decimal("1234.56") and principal.sku == "MÜSLI-500"
    assert principal.posted_at == datetime(2025, 6, 9, 5, 23, 19)
    assert (commission.amount, subscription.amount, promotion.amount) == (
        Decimal("-185.18"), Decimal("-95.00"), Decimal("-0.38"))
    assert promotion.posted_at == datetime(2025, 6, 3) and promotion.source_line == 6
    assert sum(line.amount for line in report.lines) == header.total_amount


def test_v2_jp_bom_and_integer_yen():
    data = (FIXTURES / "settlement_v2_jp.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    report = parse_settlement_report(data)
    assert report.columns[0] == "settlement-id"
    header = report.header_rows[0]
    assert header.total_amount == Decimal("12345.00") and header.settlement_id == "33000000003"
    assert [line.amount for line in report.lines] == [Decimal("15000"), Decimal("-1500"), Decimal("-1155")]
    assert report.lines[0].sku == "抹茶-01"
    assert report.lines[2].posted_at == datetime(2025, 6, 10)
    assert sum(line.amount for line in report.lines) == header.total_amount


def test_day_first_slashed_posted_date_when_a_day_exceeds_12():
    data = (FIXTURES / "settlement_v2_us.txt").read_bytes().replace(b"06/13/25", b"13/06/25")
    assert parse_settlement_report(data).lines[3].posted_at == datetime(2025, 6, 13)


def test_bad_amount_keeps_its_text_and_does_not_raise():
    data = (FIXTURES / "settlement_v2_us.txt").read_bytes().replace(b"-187.50", b"-18x7.50")
    commission = parse_settlement_report(data).lines[1]
    assert commission.amount is None
    assert commission.amount_text == "-18x7.50"
    assert commission.source_line == 4


def test_bad_date_is_none_and_bad_total_keeps_its_text():
    data = (FIXTURES / "settlement_v2_us.txt").read_bytes()
    data = data.replace(b"2025-06-17 07:00:00 UTC", b"sometime").replace(b"1,025.06", b"n/a")
    header = parse_settlement_report(data).header_rows[0]
    assert header.deposit_at is None
    assert header.total_amount is None and header.total_amount_text == "n/a"


def test_not_a_settlement_file_raises_on_line_1():
    with pytest.raises(ParseError) as error:
        parse_settlement_report(b"account_id,booking_date,amount,currency\nA,2025-06-17,1.00,USD\n")
    assert error.value.line == 1
    assert str(error.value).startswith("line 1: not a settlement flat file")


def test_missing_v2_column_is_named():
    text = (FIXTURES / "settlement_v2_us.txt").read_text()
    index = text.split("\n", 1)[0].split("\t").index("posted-date-time")
    rows = ["\t".join(f for i, f in enumerate(r.split("\t")) if i != index) for r in text.splitlines()]
    with pytest.raises(ParseError, match="lacks column\\(s\\): posted-date-time"):
        parse_settlement_report("\n".join(rows).encode())


def test_ragged_row_raises_with_its_line():
    data = (FIXTURES / "settlement_v2_us.txt").read_bytes().replace(b"Commission\t", b"Commission\t\t")
    with pytest.raises(ParseError, match="^line 4: row has 25 fields"):
        parse_settlement_report(data)


def test_first_data_row_must_be_the_summary():
    lines = (FIXTURES / "settlement_v2_us.txt").read_text().splitlines()
    with pytest.raises(ParseError, match="^line 2: first data row is not the summary row"):
        parse_settlement_report("\n".join([lines[0], *lines[2:]]).encode())


@pytest.mark.parametrize("text, day_first, expected", [
    ("2025-06-05T22:07:18+00:00", False, datetime(2025, 6, 5, 22, 7, 18)),
    ("2025-06-06T07:07:18+09:00", False, datetime(2025, 6, 5, 22, 7, 18)),
    ("2025-06-05 22:07:18 UTC", False, datetime(2025, 6, 5, 22, 7, 18)),
    ("05.06.2025 22:07:18 UTC", False, datetime(2025, 6, 5, 22, 7, 18)),
    ("05.06.2025", False, datetime(2025, 6, 5)),
    ("05/06/25", True, datetime(2025, 6, 5)),
    ("06/05/25", False, datetime(2025, 6, 5)),
    ("2025/06/05", True, datetime(2025, 6, 5)),
    ("31/02/25", True, None),
    ("", False, None),
])
def test_timestamp_formats(text: str, day_first: bool, expected: datetime | None):
    assert parse_timestamp(text, day_first) == expected


@pytest.mark.parametrize("text, decimal_comma, expected", [
    ("32.09    ", False, Decimal("32.09")),
    ("1,234.56", False, Decimal("1234.56")),
    ("1.234,56", True, Decimal("1234.56")),
    ("95,00", True, Decimal("95.00")),
    ("-1155", False, Decimal("-1155.00")),
    ("0.005", False, Decimal("0.01")),
    ("95,00", False, None),
    ("12,34.5", False, None),
    ("", False, None),
])
def test_money_formats(text: str, decimal_comma: bool, expected: Decimal | None):
    assert parse_money(text, decimal_comma) == expected


def test_v1_quantity_rows_give_their_quantity_to_the_principal_line(samples):
    data = (SAMPLES / "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50044020356.txt").read_bytes()
    text_rows = [row.split("\t") for row in data.decode("utf-8").splitlines()]
    quantity_at = text_rows[0].index("quantity-purchased")
    units_in_file = sum(int(r[quantity_at]) for r in text_rows[2:] if len(r) > quantity_at and r[quantity_at].strip())

    lines = parse_settlement_report(data).lines

    assert sum(line.quantity_purchased or 0 for line in lines) == units_in_file
    assert not [line for line in lines if line.amount_column == "quantity-purchased"]
