"""UI pieces every page shares: the viewer, where the warehouse is, friendly failures, money formatting."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from dashboards import queries, session, tables
from dashboards.i18n import t
from dashboards.session import Viewer
from dashboards.tables import Spec

P = ParamSpec("P")
R = TypeVar("R")


def viewer() -> Viewer:
    return session.viewer()


def warehouse() -> str:
    # The published copy: a dashboard holding it never blocks a run, which writes the working file.
    settings = session.settings()
    published = settings.published_warehouse
    return str(published if published and published.exists() else settings.warehouse)


def load(query: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a query; when the warehouse cannot answer, say why and what to do, then stop the page."""
    try:
        return query(*args, **kwargs)
    except queries.WarehouseBusy:
        st.warning(t("warehouse.busy"), icon=":material/hourglass_top:")
        st.button(t("warehouse.retry"), on_click=queries.clear_cache)
    except queries.WarehouseMissing as exc:
        st.info(t("warehouse.missing", path=str(exc.path)), icon=":material/info:")
    except queries.MartsMissing as exc:
        st.info(t("warehouse.marts_missing", detail=exc.detail), icon=":material/info:")
    except queries.WarehouseUnavailable as exc:
        st.info(exc.advice, icon=":material/info:")
    st.stop()


def refresh_button() -> None:
    st.sidebar.button(
        t("refresh"), on_click=queries.clear_cache, help=t("refresh.help", seconds=queries.CACHE_TTL_SECONDS)
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
    """Exact display of a Decimal amount: thousands separators, the currency's minor units, its code."""
    return tables.money_text(amount, currency, with_code=True)


def table(df: pd.DataFrame, key: str, spec: Spec | None = None, **kwargs) -> list[int]:
    """A table with human headers, formatted money and CSV/XLSX downloads (each logged as an export)."""
    current = viewer()
    return tables.show(df, key, spec, on_log=lambda what: current.log("export", what), **kwargs)


def unscoped_only(current: Viewer) -> bool:
    """Files and checks that belong to no store are shown only to viewers of every store."""
    if current.scoped:
        st.caption(t("scope.files_hidden"))
        return False
    return True


def quarantined_files(warehouse: str, none_message: str, key: str) -> None:
    """The quarantined inputs with their reasons: the same table wherever a page reports them."""
    if not unscoped_only(viewer()):
        return
    quarantined = load(queries.file_loads, warehouse, ("quarantined",))
    if quarantined.empty:
        st.success(none_message)
        return
    table(quarantined[["received_at", "file_name", "kind", "message"]], key,
          column_config={"message": st.column_config.TextColumn(t("col.reason"), width="large")})  # fmt: skip
