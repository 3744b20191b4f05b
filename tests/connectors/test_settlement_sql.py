"""The SQL date macros read a date as parse_timestamp (datetime.fromisoformat first) reads it, ISO week dates
included: the line parser they replaced accepted `2024-W05-3`, so a settlement file writing one still loads."""
from __future__ import annotations

import itertools
from datetime import datetime

import duckdb
import pytest

from connectors.parsing import parse_timestamp
from connectors.settlement_sql import install_macros


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        install_macros(connection)
        yield connection


def _sql(con: duckdb.DuckDBPyConnection, texts: list[str]) -> dict[str, datetime | None]:
    return dict(con.execute("SELECT t, acorn_timestamp(t, false) FROM (SELECT unnest(?) AS t)", [texts]).fetchall())


@pytest.mark.parametrize("text, expected", [
    ("2024-W05-3", datetime(2024, 1, 31)),
    ("2024W053", datetime(2024, 1, 31)),
    ("2024-W05", datetime(2024, 1, 29)),
    ("2024W05", datetime(2024, 1, 29)),
    ("2025-W01-1", datetime(2024, 12, 30)),
    ("2020-W53-7", datetime(2021, 1, 3)),
    ("2024-W05-3T10:20:30", datetime(2024, 1, 31, 10, 20, 30)),
    ("2024-W05-3T10:20:30+02:00", datetime(2024, 1, 31, 8, 20, 30)),
    ("2024-W05-3 10:20:30 UTC", datetime(2024, 1, 31, 10, 20, 30)),
    ("2024W053T102030", datetime(2024, 1, 31, 10, 20, 30)),
    ("2024-W05-1012", datetime(2024, 1, 29, 10, 12)),  # `-` then a digit: the dash separates the time
    ("2021-W53-1", None),  # 2021 has 52 weeks
    ("2024-W00-1", None),
    ("2024-W05-8", None),
    ("2024-W053", None),  # dashes used inconsistently
    ("2024-w05-3", None),
    ("9999-W52-7", None),  # year 10000
])
def test_iso_week_dates(con, text: str, expected: datetime | None):
    assert parse_timestamp(text) == expected
    assert _sql(con, [text])[text] == expected


def test_week_dates_in_every_layout_read_as_python_reads_them(con):
    years = ["2024", "2020", "2021", "0001", "9999", "0000", "2004"]
    weeks = ["W01", "W05", "W52", "W53", "W00", "W54", "W5"]
    days = ["", "-1", "-7", "-0", "-8", "1", "7", "0", "8", "-x", "-"]
    times = ["", "T10", "T10:20", "T10:20:30", "T102030", "T1020", " 10:20:30", "x10", "-10", "1012", "102030",
             "3510", "T10:20:30.5", "T10:20:30,123456789", "T24:00", "T10:60", "T", "T1", "T10:2", "T10:20:30+02:00",
             "T10:20:30-0530", "T10:20:30Z", " 10:20:30 UTC", "Z", "-1012", "-310"]
    texts = sorted({f"{y}{dash}{w}{d}{t}" for y, w, d, t in itertools.product(years, weeks, days, times)
                    for dash in ("-", "")})
    got = _sql(con, texts)
    differ = [(t, parse_timestamp(t), got[t]) for t in texts if parse_timestamp(t) != got[t]]
    assert sum(parse_timestamp(t) is not None for t in texts) > 1000
    assert differ == []


def test_a_settlement_line_dated_by_iso_week_loads_with_its_date():
    from connectors.settlement_flatfile import parse_settlement_report
    from tests.helpers.settlement_edits import edited

    report = parse_settlement_report(edited("settlement_v2_us.txt", {(3, "posted-date-time"): "2025-W24-1T05:23:19Z"}))
    line = next(x for x in report.lines if x.source_line == 3)
    assert (line.posted_at, line.posted_date_raw) == (datetime(2025, 6, 9, 5, 23, 19), "2025-W24-1T05:23:19Z")
