"""Users and settings, for admins: who may log in with which roles and stores. Changes go through
`acorn users add|passwd|disable`, which hash passwords; this page only shows the file."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import ui
from dashboards.accounts import load_users
from dashboards.i18n import t
from dashboards.roles import matrix

viewer = ui.viewer()
settings = viewer.settings
st.title(t("users.title"))
st.caption(t("users.caption", path=str(settings.users_file)))
users = load_users(settings.users_file)
frame = pd.DataFrame(
    [{"username": u.username, "name": u.name, "roles": ", ".join(t(f"role.{r}") for r in sorted(u.roles)),
      "stores": ", ".join(u.stores) if u.stores else t("users.all"),
      "vendor_accounts": ", ".join(u.vendor_accounts) if u.vendor_accounts else (t("users.all") if not u.stores else "—"),
      "language": u.language or settings.language, "disabled": u.disabled} for u in users.values()]
).astype(object)  # fmt: skip
ui.table(frame, "users")

st.subheader(t("users.matrix"))
grid = pd.DataFrame(
    [{"page": t(f"page.{p.key}"), **{t(f"role.{r}"): "✓" if r in p.roles else "" for r in matrix().roles}}
     for p in matrix().pages]
).astype(object)  # fmt: skip
st.dataframe(grid, hide_index=True, width="stretch")

st.subheader(t("users.settings"))
shown = {"warehouse": settings.warehouse, "archive_dir": settings.archive_dir, "users_file": settings.users_file,
         "access_log": settings.access_log, "functional_currency": settings.functional_currency,
         "language": settings.language, "session_minutes": settings.session_minutes,
         "login_max_failures": settings.login_max_failures, "login_lockout_minutes": settings.login_lockout_minutes,
         "sql_row_limit": settings.sql_row_limit, "sql_timeout_seconds": settings.sql_timeout_seconds}  # fmt: skip
st.dataframe(pd.DataFrame({"setting": list(shown), "value": [str(v) for v in shown.values()]}), hide_index=True)
