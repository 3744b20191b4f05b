"""`acorn export vouchers` on a hand-made books warehouse: every layout read back, the refusals, layouts as files."""
from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from acorn.cli import main
from tests.helpers.books_warehouse import ENTRIES, build_books_warehouse
from tests.helpers.vouchers import check_vouchers, leaf_accounts, read_back

FORMATS = ("kingdee-kis", "kingdee-k3", "yonyou-u8", "csv")
SUFFIX = {"kingdee-kis": "xlsx", "kingdee-k3": "xlsx", "yonyou-u8": "txt", "csv": "csv"}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return build_books_warehouse(tmp_path / "wh" / "acorn.duckdb")


def export(warehouse: Path, out: Path, *args: str) -> int:
    return main(["export", "vouchers", "--period", "2026-08", "--out", str(out), "--warehouse", str(warehouse), *args])


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_layout_reads_back_balanced_on_leaf_accounts_numbered_in_sequence(warehouse, tmp_path, capsys, fmt):
    out = tmp_path / f"vouchers.{SUFFIX[fmt]}"
    assert export(warehouse, out, "--format", fmt) == 0
    assert "Wrote 3 vouchers (9 lines) of 2026-08" in capsys.readouterr().out
    rows = read_back(out, fmt)
    totals = check_vouchers(rows, fmt, leaf_accounts(warehouse))
    # The settlement's voucher: debits 5633.71 + 1070.97 + 214.21 = credit 6918.89, to the cent.
    assert totals[1] == (Decimal("6918.89"), Decimal("6918.89")) and len(rows) == 9


def test_gbk_text_for_older_yonyou_installations(warehouse, tmp_path):
    out = tmp_path / "u8.txt"
    assert export(warehouse, out, "--format", "yonyou-u8", "--encoding", "gbk") == 0
    data = out.read_bytes()
    assert "亚马逊结算".encode("gbk") in data and not data.startswith(b"\xef\xbb\xbf")
    rows = read_back(out, "yonyou-u8", encoding="gbk")
    check_vouchers(rows, "yonyou-u8", leaf_accounts(warehouse))
    assert rows[0]["制单日期"] == "2026-08-14" and rows[0]["凭证类别字"] == "记" and rows[0]["借方"] == "5633.71"


def test_kis_cells_are_numbers_dates_and_chinese_memos(warehouse, tmp_path):
    out = tmp_path / "kis.xlsx"
    export(warehouse, out, "--format", "kingdee-kis")
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:9] == ["日期", "凭证字", "凭证号", "附单据数", "摘要", "科目代码", "科目名称", "借方金额", "贷方金额"]
    first = {h: c for h, c in zip(header, sheet[2])}
    assert first["日期"].is_date and first["日期"].value.date() == date(2026, 8, 14)
    assert first["借方金额"].data_type == "n" and first["借方金额"].number_format == "0.00"
    assert first["科目代码"].value == "1122.01" and first["科目名称"].value == "应收账款—亚马逊店铺"
    # The deposit's memo starts with '=': a spreadsheet must not run it as a formula.
    memos = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=收到亚马逊回款 1001" in memos and not any(m.startswith("=") for m in memos)


def test_k3_carries_the_store_as_auxiliary_dimension_and_entry_ids_from_zero(warehouse, tmp_path):
    out = tmp_path / "k3.xlsx"
    export(warehouse, out, "--format", "kingdee-k3")
    rows = read_back(out, "kingdee-k3")
    first_voucher = [r for r in rows if r["FNUM"] == 1]
    assert [r["FENTRYID"] for r in first_voucher] == [0, 1, 2, 3]
    assert {(r["FCLSNAME1"], r["FOBJID1"]) for r in rows} == {("店铺", "acme-us")}
    assert [r["FDC"] for r in first_voucher] == [1, 1, 1, 0] and rows[0]["FPERIOD"] == 8


def test_re_exporting_gives_byte_identical_xlsx(warehouse, tmp_path):
    export(warehouse, tmp_path / "a.xlsx", "--format", "kingdee-kis")
    time.sleep(2.1)  # zip member times have two-second resolution
    export(warehouse, tmp_path / "b.xlsx", "--format", "kingdee-kis")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_an_unbalanced_period_is_refused_in_one_line_and_nothing_written(tmp_path, capsys):
    broken = [*ENTRIES, ("settlement:9:2026-08", "2026-08", date(2026, 8, 20), "acme-us", "settlement", "9", "坏", None,
                         [("1122.01", "10.00", "0", "USD", "1.40", "7.1"), ("6001", "0", "9.99", "USD", "-1.40", "7.1")])]
    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb", broken)
    out = tmp_path / "v.xlsx"
    assert export(warehouse, out) == 1
    printed = capsys.readouterr().out.strip()
    assert printed == ("acorn: error: period 2026-08 has 1 unbalanced entry (first: voucher 4, entry "
                       "settlement:9:2026-08, debits 10.00 ≠ credits 9.99); nothing was written")
    assert not out.exists()


def test_suspense_is_refused_unless_allowed_and_then_listed(tmp_path, capsys):
    unmapped = [*ENTRIES, ("settlement:7:2026-08", "2026-08", date(2026, 8, 21), "acme-us", "settlement", "7",
                           "亚马逊结算 7", None, [("1122.01", "5.00", "0", "USD", "0.70", "7.1"),
                                                  ("2241.99", "0", "5.00", "USD", "-0.70", "7.1")])]
    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb", unmapped)
    out = tmp_path / "v.csv"
    assert export(warehouse, out, "--format", "csv") == 1
    assert capsys.readouterr().out.startswith("acorn: error: period 2026-08 has 1 suspense posting(s) (account 2241.99)")
    assert export(warehouse, out, "--format", "csv", "--allow-suspense") == 0
    printed = capsys.readouterr().out
    assert "1 suspense posting(s), exported as allowed:" in printed and "voucher 4 2241.99 -5.00" in printed
    assert any(row["account_code"] == "2241.99" for row in read_back(out, "csv"))


def test_a_users_own_layout_file_needs_no_code(warehouse, tmp_path):
    layout = tmp_path / "mine.yaml"
    layout.write_text(
        "name: mine\nfile_type: csv\ndelimiter: ';'\ncolumns:\n"
        "  - {header: 号, template: '{period}-{voucher_no:03d}'}\n"
        "  - {header: 科目, field: account_code}\n"
        "  - {header: 方向, field: side}\n"
        "  - {header: 金额, field: amount, type: money}\n"
        "  - {header: 日期, field: entry_date, type: date, format: '%Y/%m/%d'}\n", encoding="utf-8")
    out = tmp_path / "mine.csv"
    assert export(warehouse, out, "--layout", str(layout)) == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "号;科目;方向;金额;日期"
    assert lines[1] == "2026-08-001;1122.01;借;5633.71;2026/08/14"
    assert lines[4] == "2026-08-001;6001;贷;6918.89;2026/08/14"


@pytest.mark.parametrize(("text", "problem"), [
    ("file_type: pdf\ncolumns: [{header: a, field: memo}]\n", "file_type must be one of xlsx, csv, txt, not 'pdf'"),
    ("file_type: csv\ncolumns: [{header: a, field: nonsense}]\n", "column 1 (a): unknown field 'nonsense'"),
    ("file_type: csv\ncolumns: [{header: a, field: memo, value: x}]\n", "needs exactly one of field, value, template"),
    ("file_type: csv\ncolumns: [{header: a, template: '{nope}'}]\n", "template names unknown field(s) nope"),
])
def test_a_broken_layout_file_is_one_line(warehouse, tmp_path, capsys, text, problem):
    layout = tmp_path / "bad.yaml"
    layout.write_text(text)
    assert export(warehouse, tmp_path / "x.csv", "--layout", str(layout)) == 1
    printed = capsys.readouterr().out
    assert printed.startswith("acorn: error: ") and problem in printed and printed.count("\n") == 1


def test_bad_period_missing_journal_and_encoding_on_xlsx_are_one_line(warehouse, tmp_path, capsys):
    assert main(["export", "vouchers", "--period", "2026-13", "--out", str(tmp_path / "x"),
                 "--warehouse", str(warehouse)]) == 1
    assert "--period must be YYYY-MM" in capsys.readouterr().out
    assert export(warehouse, tmp_path / "x.xlsx", "--encoding", "gbk") == 1
    assert "--encoding applies to csv and txt layouts" in capsys.readouterr().out
    assert main(["export", "vouchers", "--period", "2026-07", "--out", str(tmp_path / "x"),
                 "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().out.strip() == "acorn: error: period 2026-07 has no journal lines"


def test_an_entry_split_over_two_voucher_numbers_is_refused(tmp_path, capsys):
    import duckdb

    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        # The entry still balances, but its vouchers would not: 1 gets three debits, 9 the credit.
        con.execute("update marts.fct_journal_lines set voucher_no = 9 where journal_line_id = 'settlement:1001:2026-08:4'")
    out = tmp_path / "v.xlsx"
    assert export(warehouse, out) == 1
    assert capsys.readouterr().out.strip() == (
        "acorn: error: period 2026-08 has 1 entry spread over several vouchers or dates (first: entry "
        "settlement:1001:2026-08, vouchers 1, 9); nothing was written")
    assert not out.exists()


def test_the_cli_offers_exactly_the_built_in_layout_files():
    from acorn.cli import VOUCHER_FORMATS
    from outbound.vouchers.layouts import builtin_formats

    assert sorted(VOUCHER_FORMATS) == sorted(builtin_formats())
