"""The dashboards served by a real `streamlit run`, opened in headless Chromium: logins, each role's pages, a
forbidden URL, a store-scoped user's pages and downloads (Reconciliation, Books, Money at risk), the auditor's SQL
escapes, the language switch, an acknowledgement signed by the logged-in user."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from config.settings import Settings
from dashboards import access_log, launch
from dashboards.i18n import t
from dashboards.roles import matrix
from tests.helpers.alerts_warehouse import (
    SELLER_CLAIM,
    SELLER_LOSS,
    SELLER_MARTS,
    VENDOR_OVERDUE,
    build_alerts_warehouse,
)
from tests.helpers.books_warehouse import DE_ENTRIES, ENTRIES, build_books_warehouse
from tests.helpers.dashboard_users import PASSWORD, write_users
from tests.helpers.dashboard_warehouse import build_warehouse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TIMEOUT = 30_000
EVIDENCE_FILE = b"settlement-id\tamount-description\tamount\n2001\tPrincipal\t1234,56\n"
EVIDENCE_SHA = hashlib.sha256(EVIDENCE_FILE).hexdigest()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout} s")


class Served:
    def __init__(self, url: str, settings: Settings, inbox: Path) -> None:
        self.url = url
        self.settings = settings
        self.inbox = inbox


@contextmanager
def serve(root: Path, warehouse: Path, users_cache: Path) -> Iterator[Served]:
    """A real `streamlit run` on `warehouse`, with the test users, its access log and inbox under `root`."""
    write_users(root / "users.yaml", users_cache)
    settings = Settings.from_env(warehouse)
    port = free_port()
    env = launch.environment(settings)
    env.update(ACORN_USERS_FILE=str(root / "users.yaml"), ACORN_ACCESS_LOG=str(root / "access_log.jsonl"),
               ACORN_INBOX=str(root / "inbox"), ACORN_LANGUAGE="en", ACORN_LOGIN_MAX_FAILURES="5")  # fmt: skip
    proc = subprocess.Popen(launch.command(settings, port), env=env, cwd=root, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield Served(url, Settings(**{**settings.__dict__, "users_file": root / "users.yaml",
                                      "access_log": root / "access_log.jsonl"}), root / "inbox")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def users_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("users_cache")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, users_cache: Path) -> Iterator[Served]:
    """One Streamlit server for the module, on the small dashboard warehouse, with the test users."""
    root = tmp_path_factory.mktemp("served")
    warehouse = build_warehouse(root / "acorn.duckdb")
    # Settlement 2001's only ledger line comes from line 2 of an archived file (archive beside the warehouse).
    (root / "archive" / EVIDENCE_SHA[:2]).mkdir(parents=True)
    (root / "archive" / EVIDENCE_SHA[:2] / EVIDENCE_SHA).write_bytes(EVIDENCE_FILE)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("update marts.fct_ledger set source_file_sha256 = ?, source_line = 2 where settlement_id = '2001'",
                     [EVIDENCE_SHA])  # fmt: skip
    with serve(root, warehouse, users_cache) as served:
        yield served


@pytest.fixture(scope="module")
def served_books(tmp_path_factory: pytest.TempPathFactory, users_cache: Path) -> Iterator[Served]:
    """A second server on the books marts (acme-us and acme-de) and the Money-at-risk marts."""
    root = tmp_path_factory.mktemp("served_books")
    warehouse = build_books_warehouse(root / "acorn.duckdb", ENTRIES + DE_ENTRIES)
    build_alerts_warehouse(warehouse, [SELLER_LOSS, SELLER_CLAIM, VENDOR_OVERDUE], SELLER_MARTS)
    with serve(root, warehouse, users_cache) as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name="ACORN — log in")).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def nav_titles(page) -> set[str]:
    links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink-NavLink"]')
    links.first.wait_for(timeout=TIMEOUT)
    # Each link reads "<icon ligature>\n\n<title>".
    return {text.strip().splitlines()[-1] for text in links.all_inner_texts()}


def test_a_wrong_password_is_refused_and_logged_then_the_auditor_switches_language_and_tries_escapes(served, page):
    from playwright.sync_api import expect

    log_in(page, served.url, "auditor", "wrong-password")
    expect(page.get_by_text("Wrong user name or password.")).to_be_visible(timeout=TIMEOUT)
    assert ("login_failure", "auditor") in [(e.event, e.username) for e in access_log.events(served.settings.access_log)]

    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Settlement reconciliation")).to_be_visible(timeout=TIMEOUT)
    # The Deploy button and the developer menu are gone (client.toolbarMode = viewer).
    expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
    # The grid's own toolbar download (unlogged, not neutralised) is off: client.disableDataExport.
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    grid = page.locator('[data-testid="stDataFrame"]').first
    for text in ("1001", "mismatch", "deposit short", "1,000.01", "98,765"):
        cell = grid.locator('td[role="gridcell"]').filter(has_text=re.compile(f"^{re.escape(text)}$"))
        expect(cell.first).to_be_attached(timeout=TIMEOUT)

    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    expect(page.get_by_role("heading", name="结算对账")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("不一致").first).to_be_attached(timeout=TIMEOUT)
    expect(page.get_by_text("需关注").first).to_be_visible(timeout=TIMEOUT)
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Settlement reconciliation")).to_be_visible(timeout=TIMEOUT)

    page.locator('[data-testid="stSidebar"]').get_by_text("SQL console", exact=True).click()
    expect(page.get_by_role("heading", name="SQL console")).to_be_visible(timeout=TIMEOUT)
    for sql, message in (
        ("select * from read_csv('/etc/passwd')", "Files and the network are out of reach"),
        ("copy marts.fct_ledger to '/tmp/acorn-escape.csv'", "this is a COPY statement"),
        ("attach '/tmp/other.duckdb' as other", "this is a ATTACH statement"),
        ("select 1; drop table marts.fct_ledger", "One statement at a time"),
        ("pragma database_list", "this is a PRAGMA statement"),
    ):
        page.get_by_role("textbox", name="SQL").fill(sql)
        page.get_by_role("button", name="Run").click()
        expect(page.get_by_text(message)).to_be_visible(timeout=TIMEOUT)
    assert not Path("/tmp/acorn-escape.csv").exists()
    page.get_by_role("textbox", name="SQL").fill("select count(*) as ledger_lines from marts.fct_ledger")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 rows in")).to_be_visible(timeout=TIMEOUT)
    events = [e.event for e in access_log.events(served.settings.access_log)]
    assert events.count("sql_refused") >= 5 and "sql_query" in events


def test_each_role_sees_exactly_its_pages(served, browser):
    for role in ("finance", "operations", "management", "auditor", "admin"):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            log_in(page, served.url, role)
            language = "zh" if role == "finance" else "en"
            expected = {t(f"page.{p.key}", language) for p in matrix().allowed_pages({role}) if p.exists}
            assert nav_titles(page) == expected, role
        finally:
            context.close()


def test_a_direct_url_to_a_forbidden_page_is_refused(served, page):
    from playwright.sync_api import expect

    log_in(page, f"{served.url}/reconciliation", "operations")
    expect(page.get_by_text("You do not have access to “Reconciliation”")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Settlement reconciliation")).to_have_count(0)
    assert "Reconciliation" not in nav_titles(page)
    assert ("page_refused", "reconciliation") in [(e.event, e.what) for e in access_log.events(served.settings.access_log)]


def test_a_scoped_users_page_and_downloads_hold_only_their_store(served, page):
    from playwright.sync_api import expect

    log_in(page, served.url, "audit-de")
    expect(page.get_by_role("heading", name="Settlement reconciliation")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=TIMEOUT)
    body = page.locator("body").inner_text()
    assert "acme-de" in body and "acme-us" not in body and "acme-jp" not in body

    downloads = {}
    for label in ("CSV", "Excel"):
        buttons = page.get_by_role("button", name=label, exact=True)
        # Settlements, their lines by type, and the individual ledger lines of the first one.
        expect(buttons).to_have_count(3, timeout=TIMEOUT)
        for index in range(buttons.count()):
            with page.expect_download() as download:
                buttons.nth(index).click()
            downloads[download.value.suggested_filename] = Path(download.value.path())
    assert {"settlements.csv", "settlements.xlsx", "settlement_lines.csv", "ledger_lines.xlsx"} <= set(downloads)
    for name, path in downloads.items():
        if name.endswith(".csv"):
            text = path.read_text(encoding="utf-8-sig")
            rows = list(csv.reader(io.StringIO(text)))
        else:
            rows = [[str(v) for v in row] for row in load_workbook(io.BytesIO(path.read_bytes())).active.values]
            text = repr(rows)
        assert "acme-us" not in text and "acme-jp" not in text and "USD" not in text, name
    rows = list(csv.reader(io.StringIO(downloads["settlements.csv"].read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Store", "Settlement", "Status"]
    assert {row[0] for row in rows[1:]} == {"acme-de"} and len(rows) == 3
    values = list(load_workbook(io.BytesIO(downloads["settlements.xlsx"].read_bytes())).active.values)
    header_total = values[0].index("Header total (EUR)")
    assert {row[header_total] for row in values[1:]} == {1234.56, 500}
    exports = [e.what for e in access_log.events(served.settings.access_log) if e.username == "audit-de" and e.event == "export"]
    assert len(exports) == len(downloads)


def click_first_row(page, grid) -> None:
    """Tick the first row's selection box (the grid draws on a canvas: click where it is)."""
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 35 + 17)


def test_a_click_leads_from_a_settlement_to_its_lines_and_from_a_line_to_the_archived_file(served, page):
    from playwright.sync_api import expect

    log_in(page, served.url, "auditor")
    expect(page.get_by_role("heading", name="Settlement reconciliation")).to_be_visible(timeout=TIMEOUT)
    grids = page.locator('[data-testid="stDataFrame"]')
    expect(grids.first).to_be_visible(timeout=TIMEOUT)
    click_first_row(page, grids.first)  # 2001, flagged first
    expect(page.get_by_text("Individual ledger lines")).to_be_visible(timeout=TIMEOUT)
    expect(grids).to_have_count(3, timeout=TIMEOUT)
    click_first_row(page, grids.nth(2))
    expect(page.get_by_role("code").filter(has_text=EVIDENCE_SHA)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('[data-testid="stCode"]')).to_contain_text("2001\tPrincipal\t1234,56", timeout=TIMEOUT)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the archived file").click()
    assert Path(download.value.path()).read_bytes() == EVIDENCE_FILE
    assert ("archive_download", EVIDENCE_SHA) in [(e.event, e.what) for e in access_log.events(served.settings.access_log)]


def visible_downloads(page, tables: int, workbooks: int = 2) -> dict[str, Path]:
    """The CSV of each of the page's `tables` shown tables (a closed tab's are not drawn) and the XLSX of the
    first `workbooks`, by file name: headless Chromium here never starts a page's eleventh download."""
    from playwright.sync_api import expect

    files = {}
    for label, count in (("CSV", tables), ("Excel", workbooks)):
        buttons = page.get_by_role("button", name=label, exact=True)
        expect(buttons).to_have_count(tables, timeout=TIMEOUT)
        for index in range(count):
            with page.expect_download() as download:
                buttons.nth(index).click()
            files[download.value.suggested_filename] = Path(download.value.path())
    return files


def file_text(name: str, path: Path) -> str:
    if name.endswith(".csv"):
        return path.read_text(encoding="utf-8-sig")
    return repr(list(load_workbook(io.BytesIO(path.read_bytes())).active.values))


def test_a_scoped_finance_user_sees_and_downloads_only_their_stores_books_and_switches_language(served_books, page):
    from playwright.sync_api import expect

    # The first visit to this server is a page's URL (a bookmark): the login form, then the page.
    log_in(page, f"{served_books.url}/books", "finance-de")
    expect(page.get_by_role("heading", name="账簿", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("222.22 CNY").first).to_be_visible(timeout=TIMEOUT)
    body = page.locator("body").inner_text()
    assert "acme-de" in body and "acme-us" not in body and "1,000.00" not in body
    assert "not yet filtered by store" not in body

    # Trial balance, entries, journal lines, the open CAS tab's table, vouchers.
    files = visible_downloads(page, 5)
    assert {"trial_balance_2026-09.csv", "trial_balance_2026-09.xlsx", "vouchers_2026-09.csv"} <= set(files)
    for name, path in files.items():
        text = file_text(name, path)
        assert "acme-us" not in text and "1000.00" not in text and "140.00" not in text, name
    balances = list(csv.reader(io.StringIO(files["trial_balance_2026-09.csv"].read_text(encoding="utf-8-sig"))))
    assert balances[0][:4] == ["科目代码", "科目名称", "科目名称（英文）", "期初余额 (CNY)"]
    assert [row[3] for row in balances[1:]] == ["777.77", "-777.77"]
    assert "acme-de" in file_text("vouchers_2026-09.csv", files["vouchers_2026-09.csv"])
    exports = [e.what for e in access_log.events(served_books.settings.access_log)
               if e.username == "finance-de" and e.event == "export"]  # fmt: skip
    assert len(exports) == len(files)

    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Books", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("heading", name="Trial balance")).to_be_visible(timeout=TIMEOUT)


def test_a_scoped_operations_user_sees_only_their_stores_money_at_risk_and_signs_an_acknowledgement(served_books, page):
    from playwright.sync_api import expect

    log_in(page, served_books.url, "ops-us")  # Money at risk is the first page of operations
    expect(page.get_by_role("heading", name="Money at risk", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("612.40", exact=True).first).to_be_attached(timeout=TIMEOUT)
    body = page.locator("body").inner_text()
    assert "acme-us" in body
    for other in ("acme-de", "89.90", "94.90", "INV-77", "1,234.50", "GADGET-9"):
        assert other not in body, other

    # Alerts, refunds, the open refund-rate tab's table, claims by state, claims, cases to file.
    files = visible_downloads(page, 6)
    assert {"alerts.csv", "refunds_by_store.xlsx", "reimbursement_cases.csv"} <= set(files)
    for name, path in files.items():
        text = file_text(name, path)
        assert "acme-de" not in text and "89.9" not in text and "INV-77" not in text, name
    assert "acme-us" in file_text("alerts.csv", files["alerts.csv"])

    page.get_by_role("textbox", name="Note (case id, what was done)").fill("checked the refunds")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Recorded:")).to_be_visible(timeout=TIMEOUT)
    (written,) = (served_books.inbox / "alert_states").glob("*.jsonl")
    record = json.loads(written.read_text(encoding="utf-8"))
    assert (record["alert_id"], record["state"], record["changed_by"]) == (SELLER_LOSS["alert_id"], "acknowledged", "ops-us")

    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    expect(page.get_by_role("heading", name="资金风险", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="确认")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("单日净亏损").first).to_be_attached(timeout=TIMEOUT)
