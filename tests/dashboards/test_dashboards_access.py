"""Who may see what: the role × page matrix, store scopes bound into the queries, the auditor's SQL guard,
the users file and its CLI, the lockout, exports and the two catalogues. Fast: small warehouses, AppTest."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml
from openpyxl import load_workbook

from acorn.cli import main
from config.settings import Settings
from dashboards import access_log, accounts, i18n, queries, sql_console, tables
from dashboards.roles import matrix
from dashboards.scope import EVERYTHING, Scope
from tests.helpers.dashboard_users import PASSWORD, app_as
from tests.helpers.dashboard_warehouse import build_warehouse
from tests.helpers.paths import REPO

pytestmark = pytest.mark.usefixtures("fresh_streamlit_cache")

# The matrix the issue asks for, spelled out so a change to roles.yaml is a deliberate one.
EXPECTED_PAGES = {
    "finance": {"reconciliation", "books", "data_quality"},
    "operations": {"money_at_risk", "vendor", "sync_status"},
    "management": {"pnl", "money_at_risk", "vendor"},
    "auditor": {"reconciliation", "books", "pnl", "money_at_risk", "vendor", "sync_status", "data_quality",
                "sql_console", "access_log"},
    "admin": {"sync_status", "data_quality", "users"},
}  # fmt: skip


@pytest.fixture
def warehouse(tmp_path, monkeypatch) -> Path:
    path = build_warehouse(tmp_path / "acorn.duckdb")
    monkeypatch.setenv("ACORN_WAREHOUSE", str(path))
    return path


def test_the_role_page_matrix_is_the_one_in_roles_yaml():
    assert {role: {p.key for p in matrix().allowed_pages({role})} for role in matrix().roles} == EXPECTED_PAGES
    assert matrix().may({"finance"}, "archive_download") and matrix().may({"auditor"}, "archive_download")
    assert not matrix().may({"operations", "management", "admin"}, "archive_download")


# --- store scope ---------------------------------------------------------------------------------


def test_a_store_scope_filters_every_query_in_sql(warehouse):
    wh, de = str(warehouse), Scope(stores=("acme-de",), vendor_accounts=())
    assert set(queries.reconciliation(wh, de).store_id) == {"acme-de"}
    assert queries.reconciliation_options(wh, de).stores == ["acme-de"]
    assert queries.reconciliation_counts(wh, de)["settlements"] == 2
    assert set(queries.reconciliation_differences(wh, de).currency) == {"EUR"}
    # Asking for another store's settlement by id, or filtering on another store, yields nothing.
    assert queries.settlement_lines(wh, de, "1001").empty and queries.ledger_lines(wh, de, "1001").empty
    assert queries.reconciliation(wh, de, stores=("acme-us",)).empty
    assert set(queries.pnl_by_month(wh, de).store_id) == {"acme-de"}
    assert set(queries.pnl_by_sku(wh, de).store_id) == {"acme-de"}
    assert queries.pnl_options(wh, de).stores == ["acme-de"]
    nothing = Scope(stores=(), vendor_accounts=("acme-vendor-na",))
    assert queries.reconciliation(wh, nothing).empty
    assert len(queries.reconciliation(wh, EVERYTHING)) == 5


def test_a_scope_never_widens_by_omission():
    assert Scope.of(None, None).everything
    assert Scope.of(("acme-us",), None) == Scope(("acme-us",), ())
    assert Scope.of(None, ("acme-vendor-na",)) == Scope((), ("acme-vendor-na",))


def test_a_scoped_auditor_sees_only_their_store_on_every_page(warehouse):
    for page in (None, "views/pnl.py", "views/data_quality.py"):
        at = app_as("audit-de", page)
        shown = " ".join(str(d.value.to_dict()) for d in at.dataframe)
        shown += " ".join(f"{m.label} {m.value}" for m in at.metric)
        assert "acme-us" not in shown and "acme-jp" not in shown and "USD" not in shown, page
    at = app_as("audit-de")
    assert set(at.dataframe[0].value.store_id) == {"acme-de"}
    # Files and checks are not per store: hidden from a scoped viewer.
    assert not app_as("audit-de", "views/data_quality.py").dataframe


# --- the auditor's SQL console ---------------------------------------------------------------------


ESCAPES = {
    "insert into marts.fct_ledger (store_id) values ('x')": "sql.select_only",
    "delete from audit.file_loads": "sql.select_only",
    "create table marts.evil as select 1": "sql.select_only",
    "attach '/tmp/other.duckdb' as other": "sql.select_only",
    "copy marts.fct_ledger to '/tmp/ledger.csv'": "sql.select_only",
    "install httpfs": "sql.select_only",
    "load httpfs": "sql.select_only",
    "pragma database_list": "sql.select_only",
    "set enable_external_access = true": "sql.select_only",
    "select 1; drop table marts.fct_ledger": "sql.one_statement",
    "select * from read_csv('/etc/passwd')": "sql.no_external_access",
    "select * from read_text('/etc/hostname')": "sql.no_external_access",
    "select * from 'https://example.com/x.csv'": "sql.no_external_access",
    "select * from query('attach ''/tmp/x.duckdb''')": "sql.error",
    "selec 1": "sql.parse_error",
    "": "sql.empty",
}


@pytest.mark.parametrize("sql", list(ESCAPES))
def test_the_sql_console_refuses_every_escape_with_a_reason(warehouse, sql):
    with pytest.raises(sql_console.Refused) as refused:
        sql_console.run(warehouse, sql, row_limit=10, timeout_seconds=5)
    assert refused.value.reason == ESCAPES[sql]
    assert i18n.t(refused.value.reason, "en", detail=refused.value.detail) != refused.value.reason
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_ledger").fetchone()[0] == 7


def test_the_sql_console_runs_a_select_with_a_row_and_a_time_limit(warehouse, tmp_path):
    log = tmp_path / "log.jsonl"
    access_log.record(log, "login_success", "auditor")
    result = sql_console.run(warehouse, "select settlement_id, header_total from marts.fct_settlement_reconciliation "
                             "order by settlement_id", row_limit=3, timeout_seconds=5, access_log=log)  # fmt: skip
    assert list(result.frame.settlement_id) == ["1001", "1002", "2001"] and result.truncated
    assert result.frame.header_total[0] == Decimal("1000.01")
    logged = sql_console.run(warehouse, "select username, event from access_log", row_limit=5, timeout_seconds=5,
                             access_log=log)  # fmt: skip
    assert logged.frame.values.tolist() == [["auditor", "login_success"]]
    with pytest.raises(sql_console.Refused) as slow:
        sql_console.run(warehouse, "select count(*) from range(100000000000)", row_limit=1, timeout_seconds=0.5)
    assert slow.value.reason == "sql.timeout"


def test_the_sql_console_page_logs_queries_and_refusals(warehouse, tmp_path):
    at = app_as("auditor", "views/sql_console.py")
    at.text_area(key="sql_text").set_value("select count(*) as n from marts.fct_ledger")
    click(at, "Run")
    assert at.dataframe[-1].value.n[0] == "7"
    at.text_area(key="sql_text").set_value("copy marts.fct_ledger to '/tmp/x.csv'")
    click(at, "Run")
    assert "Only SELECT" in at.error[0].value
    events = [(e.event, e.what) for e in access_log.events(tmp_path / "access_log.jsonl")]
    assert ("sql_query", "select count(*) as n from marts.fct_ledger") in events
    assert any(event == "sql_refused" and "copy" in what for event, what in events)


def click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


# --- users, lockout, access log --------------------------------------------------------------------


def test_acorn_users_add_passwd_disable_edit_the_file_without_hashes_by_hand(tmp_path, monkeypatch, capsys):
    users = tmp_path / "users.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password\n"))
    assert main(["users", "--users-file", str(users), "add", "lin", "--role", "finance", "--store", "acme-us",
                 "--language", "zh", "--password-stdin"]) == 0  # fmt: skip
    user = accounts.load_users(users)["lin"]
    assert user.roles == {"finance"} and user.stores == ("acme-us",) and user.language == "zh"
    assert user.password_hash.startswith("$2") and "first-password" not in users.read_text()
    assert user.check_password("first-password") and not user.check_password("wrong")
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr("sys.stdin", io.StringIO("second-password\n"))
    assert main(["users", "--users-file", str(users), "passwd", "lin", "--password-stdin"]) == 0
    assert accounts.load_users(users)["lin"].check_password("second-password")
    assert main(["users", "--users-file", str(users), "disable", "lin"]) == 0
    assert accounts.load_users(users)["lin"].disabled
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    assert main(["users", "--users-file", str(users), "add", "bad", "--role", "boss", "--password-stdin"]) == 1
    assert "acorn: error: roles must be some of" in capsys.readouterr().out
    # The layout streamlit-authenticator reads: credentials.usernames.<name>.password / roles.
    assert yaml.safe_load(users.read_text())["credentials"]["usernames"]["lin"]["roles"] == ["finance"]


def test_failed_logins_lock_the_name_for_a_while(tmp_path):
    log, now = tmp_path / "log.jsonl", datetime.now(UTC)
    for _ in range(2):
        access_log.record(log, "login_failure", "lin")
    assert access_log.locked_until(log, "lin", 3, 15) is None
    access_log.record(log, "login_failure", "lin")
    until = access_log.locked_until(log, "lin", 3, 15)
    assert until is not None and now + timedelta(minutes=14) < until <= now + timedelta(minutes=15, seconds=5)
    assert access_log.locked_until(log, "lin", 3, 15, now=now + timedelta(minutes=16)) is None
    assert access_log.locked_until(log, "other", 3, 15) is None


def test_the_login_form_refuses_a_wrong_password_logs_it_and_locks_after_repeated_failures(warehouse, tmp_path,
                                                                                           monkeypatch):  # fmt: skip
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ACORN_LOGIN_MAX_FAILURES", "2")
    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=30).run()
    assert at.title[0].value == "ACORN — log in" and not at.dataframe
    for attempt in range(2):
        at.text_input(key="login_username").set_value("finance")
        at.text_input(key="login_password").set_value("not-the-password")
        click(at, "Log in")
        expected = "Wrong user name or password" if attempt == 0 else "locked until"
        assert expected in at.error[0].value, attempt
    at.text_input(key="login_username").set_value("finance")
    at.text_input(key="login_password").set_value(PASSWORD)
    click(at, "Log in")
    assert "locked until" in at.error[0].value and not at.dataframe
    events = [(e.event, e.username) for e in access_log.events(tmp_path / "access_log.jsonl")]
    assert events == [("login_failure", "finance"), ("login_failure", "finance"), ("login_locked", "finance")]


def test_a_right_password_logs_in_in_the_users_language(warehouse, tmp_path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=30).run()
    at.text_input(key="login_username").set_value("finance")
    at.text_input(key="login_password").set_value(PASSWORD)
    click(at, "Log in")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "结算对账"
    assert [e.event for e in access_log.events(tmp_path / "access_log.jsonl")] == ["login_success", "page_view"]


def test_a_session_expires(warehouse, monkeypatch):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "dashboards" / "app.py"), default_timeout=30)
    at.session_state["acorn_login"] = ("auditor", datetime.now(UTC) - timedelta(minutes=481))
    at.run()
    assert at.title[0].value == "ACORN — log in" and "expired" in at.info[0].value


# --- exports, money, words -----------------------------------------------------------------------


def test_exports_neutralise_formulas_and_keep_money_as_numbers():
    import pandas as pd

    frame = pd.DataFrame({"store_id": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "ok"],
                          "amount": [Decimal("-1234.56"), Decimal("1"), None, Decimal("0.10"), Decimal("2"),
                                     Decimal("3")]}).astype(object)  # fmt: skip
    spec = tables.Spec(money=("amount",), currency="USD")
    exported = tables.export_frame(frame, spec, "zh")
    assert list(exported.columns) == ["店铺", "金额 (USD)"]
    text = tables.to_csv(exported).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("\"'=HYPERLINK") and "'+1" in text and "'-2" in text and "'@SUM" in text
    assert ",-1234.56" in text
    book = load_workbook(io.BytesIO(tables.to_xlsx(exported, [1], [2])))
    sheet = book.active
    assert sheet["A2"].value.startswith("'=") and sheet["B2"].value == pytest.approx(-1234.56)
    assert sheet["B2"].number_format == "#,##0.00" and sheet["B4"].value is None


def test_money_shows_each_currencys_minor_units_with_separators():
    assert tables.money_text(Decimal("704006.00"), "JPY") == "704,006"
    assert tables.money_text(Decimal("704006.5"), "USD", with_code=True) == "704,006.50 USD"
    assert tables.money_text(None, "EUR") == "—"


def test_both_catalogues_hold_the_same_keys_and_every_key_the_code_names():
    english, chinese = i18n.catalogue("en"), i18n.catalogue("zh")
    assert set(english) == set(chinese)
    used = set()
    for source in (REPO / "dashboards").rglob("*.py"):
        used |= set(re.findall(r"\bt\([\"']([a-z_]+\.[a-z_.]+|[a-z_]+)[\"']", source.read_text()))
    assert used - set(english) == set()
    for spec in matrix().pages:
        assert f"page.{spec.key}" in english and f"page.{spec.key}" in chinese
    for role in matrix().roles:
        assert f"role.{role}" in chinese


def test_settings_read_the_new_fields(tmp_path, monkeypatch):
    monkeypatch.setenv("ACORN_LANGUAGE", "zh")
    monkeypatch.delenv("ACORN_USERS_FILE")
    monkeypatch.delenv("ACORN_ACCESS_LOG")
    settings = Settings.from_env(tmp_path / "w.duckdb")
    assert settings.language == "zh" and settings.users_file == tmp_path / "users.yaml"
    assert settings.access_log == tmp_path / "access_log.jsonl"
    monkeypatch.setenv("ACORN_LANGUAGE", "fr")
    with pytest.raises(ValueError, match="ACORN_LANGUAGE"):
        Settings.from_env(tmp_path / "w.duckdb")


# --- evidence --------------------------------------------------------------------------------------


def test_a_ledger_line_leads_to_its_archived_file_and_raw_line(warehouse, tmp_path):
    from dashboards import evidence

    raw = b"settlement-id\ttotal-amount\n1001\t1000.01\n1001\t600.00\n"
    sha = "c" * 64
    archive = tmp_path / "archive"
    (archive / sha[:2]).mkdir(parents=True)
    (archive / sha[:2] / sha).write_bytes(raw)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_ledger set source_file_sha256 = ?, source_line = 3 where settlement_id = '1001'",
                     [sha])  # fmt: skip
        conn.execute("update audit.file_loads set sha256 = ? where file_name = 'settlement_acme-us_1001.txt'", [sha])
    wh = str(warehouse)
    lines = queries.ledger_lines(wh, EVERYTHING, "1001")
    assert len(lines) == 4 and set(lines.source_line) == {3} and lines.amount.sum() == Decimal("1000.00")
    assert list(queries.archived_file(wh, EVERYTHING, sha).file_name) == ["settlement_acme-us_1001.txt"]
    # Another store's viewer cannot learn even the file's name.
    assert queries.archived_file(wh, Scope(("acme-de",), ()), sha).empty
    path = evidence.archived_path(archive, sha)
    assert path is not None and evidence.raw_line(path, 3) == "1001\t600.00"
    assert evidence.raw_line(path, 9) is None
    for smuggled in ("../../etc/passwd", "c" * 63, "C" * 64):
        assert evidence.archived_path(archive, smuggled) is None


def test_the_demo_writes_one_user_per_role_and_a_scoped_one(tmp_path, capsys):
    from demo.commands import DEMO_USERS, demo_users

    path = demo_users(tmp_path)
    users = accounts.load_users(path)
    assert {r for u in users.values() for r in u.roles} == set(matrix().roles)
    assert users["finance"].language == "zh" and users["ops-us"].stores == ("acme-us",)
    assert users["finance-us"].roles == {"finance"} and users["finance-us"].stores == ("acme-us",)
    for username, password, *_ in DEMO_USERS:
        assert users[username].check_password(password)
    printed = capsys.readouterr().out
    assert "finance     password finance-demo" in printed and "acorn dashboards" in printed
