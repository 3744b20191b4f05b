"""Issue 12: the dashboards' JSONL access log lands in audit.access_log, each line exactly once, raw line kept."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from config.settings import Settings
from connectors.access_log import load_access_log


def event(at: str, kind: str, user: str, what: str = "", stores: str = "*") -> str:
    return json.dumps({"at": at, "event": kind, "username": user, "what": what, "stores": stores},
                      ensure_ascii=False) + "\n"


def rows(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute("SELECT line_offset, line_sha256, raw_line, occurred_at, event, username, what, stores "
                           "FROM audit.access_log ORDER BY line_offset").fetchall()


def test_the_access_log_loads_each_line_once_and_keeps_it_raw(tmp_path: Path):
    log = tmp_path / "access_log.jsonl"
    settings = Settings(warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive", access_log=log)
    first = [event("2026-11-30T08:00:00.123+00:00", "login_success", "auditor"),
             event("2026-11-30T08:00:05.000+00:00", "page_view", "auditor", "reconciliation", "shop-ca,shop-de"),
             # Same event twice in one millisecond: two lines, two rows.
             event("2026-11-30T08:00:05.000+00:00", "page_view", "auditor", "reconciliation", "shop-ca,shop-de")]
    log.write_text("".join(first), encoding="utf-8")

    assert load_access_log(settings) == 3
    assert load_access_log(settings) == 0
    loaded = rows(settings)
    assert len(loaded) == 3
    offset, sha, raw, at, kind, user, what, stores = loaded[1]
    assert (offset, raw) == (len(first[0].encode()), first[1].rstrip("\n"))
    assert sha == hashlib.sha256(first[1].rstrip("\n").encode()).hexdigest()
    assert (str(at), kind, user, what, stores) == ("2026-11-30 08:00:05", "page_view", "auditor", "reconciliation",
                                                   "shop-ca,shop-de")

    with log.open("a", encoding="utf-8") as appended:
        appended.write(event("2026-11-30T08:01:00.000+08:00", "sql_query", "auditor", "select 1 -- 对账"))
        appended.write('{"at": "2026-11-30T08:02')  # a line still being written: loaded once it is complete
    assert load_access_log(settings) == 1
    assert load_access_log(settings) == 0
    assert [(str(r[3]), r[4], r[6]) for r in rows(settings)][-1] == ("2026-11-30 00:01:00", "sql_query",
                                                                      "select 1 -- 对账")


def test_a_line_that_is_not_an_event_is_kept_raw_and_a_missing_log_loads_nothing(tmp_path: Path):
    log = tmp_path / "access_log.jsonl"
    settings = Settings(warehouse=tmp_path / "acorn.duckdb", archive_dir=tmp_path / "archive", access_log=log)
    assert load_access_log(settings) == 0
    log.write_bytes(b"not json\n")
    assert load_access_log(settings) == 1
    assert rows(settings)[0][2:] == ("not json", None, None, None, None, None)
