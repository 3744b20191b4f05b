"""ACORN dashboards: the Streamlit entry point (`acorn dashboards`).

Nobody sees a page before logging in. The page scripts live in `views/`, not `pages/`: with a `pages/` folder
beside it Streamlit starts in its old multipage mode, and a fresh server's first visit to a page URL (a bookmark)
ran no login form and showed an empty page. The pages and who may open them are declared in dashboards/roles.yaml:
a user's navigation lists the pages of their roles; any other page's URL answers with a refusal (and is
logged). Adding a page is one entry in roles.yaml (and its title in dashboards/i18n/*.yaml).
"""
from __future__ import annotations

import streamlit as st

from dashboards import session
from dashboards.i18n import t
from dashboards.roles import PageSpec, matrix

st.set_page_config(page_title="ACORN", page_icon=":material/account_balance:", layout="wide")

settings = session.settings()
viewer = session.logged_in(settings)
if viewer is None:
    # Every page's URL answers with the login form, so the page asked for opens once logged in (or is refused).
    def _login_at(name: str):
        def log_in() -> None:
            session.login_form(settings)

        log_in.__name__ = f"log_in_{name}"
        return log_in

    # The default page answers at "/" whatever its url_path, so it is one of its own.
    gate = [st.Page(_login_at("home"), title="ACORN", default=True)]
    gate += [st.Page(_login_at(spec.key), title="ACORN", url_path=spec.url_path)
             for spec in matrix().pages if spec.exists]  # fmt: skip
    st.navigation(gate, position="hidden").run()
    st.stop()


def _refusal(spec: PageSpec):
    def refused() -> None:
        viewer.log("page_refused", spec.key)
        st.error(t("access.refused", page=t(f"page.{spec.key}")), icon=":material/block:")

    refused.__name__ = f"refused_{spec.key}"
    return refused


allowed: list[st.Page] = []
pages: list[st.Page] = []
specs: list[PageSpec] = []
for spec in matrix().pages:
    if not spec.exists:
        continue
    title = t(f"page.{spec.key}")
    if spec.roles & viewer.user.roles:
        page = st.Page(spec.file, title=title, icon=spec.icon, url_path=spec.url_path, default=not allowed)
        allowed.append(page)
    else:
        page = st.Page(_refusal(spec), title=title, icon=":material/block:", url_path=spec.url_path)
    pages.append(page)
    specs.append(spec)

if not allowed:
    st.warning(t("access.no_pages"))
    st.stop()

current = st.navigation(pages, position="hidden")
for page in allowed:
    st.sidebar.page_link(page)
st.sidebar.divider()
session.language_switch(st.sidebar)
st.sidebar.caption(t("session.who", name=viewer.user.name, roles=", ".join(t(f"role.{r}") for r in sorted(viewer.user.roles))))
if viewer.scoped:
    st.sidebar.caption(t("session.scope", stores=", ".join(viewer.user.stores or ["—"]),
                         accounts=", ".join(viewer.user.vendor_accounts or ["—"])))  # fmt: skip
st.sidebar.button(t("session.logout"), on_click=session.logout, args=(viewer,), key="acorn_logout")

# The default page's URL path is empty: find the page itself.
spec = next((s for p, s in zip(pages, specs) if p == current), None)
# One page view per page and session: widget reruns of the same page are not new views.
if (spec is not None and spec.financial and spec.roles & viewer.user.roles
        and st.session_state.get("acorn_viewing") != spec.key):
    st.session_state["acorn_viewing"] = spec.key
    viewer.log("page_view", spec.key)
current.run()
