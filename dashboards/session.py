"""Who is looking: the login gate, session expiry, the user's roles, store scope and language.

Passwords are checked against the users file's bcrypt hashes (the file keeps streamlit-authenticator's
layout). ACORN draws its own login form rather than streamlit-authenticator 0.4.2's `Authenticate.login()`
(checked against its source): its `callback` runs on success only and its text inputs have no key, so a failed
attempt's user name never reaches the access log; `max_login_attempts` counts failures of known names only,
stores the count by rewriting the users file on every attempt, never expires (a locked user stays locked until
an admin edits the file, with no "locked until" to show), and its re-login cookie logs a user back in without a
password. Its `Hasher` is plain bcrypt, which accounts.py calls directly. A session lasts
`Settings.session_minutes` from login (then the form asks again); `login_max_failures` failures in
`login_lockout_minutes` lock the name for that long, and the form says so.

Single sign-on: with `ACORN_AUTH=oidc` the app uses Streamlit's own `st.login` (an `[auth]` section with the
provider's client id and secret in `.streamlit/secrets.toml`); the signed-in e-mail must be a user name in the
users file, which still gives the roles and scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from config.settings import Settings
from dashboards import access_log, i18n
from dashboards.accounts import User, load_users
from dashboards.i18n import t
from dashboards.roles import matrix
from dashboards.scope import Scope

LOGIN_KEY = "acorn_login"


@dataclass(frozen=True)
class Viewer:
    user: User
    settings: Settings

    @property
    def scope(self) -> Scope:
        return Scope.of(self.user.stores, self.user.vendor_accounts)

    @property
    def scoped(self) -> bool:
        return not self.scope.everything

    def may(self, action: str) -> bool:
        return matrix().may(self.user.roles, action)

    def log(self, event: str, what: str = "") -> None:
        stores = None if self.user.stores is None and self.user.vendor_accounts is None else (
            [*(self.user.stores or ()), *(f"vendor:{a}" for a in self.user.vendor_accounts or ())])
        access_log.record(self.settings.access_log, event, self.user.username, what, stores)


def settings() -> Settings:
    return Settings.from_env()


def viewer() -> Viewer:
    """The logged-in viewer; a page reached without a login (it cannot be, through app.py) stops here."""
    current = _current(settings())
    if current is None:
        st.stop()
    return current


def _current(config: Settings) -> Viewer | None:
    login = st.session_state.get(LOGIN_KEY)
    if not login:
        return None
    username, started = login
    if datetime.now(UTC) - started > timedelta(minutes=config.session_minutes):
        st.session_state[LOGIN_KEY] = None
        st.session_state["acorn_expired"] = True
        return None
    user = load_users(config.users_file).get(username)
    if user is None or user.disabled:
        st.session_state[LOGIN_KEY] = None
        return None
    return Viewer(user, config)


def logged_in(config: Settings) -> Viewer | None:
    """The viewer of this session, if logged in (with their language applied), else None."""
    current = _oidc_viewer(config) if config.auth == "oidc" else _current(config)
    # The user's own language from the first page after login on; the switch changes it for the session.
    fresh = st.session_state.pop("acorn_fresh_login", False)
    if current is not None and (fresh or i18n.SESSION_KEY not in st.session_state):
        st.session_state[i18n.SESSION_KEY] = current.user.language or config.language
    return current


def login_form(config: Settings) -> None:
    """The login form; stops the script (a successful login reruns it on the page that was asked for)."""
    st.session_state.setdefault(i18n.SESSION_KEY, config.language)
    language_switch(st)
    st.title(t("login.title"))
    if st.session_state.pop("acorn_expired", False):
        st.info(t("login.expired", minutes=config.session_minutes))
    if not config.users_file.exists():
        st.error(t("login.no_users", path=str(config.users_file)))
        st.stop()
    with st.form("acorn_login_form"):
        username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
        password = st.text_input(t("login.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("login.submit"), type="primary")
    if submitted:
        _attempt(config, username.strip(), password)
    st.stop()


def _attempt(config: Settings, username: str, password: str) -> None:
    log = config.access_log
    locked = access_log.locked_until(log, username, config.login_max_failures, config.login_lockout_minutes)
    if locked:
        access_log.record(log, "login_locked", username, "refused while locked")
        st.error(t("login.locked", until=locked.astimezone().strftime("%H:%M")))
        return
    user = load_users(config.users_file).get(username)
    if user is not None and not user.disabled and user.check_password(password):
        access_log.record(log, "login_success", username, stores=user.stores)
        st.session_state[LOGIN_KEY] = (username, datetime.now(UTC))
        # The language switch is already drawn in this run: its value changes at the start of the next one.
        st.session_state["acorn_fresh_login"] = True
        st.rerun()
    access_log.record(log, "login_failure", username, "disabled" if user is not None and user.disabled else "")
    locked = access_log.locked_until(log, username, config.login_max_failures, config.login_lockout_minutes)
    if locked:
        st.error(t("login.locked", until=locked.astimezone().strftime("%H:%M")))
    else:
        st.error(t("login.wrong"))


def _oidc_viewer(config: Settings) -> Viewer | None:
    if not st.user.is_logged_in:
        st.button(t("login.sso"), on_click=st.login, type="primary")
        st.stop()
    user = load_users(config.users_file).get(str(st.user.get("email")))
    if user is None or user.disabled:
        st.error(t("login.sso_unknown", email=str(st.user.get("email"))))
        st.stop()
    return Viewer(user, config)


def logout(current: Viewer) -> None:
    current.log("logout")
    st.session_state[LOGIN_KEY] = None
    if current.settings.auth == "oidc":
        st.logout()


def language_switch(container) -> None:
    container.segmented_control(
        "🌐", options=["zh", "en"], format_func={"zh": "中文", "en": "English"}.get, key=i18n.SESSION_KEY,
        label_visibility="collapsed", required=True,
    )  # fmt: skip
