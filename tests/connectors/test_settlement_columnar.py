"""The columnar settlement reader yields exactly the rows the line-by-line parser it replaced yielded.

The digests in tests/expected/settlement_rows.json were written by that parser (commit "columnar settlement
loading: old and new compared") on every genuine sample, every fixture and a generated inbox; the reader must
reproduce them: headers, every line's stored columns and the texts validation quotes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from connectors.settlement_flatfile import SettlementReport, parse_settlement_report
from tests.helpers.paths import EXPECTED, FIXTURES, SAMPLES

DIGESTS = EXPECTED / "settlement_rows.json"


def _stored(value: object) -> object:
    # As raw.settlement_lines stores it: DECIMAL(18,2).
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP) if isinstance(value, Decimal) else value


def digest(report: SettlementReport) -> str:
    """One hash over the header rows and the lines (in any order: the raw table has none)."""
    lines = sorted(repr(tuple((k, _stored(v)) for k, v in dataclasses.asdict(x).items())) for x in report.lines)
    headers = [repr(tuple((k, _stored(v)) for k, v in dataclasses.asdict(h).items())) for h in report.header_rows]
    payload = repr((report.report_format, report.columns, headers, lines))
    return hashlib.sha256(payload.encode()).hexdigest()


def settlement_inputs(generated: Path | None = None) -> dict[str, bytes]:
    paths = [*sorted(SAMPLES.glob("settlement_*.txt")), *sorted(FIXTURES.glob("settlement_*.txt"))]
    if generated is not None:
        paths += sorted(p for p in generated.glob("settlement_*.txt"))
    return {p.name: p.read_bytes() for p in paths}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from demo.generator.inbox import generate

    inbox = tmp_path_factory.mktemp("generated")
    generate(inbox, seed=11, months=1, orders_per_day=15)
    return inbox


def test_every_settlement_file_reads_as_the_line_parser_read_it(samples, generated):
    expected = json.loads(DIGESTS.read_text())
    inputs = settlement_inputs(generated)
    assert len(expected) >= 10 and set(expected) <= set(inputs)
    assert {name: digest(parse_settlement_report(inputs[name])) for name in expected} == expected


US_V2 = (FIXTURES / "settlement_v2_us.txt").read_bytes()


@pytest.mark.parametrize("variant", ["crlf", "cr", "bom", "utf16", "cp1252"])
def test_line_endings_and_encodings_give_the_same_rows(variant: str):
    text = US_V2.decode("utf-8").replace("\r\n", "\n")
    data = {
        "crlf": text.replace("\n", "\r\n").encode(),
        "cr": text.replace("\n", "\r").encode(),
        "bom": b"\xef\xbb\xbf" + text.encode(),
        "utf16": text.encode("utf-16"),
        "cp1252": text.encode("cp1252"),
    }[variant]
    assert digest(parse_settlement_report(data)) == digest(parse_settlement_report(text.encode()))


def test_line_numbers_count_blank_lines_and_name_an_uneven_row():
    from connectors.parsing import ParseError

    lines = US_V2.decode().replace("\r\n", "\n").split("\n")
    shifted = parse_settlement_report("\n".join([lines[0], lines[1], "", "  ", *lines[2:]]).encode())
    assert [x.source_line for x in shifted.lines][:2] == [5, 6]
    with pytest.raises(ParseError, match=r"^line 4: row has 2 fields, the header has \d+"):
        parse_settlement_report("\n".join([*lines[:3], "a\tb", *lines[3:]]).encode())
