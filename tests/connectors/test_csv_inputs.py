from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connectors.csv_inputs import parse_bank_statement, parse_fx_rates, parse_sku_map, parse_store_config
from connectors.parsing import ParseError


def test_bank_statement_as_generated():
    data = (
        b"account_id,booking_date,amount,currency,counterparty,reference\n"
        b"DE89-0001,2025-06-17,954.00,EUR,AMAZON PAYMENTS EUROPE,22000000002\n"
        b"\n"
        b"US-CHK-01,2025-06-18,\"1,025.06\",usd,\"Amazon.com Services, LLC\",11000000001\n"
    )
    first, second = parse_bank_statement(data)
    assert first.amount == Decimal("954.00") and first.booking_date == date(2025, 6, 17)
    assert first.reference == "22000000002" and first.source_line == 2
    # The blank line is skipped but still counted.
    assert second.source_line == 4
    assert second.amount == Decimal("1025.06") and second.currency == "USD"
    assert second.counterparty == "Amazon.com Services, LLC"


def test_bank_statement_semicolons_bom_comma_decimals_and_day_first_dates():
    data = (
        "\ufeffAccount_ID;Booking_Date;Amount;Currency\r\n"
        "DE89;17.06.2025;1.234,56;EUR\r\n"
        "DE89;02/07/25;-95,00;EUR\r\n"
    )
    first, second = parse_bank_statement(data.encode("utf-8"))
    assert first.account_id == "DE89"
    assert first.amount == Decimal("1234.56") and first.booking_date == date(2025, 6, 17)
    # A comma-decimal file is EU-formatted: 02/07/25 is the 2nd of July.
    assert second.amount == Decimal("-95.00") and second.booking_date == date(2025, 7, 2)
    assert second.counterparty is None


def test_bank_statement_bad_amount_and_date_keep_their_text():
    [row] = parse_bank_statement(b"account_id,booking_date,amount,currency\nA,someday,12..5,USD\n")
    assert row.amount is None and row.amount_text == "12..5"
    assert row.booking_date is None and row.booking_date_text == "someday"


def test_missing_required_columns_are_named():
    with pytest.raises(ParseError) as error:
        parse_bank_statement(b"account,date,amount,currency\nA,2025-06-17,1.00,USD\n")
    assert str(error.value) == "line 1: bank statement header lacks column(s): account_id, booking_date"


def test_ragged_csv_row_raises_with_its_line():
    with pytest.raises(ParseError, match="^line 3: row has 5 fields"):
        parse_bank_statement(b"account_id,booking_date,amount,currency\nA,2025-06-17,1.00,USD\nA,2025-06-18,1,00,USD\n")


def test_store_config():
    data = (
        b"store_id,seller_id,marketplace_id,marketplace_name,currency,time_zone\n"
        b"acme-de,A1SELLER,A1PA6795UKMFR9,Amazon.de,eur,Europe/Berlin\n"
    )
    [store] = parse_store_config(data)
    assert (store.store_id, store.marketplace_id, store.marketplace_name, store.currency, store.time_zone) == (
        "acme-de", "A1PA6795UKMFR9", "Amazon.de", "EUR", "Europe/Berlin")
    assert store.source_line == 2


def test_store_config_optional_columns_may_be_absent():
    [store] = parse_store_config(b"store_id;marketplace_name;currency;time_zone\nacme-jp;Amazon.co.jp;JPY;Asia/Tokyo\n")
    assert store.seller_id is None and store.marketplace_id is None and store.currency == "JPY"


def test_sku_map_blank_store_and_four_decimal_cost():
    data = (
        b"store_id,seller_sku,internal_sku,brand,category,unit_cost,unit_cost_currency\n"
        b",ACME-MUG,MUG-001,Acme,Kitchen,3.1416,CNY\n"
        b"acme-us,ACME-TEA,TEA-001,Acme,Food,abc,CNY\n"
    )
    mug, tea = parse_sku_map(data)
    assert mug.store_id is None and mug.unit_cost == Decimal("3.1416") and mug.unit_cost_currency == "CNY"
    assert tea.unit_cost is None and tea.unit_cost_text == "abc" and tea.source_line == 3


def test_fx_rates_keep_eight_decimals():
    data = b"rate_date,base_currency,quote_currency,rate\n2025-06-17,usd,CNY,7.18123456\n2025-06-18,EUR,CNY,\n"
    usd, eur = parse_fx_rates(data)
    assert (usd.rate_date, usd.base_currency, usd.quote_currency, usd.rate) == (
        date(2025, 6, 17), "USD", "CNY", Decimal("7.18123456"))
    assert eur.rate is None and eur.rate_text == ""


def test_fx_rates_comma_decimals():
    [rate] = parse_fx_rates(b"rate_date;base_currency;quote_currency;rate\n17.06.2025;EUR;CNY;8,2345\n")
    assert rate.rate == Decimal("8.2345") and rate.rate_date == date(2025, 6, 17)
