"""The inbox loader against a real DuckDB file and a real archive directory."""
from __future__ import annotations

import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors import archive
from connectors.loader import load_inbox, replay_archive
from tests.helpers.paths import FIXTURES, SAMPLES

CA_FILE = "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50018020314.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "wh" / "archive")


@pytest.fixture
def inbox(samples, tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLES / CA_FILE, folder / CA_FILE)
    shutil.copy(FIXTURES / "settlement_v2_de.txt", folder / "settlement_v2_de.txt")
    return folder


def table(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(settings: Settings) -> dict[str, list[tuple]]:
    tables = ["raw.settlement_headers", "raw.settlement_lines", "raw.bank_transactions", "audit.file_loads"]
    return {t: sorted(table(settings, f"SELECT * EXCLUDE (archive_path) FROM {t}" if t == "audit.file_loads"
                            else f"SELECT * FROM {t}"), key=repr) for t in tables}


def test_loads_files_and_keeps_source_sha_and_line(samples, settings, inbox):
    report = load_inbox(settings, inbox)

    assert report.counts() == {"loaded": 2, "duplicate": 0, "quarantined": 0}
    sha = archive.sha256_of((inbox / CA_FILE).read_bytes())
    lines = table(settings, f"SELECT source_line, amount FROM raw.settlement_lines WHERE source_file_sha256 = '{sha}'")
    assert len(lines) == 15 and all(line >= 3 for line, _ in lines)
    header_total, lines_total = table(
        settings,
        "SELECT h.total_amount, sum(l.amount) FROM raw.settlement_headers h "
        "JOIN raw.settlement_lines l USING (settlement_id) WHERE h.settlement_id = '23874397121' GROUP BY ALL",
    )[0]
    assert header_total == lines_total == __import__("decimal").Decimal("-62.31")


def test_second_run_on_same_inbox_changes_nothing(settings, inbox):
    load_inbox(settings, inbox)
    before = snapshot(settings)

    again = load_inbox(settings, inbox)

    assert again.files == [] and len(again.unchanged) == 2
    assert snapshot(settings) == before


def test_same_bytes_under_another_name_is_a_duplicate(samples, settings, inbox):
    redownload = CA_FILE.replace(".txt", " (1).txt")
    shutil.copy(inbox / CA_FILE, inbox / redownload)

    report = load_inbox(settings, inbox)

    duplicate = [f for f in report.files if f.status == "duplicate"]
    assert [f.file_name for f in duplicate] == [redownload]
    assert f"same bytes as {CA_FILE}" in duplicate[0].message
    assert table(settings, "SELECT count(*) FROM raw.settlement_headers")[0][0] == 2


def test_same_settlement_in_different_bytes_is_loaded_once(samples, settings, inbox):
    crlf = (inbox / CA_FILE).read_bytes().replace(b"\n", b"\r\n")
    (inbox / "zz-redownloaded.txt").write_bytes(crlf)

    report = load_inbox(settings, inbox)

    repeat = [f for f in report.files if f.file_name == "zz-redownloaded.txt"][0]
    assert repeat.status == "duplicate"
    assert "settlement 23874397121 already loaded from" in repeat.message
    assert table(settings, "SELECT count(*) FROM raw.settlement_lines WHERE settlement_id = '23874397121'")[0][0] == 15


def test_malformed_file_is_quarantined_with_line_and_rule_and_the_rest_loads(samples, settings, inbox):
    lines = (inbox / CA_FILE).read_text(encoding="utf-8").split("\n")
    header = lines[0].split("\t")
    row = next(i for i, text in enumerate(lines) if i > 1 and text.split("\t")[header.index("price-amount")].strip())
    cells = lines[row].split("\t")
    cells[header.index("price-amount")] = "12,3x"
    lines[row] = "\t".join(cells)
    (inbox / "broken.txt").write_text("\n".join(lines).replace("23874397121", "99999999999"), encoding="utf-8")

    report = load_inbox(settings, inbox)

    broken = [f for f in report.files if f.file_name == "broken.txt"][0]
    assert broken.status == "quarantined"
    assert broken.message.startswith(f"broken.txt: line {row + 1}: parseable amount: amount is not a number ('12,3x')")
    assert report.counts()["loaded"] == 2
    assert table(settings, "SELECT count(*) FROM raw.settlement_headers WHERE settlement_id = '99999999999'")[0][0] == 0
    failed = table(settings, "SELECT rule, failed_line FROM audit.validation_results WHERE file_name = 'broken.txt' "
                             "AND NOT success")
    assert failed == [("parseable amount", row + 1)]


def test_unknown_and_hidden_files(samples, settings, inbox):
    shutil.copy(SAMPLES / "financesV0_listFinancialEvents_sandbox_static_response_0.json", inbox / "events.json")
    (inbox / ".DS_Store").write_bytes(b"\x00\x01")

    report = load_inbox(settings, inbox)

    (unknown,) = report.quarantined
    assert unknown.kind == "unknown" and unknown.file_name == "events.json"
    assert "does not read this kind of file yet" in unknown.message
    assert ".DS_Store" not in {f.file_name for f in report.files}


def test_archive_is_checksummed_read_only_and_never_rewritten(samples, settings, inbox):
    load_inbox(settings, inbox)
    data = (inbox / CA_FILE).read_bytes()
    stored = archive.archive_path(settings.archive_dir, archive.sha256_of(data))

    assert stored.read_bytes() == data
    assert not os.stat(stored).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    os.chmod(stored, 0o644)
    stored.write_bytes(b"tampered")
    with pytest.raises(archive.ArchiveCorrupted):
        archive.read(settings.archive_dir, archive.sha256_of(data))


def test_replaying_the_archive_reproduces_the_raw_tables(samples, settings, inbox, tmp_path):
    shutil.copy(inbox / CA_FILE, inbox / "copy.txt")
    load_inbox(settings, inbox)
    rebuilt = Settings(warehouse=tmp_path / "rebuilt" / "acorn.duckdb", archive_dir=tmp_path / "rebuilt" / "archive")

    replay_archive(rebuilt, settings.archive_dir)

    assert snapshot(rebuilt) == snapshot(settings)


def test_csv_inputs_load_and_bad_values_are_quarantined_by_rule(settings, tmp_path):
    inbox = tmp_path / "csv-inbox"
    inbox.mkdir()
    (inbox / "fx_rates.csv").write_text("rate_date,base_currency,quote_currency,rate\n2026-06-01,USD,CNY,7.1234\n")
    (inbox / "fx_bad.csv").write_text("rate_date,base_currency,quote_currency,rate\n2026-06-01,USD,CNY,-7.1\n")
    (inbox / "sku_map.csv").write_text(
        "store_id,seller_sku,internal_sku,brand,category,unit_cost,unit_cost_currency\n"
        ",A-1,INT-1,Acme,Kitchen,,\nacme-us,A-2,INT-2,Acme,Kitchen,abc,USD\n"
    )
    (inbox / "stores.csv").write_text(
        "store_id,seller_id,marketplace_id,marketplace_name,currency,time_zone\n"
        "acme-us,S1,ATVPDKIKX0DER,Amazon.com,USD,America/Nowhere\n"
    )

    report = load_inbox(settings, inbox)

    outcome = {f.file_name: (f.status, f.message) for f in report.files}
    assert outcome["fx_rates.csv"][0] == "loaded"
    assert outcome["fx_bad.csv"] == ("quarantined", "fx_bad.csv: line 2: positive rate: rate is not a positive number ('-7.1')")
    assert outcome["sku_map.csv"] == ("quarantined", "sku_map.csv: line 3: parseable unit cost: unit_cost is not a number ('abc')")
    assert outcome["stores.csv"][1].startswith("stores.csv: line 2: valid time zone: not an IANA time zone")
    assert table(settings, "SELECT rate FROM raw.fx_rate_overrides") == [(__import__("decimal").Decimal("7.12340000"),)]


def test_a_configured_fx_rates_file_loads_with_the_inbox(settings, inbox, tmp_path):
    rates = tmp_path / "pboc_parity.csv"
    rates.write_text("rate_date,base_currency,quote_currency,rate\n2026-06-01,USD,CNY,7.1234\n")

    report = load_inbox(replace(settings, fx_rates_csv=rates), inbox)

    assert ("pboc_parity.csv", "loaded") in {(f.file_name, f.status) for f in report.files}
    assert table(settings, "SELECT base_currency, quote_currency, rate FROM raw.fx_rate_overrides") == [
        ("USD", "CNY", __import__("decimal").Decimal("7.12340000"))
    ]


def test_concurrent_writers_of_the_same_bytes_both_succeed(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    data = b"the same API page, fetched by two account syncs at once"
    sha = archive.sha256_of(data)

    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = list(pool.map(lambda _: archive.store(tmp_path, data, sha), range(64)))

    assert set(paths) == {archive.archive_path(tmp_path, sha)}
    assert archive.read(tmp_path, sha) == data
    assert [p.name for p in (tmp_path / sha[:2]).iterdir()] == [sha]
