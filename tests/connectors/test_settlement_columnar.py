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


def _with_dates(data: bytes, posted_time: str, posted: str, start: str | None = None) -> bytes:
    """`data` with its first detail line's posted-date-time and posted-date replaced (and the summary's start)."""
    lines = data.decode("utf-8").replace("\r\n", "\n").split("\n")
    header = lines[0].split("\t")
    summary, detail = lines[1].split("\t"), lines[2].split("\t")
    detail[header.index("posted-date-time")] = posted_time
    detail[header.index("posted-date")] = posted
    if start is not None:
        summary[header.index("settlement-start-date")] = start
    return "\n".join([lines[0], "\t".join(summary), "\t".join(detail), *lines[3:]]).encode()


@pytest.mark.parametrize(("posted_time", "posted", "start"), [
    ("", "06/01/26", None),  # posted-date is read: a/b/yy, in the file's day order
    ("", "2026-06-01T10:00:00+00:00", None),
    ("2026-02-30 10:00:00 UTC", "01.06.2026", None),  # Amazon's layout, no such day: posted-date decides
    ("2026-06-01 24:00:00 UTC", "", None),
    ("2026-06-01 10:00:00 UTC", "", "01.06.2026 08:00:00"),  # one summary date in another layout
    ("2026-W22-1 10:00", "", None),
])
def test_fast_date_typing_gives_the_full_macros_values(posted_time, posted, start, monkeypatch):
    """Files whose dates are in Amazon's layouts are typed with a cheaper macro; it may never change a value."""
    import connectors.settlement_flatfile as flatfile
    from connectors.settlement_sql import FULL_TIMESTAMP

    data = _with_dates(US_V2, posted_time, posted, start)
    fast = parse_settlement_report(data)
    monkeypatch.setattr(flatfile, "_timestamp_macros", lambda con, rows, columns: dict.fromkeys(
        flatfile._DATE_COLUMNS, FULL_TIMESTAMP))
    full = parse_settlement_report(data)
    assert digest(fast) == digest(full)
    assert [x.posted_at for x in fast.lines] == [x.posted_at for x in full.lines]
    assert fast.header_rows[0].settlement_start_at == full.header_rows[0].settlement_start_at


def test_amazons_own_files_are_typed_with_the_fast_macro(samples, monkeypatch):
    """Genuine files take the fast path (the digests above prove it reads them as the line parser did)."""
    import connectors.settlement_flatfile as flatfile
    from connectors.settlement_sql import AMAZON_TIMESTAMP

    chosen = []
    real = flatfile._timestamp_macros
    monkeypatch.setattr(flatfile, "_timestamp_macros", lambda con, rows, columns: chosen.append(
        real(con, rows, columns)) or chosen[-1])
    genuine = sorted(SAMPLES.glob("settlement_*.txt"))
    for path in genuine:
        parse_settlement_report(path.read_bytes())
    assert len(chosen) == len(genuine) >= 5
    assert all(set(choice.values()) == {AMAZON_TIMESTAMP} for choice in chosen)


def test_the_fast_macro_agrees_with_the_full_one_value_by_value():
    import duckdb

    from connectors.settlement_sql import AMAZON_TIMESTAMP, FULL_TIMESTAMP, install_macros

    con = duckdb.connect()
    install_macros(con)
    texts = ["2026-06-01 12:20:49 UTC", "2026-06-01T12:20:49+00:00", "01.06.2026 12:20:49 UTC",
             "31.12.2025 23:59:59 UTC", "30.02.2026 10:00:00 UTC", "01.06.2026 24:00:00 UTC", "2026-06-01 10:60:00 UTC",
             "01.06.2026 10:00:60 UTC", "2024-02-29 00:00:00 UTC", "29.02.2023 00:00:00 UTC", "00.01.2026 10:00:00 UTC"]
    rows = con.execute(f"""
        SELECT t, acorn_is_amazon_timestamp(t), {AMAZON_TIMESTAMP}(t, false), {FULL_TIMESTAMP}(t, false)
        FROM (SELECT unnest(?) AS t)""", [texts]).fetchall()
    # Out-of-range times are not in the fast layouts: a file holding one is typed by the full macro.
    assert [t for t, fast, _, _ in rows if not fast] == [texts[5], texts[6], texts[7]]
    assert [(t, quick) for t, fast, quick, _ in rows if fast] == [(t, full) for t, fast, _, full in rows if fast]
    assert sum(quick is not None for _, _, quick, _ in rows) == 5
