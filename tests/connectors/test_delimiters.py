"""One delimiter sniffer (csv.Sniffer, restricted to , ; tab |) for every delimited input."""
from __future__ import annotations

import csv

import pytest

from connectors.csv_inputs import parse_bank_statement
from connectors.file_kinds import detect_kind
from connectors.parsing import ParseError, sniff_delimiter


@pytest.mark.parametrize(("lines", "expected"), [
    # EU bank export: semicolons, and decimal commas in every row.
    (["account_id;booking_date;amount;currency", "DE89;17.06.2025;1.234,56;EUR", "DE89;02.07.2025;-95,00;EUR"], ";"),
    # Comma file whose quoted fields hold commas and semicolons.
    (["account_id,amount,counterparty", 'US1,"1,025.06","Amazon.com Services, LLC"', 'US1,3.00,"a; b"'], ","),
    # Settlement flat file: tabs, many empty fields.
    (["settlement-id\tamount\tsku", "1\t\t", "1\t-3.00\tSKU,1"], "\t"),
    (["a|b|c", "1|2|3"], "|"),
    # A semicolon header whose quoted column name holds a comma.
    (['"Betrag, EUR";Datum', "1,00;01.02.2025"], ";"),
])
def test_the_files_delimiter_is_found(lines, expected):
    assert sniff_delimiter(lines) == expected


def test_sniffer_gives_up_and_the_header_decides():
    one_column = ["sku", "A-1", "B-2"]
    with pytest.raises(csv.Error):
        csv.Sniffer().sniff("\n".join(one_column), delimiters=",;\t|")
    assert sniff_delimiter(one_column) == ","           # one column reads the same with any delimiter
    assert sniff_delimiter([""]) == ","
    ragged = ["account_id;booking_date;amount;currency", "DE89;17.06.2025;1,00;EUR;extra;fields", "DE89;x"]
    assert sniff_delimiter(ragged) == ";"


def test_an_uneven_row_is_reported_by_its_line_not_misread_as_one_column():
    data = b"account_id;booking_date;amount;currency\nDE89;17.06.2025;1,00;EUR;extra\nDE89;18.06.2025;2,00\n"
    with pytest.raises(ParseError, match="line 2: row has 5 fields, the header has 4"):
        parse_bank_statement(data)


def test_file_kind_reads_semicolon_and_tab_headers():
    assert detect_kind("x.csv", b"account_id;booking_date;amount;currency\nDE89;17.06.2025;1,00;EUR\n") == "bank_statement"
    assert detect_kind("x.txt", b"account_id\tbooking_date\tamount\tcurrency\nUS1\t2025-06-17\t1.00\tUSD\n") == (
        "bank_statement")
