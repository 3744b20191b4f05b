"""The sample-data generator: determinism, tie-outs, reserves, formats, and an answer key that matches the files."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import REPO_ROOT
from connectors.settlement_flatfile import SettlementReport, parse_settlement_report
from demo.generator import ANSWER_KEY_NAME, GenerationResult, generate
from demo.generator.cycles import cycle_count


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> GenerationResult:
    return generate(tmp_path_factory.mktemp("inbox"))


@pytest.fixture(scope="module")
def reports(inbox: GenerationResult) -> dict[str, SettlementReport]:
    """Parsed settlement files by settlement id (the duplicate copy left out)."""
    return {s.settlement_id: parse_settlement_report((inbox.out_dir / s.file_name).read_bytes())
            for s in inbox.settlements}


@pytest.fixture(scope="module")
def key(inbox: GenerationResult) -> dict:
    return json.loads((inbox.out_dir / ANSWER_KEY_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bank_rows(inbox: GenerationResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((inbox.out_dir / "bank_statement.csv").read_text(encoding="utf-8"))))


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_same_arguments_give_identical_bytes(inbox: GenerationResult, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    assert _files(again.out_dir) == _files(inbox.out_dir)


def test_output_does_not_depend_on_hash_seed_locale_or_time_zone(tmp_path: Path) -> None:
    script = "import sys; from pathlib import Path; from demo.generator import generate; " \
             "generate(Path(sys.argv[1]), orders_per_day=5, months=1)"
    for name, hash_seed, zone in (("a", "1", "UTC"), ("b", "2", "Asia/Tokyo")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TZ": zone, "LC_ALL": "C"}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], check=True, env=env, cwd=REPO_ROOT)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_gives_other_data(inbox: GenerationResult, tmp_path: Path) -> None:
    other = _files(generate(tmp_path / "other", seed=8).out_dir)
    mine = _files(inbox.out_dir)
    assert other["bank_statement.csv"] != mine["bank_statement.csv"]
    assert not set(n for n in other if n.startswith("settlement_")) & set(n for n in mine if n.startswith("settlement_"))


def test_every_settlement_ties_out_except_the_malformed_line(inbox: GenerationResult, reports, key) -> None:
    malformed = next(a for a in key["anomalies"] if a["kind"] == "malformed_file")
    for summary in inbox.settlements:
        report = reports[summary.settlement_id]
        (header,) = report.header_rows
        assert header.total_amount == summary.total_amount
        unreadable = [line for line in report.lines if line.amount is None]
        lines_total = sum(line.amount for line in report.lines if line.amount is not None)
        if summary.settlement_id != malformed["settlement_id"]:
            assert unreadable == []
            assert lines_total == header.total_amount, summary.file_name
            continue
        (bad,) = unreadable
        assert (bad.source_line, bad.amount_text) == (malformed["line"], malformed["bad_value"])
        # The summary row still carries the total as it was before the amount was damaged.
        original = Decimal(malformed["original_value"].replace(".", "").replace(",", "."))
        assert lines_total + original == header.total_amount


def test_cycles_are_14_days_paid_two_days_later_at_least_three_per_store(inbox: GenerationResult, reports) -> None:
    by_store = defaultdict(list)
    for summary in inbox.settlements:
        by_store[summary.store_id].append(reports[summary.settlement_id].header_rows[0])
    assert set(by_store) == {"acme-us", "acme-de", "acme-jp"}
    for headers in by_store.values():
        assert len(headers) >= 3
        for header in headers:
            assert header.settlement_end_at - header.settlement_start_at == timedelta(days=14)
            assert header.deposit_at - header.settlement_end_at == timedelta(days=2)
        for earlier, later in zip(headers, headers[1:]):
            assert later.settlement_start_at == earlier.settlement_end_at


def test_months_are_covered() -> None:
    assert cycle_count(date(2026, 6, 1), 1) == 3
    assert cycle_count(date(2026, 6, 1), 3) == 7          # 92 days
    assert cycle_count(date(2026, 6, 1), 12) * 14 >= 365


def test_reserves_carry_forward_from_cycle_to_cycle(inbox: GenerationResult, reports) -> None:
    def reserve(report: SettlementReport, description: str) -> list[Decimal]:
        return [line.amount for line in report.lines if line.amount_description == description]

    by_store = defaultdict(list)
    for summary in inbox.settlements:
        by_store[summary.store_id].append(reports[summary.settlement_id])
    for store_reports in by_store.values():
        assert reserve(store_reports[0], "Previous Reserve Amount Balance") == []
        for earlier, later in zip(store_reports, store_reports[1:]):
            (held,) = reserve(earlier, "Current Reserve Amount")
            (released,) = reserve(later, "Previous Reserve Amount Balance")
            assert held < 0 and released == -held


def test_a_negative_settlement_is_debited_at_the_bank(inbox: GenerationResult, key, bank_rows) -> None:
    negative = [s for s in inbox.settlements if s.total_amount < 0]
    assert negative and key["negative_settlements"] == [s.settlement_id for s in negative]
    for summary in negative:
        row = bank_rows[summary.bank_line - 2]
        assert Decimal(row["amount"]) == summary.total_amount < 0
        assert summary.expected_status == "tied"


def test_answer_key_matches_the_files(inbox: GenerationResult, key, bank_rows) -> None:
    out = inbox.out_dir
    anomalies = {a["kind"]: a for a in key["anomalies"]}
    assert sorted(anomalies) == ["deposit_missing", "deposit_short", "duplicate_file", "malformed_file"]
    affected = [a["settlement_id"] for a in key["anomalies"]] + key["negative_settlements"]
    assert len(set(affected)) == len(affected), "two deliberate problems share a settlement"

    missing = anomalies["deposit_missing"]
    assert Decimal(missing["settlement_total"]) > 0
    assert not any(missing["settlement_id"] in row["reference"] for row in bank_rows)
    assert not any(row["currency"] == missing["currency"] and row["amount"] == missing["settlement_total"]
                   for row in bank_rows)

    short = anomalies["deposit_short"]
    row = bank_rows[short["bank_line"] - 2]
    assert short["settlement_id"] in row["reference"] or short["currency"] == "JPY"
    assert Decimal(row["amount"]) == Decimal(short["bank_amount"])
    assert Decimal(short["settlement_total"]) - Decimal(short["shortfall"]) == Decimal(short["bank_amount"])
    assert Decimal(short["shortfall"]) > 0

    duplicate = anomalies["duplicate_file"]
    original, copy = (out / duplicate["file_name"]).read_bytes(), (out / duplicate["duplicate_file_name"]).read_bytes()
    assert original == copy and hashlib.sha256(copy).hexdigest() == duplicate["sha256"]
    assert duplicate["file_name"] < duplicate["duplicate_file_name"]

    malformed = anomalies["malformed_file"]
    text = (out / malformed["file_name"]).read_bytes().decode("cp1252")
    fields = text.split("\r\n")[malformed["line"] - 1].split("\t")
    header = text.split("\r\n")[0].split("\t")
    assert fields[header.index("amount")] == malformed["bad_value"]

    statuses = {s["settlement_id"]: s["expected_status"] for s in key["settlements"]}
    assert statuses[missing["settlement_id"]] == "deposit_missing"
    assert statuses[short["settlement_id"]] == "deposit_short"
    assert statuses[malformed["settlement_id"]] is None
    assert [s["settlement_id"] for s in key["settlements"] if s["quarantined"]] == [malformed["settlement_id"]]
    assert sum(status == "tied" for status in statuses.values()) == len(statuses) - 3
    for entry, summary in zip(key["settlements"], inbox.settlements):
        assert (out / entry["file_name"]).exists()
        assert Decimal(entry["total_amount"]) == summary.total_amount
    listed = {entry["file_name"] for entry in key["settlements"]} | {duplicate["duplicate_file_name"]}
    assert listed == {p.name for p in out.glob("settlement_*")}


def test_bank_statement_pays_every_other_settlement_within_days(inbox: GenerationResult, bank_rows) -> None:
    assert list(bank_rows[0]) == ["account_id", "booking_date", "amount", "currency", "counterparty", "reference"]
    for summary in inbox.settlements:
        if summary.expected_status == "deposit_missing":
            assert summary.bank_line is None
            continue
        row = bank_rows[summary.bank_line - 2]
        booked = date.fromisoformat(row["booking_date"])
        assert 0 <= (booked - summary.deposit_date).days <= 4
        assert row["currency"] == summary.currency and row["account_id"].startswith(summary.currency)
        if summary.expected_status != "deposit_short":
            assert Decimal(row["amount"]) == summary.total_amount
        # Japanese payouts carry no settlement id; matching falls back to currency, dates and amount.
        assert (summary.settlement_id in row["reference"]) == (summary.currency != "JPY")
    payouts = {s.bank_line for s in inbox.settlements}
    unrelated = [row for line, row in enumerate(bank_rows, start=2) if line not in payouts]
    totals = {(s.currency, s.total_amount) for s in inbox.settlements}
    assert unrelated and all((r["currency"], Decimal(r["amount"])) not in totals for r in unrelated)
    last_deposit = max(s.deposit_date for s in inbox.settlements)
    assert max(date.fromisoformat(r["booking_date"]) for r in bank_rows) >= last_deposit


def test_store_file_conventions(inbox: GenerationResult, reports) -> None:
    files = {s.store_id: [] for s in inbox.settlements}
    for summary in inbox.settlements:
        files[summary.store_id].append((inbox.out_dir / summary.file_name).read_bytes())

    for data in files["acme-de"]:
        text = data.decode("cp1252")
        assert text.count("\r\n") == text.count("\n")
        summary_row = text.split("\r\n")[1].split("\t")
        assert re.fullmatch(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} UTC", summary_row[1])
        assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*,\d{2}", summary_row[4])
    # The DE promotion ids carry `€` and umlauts, so the cp1252 encoding is visible in the bytes.
    assert any(b"\x80" in data or b"\xfc" in data for data in files["acme-de"])

    for data in files["acme-jp"]:
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    for data in files["acme-us"]:
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
        data.decode("utf-8")

    for summary in inbox.settlements:
        report = reports[summary.settlement_id]
        assert ("promotion-id" in report.columns) == (summary.store_id != "acme-us")
        texts = [line.amount_text for line in report.lines] + [report.header_rows[0].total_amount_text]
        if summary.currency == "JPY":
            assert all(re.fullmatch(r"-?\d+", t) for t in texts)
        if summary.currency == "USD":
            assert all(re.fullmatch(r"-?\d+\.\d{2}", t) for t in texts)
            posted = next(line.posted_date_raw for line in report.lines)
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", posted)
        assert all(line.posted_at is not None for line in report.lines)
        assert all(summary.period_start <= line.posted_at < summary.period_end for line in report.lines)


def test_every_kind_of_line_appears_in_every_store(inbox: GenerationResult, reports) -> None:
    wanted = {
        ("Order", "Principal"), ("Order", "Shipping"), ("Order", "Commission"),
        ("Order", "FBAPerUnitFulfillmentFee"), ("Order", "ShippingChargeback"), ("Refund", "Principal"),
        ("Refund", "RefundCommission"), ("other-transaction", "Storage Fee"),
        ("other-transaction", "Subscription Fee"), ("ServiceFee", "TransactionTotalAmount"),
        ("Chargeback Refund", "Principal"), ("A-to-z Guarantee Claim", "Principal"),
        ("Order_Retrocharge", "Tax"), ("other-transaction", "Previous Reserve Amount Balance"),
        ("other-transaction", "Current Reserve Amount"),
    }
    us_only = {("Order", "Tax"), ("Order", "MarketplaceFacilitatorTax-Principal")}
    seen = defaultdict(set)
    promotions = defaultdict(int)
    reimbursements = defaultdict(int)
    for summary in inbox.settlements:
        for line in reports[summary.settlement_id].lines:
            seen[summary.store_id].add((line.transaction_type, line.amount_description))
            promotions[summary.store_id] += line.amount_type == "Promotion"
            reimbursements[summary.store_id] += line.amount_type == "FBA Inventory Reimbursement"
    for store_id, kinds in seen.items():
        assert wanted <= kinds, (store_id, wanted - kinds)
        assert (us_only <= kinds) == (store_id == "acme-us")
        assert promotions[store_id] and reimbursements[store_id]


def test_refunds_reach_back_to_orders_of_earlier_cycles(inbox: GenerationResult, reports) -> None:
    for store_id in ("acme-us", "acme-de", "acme-jp"):
        ordered: set[str] = set()
        reaches_back = False
        for summary in (s for s in inbox.settlements if s.store_id == store_id):
            lines = reports[summary.settlement_id].lines
            refunded = {line.order_id for line in lines if line.transaction_type == "Refund"}
            reaches_back |= bool(refunded & ordered)
            ordered |= {line.order_id for line in lines if line.transaction_type == "Order"}
        assert reaches_back, store_id


def test_reference_files_cover_what_the_settlements_use(inbox: GenerationResult, reports) -> None:
    out = inbox.out_dir
    stores = list(csv.DictReader(io.StringIO((out / "stores.csv").read_text(encoding="utf-8"))))
    assert {(s["store_id"], s["marketplace_id"], s["currency"], s["time_zone"]) for s in stores} == {
        ("acme-us", "ATVPDKIKX0DER", "USD", "America/Los_Angeles"),
        ("acme-de", "A1PA6795UKMFR9", "EUR", "Europe/Berlin"),
        ("acme-jp", "A1VC38T7YXB528", "JPY", "Asia/Tokyo"),
    }
    sku_map = list(csv.DictReader(io.StringIO((out / "sku_map.csv").read_text(encoding="utf-8"))))
    mapped = {(row["store_id"], row["seller_sku"]) for row in sku_map}
    for store_id in ("acme-us", "acme-de", "acme-jp"):
        assert 8 <= sum(row["store_id"] == store_id for row in sku_map) <= 15
    # Internal SKUs are shared across stores, with one cost each.
    costs = defaultdict(set)
    for row in sku_map:
        costs[row["internal_sku"]].add((row["brand"], row["category"], Decimal(row["unit_cost"])))
    assert all(len(c) == 1 for c in costs.values())
    assert any(sum(r["internal_sku"] == sku for r in sku_map) == 3 for sku in costs)
    for summary in inbox.settlements:
        skus = {line.sku for line in reports[summary.settlement_id].lines if line.sku}
        assert {(summary.store_id, sku) for sku in skus} <= mapped


def test_hidden_answer_key_and_result(inbox: GenerationResult) -> None:
    assert inbox.answer_key.name.startswith(".")
    assert {p.name for p in inbox.files} == {p.name for p in inbox.out_dir.iterdir()}
    assert inbox.line_count == sum(s.line_count for s in inbox.settlements)
    assert inbox.anomaly("duplicate_file").settlement_id in {s.settlement_id for s in inbox.settlements}


def test_fewer_stores_and_bad_arguments(tmp_path: Path) -> None:
    single = generate(tmp_path / "jp", stores=("acme-jp",), orders_per_day=3)
    assert {s.store_id for s in single.settlements} == {"acme-jp"}
    assert len({a.settlement_id for a in single.anomalies}) == 4
    with pytest.raises(ValueError, match="unknown store"):
        generate(tmp_path / "x", stores=("acme-fr",))
    with pytest.raises(ValueError, match="orders_per_day"):
        generate(tmp_path / "y", orders_per_day=0)
    with pytest.raises(ValueError, match="too few"):
        generate(tmp_path / "z", stores=("acme-us",), months=1)
