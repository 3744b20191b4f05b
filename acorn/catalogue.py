"""The command line's words in English and 简体中文 (acorn/i18n/en.yaml, zh.yaml), chosen by Settings.language.

The CLI keeps a catalogue of its own: the dashboards' one is read through Streamlit's session, and a run's
summary is printed where no Streamlit runs. Code names keys, never sentences; a key missing in Chinese falls
back to English (tests/cli check both hold the same keys).
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent / "i18n"


@cache
def catalogue(language: str, directory: Path = HERE) -> dict[str, str]:
    data = yaml.safe_load((directory / f"{language}.yaml").read_text(encoding="utf-8")) or {}
    return dict(_flatten(data))


def _flatten(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


class Words:
    """`words("files.title")` in one language; `words.name("status", value)` a data value's name, or the value.

    `directory` holds another pair of catalogues in the same form (the demo's, for its answer-key checks).
    """

    def __init__(self, language: str, directory: Path = HERE) -> None:
        self.directory = directory
        self.language = language if (directory / f"{language}.yaml").exists() else "en"

    def __call__(self, key: str, **values: Any) -> str:
        text = catalogue(self.language, self.directory).get(key) or catalogue("en", self.directory).get(key) or key
        return text.format(**values) if values else text

    def name(self, prefix: str, value: str) -> str:
        return catalogue(self.language, self.directory).get(f"{prefix}.{value}") or value
