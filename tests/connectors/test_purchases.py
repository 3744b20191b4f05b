"""purchases.csv: detected by its header, parsed exactly, validated line by line, loaded into raw.purchases."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors.file_kinds import detect_kind
from connectors.loader import load_inbox
from connectors.parsing import ParseError
from connectors.purchases import parse_purchases

HEADER = "purchase_date,internal_sku,quantity,unit_cost,currency,inbound_freight,duty,other_landed_cost,reference\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")


def test_detected_by_header_whatever_the_name():
    data = (HEADER + "2026-05-10,ACN-1001,100,38.50,CNY,450.00,0,,PO-1\n").encode()
    assert detect_kind("my stock.txt", data) == "purchases"
    # A SKU map shares internal_sku but is not a purchases file.
    assert detect_kind("x.csv", b"seller_sku,internal_sku,unit_cost\nA,B,1\n") == "sku_map"


def test_parses_decimals_exactly_and_blank_landed_costs_as_zero():
    data = (HEADER + "2026-05-10,ACN-1001,100,38.505,cny,450.10,0.2,,PO-1\n"
            "\n"
            '2026-06-02,ACN-2002,"1,200",16.6200,USD,,,12.30,\n').encode()
    first, second = parse_purchases(data)
    assert first.purchase_date == date(2026, 5, 10) and first.quantity == 100
    assert first.unit_cost == Decimal("38.5050") and first.currency == "CNY"
    assert (first.inbound_freight, first.duty, first.other_landed_cost) == (Decimal("450.10"), Decimal("0.20"), Decimal("0.00"))
    # The blank line is skipped but counted; a thousands separator is not a fraction of a unit.
    assert second.source_line == 4 and second.quantity == 1200 and second.reference is None
    assert second.inbound_freight == Decimal("0") and second.other_landed_cost == Decimal("12.30")


def test_semicolons_and_decimal_commas_are_sniffed():
    data = ("\ufeffpurchase_date;internal_sku;quantity;unit_cost;currency;inbound_freight\n"
            "2026-05-10;ACN-1001;10;5,25;EUR;1,50\n").encode()
    (row,) = parse_purchases(data)
    assert row.unit_cost == Decimal("5.2500") and row.inbound_freight == Decimal("1.50") and row.quantity == 10


def test_fractional_quantity_and_non_iso_date_stay_unparsed_with_their_text():
    (row,) = parse_purchases((HEADER + "10/05/2026,ACN-1,2.5,abc,CNY,,,,\n").encode())
    assert row.quantity is None and row.quantity_text == "2.5"
    assert row.purchase_date is None and row.purchase_date_text == "10/05/2026"
    assert row.unit_cost is None and row.unit_cost_text == "abc"


def test_missing_column_is_a_parse_error():
    with pytest.raises(ParseError, match="quantity"):
        parse_purchases(b"purchase_date,internal_sku,unit_cost,currency\n2026-05-10,A,1,CNY\n")


@pytest.mark.parametrize(("line", "message"), [
    ("2026-05-10,ACN-1,0,1.00,CNY,,,,", "line 2: whole positive quantity: quantity is not a whole number of units above zero ('0')"),
    ("2026-05-10,ACN-1,1.5,1.00,CNY,,,,", "line 2: whole positive quantity: quantity is not a whole number of units above zero ('1.5')"),
    ("2026-05-10,ACN-1,3,-1.00,CNY,,,,", "line 2: parseable non-negative unit_cost: unit_cost is not a number of at least zero ('-1.00')"),
    ("2026-05-10,ACN-1,3,1.00,CNY,x,,,", "line 2: parseable non-negative inbound_freight: inbound_freight is not a number of at least zero ('x')"),
    ("2026-05-10,ACN-1,3,1.00,CNY,,-2,,", "line 2: parseable non-negative duty: duty is not a number of at least zero ('-2')"),
    ("2026-05-10,ACN-1,3,1.00,XYZ,,,,", "line 2: known currency: unknown currency ('XYZ')"),
    ("2026-02-30,ACN-1,3,1.00,CNY,,,,", "line 2: plausible purchase date: purchase_date is not a real YYYY-MM-DD date"),
    ("1926-05-10,ACN-1,3,1.00,CNY,,,,", "line 2: plausible purchase date: purchase_date is not a real YYYY-MM-DD date"),
    ("2026-05-10,,3,1.00,CNY,,,,", "line 2: internal sku present: internal_sku is blank"),
])
def test_bad_lines_quarantine_the_file_naming_line_and_rule(settings, tmp_path, line, message):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "purchases.csv").write_text(HEADER + line + "\n")
    (load,) = load_inbox(settings, inbox).files
    assert load.status == "quarantined" and load.kind == "purchases"
    assert load.message.startswith(f"purchases.csv: {message}")
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.purchases").fetchone() == (0,)
        failed = con.execute("select rule, failed_line from audit.validation_results where not success").fetchall()
    assert failed and failed[0][1] == 2


def test_a_good_file_loads_into_raw_purchases_with_its_sha_and_lines(settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "purchases.csv").write_text(HEADER + "2026-05-10,ACN-1001,100,38.50,CNY,450.00,0,,PO-1\n"
                                         "2026-06-02,ACN-1001,40,5.4200,USD,60.00,12.50,3,PO-2\n")
    (load,) = load_inbox(settings, inbox).files
    assert (load.status, load.rows_loaded) == ("loaded", 2)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute("select purchase_date, internal_sku, quantity, unit_cost, currency, inbound_freight, duty, "
                           "other_landed_cost, reference, source_file_sha256, source_line from raw.purchases "
                           "order by source_line").fetchall()
    assert rows[1][:9] == (date(2026, 6, 2), "ACN-1001", 40, Decimal("5.4200"), "USD", Decimal("60.00"),
                           Decimal("12.50"), Decimal("3.00"), "PO-2")
    assert rows[0][9] == load.sha256 and [r[10] for r in rows] == [2, 3]
