"""A small warehouse holding the marts contract columns, for the dashboard tests."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from config.settings import DBT_PROJECT_DIR
from connectors.warehouse_schema import create_statements

SEEDS = DBT_PROJECT_DIR / "seeds"

MARTS_DDL = [
    "create schema if not exists marts",
    """create table marts.fct_settlement_reconciliation (
        store_id varchar, settlement_id varchar, period_start date, period_end date,
        deposit_date date, currency varchar, header_total decimal(18,2), lines_total decimal(18,2),
        difference decimal(18,2), reserve_previous decimal(18,2), reserve_current decimal(18,2),
        bank_amount decimal(18,2), bank_date date, bank_difference decimal(18,2), status varchar)""",
    """create table marts.fct_ledger (
        store_id varchar, settlement_id varchar, transaction_type varchar, amount_type varchar,
        amount_description varchar, fee_category varchar, account varchar, order_id varchar,
        sku varchar, quantity integer, posted_at timestamp, posted_date date,
        amount decimal(18,2), currency varchar, fx_rate decimal(18,8), fx_rate_date date,
        amount_functional decimal(18,2), functional_currency varchar,
        source_file_sha256 varchar, source_line integer)""",
    """create table marts.fct_pnl_monthly (
        store_id varchar, month date, internal_sku varchar, brand varchar, category varchar,
        pnl_line varchar, pnl_section varchar, pnl_sort_order integer, allocation_method varchar,
        is_allocated boolean, currency varchar, amount decimal(38,2), functional_currency varchar,
        amount_functional decimal(38,2), n_lines bigint)""",
]

SETTLEMENTS = [
    # store, id, start, end, deposit, ccy, header, lines, diff, res prev, res cur, bank, bank date, bank diff, status
    ("acme-us", "1001", "2026-01-01", "2026-01-15", "2026-01-17", "USD", "1000.01", "1000.00", "0.01",
     "0.00", "0.00", "1000.01", "2026-01-19", "0.00", "mismatch"),
    ("acme-us", "1002", "2026-01-15", "2026-01-29", "2026-01-31", "USD", "0.30", "0.30", "0.00",
     "0.00", "0.00", "0.30", "2026-02-02", "0.00", "tied"),
    ("acme-de", "2001", "2026-01-01", "2026-01-15", "2026-01-17", "EUR", "1234.56", "1234.56", "0.00",
     "10.00", "12.00", "1222.22", "2026-01-19", "-12.34", "deposit_short"),
    ("acme-de", "2002", "2026-02-01", "2026-02-15", "2026-02-17", "EUR", "500.00", "500.00", "0.00",
     "0.00", "0.00", "500.00", "2026-02-19", "0.00", "tied"),
    ("acme-jp", "3001", "2026-02-10", "2026-02-24", "2026-02-26", "JPY", "98765.00", "98765.00", "0.00",
     "0.00", "0.00", None, None, None, "pending_deposit"),
]  # fmt: skip

LEDGER = [
    # store, settlement, transaction type, amount type, description, amount
    ("acme-us", "1001", "Order", "ItemPrice", "Principal", "600.00"),
    ("acme-us", "1001", "Order", "ItemPrice", "Principal", "600.00"),
    ("acme-us", "1001", "Order", "ItemFees", "Commission", "-180.00"),
    ("acme-us", "1001", "Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-20.00"),
    # 0.1 + 0.2 is not 0.3 in floating point: the sum must stay exact.
    ("acme-us", "1002", "Order", "ItemPrice", "Principal", "0.10"),
    ("acme-us", "1002", "Order", "ItemPrice", "Principal", "0.20"),
    ("acme-de", "2001", "Order", "ItemPrice", "Principal", "1234.56"),
]

# P&L lines as in the pnl_lines seed: (line, section, sort order).
PNL_LINES = {
    "Product sales": ("Revenue", 10),
    "Referral fees": ("Amazon fees", 60),
    "Storage fees": ("Amazon fees", 80),
}

PNL = [
    # store, month, sku, line, amount, ccy, amount in CNY, allocation method
    ("acme-us", "2026-01-01", "WIDGET-1", "Storage fees", "-0.10", "USD", "-0.72", "allocated"),
    ("acme-us", "2026-01-01", "WIDGET-1", "Product sales", "1200.10", "USD", "8640.72", "direct"),
    ("acme-us", "2026-01-01", "WIDGET-1", "Referral fees", "-180.00", "USD", "-1296.00", "direct"),
    ("acme-us", "2026-02-01", "WIDGET-1", "Product sales", "0.30", "USD", "2.16", "direct"),
    ("acme-de", "2026-01-01", "GADGET-9", "Product sales", "1234.56", "EUR", "9623.48", "direct"),
    ("acme-de", "2026-02-01", "GADGET-9", "Storage fees", "-0.20", "EUR", "-1.56", "allocated"),
]

FILE_LOADS = [
    ("settlement_acme-us_1001.txt", "a" * 64, "settlement_v2", "loaded", None, 5),
    ("copy_of_1001.txt", "a" * 64, "settlement_v2", "duplicate", "same bytes as settlement_acme-us_1001.txt", 0),
    ("settlement_bad.txt", "b" * 64, "settlement_v2", "quarantined",
     "settlement_bad.txt: line 7: amount_parses: '12,3x' is not an amount", 0),
]  # fmt: skip


def _settlement_row(row: tuple) -> tuple:
    store, settlement, start, end, deposit, currency, *amounts, bank_amount, bank_date, bank_diff, status = row
    return (
        store, settlement, date.fromisoformat(start), date.fromisoformat(end),
        date.fromisoformat(deposit), currency, *(Decimal(a) for a in amounts),
        bank_amount and Decimal(bank_amount), bank_date and date.fromisoformat(bank_date),
        bank_diff and Decimal(bank_diff), status,
    )  # fmt: skip


def build_warehouse(path: Path) -> Path:
    """A warehouse file with the marts and audit tables the dashboards read, typed as in the contract."""
    with duckdb.connect(str(path)) as conn:
        for statement in [*create_statements(), *MARTS_DDL]:
            conn.execute(statement)
        # The product's own seed, as dbt loads it: which statuses need attention and their order.
        conn.execute("create schema if not exists seeds")
        conn.execute("create table seeds.reconciliation_statuses as select * from read_csv(?, header = true)",
                     [str(SEEDS / "reconciliation_statuses.csv")])
        conn.executemany(
            "insert into marts.fct_settlement_reconciliation values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [_settlement_row(row) for row in SETTLEMENTS],
        )
        conn.executemany(
            """insert into marts.fct_ledger (store_id, settlement_id, transaction_type, amount_type,
               amount_description, amount, currency) values (?,?,?,?,?,?,?)""",
            [(*row[:5], Decimal(row[5]), "USD" if row[0] == "acme-us" else "EUR") for row in LEDGER],
        )
        conn.executemany(
            "insert into marts.fct_pnl_monthly values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (store, date.fromisoformat(month), sku, "Acme", "Gadgets", line, *PNL_LINES[line], method,
                 method != "direct", ccy, Decimal(amount), "CNY", Decimal(functional), 1)
                for store, month, sku, line, amount, ccy, functional, method in PNL
            ],  # fmt: skip
        )
        conn.executemany(
            """insert into audit.file_loads (file_name, sha256, kind, received_at, status, message,
               rows_loaded, archive_path) values (?,?,?,?,?,?,?,?)""",
            [(n, h, k, datetime(2026, 3, 1, 9, 0), s, m, r, f"archive/{h}") for n, h, k, s, m, r in FILE_LOADS],
        )
        conn.execute(
            """insert into audit.validation_results values
               (?, 'settlement_bad.txt', 'settlement_v2', 'amount_parses', false, 7, '''12,3x''', ?)""",
            ["b" * 64, datetime(2026, 3, 1, 9, 0)],
        )
    return path
