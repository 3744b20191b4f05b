"""`acorn export cas`: four sheets, Chinese headers from the mapping, money as numeric cells with two decimals."""
from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl

from acorn.cli import main
from tests.helpers.books_warehouse import build_books_warehouse


def test_four_sheets_chinese_headers_numbers_not_text(tmp_path: Path, capsys):
    warehouse = build_books_warehouse(tmp_path / "wh" / "acorn.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        # A column the mapping does not know keeps its name; another period's rows stay out.
        con.execute("alter table marts.fct_fx_gain_loss add column brand_new_column varchar")
        con.execute("insert into marts.fct_trial_balance values ('2026-09', '9999', 'x', 'x', 0, 1, 1, 0)")
    out = tmp_path / "cas.xlsx"
    assert main(["export", "cas", "--period", "2026-08", "--out", str(out), "--warehouse", str(warehouse)]) == 0
    assert "收入确认表 1 rows" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["收入确认表", "成本分摊表", "科目余额表", "汇兑损益明细"]
    balances = book["科目余额表"]
    header = [c.value for c in balances[1]]
    assert header == ["会计期间", "科目代码", "科目名称", "科目名称(英文)", "期初余额", "本期借方", "本期贷方", "期末余额"]
    assert balances.max_row == 1 + 8 and all(row[0] == "2026-08" for row in balances.iter_rows(min_row=2, values_only=True))
    debit = {h: c for h, c in zip(header, balances[2])}["本期借方"]
    assert debit.data_type == "n" and debit.number_format == "0.00"
    fx = book["汇兑损益明细"]
    assert [c.value for c in fx[1]][-2:] == ["汇兑损益", "brand_new_column"]
    assert fx.cell(2, 8).value == 15.78 and fx.cell(2, 8).number_format == "0.00"
    allocation = book["成本分摊表"]
    assert [c.value for c in allocation[1]][:3] == ["内部SKU", "月份", "店铺"]
    margin = allocation.cell(2, 8)
    assert margin.value == 0.8145 and margin.number_format == "0.0000"


def test_without_the_books_marts_it_says_what_to_run(tmp_path: Path, capsys):
    warehouse = tmp_path / "acorn.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert main(["export", "cas", "--period", "2026-08", "--out", str(tmp_path / "c.xlsx"),
                 "--warehouse", str(warehouse)]) == 1
    assert capsys.readouterr().out.startswith(
        f"acorn: error: {warehouse} has no marts.fct_cas_revenue_recognition yet: run `acorn run`")
