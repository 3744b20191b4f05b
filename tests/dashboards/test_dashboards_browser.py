"""The dashboards served by a real `streamlit run`, opened in headless Chromium."""
from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings
from dashboards import launch
from tests.helpers.dashboard_warehouse import build_warehouse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

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


@pytest.fixture
def served_app(tmp_path) -> Iterator[str]:
    settings = Settings.from_env(build_warehouse(tmp_path / "acorn.duckdb"))
    port = free_port()
    proc = subprocess.Popen(
        launch.command(settings, port),
        env=launch.environment(settings),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_reconciliation_page_renders_in_chromium(served_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(served_app)
            expect(page.get_by_role("heading", name="Settlement reconciliation")).to_be_visible(timeout=30_000)
            grid = page.locator('[data-testid="stDataFrame"]').first
            expect(grid).to_be_visible(timeout=30_000)
            # The grid draws on a canvas; a hidden table mirrors the cells in view for screen readers.
            for text in ("1001", "mismatch", "deposit_short", "1000.01"):
                cell = grid.locator('td[role="gridcell"]').filter(has_text=re.compile(f"^{text}$"))
                expect(cell).to_have_count(1, timeout=30_000)
            expect(page.get_by_test_id("stMetric").filter(has_text="Flagged")).to_contain_text("2")
            page.screenshot(path=str(tmp_path / "reconciliation.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "reconciliation.png").stat().st_size > 10_000
