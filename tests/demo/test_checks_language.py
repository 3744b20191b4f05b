"""The demo's answer-key checks print in the run summary's language (Settings.language)."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from acorn.catalogue import catalogue
from config.settings import Settings
from demo.checks import I18N, check_answer_key
from demo.generator import ANSWER_KEY_NAME
from tests.helpers.dashboard_warehouse import build_warehouse


def test_both_catalogues_hold_the_same_keys():
    assert set(catalogue("en", I18N)) == set(catalogue("zh", I18N)) and catalogue("en", I18N)


@pytest.mark.parametrize(("language", "start"), [
    ("en", "Demo check FAILED: missed [], unexpected [('deposit_short', '2001'), ('mismatch', '1001')]"),
    ("zh", "演示检查失败：遗漏 []，多出 [('deposit_short', '2001'), ('mismatch', '1001')]"),
])  # fmt: skip
def test_the_answer_key_check_speaks_the_settings_language(tmp_path, language, start):
    # The small warehouse flags a mismatch and a short deposit; an empty answer key expects neither.
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / ANSWER_KEY_NAME).write_text(json.dumps({"anomalies": []}), encoding="utf-8")
    settings = Settings(warehouse=build_warehouse(tmp_path / "acorn.duckdb"), archive_dir=tmp_path / "a",
                        language=language)  # fmt: skip
    lines: list[str] = []
    check_answer_key(settings, SimpleNamespace(files=[]), lines.append)
    assert lines[1].startswith(start), lines
