"""Voucher layouts: YAML files mapping journal fields to the columns an accounting package imports.

Kingdee and Yonyou change their import templates between versions, so a layout is data, not code: a user copies
a built-in file from `outbound/vouchers/layouts/`, edits headers, order or fields, and passes it with `--layout`.

A layout file holds `name`, `file_type` (xlsx, csv or txt), optional `encoding`, `delimiter`, `header` (write the
header row), `sheet`, and `columns`: each column has a `header` and exactly one of `field` (a journal or derived
field, see `outbound.vouchers.render.FIELDS`), `value` (a constant) or `template` (a Python format string over the
fields, e.g. "{period}-{voucher_no}"); `type` is text (default), integer, money, number or date; `format` is a
strftime pattern for dates; `max_length` cuts text (摘要 limits: U8 60, K/3 80).
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BUILTIN_DIR = Path(__file__).parent / "layouts"
FILE_TYPES = ("xlsx", "csv", "txt")
COLUMN_TYPES = ("text", "integer", "money", "number", "date")
ENCODINGS = ("utf-8-sig", "utf-8", "gbk", "gb18030")


class LayoutError(ValueError):
    """A layout file that cannot be used; the message names the file and the problem on one line."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str | None = None
    value: Any = None
    template: str | None = None
    type: str = "text"
    format: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Layout:
    name: str
    file_type: str
    columns: tuple[Column, ...]
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    header: bool = True
    sheet: str = "凭证"
    source: Path | None = None


def builtin_formats() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in BUILTIN_DIR.glob("*.yaml")))


def builtin(name: str) -> Layout:
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        raise LayoutError(f"no built-in voucher layout {name!r}; built in: {', '.join(builtin_formats())}")
    return load_layout(path)


def load_layout(path: Path) -> Layout:
    from outbound.vouchers.render import FIELDS

    where = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise LayoutError(f"{where}: cannot read the layout ({' '.join(str(problem).split())})") from None
    if not isinstance(document, dict) or not isinstance(document.get("columns"), list) or not document["columns"]:
        raise LayoutError(f"{where}: a layout needs a non-empty `columns` list")
    file_type = str(document.get("file_type", "")).lower()
    if file_type not in FILE_TYPES:
        raise LayoutError(f"{where}: file_type must be one of {', '.join(FILE_TYPES)}, not {file_type!r}")
    encoding = str(document.get("encoding", "utf-8-sig")).lower()
    if encoding not in ENCODINGS:
        raise LayoutError(f"{where}: encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    columns = []
    for number, spec in enumerate(document["columns"], start=1):
        if not isinstance(spec, dict) or "header" not in spec:
            raise LayoutError(f"{where}: column {number} needs a `header`")
        sources = [key for key in ("field", "value", "template") if key in spec]
        if len(sources) != 1:
            raise LayoutError(f"{where}: column {number} ({spec['header']}) needs exactly one of field, value, template")
        kind = str(spec.get("type", "text"))
        if kind not in COLUMN_TYPES:
            raise LayoutError(f"{where}: column {number} ({spec['header']}): type must be one of "
                              f"{', '.join(COLUMN_TYPES)}, not {kind!r}")
        if "field" in spec and spec["field"] not in FIELDS:
            raise LayoutError(f"{where}: column {number} ({spec['header']}): unknown field {spec['field']!r}; "
                              f"fields: {', '.join(FIELDS)}")
        if "template" in spec:
            try:
                named = {name for _, name, _, _ in string.Formatter().parse(str(spec["template"])) if name is not None}
            except ValueError as problem:
                raise LayoutError(f"{where}: column {number} ({spec['header']}): bad template ({problem})") from None
            if named - set(FIELDS):
                raise LayoutError(f"{where}: column {number} ({spec['header']}): template names unknown field(s) "
                                  f"{', '.join(sorted(named - set(FIELDS)))}")
        columns.append(Column(str(spec["header"]), spec.get("field"), spec.get("value"), spec.get("template"), kind,
                              spec.get("format"), spec.get("max_length")))
    return Layout(
        name=str(document.get("name", Path(path).stem)),
        file_type=file_type,
        columns=tuple(columns),
        encoding=encoding,
        delimiter=str(document.get("delimiter", ",")),
        header=bool(document.get("header", True)),
        sheet=str(document.get("sheet", "凭证")),
        source=Path(path),
    )
