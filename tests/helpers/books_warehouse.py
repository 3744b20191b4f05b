"""A small warehouse holding the books marts with the contract's columns (issue 9), for the export, close and
Books-page tests that must not depend on the dbt models being built."""
from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from connectors.warehouse_schema import create_statements

JOURNAL_DDL = """
    journal_line_id varchar, entry_id varchar, voucher_no integer, line_no integer, period varchar,
    entry_date date, store_id varchar, source_type varchar, source_id varchar, account_code varchar,
    account_name_zh varchar, account_name_en varchar, debit decimal(18,2), credit decimal(18,2),
    currency varchar, amount_original decimal(18,2), fx_rate decimal(18,8), fx_rate_date date,
    fx_policy varchar, fx_rate_source varchar, memo varchar, source_file_sha256 varchar,
    is_suspense boolean, original_period varchar"""

CHART = [
    # code, parent, zh, en, is_leaf
    ("1002", None, "银行存款", "Bank deposits", True),
    ("1122", None, "应收账款", "Accounts receivable", False),
    ("1122.01", "1122", "应收账款—亚马逊店铺", "Receivable - Amazon store", True),
    ("1405", None, "库存商品", "Inventory", True),
    ("2241", None, "其他应付款", "Other payables", False),
    ("2241.99", "2241", "其他应付款—待查明款项", "Suspense", True),
    ("6001", None, "主营业务收入", "Main operating revenue", True),
    ("6401", None, "主营业务成本", "Cost of goods sold", True),
    ("6601", None, "销售费用", "Selling expenses", False),
    ("6601.01", "6601", "销售费用—平台佣金", "Selling expenses - platform commission", True),
    ("6601.02", "6601", "销售费用—FBA配送费", "Selling expenses - FBA fulfilment fees", True),
    ("6603", None, "财务费用", "Finance costs", False),
    ("6603.01", "6603", "财务费用—汇兑损益", "Finance costs - exchange gains and losses", True),
]
NAMES = {code: (zh, en) for code, _, zh, en, _ in CHART}
SETTLEMENT_SHA = hashlib.sha256(b"settlement 1001").hexdigest()
DEPOSIT_SHA = hashlib.sha256(b"bank statement").hexdigest()

# entry_id, period, date, store, source type, source id, memo, sha, [(account, debit, credit, ccy, original, rate)]
ENTRIES = [
    ("settlement:1001:2026-08", "2026-08", date(2026, 8, 14), "acme-us", "settlement", "1001",
     "亚马逊结算 1001 acme-us 2026-08", SETTLEMENT_SHA, [
         ("1122.01", "5633.71", "0", "USD", "789.00", "7.14030000"),
         ("6601.01", "1070.97", "0", "USD", "150.00", "7.14030000"),
         ("6601.02", "214.21", "0", "USD", "30.00", "7.14030000"),
         ("6001", "0", "6918.89", "USD", "-969.00", "7.14030000"),
     ]),
    ("deposit:1001", "2026-08", date(2026, 8, 18), "acme-us", "deposit", "1001",
     "=收到亚马逊回款 1001", DEPOSIT_SHA, [
         ("1002", "5649.49", "0", "USD", "789.00", "7.16030000"),
         ("1122.01", "0", "5633.71", "USD", "-789.00", "7.14030000"),
         ("6603.01", "0", "15.78", "CNY", "-15.78", "1"),
     ]),
    ("cogs:acme-us:2026-08", "2026-08", date(2026, 8, 31), "acme-us", "cogs", "ACN-1001:2026-08",
     "结转销售成本 2026-08", None, [
         ("6401", "1283.40", "0", "CNY", "1283.40", "1"),
         ("1405", "0", "1283.40", "CNY", "-1283.40", "1"),
     ]),
    ("settlement:1002:2026-09", "2026-09", date(2026, 9, 3), "acme-us", "settlement", "1002",
     "亚马逊结算 1002 acme-us 2026-09", SETTLEMENT_SHA, [
         ("1122.01", "1000.00", "0", "USD", "140.00", "7.14285714"),
         ("6001", "0", "1000.00", "USD", "-140.00", "7.14285714"),
     ]),
]

# A second store's settlements, for the store-scope tests: its amounts appear in no acme-us figure.
DE_ENTRIES = [
    ("settlement:2001:2026-08", "2026-08", date(2026, 8, 20), "acme-de", "settlement", "2001",
     "亚马逊结算 2001 acme-de 2026-08", SETTLEMENT_SHA, [
         ("1122.01", "777.77", "0", "EUR", "99.00", "7.85626263"),
         ("6001", "0", "777.77", "EUR", "-99.00", "7.85626263"),
     ]),
    ("settlement:2002:2026-09", "2026-09", date(2026, 9, 20), "acme-de", "settlement", "2002",
     "亚马逊结算 2002 acme-de 2026-09", SETTLEMENT_SHA, [
         ("1122.01", "222.22", "0", "EUR", "28.00", "7.93642857"),
         ("6001", "0", "222.22", "EUR", "-28.00", "7.93642857"),
     ]),
]


def _journal_rows(entries=ENTRIES) -> list[tuple]:
    rows = []
    vouchers: dict[str, int] = {}
    for entry_id, period, entry_date, store, source_type, source_id, memo, sha, lines in entries:
        vouchers[period] = vouchers.get(period, 0) + 1
        for line_no, (account, debit, credit, currency, original, rate) in enumerate(lines, start=1):
            zh, en = NAMES[account]
            rows.append((f"{entry_id}:{line_no}", entry_id, vouchers[period], line_no, period, entry_date, store,
                         source_type, source_id, account, zh, en, Decimal(debit), Decimal(credit), currency,
                         Decimal(original), Decimal(rate), entry_date, "transaction_date", "ecb", memo, sha,
                         account == "2241.99", None))
    return rows


def build_books_warehouse(path: Path, entries=ENTRIES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        for statement in create_statements():
            con.execute(statement)
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists seeds")
        con.execute(f"create or replace table marts.fct_journal_lines ({JOURNAL_DDL})")
        # The vendor marts the Books page scopes vendor money through (vendor code -> vendor account).
        for vendor_mart in ("fct_po_lifecycle", "fct_vendor_invoices"):
            con.execute(f"create or replace table marts.{vendor_mart} (vendor_code varchar, account_id varchar)")
        con.executemany(f"insert into marts.fct_journal_lines values ({', '.join(['?'] * 24)})",
                        _journal_rows(entries))
        con.execute("create or replace table seeds.cas_chart_of_accounts (account_code varchar, parent_code varchar, "
                    "name_zh varchar, name_en varchar, is_leaf boolean, account_type varchar, normal_side varchar)")
        con.executemany("insert into seeds.cas_chart_of_accounts values (?, ?, ?, ?, ?, 'x', 'debit')", CHART)
        con.execute("create or replace table marts.fct_ledger (store_id varchar, settlement_id varchar, "
                    "transaction_type varchar, amount_type varchar, amount_description varchar, amount decimal(18,2), "
                    "currency varchar, posted_date date, source_file_sha256 varchar, source_line integer)")
        con.executemany("insert into marts.fct_ledger values (?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?)", [
            ("acme-us", "1001", "Order", "ItemPrice", "Principal", Decimal("969.00"), date(2026, 8, 14), SETTLEMENT_SHA, 3),
            ("acme-us", "1001", "Order", "ItemFees", "Commission", Decimal("-150.00"), date(2026, 8, 14), SETTLEMENT_SHA, 4),
        ])
        con.execute("insert into audit.file_loads values ('settlement_1001.txt', ?, 'settlement_v2', "
                    "timestamp '2026-08-15 00:00:00', 'loaded', 'settlement 1001', 4, ?)",
                    [SETTLEMENT_SHA, f"archive/{SETTLEMENT_SHA}"])
        con.execute("create or replace table marts.fct_journal_line_sources (journal_line_id varchar, "
                    "source_file_sha256 varchar, source_line integer, amount_column varchar)")
        con.executemany("insert into marts.fct_journal_line_sources values (?, ?, ?, 'amount')", [
            ("settlement:1001:2026-08:4", SETTLEMENT_SHA, 3),
            ("settlement:1001:2026-08:2", SETTLEMENT_SHA, 4),
        ])
        con.execute("create or replace table marts.fct_trial_balance (period varchar, account_code varchar, "
                    "account_name_zh varchar, account_name_en varchar, opening_balance decimal(18,2), "
                    "debit decimal(18,2), credit decimal(18,2), closing_balance decimal(18,2))")
        con.execute("""insert into marts.fct_trial_balance
            select period, account_code, any_value(account_name_zh), any_value(account_name_en), 0,
                   sum(debit), sum(credit), sum(debit) - sum(credit)
            from marts.fct_journal_lines group by period, account_code""")
        con.execute("create or replace table marts.fct_cas_revenue_recognition (store_id varchar, period varchar, "
                    "currency varchar, gross_product_sales decimal(18,2), refunds decimal(18,2), "
                    "net_revenue decimal(18,2), net_revenue_functional decimal(18,2), recognition_basis varchar)")
        con.execute("insert into marts.fct_cas_revenue_recognition values ('acme-us', '2026-08', 'USD', 969.00, 0, "
                    "969.00, 6918.89, 'posted date, store-local, gross as principal')")
        con.execute("create or replace table marts.fct_cas_cost_allocation (internal_sku varchar, month varchar, "
                    "store_id varchar, units_sold integer, net_revenue decimal(18,2), cogs decimal(18,2), "
                    "gross_profit decimal(18,2), gross_margin decimal(18,4), allocation_driver varchar)")
        con.execute("insert into marts.fct_cas_cost_allocation values ('ACN-1001', '2026-08', 'acme-us', 30, "
                    "6918.89, 1283.40, 5635.49, 0.8145, 'revenue')")
        con.execute("create or replace table marts.fct_fx_gain_loss (period varchar, entry_id varchar, kind varchar, "
                    "currency varchar, amount_original decimal(18,2), carrying_amount decimal(18,2), "
                    "settled_amount decimal(18,2), fx_gain_loss decimal(18,2))")
        con.execute("insert into marts.fct_fx_gain_loss values ('2026-08', 'deposit:1001', 'realized', 'USD', "
                    "789.00, 5633.71, 5649.49, 15.78)")
    return path
