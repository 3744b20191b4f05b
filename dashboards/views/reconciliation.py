"""Settlement reconciliation: does each settlement tie to its lines and to the bank deposit? And, a click down,
the individual ledger lines of a settlement and the archived file and line each came from."""
from __future__ import annotations

import streamlit as st

from dashboards import evidence, queries, ui
from dashboards.i18n import t
from dashboards.tables import Spec

MONEY_COLUMNS = ("header_total", "lines_total", "difference", "reserve_previous", "reserve_current",
                 "bank_amount", "bank_difference")  # fmt: skip
STATUS_NAMES = {"status": "status"}


def _flag(status: str) -> str:
    if status in flagged_statuses:
        return "color: #b3261e; font-weight: 600"
    return "color: #8a6d00" if status == "pending_deposit" else ""


viewer = ui.viewer()
scope = viewer.scope
st.title(t("recon.title"))
st.caption(t("recon.caption"))

warehouse = ui.warehouse()
flagged_statuses = ui.load(queries.flagged_statuses, warehouse)
options = ui.load(queries.reconciliation_options, warehouse, scope)
if not options.stores:
    st.info(t("recon.empty"))
    st.stop()

st.sidebar.header(t("filters"))
stores = tuple(st.sidebar.multiselect(t("filter.store"), options.stores, placeholder=t("filter.all_stores"),
                                      key="recon_stores"))  # fmt: skip
period_from, period_to = ui.date_range(
    t("recon.period_between"), options.first_period_end, options.last_period_end, key="recon_period"
)
statuses = tuple(
    st.sidebar.multiselect(t("filter.status"), options.statuses, placeholder=t("filter.all_statuses"),
                           format_func=lambda s: t(f"status.{s}"), key="recon_statuses")  # fmt: skip
)
ui.refresh_button()

filters = (warehouse, scope, stores, statuses, period_from, period_to)
counts = ui.load(queries.reconciliation_counts, *filters)
differences = ui.load(queries.reconciliation_differences, *filters)
table = ui.load(queries.reconciliation, *filters)

settlements, tied, flagged, pending = st.columns(4)
settlements.metric(t("recon.kpi.settlements"), counts["settlements"])
tied.metric(t("recon.kpi.tied"), counts["tied"])
flagged.metric(t("recon.kpi.flagged"), counts["flagged"], help=t("recon.kpi.flagged_help"))
pending.metric(t("recon.kpi.pending"), counts["pending"])

if not differences.empty:
    for column, row in zip(st.columns(len(differences)), differences.itertuples(index=False)):
        column.metric(t("recon.kpi.total_difference", currency=row.currency), ui.money(row.difference, row.currency),
                      help=t("recon.kpi.total_difference_help"))  # fmt: skip
        column.metric(t("recon.kpi.bank_difference", currency=row.currency),
                      ui.money(row.bank_difference, row.currency), help=t("recon.kpi.bank_difference_help"))  # fmt: skip

st.subheader(t("recon.settlements"))
if table.empty:
    st.info(t("recon.no_match"))
    st.stop()

picked = ui.table(
    table, "settlements", Spec(money=MONEY_COLUMNS, currency_column="currency", names=STATUS_NAMES),
    selectable=True, style=lambda styler: styler.apply(lambda _: [_flag(s) for s in table.status], subset=["status"]),
)  # fmt: skip
st.caption(t("recon.click_hint"))
if picked:
    st.session_state["recon_settlement"] = table.iloc[picked[0]].settlement_id

st.subheader(t("recon.lines"))
labels = {row.settlement_id: f"{row.settlement_id} · {row.store_id} · {t(f'status.{row.status}')}"
          for row in table.itertuples()}  # fmt: skip
if st.session_state.get("recon_settlement") not in labels:
    st.session_state.pop("recon_settlement", None)
settlement_id = st.selectbox(t("recon.settlement"), list(labels), format_func=labels.get, key="recon_settlement")
if settlement_id is not None:
    header = table[table.settlement_id == settlement_id].iloc[0]
    header_col, lines_col, difference_col, bank_col = st.columns(4)
    header_col.metric(t("recon.header_total"), ui.money(header.header_total, header.currency))
    lines_col.metric(t("recon.lines_total"), ui.money(header.lines_total, header.currency))
    difference_col.metric(t("recon.difference"), ui.money(header.difference, header.currency))
    bank_col.metric(t("recon.bank_difference"), ui.money(header.bank_difference, header.currency))
    lines = ui.load(queries.settlement_lines, warehouse, scope, settlement_id)
    ui.table(lines, "settlement_lines", Spec(money=("amount",), currency_column="currency"))

    st.markdown(f"**{t('recon.ledger_lines')}**")
    ledger = ui.load(queries.ledger_lines, warehouse, scope, settlement_id)
    fc = ledger.functional_currency.dropna().iloc[0] if ledger.functional_currency.notna().any() else None
    line_pick = ui.table(
        ledger, "ledger_lines",
        Spec(money=("amount",), currency_column="currency", hidden=("functional_currency",),
             functional=("amount_functional",), functional_currency=fc),
        selectable=True,
    )
    st.caption(t("recon.line_hint"))
    if line_pick:
        line = ledger.iloc[line_pick[0]]
        st.markdown(f"**{t('evidence.title')}**")
        sha, number = line.source_file_sha256, line.source_line
        files = ui.load(queries.archived_file, warehouse, scope, sha) if sha else None
        path = evidence.archived_path(viewer.settings.archive_dir, sha) if sha else None
        name = files.iloc[0].file_name if files is not None and not files.empty else "—"
        st.markdown(f"{t('evidence.file')}: `{name}`  \n{t('evidence.sha256')}: `{sha or '—'}`  \n"
                    f"{t('evidence.line')}: {number if number is not None else '—'}")  # fmt: skip
        if path is None:
            st.warning(t("evidence.not_archived", path=str(viewer.settings.archive_dir)))
        else:
            text = evidence.raw_line(path, int(number)) if number is not None else None
            st.code(text if text is not None else t("evidence.no_line"), language=None)
            viewer.log("page_view", f"evidence {sha}:{number}")
            if viewer.may("archive_download"):
                def archived_bytes(path=path, sha=sha) -> bytes:
                    # Built on click (outside the script run): log the download, then hand over the bytes.
                    viewer.log("archive_download", sha)
                    return evidence.archived_bytes(path, sha)

                st.download_button(t("evidence.download"), archived_bytes, file_name=name if name != "—" else sha,
                                   key="archive_download", icon=":material/download:", on_click="ignore")  # fmt: skip
