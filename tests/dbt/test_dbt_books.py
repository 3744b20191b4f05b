"""The books (issue 9) end to end: the generator's demo data (seller and Vendor Central exports), Amazon's genuine Amazon.ca settlements and some
purchases, through the real loader and one `dbt build`, then the journal's invariants checked in Python against the
raw tables and the chart seed (never against another mart). A second build after closing a period and dropping a
late settlement for it shows the closed period frozen and the difference posted as an adjustment in the open period.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import DBT_PROJECT_DIR, Settings
from connectors.fx import load_ecb_rates
from connectors.loader import load_inbox
from demo.generator import generate
from demo.generator.vendor import generate_vendor
from tests.helpers.vendor_world import dbt_build

pytestmark = pytest.mark.slow

D = Decimal
CHART = DBT_PROJECT_DIR / "seeds" / "cas_chart_of_accounts.csv"
GENUINE_CA = {"23874396421", "23874397121", "24288684721", "24495221541"}
PURCHASES_SHA = "sha-purchases-test"
LATE_SHA = "sha-late-settlement"



def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def add_purchases(settings: Settings) -> None:
    """Two landed purchases per internal SKU of the demo, one in CNY and one in USD, loaded like a purchases.csv."""
    with duckdb.connect(str(settings.warehouse)) as con:
        skus = [r[0] for r in con.execute("SELECT DISTINCT internal_sku FROM raw.sku_map ORDER BY 1").fetchall()]
        con.execute("INSERT INTO audit.file_loads (file_name, sha256, kind, received_at, status, rows_loaded, archive_path)"
                    " VALUES ('purchases.csv', ?, 'purchases', ?, 'loaded', ?, 'archive/purchases')",
                    [PURCHASES_SHA, datetime(2026, 5, 1), 2 * len(skus)])
        line = 2
        for i, sku in enumerate(skus):
            for purchase_date, currency, quantity in ((date(2026, 5, 20), "CNY", 300), (date(2026, 7, 15), "USD", 200)):
                con.execute("INSERT INTO raw.purchases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [purchase_date, sku, quantity, D("8.5000") + i, currency, D("120.00"), D("35.50"), D("0.00"),
                             f"PO-{line}", PURCHASES_SHA, line])
                line += 1


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory, samples: Path) -> Settings:
    root = tmp_path_factory.mktemp("books")
    inbox = root / "inbox"
    generate(inbox, orders_per_day=3)
    generate_vendor(inbox)  # the Vendor Central exports (remittances, invoices) only: no API sync
    for sample in samples.glob("settlement_v1_flatfile_CA_*.txt"):
        (inbox / sample.name).write_bytes(sample.read_bytes())
    # The costs below are hand-worked from this module's own purchases, not the generator's.
    (inbox / "purchases.csv").unlink()
    settings = replace(Settings.from_env(root / "acorn.duckdb"), functional_currency="CNY")
    load_inbox(settings, inbox)
    load_ecb_rates(settings)
    add_purchases(settings)
    dbt_build(settings)
    return settings


def journal(settings: Settings) -> list[dict]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        cursor = con.execute("SELECT * FROM marts.fct_journal_lines")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_each_settlements_receivable_moves_by_its_header_total(books: Settings) -> None:
    headers = dict(query(books, "SELECT DISTINCT h.settlement_id, h.total_amount FROM raw.settlement_headers h"
                                " JOIN audit.file_loads f ON f.sha256 = h.source_file_sha256 AND f.status = 'loaded'"))
    assert headers.keys() >= GENUINE_CA
    movement: dict[str, Decimal] = defaultdict(D)
    for line in journal(books):
        if line["source_type"] == "settlement" and line["account_code"] == "1122.01":
            movement[line["source_id"]] += line["amount_original"]
    assert {sid: movement.get(sid, D(0)) for sid in headers} == headers


def test_every_entry_balances(books: Settings) -> None:
    debits: dict[str, Decimal] = defaultdict(D)
    original: dict[str, Decimal] = defaultdict(D)
    currencies: dict[str, set] = defaultdict(set)
    for line in journal(books):
        assert line["debit"] == 0 or line["credit"] == 0
        debits[line["entry_id"]] += line["debit"] - line["credit"]
        if line["source_type"] != "fx_revaluation":
            original[line["entry_id"]] += line["amount_original"]
            currencies[line["entry_id"]].add(line["currency"])
    assert {"settlement", "deposit", "cogs", "fx_revaluation", "vendor_invoice", "vendor_payment"} <= {
        line["source_type"] for line in journal(books)}
    assert {e: t for e, t in debits.items() if t != 0} == {}
    assert {e: t for e, t in original.items() if len(currencies[e]) == 1 and t != 0} == {}
    genuine = [e for e in debits if any(e.startswith(f"settlement:{sid}:") for sid in GENUINE_CA)]
    assert len(genuine) >= len(GENUINE_CA)


def test_every_account_is_a_leaf_of_the_chart(books: Settings) -> None:
    with CHART.open(encoding="utf-8") as f:
        leaves = {row["account_code"] for row in csv.DictReader(f) if row["is_leaf"] == "true"}
    used = {line["account_code"] for line in journal(books)}
    assert used <= leaves
    assert {"1002", "1122.01", "1405", "6001", "6401", "6601.01", "6603.01"} <= used


def test_cogs_is_booked_at_landed_cost(books: Settings) -> None:
    # the first purchase of the first SKU: 300 x 8.50 + 120.00 + 35.50 = 2,705.50 CNY, 9.018333 a unit
    unit = query(books, "SELECT unit_cost FROM intermediate.int_inventory_costed"
                        " WHERE internal_sku = (SELECT min(internal_sku) FROM raw.purchases) AND event_seq = 1")
    assert unit == [(D("9.018333"),)]
    booked = query(books, "SELECT sum(debit - credit) FROM marts.fct_journal_lines WHERE account_code = '6401'")[0][0]
    costed = query(books, "SELECT sum(CASE movement_type WHEN 'sale' THEN value_moved ELSE -value_moved END)"
                          " FROM intermediate.int_inventory_costed WHERE movement_type IN ('sale', 'return')")[0][0]
    assert booked == costed > 0
    # inventory: purchases in, COGS and write-offs out, ending at what the stock ledger holds
    purchased = query(books, "SELECT sum(value_in) FROM intermediate.int_inventory_events WHERE movement_type = 'purchase'")[0][0]
    written_off = query(books, "SELECT coalesce(sum(debit), 0) FROM marts.fct_journal_lines WHERE source_type = 'inventory_write_off'"
                               " AND account_code = '6711'")[0][0]
    inventory = query(books, "SELECT sum(debit - credit) FROM marts.fct_journal_lines WHERE account_code = '1405'")[0][0]
    closing = query(books, "SELECT sum(closing_value) FROM marts.fct_inventory_valuation"
                           " WHERE month = (SELECT max(month) FROM marts.fct_inventory_valuation)")[0][0]
    assert inventory == purchased - booked - written_off == closing


def test_purchases_are_journalled_at_landed_cost_against_payables(books: Settings) -> None:
    # PO-2, the first SKU's CNY purchase: 300 x 8.50 + 120.00 freight + 35.50 duty = 2,705.50, line 2 of the file
    lines = [line for line in journal(books) if line["entry_id"] == "purchase:PO-2"]
    assert sorted((line["account_code"], line["debit"], line["credit"], line["currency"]) for line in lines) == [
        ("1405", D("2705.50"), D("0"), "CNY"), ("2202", D("0"), D("2705.50"), "CNY")]
    assert {line["source_type"] for line in lines} == {"purchase"}
    assert {line["source_file_sha256"] for line in lines} == {PURCHASES_SHA}
    assert query(books, "SELECT DISTINCT source_line FROM marts.fct_journal_line_sources"
                        " WHERE journal_line_id LIKE 'purchase:PO-2|%'") == [(2,)]
    # PO-3 in USD: 200 x 8.50 + 155.50 = 1,855.50 owed in dollars, stock debited with its yuan at the day's rate
    usd = {line["account_code"]: line for line in journal(books) if line["entry_id"] == "purchase:PO-3"}
    assert (usd["2202"]["currency"], usd["2202"]["amount_original"]) == ("USD", D("-1855.50"))
    assert usd["1405"]["debit"] == usd["2202"]["credit"] == (D("1855.50") * usd["2202"]["fx_rate"]).quantize(D("0.01"))
    in_trial = query(books, "SELECT sum(credit) FROM marts.fct_trial_balance WHERE account_code = '2202'")[0][0]
    assert in_trial >= query(books, "SELECT sum(credit) FROM marts.fct_journal_lines WHERE source_type = 'purchase'")[0][0] > 0



def test_units_lost_in_amazons_warehouses_are_written_off_at_cost(books: Settings) -> None:
    reported = query(books, "SELECT sum(quantity_reimbursed_cash) FROM staging.stg_amazon__fba_reimbursements"
                            " WHERE reason IN ('Lost_Warehouse', 'Damaged_Warehouse') AND quantity_reimbursed_cash > 0")[0][0]
    units, value = query(books, "SELECT sum(written_off_qty), sum(written_off_value) FROM marts.fct_inventory_valuation")[0]
    assert units == reported > 0
    lines = [line for line in journal(books) if line["source_type"] == "inventory_write_off"]
    assert sum(line["debit"] for line in lines if line["account_code"] == "6711") == value > 0
    assert sum(line["credit"] for line in lines if line["account_code"] == "1405") == value
    files = {sha for (sha,) in query(books, "SELECT sha256 FROM audit.file_loads WHERE kind = 'fba_reimbursements'")}
    assert {line["source_file_sha256"] for line in lines} <= files


def test_a_late_settlement_after_close_posts_as_an_adjustment(books: Settings) -> None:
    period = "2026-06"
    frozen = sorted(journal_line for journal_line in map(tuple, query(
        books, "SELECT * FROM marts.fct_journal_lines WHERE period = ? ORDER BY journal_line_id", [period])))
    assert frozen
    with duckdb.connect(str(books.warehouse)) as con:
        # what `acorn close` records: the period, and its journal as it stands
        con.execute("INSERT INTO raw.period_closes VALUES (?, ?, 'test', 'sha-close')", [period, datetime(2026, 7, 5)])
        con.execute(
            "INSERT INTO raw.closed_journal_lines (period, journal_line_id, entry_id, voucher_no, line_no, entry_date,"
            " store_id, source_type, source_id, account_code, account_name_zh, account_name_en, debit, credit, currency,"
            " amount_original, fx_rate, fx_rate_date, fx_policy, fx_rate_source, memo, source_file_sha256, is_suspense,"
            " original_period, close_file_sha256) SELECT period, journal_line_id, entry_id, voucher_no, line_no,"
            " entry_date, store_id, source_type, source_id, account_code, account_name_zh, account_name_en, debit,"
            " credit, currency, amount_original, fx_rate, fx_rate_date, fx_policy, fx_rate_source, memo,"
            " source_file_sha256, is_suspense, original_period, 'sha-close' FROM marts.fct_journal_lines WHERE period = ?",
            [period])
        # a settlement for June arrives in July: one USD 50.00 sale for the US store
        con.execute("INSERT INTO audit.file_loads (file_name, sha256, kind, received_at, status, rows_loaded, archive_path)"
                    " VALUES ('late.txt', ?, 'settlement_v2', ?, 'loaded', 2, 'archive/late')", [LATE_SHA, datetime(2026, 7, 20)])
        con.execute("INSERT INTO raw.settlement_headers VALUES ('99999999', 'v2', ?, ?, ?, 50.00, 'USD', ?, 'late.txt', 2)",
                    [datetime(2026, 6, 10), datetime(2026, 6, 20), datetime(2026, 6, 22), LATE_SHA])
        con.execute("INSERT INTO raw.settlement_lines (settlement_id, report_format, transaction_type, order_id,"
                    " marketplace_name, amount_type, amount_description, amount, currency, posted_at, sku,"
                    " quantity_purchased, amount_column, source_file_sha256, source_line)"
                    " VALUES ('99999999', 'v2', 'Order', 'late-1', 'Amazon.com', 'ItemPrice', 'Principal', 50.00, 'USD',"
                    " ?, NULL, NULL, 'amount', ?, 3)", [datetime(2026, 6, 15, 18), LATE_SHA])
    dbt_build(books)
    after = sorted(map(tuple, query(books, "SELECT * FROM marts.fct_journal_lines WHERE period = ? ORDER BY journal_line_id",
                                    [period])))
    assert after == frozen
    adjustment = query(books, "SELECT period, account_code, debit, credit, amount_original, original_period, memo"
                              " FROM marts.fct_journal_lines WHERE entry_id = 'adjustment:2026-06' ORDER BY account_code")
    assert {r[0] for r in adjustment} == {"2026-07"}
    assert {r[5] for r in adjustment} == {"2026-06"}
    assert all("2026-06" in r[6] for r in adjustment)
    by_account = {r[1]: r for r in adjustment}
    # the late sale: receivable debit, revenue credit of USD 50.00 at June 15's rate; June's month-end revaluation
    # of the larger USD receivable changes too, so the receivable's CNY differs from revenue's by that much
    rate = query(books, "SELECT fx_rate FROM intermediate.int_fx_policy_rates WHERE currency = 'USD'"
                        " AND calendar_date = DATE '2026-06-15'")[0][0]
    assert by_account["1122.01"][4] == D("50.00") and by_account["6001"][4] == D("-50.00")
    assert by_account["6001"][3] == round(D("50.00") * rate, 2)
    assert sum(r[2] - r[3] for r in adjustment) == 0
