"""UI pieces every page shares: where the warehouse is, friendly failures, money formatting."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import ParamSpec, TypeVar

import streamlit as st

from config.settings import Settings
from dashboards import queries

P = ParamSpec("P")
R = TypeVar("R")

# Currencies without a minor unit; the marts carry them as DECIMAL(18,2) with .00.
_ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "CLP", "ISK", "HUF", "TWD", "VND"}


def warehouse() -> str:
    # The published copy: a dashboard holding it never blocks a run, which writes the working file.
    settings = Settings.from_env()
    published = settings.published_warehouse
    return str(published if published and published.exists() else settings.warehouse)


def load(query: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a query; when the warehouse cannot answer, say why and what to do, then stop the page."""
    try:
        return query(*args, **kwargs)
    except queries.WarehouseBusy as exc:
        st.warning(exc.advice, icon=":material/hourglass_top:")
        st.button("Retry", on_click=queries.clear_cache)
    except queries.WarehouseUnavailable as exc:
        st.info(exc.advice, icon=":material/info:")
    st.stop()


def refresh_button() -> None:
    st.sidebar.button(
        "Refresh data",
        on_click=queries.clear_cache,
        help=f"Results are cached for {queries.CACHE_TTL_SECONDS} s; refresh after a pipeline run.",
    )


def date_range(label: str, first: date | None, last: date | None, key: str) -> tuple[date | None, date | None]:
    """A date range picker that always yields a full (from, to) pair, even mid-selection.

    Without dates to pick from there is nothing to filter on: (None, None) means every date.
    """
    if first is None or last is None:
        return None, None
    picked = st.sidebar.date_input(label, value=(first, last), min_value=first, max_value=last, key=key)
    if isinstance(picked, date):
        return picked, picked
    if len(picked) == 2:
        return picked[0], picked[1]
    # The user has clicked a start date but not yet an end date.
    return (picked[0], last) if picked else (first, last)


def money(amount: Decimal | None, currency: str | None) -> str:
    """Exact display of a Decimal amount: thousands separators, the currency's minor units."""
    if amount is None:
        return "—"
    places = 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2
    text = f"{amount:,.{places}f}"
    return f"{text} {currency}" if currency else text


def quarantined_files(warehouse: str, none_message: str) -> None:
    """The quarantined inputs with their reasons: the same table wherever a page reports them."""
    quarantined = load(queries.file_loads, warehouse, ("quarantined",))
    if quarantined.empty:
        st.success(none_message)
        return
    st.dataframe(
        quarantined[["received_at", "file_name", "kind", "message"]],
        hide_index=True,
        width="stretch",
        column_config={"message": st.column_config.TextColumn("reason", width="large")},
    )
