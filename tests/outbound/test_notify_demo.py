"""End to end on the demo's warehouse: today's vendor alerts reach a local webhook once, in Chinese."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from outbound.notify.config import parse_notify_config
from outbound.notify.notifier import delivery_lines, notify
from tests.helpers.alerts_warehouse import start_http_server

pytestmark = pytest.mark.slow


def test_the_demos_alerts_are_sent_once(demo_warehouse: Path, tmp_path: Path, monkeypatch):
    # A copy: the session's demo warehouse keeps its audit tables as the demo left them.
    warehouse = tmp_path / "acorn.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = [row[0] for row in con.execute("select alert_id from marts.fct_alerts").fetchall()]
    assert expected, "the demo raises vendor alerts"
    settings = Settings(warehouse=warehouse, archive_dir=tmp_path / "archive")
    config = parse_notify_config({"max_alerts_per_message": 50, "channels": [
        {"name": "hook", "type": "webhook", "url_env": "ACORN_DEMO_HOOK"}]})
    server = start_http_server()
    try:
        monkeypatch.setenv("ACORN_DEMO_HOOK", f"{server.url}/hook")
        started = datetime(2000, 1, 1)
        first = notify(settings, config)
        again = notify(settings, config)
    finally:
        server.server.shutdown()
    assert first.sent == {"hook": len(expected)} and again.sent == {"hook": 0}
    sent = [a["alert_id"] for r in server.requests for a in r.body["alerts"]]
    assert sorted(sent) == sorted(expected)
    body = server.requests[0].body
    assert body["title"].startswith(f"ACORN 资金风险告警：{len(expected)} 条新告警")
    assert all(a["amount"] is None or a["currency"] for a in body["alerts"])
    assert delivery_lines(settings, started) == [f"Alerts sent to hook: {len(expected)} new"]
