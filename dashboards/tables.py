"""Tables as people read them: human headers with the currency, money in each currency's minor units with
thousands separators, translated status names, no `None` cells; each downloadable as CSV and XLSX, filtered
as shown, with the same headers and money as numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from openpyxl import Workbook

from dashboards import i18n
from dashboards.i18n import t

# Currencies without a minor unit (ISO 4217 exponent 0 among Amazon's marketplaces and common ones).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "ISK", "HUF", "TWD", "VND"})
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EMPTY = ""


def minor_units(currency: str | None) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def money_text(amount: Any, currency: str | None, with_code: bool = False) -> str:
    if amount is None or (isinstance(amount, float) and pd.isna(amount)):
        return "—"
    text = f"{Decimal(amount):,.{minor_units(currency)}f}"
    return f"{text} {currency}" if with_code and currency else text


@dataclass(frozen=True)
class Spec:
    """How to show one table: which columns are money and in which currency (a code, or the column holding
    each row's code), which hold values with translated names (column -> catalogue prefix)."""

    money: Sequence[str] = ()
    currency: str | None = None
    currency_column: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    hidden: Sequence[str] = ()
    # Amounts converted to the functional currency, shown beside the original ones.
    functional: Sequence[str] = ()
    functional_currency: str | None = None
    # Ratios shown as percentages (exported as the ratio itself).
    percent: Sequence[str] = ()

    def row_currency(self, df: pd.DataFrame) -> pd.Series:
        if self.currency_column and self.currency_column in df:
            return df[self.currency_column]
        return pd.Series([self.currency] * len(df), index=df.index, dtype=object)

    def header(self, df: pd.DataFrame, name: str, lang: str | None = None) -> str:
        label = i18n.column(name, lang)
        if name in self.functional and self.functional_currency:
            return f"{label} ({self.functional_currency})"
        if name not in self.money:
            return label
        codes = {c for c in self.row_currency(df) if c}
        if self.currency:
            codes = {self.currency}
        code = next(iter(codes)) if len(codes) == 1 else t("col.row_currency", lang)
        return f"{label} ({code})"


def _cells(df: pd.DataFrame, spec: Spec, lang: str | None = None) -> pd.DataFrame:
    """Data values translated, None as empty; money and numbers kept as they are."""
    out = df.drop(columns=[c for c in spec.hidden if c in df]).copy()
    for name, prefix in spec.names.items():
        if name in out:
            out[name] = out[name].map(lambda v, p=prefix: i18n.lookup(p, v, lang))
    return out


def export_frame(df: pd.DataFrame, spec: Spec, lang: str | None = None) -> pd.DataFrame:
    out = _cells(df, spec, lang)
    out.columns = [spec.header(df, c, lang) for c in out.columns]
    return out


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return EMPTY
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_neutralise(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([_neutralise(_plain(v)) for v in row])
    # Excel opens UTF-8 CSV with Chinese headers correctly only with the byte-order mark.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, money_columns: Sequence[int] = (), places: Sequence[int] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([_neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            v = _plain(v)
            # Decimals go in as numbers (openpyxl writes them exactly as their text), text neutralised.
            cells.append(_neutralise(v) if isinstance(v, str) else v)
        sheet.append(cells)
    for index, digits in zip(money_columns, places):
        fmt = "#,##0" if digits == 0 else "#,##0.00"
        for cell in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell[0].number_format = fmt
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def display_frame(df: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """What the grid shows: names translated, money as text in each row's currency minor units (the grid
    would otherwise show DECIMAL as a bare number: 1000 for 1000.00, 704006.00 for yen), no empty `None`s."""
    shown = _cells(df, spec)
    currencies = spec.row_currency(shown)
    for name in shown.columns:
        if name in spec.money:
            shown[name] = [money_text(v, c) for v, c in zip(shown[name], currencies)]
        elif name in spec.functional:
            shown[name] = [money_text(v, spec.functional_currency) for v in shown[name]]
        elif name in spec.percent:
            shown[name] = shown[name].map(_percent)
        else:
            shown[name] = shown[name].map(_display)
    return shown


def _styled(df: pd.DataFrame, spec: Spec, extra_style: Callable[[Any], Any] | None = None):
    styler = display_frame(df, spec).style
    return extra_style(styler) if extra_style else styler


def _percent(value: Any) -> str:
    if _plain(value) == EMPTY:
        return EMPTY
    return f"{Decimal(value) * 100:,.1f}%"


def _display(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def show(
    df: pd.DataFrame,
    key: str,
    spec: Spec | None = None,
    *,
    on_log: Callable[[str], None] | None = None,
    selectable: bool = False,
    style: Callable[[Any], Any] | None = None,
    column_config: dict[str, Any] | None = None,
) -> list[int]:
    """Render `df` with human headers and formatted money, plus CSV and XLSX downloads of what is shown.

    Returns the selected row positions when `selectable` (rows are clickable where a next level exists).
    """
    spec = spec or Spec()
    config: dict[str, Any] = {
        c: st.column_config.Column(spec.header(df, c),
                                   alignment="right" if c in spec.money or c in spec.functional else None)
        for c in df.columns if c not in spec.hidden
    }  # fmt: skip
    config.update({c: None for c in spec.hidden if c in df})
    config.update(column_config or {})
    kwargs: dict[str, Any] = {}
    if selectable:
        kwargs = {"on_select": "rerun", "selection_mode": "single-row"}
    event = st.dataframe(_styled(df, spec, style), hide_index=True, width="stretch", key=key,
                         column_config=config, **kwargs)  # fmt: skip
    downloads(df, key, spec, on_log)
    if selectable and event is not None:
        return list(event.selection.rows)
    return []


def downloads(df: pd.DataFrame, key: str, spec: Spec, on_log: Callable[[str], None] | None) -> None:
    frame = export_frame(df, spec)
    shown = [c for c in df.columns if c not in spec.hidden]
    money_positions = [i for i, c in enumerate(shown) if c in spec.money or c in spec.functional]
    currencies = {c for c in spec.row_currency(df) if c} or {spec.currency}
    digits = min(minor_units(c) for c in currencies) if currencies else 2
    left, right, _ = st.columns([1, 1, 6])

    # Deferred: the file is built (and the export logged) only when someone clicks, and the click does not
    # rerun the page. It runs outside the script, so everything it needs is taken now.
    def export(what: str, build: Callable[[], bytes]) -> Callable[[], bytes]:
        def data() -> bytes:
            if on_log:
                on_log(what)
            return build()

        return data

    left.download_button(
        t("export.csv"), export(f"{key}.csv", lambda: to_csv(frame)), file_name=f"{key}.csv", mime="text/csv",
        key=f"{key}_csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        t("export.xlsx"), export(f"{key}.xlsx", lambda: to_xlsx(frame, money_positions, [digits] * len(money_positions))),
        file_name=f"{key}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
