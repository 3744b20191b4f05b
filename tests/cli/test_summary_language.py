"""The run summary in English and 简体中文: Settings.language picks the catalogue (acorn/i18n), both hold the same keys."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from acorn.catalogue import catalogue
from acorn.summary import print_books_summary, print_summary
from config.settings import Settings
from tests.helpers.books_warehouse import build_books_warehouse
from tests.helpers.dashboard_warehouse import build_warehouse
from tests.helpers.paths import REPO

RESULT = SimpleNamespace(load_report=None, warnings=["stores.csv names no store for A1PA6795UKMFR9"], success=True,
                         failures=[])  # fmt: skip


def summary(settings: Settings, result=RESULT) -> list[str]:
    lines: list[str] = []
    print_summary(settings, result, lines.append)
    return lines


def test_both_catalogues_hold_the_same_keys_and_every_key_the_code_names():
    english, chinese = catalogue("en"), catalogue("zh")
    assert set(english) == set(chinese)
    used = set()
    for source in (REPO / "acorn").glob("*.py"):
        used |= set(re.findall(r"\bwords\([\"']([a-z_.]+)[\"']", source.read_text()))
    assert used and used - set(english) == set()


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["Warnings", "Settlements (5)", "  tied 2, pending_deposit 1, mismatch 1, deposit_short 1",
            "  mismatch         acme-us settlement 1001: lines differ from the header total by 0.01 USD",
            "Next:"]),
    ("zh", ["警告", "结算单（5）", "  已核对 2, 待到账 1, 不一致 1, 到账不足 1",
            "  不一致              acme-us 结算单 1001：明细合计与表头总额相差 0.01 USD",
            "下一步："]),
])  # fmt: skip
def test_the_summary_follows_the_language_setting(tmp_path, language, expected):
    settings = Settings(warehouse=build_warehouse(tmp_path / "acorn.duckdb"), archive_dir=tmp_path / "a",
                        language=language)  # fmt: skip
    lines = summary(settings)
    for line in expected:
        assert line in lines, (line, lines)
    deposit_short = next(line for line in lines if "2001" in line)
    assert ("-12.34 EUR" in deposit_short) and (("银行到账相差" in deposit_short) == (language == "zh"))


def test_the_books_lines_in_chinese(tmp_path):
    warehouse = build_books_warehouse(tmp_path / "acorn.duckdb")
    lines: list[str] = []
    print_books_summary(Settings(warehouse=warehouse, archive_dir=tmp_path / "a", language="zh"), lines.append)
    assert lines[1:3] == ["账簿（4 笔分录，11 行分录行，CNY）", "  每笔分录均借贷平衡（借方 = 贷方）"]
    assert "  毛利率 acme-us     81.5%（净收入 6,918.89，销售成本 1,283.40 CNY）" in lines


def test_the_default_language_is_the_settings_default(tmp_path):
    settings = Settings(warehouse=build_warehouse(tmp_path / "acorn.duckdb"), archive_dir=tmp_path / "a")
    assert settings.language == "en" and "Settlements (5)" in summary(settings)
