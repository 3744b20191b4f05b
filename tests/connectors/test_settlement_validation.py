"""Settlement rules are tallied in DuckDB and judged by Great Expectations in one validation per file, naming each
rule's first failing line and quoting its text as the file wrote it."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest
from great_expectations.datasource.fluent.interfaces import Batch

from connectors.settlement_flatfile import staged_settlement
from connectors.settlement_validation import settlement_rules, validate_settlement
from tests.helpers.settlement_edits import edited

WINDOW = (date(2000, 1, 1), date(2030, 1, 1))


def _validate(data: bytes, kind: str = "settlement_v2"):
    with duckdb.connect() as con, staged_settlement(con, data) as staged:
        return validate_settlement(con, kind, staged, WINDOW)


@pytest.fixture
def validations(monkeypatch) -> list[int]:
    """Counts Great Expectations validations (Batch.validate calls) made while the test runs."""
    calls: list[int] = []
    validate = Batch.validate

    def counted(self, *args, **kwargs):
        calls.append(1)
        return validate(self, *args, **kwargs)

    monkeypatch.setattr(Batch, "validate", counted)
    return calls


def test_every_rule_is_recorded_from_one_validation(validations):
    data = edited("settlement_v2_us.txt", {(3, "amount"): "12x", (5, "sku"): "2025-06-01"})
    results = _validate(data)
    assert len(validations) == 1
    assert [r.rule for r in results] == [r.name for r in settlement_rules("settlement_v2")]
    assert [(r.rule, r.failed_line) for r in results if not r.success] == [
        ("parseable amount", 3), ("sku is not a date", 5)]


def test_a_rule_names_its_first_failing_line_quotes_it_and_counts_the_rest():
    data = edited("settlement_v2_us.txt", {(6, "amount"): "1.2.3", (4, "amount"): "abc", (5, "amount"): ""})
    (failed,) = [r for r in _validate(data) if not r.success]
    assert (failed.rule, failed.failed_line, failed.detail) == (
        "parseable amount", 4, "amount is not a number ('abc'); 3 lines in all")


def test_a_line_with_no_posted_date_at_all_is_named_without_a_quote():
    # Both date columns blank: nothing of the file's to quote (this once failed on pandas' NA instead).
    data = edited("settlement_v2_us.txt", {(3, "posted-date-time"): "", (3, "posted-date"): ""})
    (failed,) = [r for r in _validate(data) if not r.success]
    assert (failed.rule, failed.failed_line, failed.detail) == (
        "parseable posted date", 3, "posted date is missing or not a date")


def test_a_second_settlement_in_one_file_fails_the_summary_rule_on_its_line():
    lines = edited("settlement_v2_us.txt", {}).decode().replace("\r\n", "\n").rstrip("\n").split("\n")
    other = lines[1].replace(lines[1].split("\t")[0], "77777")
    failed = [r for r in _validate("\n".join([*lines, other]).encode() + b"\n") if not r.success]
    assert [(r.rule, r.failed_line, r.detail) for r in failed] == [
        ("one summary row per settlement", len(lines) + 1, "expected exactly one summary row, found 2")]


def test_an_unknown_type_warns_and_the_warning_keeps_its_severity():
    data = edited("settlement_v2_us.txt", {(4, "transaction-type"): "BrandNewThing"})
    (flagged,) = [r for r in _validate(data) if not r.success]
    assert (flagged.rule, flagged.failed_line, flagged.severity) == ("known transaction-type", 4, "warn")
