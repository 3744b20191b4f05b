"""The dbt project end to end: a real `dbt build` over hand-made raw rows, then the marts' values.

One scenario per reconciliation status, a weekend FX conversion, an FX override, a fee allocation
that must sum to the cent, an unknown fee combination that must be kept, and a file that was not
loaded and must stay out of the ledger.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import DBT_PROJECT_DIR, Settings
from connectors.fx import load_ecb_rates
from connectors.loader import load_inbox
from connectors.warehouse_schema import create_statements
from demo.generator import GenerationResult, generate
from tests.helpers.paths import SAMPLES

pytestmark = pytest.mark.slow

DBT = Path(sys.executable).with_name("dbt")
D = Decimal

# One file per settlement; the quarantined file's rows must never reach a mart.
FILES = {
    "sha-1001": ("settlement_us_1001.txt", "settlement_v2", "loaded"),
    "sha-1002": ("settlement_us_1002.txt", "settlement_v2", "loaded"),
    "sha-1003": ("settlement_us_1003.txt", "settlement_v2", "loaded"),
    "sha-1004": ("settlement_us_1004.txt", "settlement_v2", "loaded"),
    "sha-2001": ("settlement_de_2001.txt", "settlement_v2", "loaded"),
    "sha-9999": ("settlement_us_9999.txt", "settlement_v2", "quarantined"),
    "sha-bank": ("bank_statement.csv", "bank_statement", "loaded"),
    "sha-bank-q1": ("bank_statement_q1.csv", "bank_statement", "loaded"),  # overlaps the first statement
    "sha-fx": ("fx_rates.csv", "fx_rates", "loaded"),
    "sha-stores": ("stores.csv", "store_config", "loaded"),
}

# The user's stores.csv: the product's stores seed is empty.
STORES = [
    ("acme-us", "ATVPDKIKX0DER", "Amazon.com", "USD", "America/Los_Angeles"),
    ("acme-de", "A1PA6795UKMFR9", "Amazon.de", "EUR", "Europe/Berlin"),
]

# settlement_id, total, currency, deposit_at (UTC), file
HEADERS = [
    ("1001", "75.00", "USD", datetime(2025, 1, 10, 12), "sha-1001"),  # tied: bank row names it
    ("1002", "90.00", "USD", datetime(2025, 1, 24, 12), "sha-1002"),  # mismatch: lines 85.00
    ("1003", "85.00", "USD", datetime(2025, 1, 17, 12), "sha-1003"),  # deposit_short: bank 80.00
    ("1004", "40.00", "USD", datetime(2025, 1, 20, 12), "sha-1004"),  # deposit_missing
    ("2001", "45.00", "EUR", datetime(2025, 1, 15, 12), "sha-2001"),  # pending_deposit: no EUR statement
    ("9999", "1.00", "USD", datetime(2025, 1, 20, 12), "sha-9999"),  # quarantined file
]

SAT_UTC = datetime(2025, 1, 5, 3)  # Saturday 2025-01-04 19:00 in Los Angeles
MON_UTC = datetime(2025, 1, 6, 18)  # Monday in Los Angeles and Berlin

# settlement_id, marketplace, transaction_type, amount_type, amount_description, sku, qty, amount, posted_at
LINES = [
    ("1001", "Amazon.com", "Order", "ItemPrice", "Principal", "SKU-A", 1, "100.00", SAT_UTC),
    ("1001", "Amazon.com", "Order", "ItemFees", "Commission", "SKU-A", None, "-15.00", SAT_UTC),
    ("1001", None, "other-transaction", "other-transaction", "Storage Fee", None, None, "-10.00", MON_UTC),
    ("1002", "Amazon.com", "Order", "ItemPrice", "Principal", "SKU-C", 1, "100.00", MON_UTC),
    ("1002", "Amazon.com", "Order", "ItemFees", "Commission", "SKU-C", None, "-15.00", MON_UTC),
    ("1003", "Amazon.com", "Order", "ItemPrice", "Principal", "SKU-B", 3, "100.00", MON_UTC),
    ("1003", "Amazon.com", "Order", "ItemFees", "Commission", "SKU-B", None, "-15.00", MON_UTC),
    ("1004", "Amazon.com", "Order", "ItemPrice", "Shipping", "SKU-A", None, "40.00", MON_UTC),
    ("2001", "Amazon.de", "Order", "ItemPrice", "Principal", "SKU-D", 1, "50.00", MON_UTC),
    ("2001", "Amazon.de", "Mystery", "Weird", "Thing", None, None, "-5.00", MON_UTC),
    ("9999", "Amazon.com", "Order", "ItemPrice", "Principal", "SKU-A", 1, "1.00", MON_UTC),
]

# booking_date, amount, currency, reference
BANK = [
    (date(2025, 1, 11), "75.00", "USD", "AMAZON SETTLEMENT 1001"),
    (date(2025, 1, 17), "80.00", "USD", "AMAZON PAYMENTS"),
    (date(2025, 1, 24), "90.00", "USD", "AMAZON PAYMENTS"),
    (date(2025, 1, 31), "-20.00", "USD", "ACCOUNT FEE"),
]

MONDAY = date(2025, 1, 6)

# ECB units per EUR (Thursday, Friday, Monday)
ECB = {
    date(2025, 1, 2): {"USD": "1.0350", "CNY": "7.5500"},
    date(2025, 1, 3): {"USD": "1.0300", "CNY": "7.5000"},
    date(2025, 1, 6): {"USD": "1.0400", "CNY": "7.6000"},
}


def build_fixture_warehouse(path: Path) -> None:
    con = duckdb.connect(str(path))
    for statement in create_statements():
        con.execute(statement)
    for sha, (name, kind, status) in FILES.items():
        con.execute(
            "INSERT INTO audit.file_loads (file_name, sha256, kind, received_at, status, rows_loaded, archive_path)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            [name, sha, kind, datetime(2025, 2, 1), status, f"archive/{sha}"],
        )
    for settlement_id, total, currency, deposit_at, sha in HEADERS:
        con.execute(
            "INSERT INTO raw.settlement_headers VALUES (?, 'v2', ?, ?, ?, ?, ?, ?, ?, 2)",
            [settlement_id, datetime(2025, 1, 1), deposit_at.replace(day=deposit_at.day - 2), deposit_at,
             D(total), currency, sha, FILES[sha][0]],
        )
    currency_of = {h[0]: h[2] for h in HEADERS}
    for line_no, (sid, market, ttype, atype, adesc, sku, qty, amount, posted_at) in enumerate(LINES, start=3):
        con.execute(
            "INSERT INTO raw.settlement_lines (settlement_id, report_format, transaction_type, order_id,"
            " marketplace_name, amount_type, amount_description, amount, currency, posted_at, sku,"
            " quantity_purchased, amount_column, source_file_sha256, source_line)"
            " VALUES (?, 'v2', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'amount', ?, ?)",
            [sid, ttype, f"order-{line_no}" if sku else None, market, atype, adesc, D(amount),
             currency_of[sid], posted_at, sku, qty, f"sha-{sid}", line_no],
        )
    for line_no, (store_id, marketplace_id, marketplace, currency, time_zone) in enumerate(STORES, start=2):
        con.execute("INSERT INTO raw.store_config VALUES (?, NULL, ?, ?, ?, ?, 'sha-stores', ?)",
                    [store_id, marketplace_id, marketplace, currency, time_zone, line_no])
    for statement in ("sha-bank", "sha-bank-q1"):
        for line_no, (booking_date, amount, currency, reference) in enumerate(BANK, start=2):
            con.execute(
                "INSERT INTO raw.bank_transactions VALUES ('DE00 BANK', ?, ?, ?, 'Amazon', ?, ?, ?)",
                [booking_date, D(amount), currency, reference, statement, line_no],
            )
    for rate_date, rates in ECB.items():
        for currency, units in rates.items():
            con.execute("INSERT INTO raw.fx_ecb_rates VALUES (?, ?, ?)", [rate_date, currency, D(units)])
    # the user's own Monday rate beats the ECB cross rate for that pair and date
    con.execute("INSERT INTO raw.fx_rate_overrides VALUES (?, 'USD', 'CNY', 7.25, 'sha-fx', 2)", [MONDAY])
    con.close()


def dbt_build(settings: Settings, *select: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **settings.dbt_env()}
    args = [str(DBT), "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--vars", json.dumps(settings.dbt_vars())]
    if select:
        args += ["--select", *select]
    result = subprocess.run(args, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return result


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    warehouse = tmp_path_factory.mktemp("dbt") / "acorn.duckdb"
    build_fixture_warehouse(warehouse)
    settings = replace(Settings.from_env(warehouse), functional_currency="CNY", allocation_driver="revenue")
    dbt_build(settings)
    return settings


def test_each_scenario_gets_its_status(built: Settings) -> None:
    rows = query(built, "SELECT settlement_id, store_id, status, difference, bank_amount, bank_difference"
                        " FROM marts.fct_settlement_reconciliation ORDER BY settlement_id")
    assert rows == [
        ("1001", "acme-us", "tied", D("0.00"), D("75.00"), D("0.00")),
        ("1002", "acme-us", "mismatch", D("5.00"), D("90.00"), D("0.00")),
        ("1003", "acme-us", "deposit_short", D("0.00"), D("80.00"), D("-5.00")),
        ("1004", "acme-us", "deposit_missing", D("0.00"), None, None),
        ("2001", "acme-de", "pending_deposit", D("0.00"), None, None),
    ]


def test_overlapping_bank_statements_count_each_transaction_once(built: Settings) -> None:
    rows = query(built, "SELECT count(*), count(DISTINCT source_file_sha256) FROM staging.stg_bank__transactions")
    assert rows == [(len(BANK), 1)]


def test_weekend_line_converts_at_fridays_rate(built: Settings) -> None:
    (row,) = query(built, "SELECT posted_date, fx_rate_date, fx_rate, fx_rate_source, amount_functional"
                          " FROM marts.fct_ledger WHERE settlement_id = '1001' AND fee_category = 'product_sales'")
    # Saturday in Los Angeles; Friday's ECB cross rate CNY/USD = 7.5000 / 1.0300
    assert row == (date(2025, 1, 4), date(2025, 1, 3), D("7.28155340"), "ecb", D("728.16"))


def test_override_beats_ecb_and_eur_uses_its_own_cross_rate(built: Settings) -> None:
    rows = query(built, "SELECT currency, fx_rate, fx_rate_source FROM marts.fct_ledger"
                        " WHERE posted_date = ? GROUP BY ALL ORDER BY currency", [MONDAY])
    assert rows == [("EUR", D("7.60000000"), "ecb"), ("USD", D("7.25000000"), "override")]


def test_storage_fee_is_allocated_by_revenue_to_the_cent(built: Settings) -> None:
    parts = query(built, "SELECT sku, amount, amount_functional FROM marts.fct_fee_allocations"
                         " WHERE fee_category = 'storage_fee' ORDER BY sku")
    # -10.00 USD over three SKUs with equal revenue; -72.50 CNY at the Monday override 7.25. Equal
    # remainders go to SKUs in name order, so the leftover cent lands on A first.
    assert parts == [
        ("SKU-A", D("-3.33"), D("-24.16")),
        ("SKU-B", D("-3.33"), D("-24.17")),
        ("SKU-C", D("-3.34"), D("-24.17")),
    ]
    pnl = query(built, "SELECT sum(amount), sum(amount_functional) FROM marts.fct_pnl_monthly"
                       " WHERE pnl_line = 'Storage fees' AND is_allocated")
    assert pnl == [(D("-10.00"), D("-72.50"))]


def test_unknown_fee_combination_is_kept_and_reported(built: Settings) -> None:
    ledger = query(built, "SELECT fee_category, account, amount FROM marts.fct_ledger WHERE transaction_type = 'Mystery'")
    assert ledger == [("unclassified", "9999", D("-5.00"))]
    report = query(built, "SELECT transaction_type, amount_type, amount_description, n_lines"
                          " FROM intermediate.int_unclassified_fee_combinations")
    assert report == [("Mystery", "Weird", "Thing", 1)]


def test_only_loaded_files_reach_the_marts(built: Settings) -> None:
    assert query(built, "SELECT count(*) FROM marts.fct_ledger WHERE settlement_id = '9999'") == [(0,)]
    assert query(built, "SELECT count(*) FROM marts.fct_settlement_reconciliation WHERE settlement_id = '9999'") == [(0,)]


def test_pnl_holds_every_pnl_ledger_amount(built: Settings) -> None:
    ledger = query(built, "SELECT sum(amount) FROM marts.fct_ledger l JOIN seeds.pnl_lines p USING (pnl_line) WHERE p.in_pnl")
    pnl = query(built, "SELECT sum(amount) FROM marts.fct_pnl_monthly")
    # sales 300 + shipping 40 + DE sales 50 - commissions 45 - storage 10 - unclassified 5
    assert ledger == pnl == [(D("330.00"),)]


GENUINE = {  # settlement_id: (store_id, difference, status); no CAD bank statement, and the 2015 file is an excerpt
    "23874396421": ("amazon-ca", D("0.00"), "pending_deposit"),
    "23874397121": ("amazon-ca", D("0.00"), "pending_deposit"),
    "24288684721": ("amazon-ca", D("0.00"), "pending_deposit"),
    "24495221541": ("amazon-ca", D("0.00"), "pending_deposit"),
    "6016502941": ("acme-us", D("16603.14"), "mismatch"),
}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GenerationResult]:
    """The generator's inbox plus Amazon's genuine V1 files, through the real loader, then one dbt build."""
    root = tmp_path_factory.mktemp("pipeline")
    inbox = root / "inbox"
    generated = generate(inbox, orders_per_day=3)
    for sample in SAMPLES.glob("settlement_v1_*.txt"):
        (inbox / sample.name).write_bytes(sample.read_bytes())
    settings = replace(Settings.from_env(root / "acorn.duckdb"), functional_currency="EUR", allocation_driver="units")
    load_inbox(settings, inbox)
    load_ecb_rates(settings)
    dbt_build(settings)
    return settings, generated


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="genuine Amazon samples not present")
def test_genuine_settlements_reconcile(pipeline: tuple[Settings, GenerationResult]) -> None:
    settings, _ = pipeline
    rows = query(settings, "SELECT settlement_id, store_id, difference, status FROM marts.fct_settlement_reconciliation"
                           " WHERE settlement_id IN ?", [list(GENUINE)])
    assert {r[0]: r[1:] for r in rows} == GENUINE


def test_generated_settlements_get_the_answer_keys_status(pipeline: tuple[Settings, GenerationResult]) -> None:
    settings, generated = pipeline
    got = {r[0]: r[1:] for r in query(settings, "SELECT settlement_id, store_id, status, deposit_date, bank_amount,"
                                                " reserve_previous, reserve_current FROM marts.fct_settlement_reconciliation")}
    for s in generated.settlements:
        expected = None if s.quarantined else (
            s.store_id, s.expected_status, s.deposit_date, s.bank_amount, s.reserve_released, s.reserve_held)
        assert got.get(s.settlement_id) == expected, s.settlement_id


def test_pipeline_ledger_is_complete_classified_and_converted(pipeline: tuple[Settings, GenerationResult]) -> None:
    settings, _ = pipeline
    assert query(settings, "SELECT count(*) FROM marts.fct_unclassified_fees") == [(0,)]
    assert query(settings, "SELECT count(*) FROM marts.fct_ledger WHERE fx_rate IS NULL") == [(0,)]
    # allocated by units: every fee without a SKU is split and sums back to itself in both currencies
    fees = query(settings, "SELECT sum(amount), sum(amount_functional) FROM marts.fct_ledger"
                           " WHERE is_allocated_fee AND sku IS NULL")
    parts = query(settings, "SELECT sum(amount), sum(amount_functional) FROM marts.fct_fee_allocations"
                            " WHERE allocation_driver = 'units'")
    assert fees == parts and fees[0][0] < 0
