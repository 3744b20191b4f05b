"""Issue 8, cases 1-4: values that match no Amazon format are quarantined by a named rule on their line, never
loaded as NULL or rounded; an unknown transaction type is flagged and kept."""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from config.settings import Settings
from connectors.loader import LoadReport, load_inbox
from tests.helpers.settlement_edits import edited, write

US, JP, DE = "settlement_v2_us.txt", "settlement_v2_jp.txt", "settlement_v2_de.txt"
# file name -> (fixture, cell edits, the start of its quarantine message)
HOSTILE: dict[str, tuple[str, dict[tuple[int, str], str], str]] = {
    "amount_17_digits.txt": (US, {(3, "amount"): "99999999999999999"},
                             "line 3: amount within DECIMAL(18,2): amount is too large for DECIMAL(18,2) ('99999999999999999')"),
    "total_20_digits.txt": (US, {(2, "total-amount"): "12345678901234567890"},
                            "line 2: total-amount within DECIMAL(18,2)"),
    "quantity_beyond_integer.txt": (US, {(3, "quantity-purchased"): "99999999999"}, "line 3: whole quantity"),
    "quantity_fraction.txt": (US, {(3, "quantity-purchased"): "2.5"}, "line 3: whole quantity"),
    "quantity_text.txt": (US, {(3, "quantity-purchased"): "abc"}, "line 3: whole quantity"),
    "gbp_three_decimals.txt": (US, {(3, "amount"): "12.345"},
                               "line 3: amount within the currency's minor units: amount has more decimals than its "
                               "currency has minor units ('12.345')"),
    "total_half_cent.txt": (US, {(2, "total-amount"): "0.005"}, "line 2: total-amount within the currency's minor units"),
    "jpy_decimals.txt": (JP, {(3, "amount"): "15000.5"}, "line 3: amount within the currency's minor units"),
    "eu_three_decimals.txt": (DE, {(3, "amount"): "1,234"}, "line 3: amount within the currency's minor units"),
    "full_width_digits.txt": (US, {(3, "amount"): "５０"}, "line 3: ASCII digits in amount"),
    "february_30.txt": (US, {(2, "settlement-end-date"): "2026-02-30"},
                        "line 2: real settlement-end-date: settlement-end-date is not a real calendar date ('2026-02-30')"),
    "month_13.txt": (US, {(2, "deposit-date"): "2026-13-01"}, "line 2: real deposit-date"),
    "year_0001.txt": (US, {(3, "posted-date-time"): "0001-01-01 00:00:00 UTC"}, "line 3: plausible posted date"),
    "year_9999.txt": (US, {(2, "deposit-date"): "9999-12-31 00:00:00 UTC"}, "line 2: plausible deposit-date"),
    "year_1900.txt": (US, {(4, "posted-date-time"): "1900-06-09 05:23:19 UTC"}, "line 4: plausible posted date"),
    "end_before_start.txt": (US, {(2, "settlement-end-date"): "2025-05-01 07:00:00 UTC"},
                             "line 2: settlement start <= end <= deposit"),
    "timestamp_as_type.txt": (US, {(3, "transaction-type"): "2025-06-09 05:23:19 UTC"},
                              "line 3: transaction-type is not a date"),
    "date_as_sku.txt": (US, {(3, "sku"): "06/09/25"}, "line 3: sku is not a date"),
    "amount_as_description.txt": (US, {(3, "amount-description"): "1,250.00"}, "line 3: amount-description is not a number"),
}


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Settings, LoadReport]:
    root = tmp_path_factory.mktemp("value_rules")
    settings = Settings(warehouse=root / "wh" / "acorn.duckdb", archive_dir=root / "wh" / "archive")
    inbox = root / "inbox"
    for number, (name, (fixture, edits, _)) in enumerate(HOSTILE.items()):
        write(inbox, name, edited(fixture, edits, f"9{number:010d}"))
    write(inbox, "unknown_type.txt", edited(US, {(6, "transaction-type"): "BrandNewThing"}, "88800000001"))
    return settings, load_inbox(settings, inbox)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_value_quarantines_its_file_naming_line_and_rule(loaded, name):
    _, report = loaded
    outcome = next(f for f in report.files if f.file_name == name)
    assert outcome.status == "quarantined"
    assert outcome.message.startswith(f"{name}: {HOSTILE[name][2]}"), outcome.message


def test_an_unknown_transaction_type_is_kept_and_flagged(loaded):
    settings, report = loaded
    assert next(f for f in report.files if f.file_name == "unknown_type.txt").status == "loaded"
    assert _rows(settings, "SELECT count(*) FROM raw.settlement_lines WHERE transaction_type = 'BrandNewThing'") == [(1,)]
    assert _rows(settings, "SELECT rule, failed_line, detail FROM audit.validation_results "
                           "WHERE file_name = 'unknown_type.txt' AND NOT success") == [
        ("known transaction-type", 6, "transaction-type is not one Amazon is known to write (kept; classify it in the "
                                      "fee taxonomy) ('BrandNewThing')")]


def test_the_plausible_window_is_configurable(tmp_path):
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive",
                        plausible_dates_from=date(2025, 6, 10))
    write(tmp_path / "inbox", "us.txt", edited(US, {}))
    outcome = load_inbox(settings, tmp_path / "inbox").files[0]
    assert outcome.status == "quarantined"
    assert outcome.message.startswith("us.txt: line 2: plausible settlement-start-date")


def test_exact_amounts_load_unrounded(tmp_path):
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")
    write(tmp_path / "inbox", "de.txt", edited(DE, {}))
    assert load_inbox(settings, tmp_path / "inbox").files[0].status == "loaded"
    assert _rows(settings, "SELECT sum(amount) = max(h.total_amount) FROM raw.settlement_lines "
                           "JOIN raw.settlement_headers h USING (settlement_id)") == [(True,)]
