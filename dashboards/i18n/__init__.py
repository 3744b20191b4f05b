"""The dashboards' words in 简体中文 and English: one catalogue per language (en.yaml, zh.yaml), looked up by key.

Code names keys (`t("recon.title")`), never sentences. A key missing in Chinese falls back to English, then to
the key itself; tests/dashboards check both catalogues hold the same keys. Column headers live under `col.`,
status names under `status.`, P&L lines under `pnl_line.`: `column()`, `status()` and `term()` translate data
values and leave unknown ones as they are.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st
import yaml

from config.settings import LANGUAGES

HERE = Path(__file__).resolve().parent
SESSION_KEY = "acorn_language"


@cache
def catalogue(language: str) -> dict[str, str]:
    data = yaml.safe_load((HERE / f"{language}.yaml").read_text(encoding="utf-8")) or {}
    return dict(_flatten(data))


def _flatten(data: dict[str, Any], prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def language() -> str:
    chosen = st.session_state.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else "en"


def t(key: str, lang: str | None = None, **values: Any) -> str:
    lang = lang or language()
    text = catalogue(lang).get(key) or catalogue("en").get(key) or key
    return text.format(**values) if values else text


def lookup(prefix: str, value: Any, lang: str | None = None) -> str:
    """A data value's name under `prefix.` (a status, a P&L line), or the value itself when it has none."""
    if value is None:
        return ""
    key = f"{prefix}.{value}"
    lang = lang or language()
    return catalogue(lang).get(key) or catalogue("en").get(key) or str(value)


def column(name: str, lang: str | None = None) -> str:
    return lookup("col", name, lang)


def status(value: Any, lang: str | None = None) -> str:
    return lookup("status", value, lang)
