from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from connectors.file_kinds import describe_unknown, detect_kind
from tests.helpers.paths import FIXTURES, SAMPLES, sample_files

ALL_SAMPLES = sample_files()


def expected_kind(path: Path) -> str:
    return "settlement_v1" if path.name.startswith("settlement_v1_flatfile_") else "unknown"


def test_samples_are_there(samples):
    assert len(ALL_SAMPLES) >= 40
    assert sum(p.suffix == ".json" for p in ALL_SAMPLES) >= 30


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: p.name)
def test_detect_kind_on_every_sample(path: Path):
    assert detect_kind(path.name, path.read_bytes()) == expected_kind(path)


@pytest.mark.parametrize("name", ["settlement_v2_us.txt", "settlement_v2_de.txt", "settlement_v2_jp.txt"])
def test_v2_fixtures_whatever_their_name(name: str):
    assert detect_kind("report.csv", (FIXTURES / name).read_bytes()) == "settlement_v2"


@pytest.mark.parametrize("data, kind", [
    (b"account_id,booking_date,amount,currency,counterparty,reference\n", "bank_statement"),
    (b"\xef\xbb\xbfaccount_id;booking_date;amount;currency\r\n", "bank_statement"),
    (b"store_id,seller_id,marketplace_id,marketplace_name,currency,time_zone\n", "store_config"),
    (b"store_id,seller_sku,internal_sku,brand,category,unit_cost,unit_cost_currency\n", "sku_map"),
    (b'"rate_date","base_currency","quote_currency","rate"\n', "fx_rates"),
    (b"date,description,amount\n", "unknown"),
    (b"", "unknown"),
])
def test_detect_kind_of_csv_inputs(data: bytes, kind: str):
    assert detect_kind("stores.csv", data) == kind


@pytest.mark.parametrize("path", [p for p in ALL_SAMPLES if p.suffix == ".json"], ids=lambda p: p.name)
def test_json_samples_are_described_as_sp_api_responses(path: Path):
    message = describe_unknown(path.name, path.read_bytes())
    assert message.startswith(f"{path.name}: SP-API JSON response (")
    assert message.endswith("ACORN does not read this kind of file yet")


def test_describe_names_the_operation(samples):
    path = SAMPLES / "financesV0_listFinancialEvents_sandbox_static_response_0.json"
    assert "listFinancialEvents" in describe_unknown(path.name, path.read_bytes())
    path = SAMPLES / "vendorOrders_getPurchaseOrders_sandbox_static_200_0.json"
    assert "getPurchaseOrders" in describe_unknown(path.name, path.read_bytes())


def test_describe_unrecognised_text_binary_gzip_and_other_json(samples):
    provenance = describe_unknown("PROVENANCE.tsv", (SAMPLES / "PROVENANCE.tsv").read_bytes())
    assert provenance.startswith("PROVENANCE.tsv: unrecognised text file (header 'sample_file\\trepo")
    assert "bank_statement.csv" in provenance
    assert "binary file" in describe_unknown("x.bin", b"\x00\x01\x02garbage")
    assert "gzip" in describe_unknown("report.txt.gz", gzip.compress(b"settlement-id\n"))
    assert "not a known SP-API response" in describe_unknown("x.json", b'{"hello": 1}')
    assert describe_unknown("empty.csv", b"") == "empty.csv: empty file"
    xml = b'<?xml version="1.0"?><AmazonEnvelope><Message><SettlementReport>'
    assert "XML settlement report" in describe_unknown("s.xml", xml)
