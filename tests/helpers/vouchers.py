"""Reading exported voucher files back as a finance system would, and the checks every export must pass."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl

# Per layout: where the voucher number, account code, debit and credit are (header names; U8 has no header row).
U8_COLUMNS = ("制单日期", "凭证类别字", "业务号", "附单据数", "摘要", "科目编码", "借方", "贷方", "数量", "外币", "汇率",
              "制单人", "客户编码")
KEYS = {
    "kingdee-kis": ("凭证号", "科目代码", "借方金额", "贷方金额"),
    "kingdee-k3": ("FNUM", "FACCTID", "FDEBIT", "FCREDIT"),
    "yonyou-u8": ("业务号", "科目编码", "借方", "贷方"),
    "csv": ("voucher_no", "account_code", "debit", "credit"),
}


def read_back(path: Path, fmt: str, encoding: str = "utf-8-sig") -> list[dict[str, object]]:
    if fmt.startswith("kingdee"):
        sheet = openpyxl.load_workbook(path).active
        header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
        return [dict(zip(header, row)) for row in body]
    text = path.read_bytes().decode(encoding)
    assert "\r\n\r\n" not in text and text.endswith("\r\n"), "no blank lines, CRLF"
    reader = csv.reader(io.StringIO(text))
    if fmt == "yonyou-u8":
        return [dict(zip(U8_COLUMNS, row, strict=True)) for row in reader]
    header = next(reader)
    return [dict(zip(header, row, strict=True)) for row in reader]


def leaf_accounts(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {code for (code,) in con.execute(
            "select account_code from seeds.cas_chart_of_accounts where is_leaf").fetchall()}


def check_vouchers(rows: list[dict[str, object]], fmt: str, leaves: set[str]) -> dict[int, tuple[Decimal, Decimal]]:
    """Every voucher balances, posts only to leaf accounts, one side per line; numbers run 1..n. Returns totals."""
    number, account, debit_key, credit_key = KEYS[fmt]
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        # XLSX cells come back as float: 2 decimals is what was written, so round-tripping through str is exact.
        debit, credit = (Decimal(str(row[key])).quantize(Decimal("0.01")) for key in (debit_key, credit_key))
        assert (debit == 0) != (credit == 0), f"exactly one side non-zero: {row}"
        assert str(row[account]) in leaves, f"{row[account]} is not a leaf account of the chart"
        totals[int(row[number])][0] += debit
        totals[int(row[number])][1] += credit
    assert sorted(totals) == list(range(1, len(totals) + 1)), f"voucher numbers not 1..n: {sorted(totals)}"
    unbalanced = {n: t for n, t in totals.items() if t[0] != t[1]}
    assert not unbalanced, f"unbalanced vouchers: {unbalanced}"
    return {n: (d, c) for n, (d, c) in totals.items()}
