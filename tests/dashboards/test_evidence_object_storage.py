"""The evidence page's reads when the archive is on S3-compatible object storage (moto's server on 127.0.0.1): the
file the connectors archived is found, its line streamed and its bytes checked, as from a local folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from connectors import archive
from dashboards import evidence
from tests.helpers.object_storage import empty_bucket, moto_s3_endpoint

pytest.importorskip("s3fs", reason="the deploy extra is not installed (pip install -e '.[deploy]')")
pytest.importorskip("moto.server", reason="the deploy extra is not installed")

BUCKET = "acorn-evidence"
SETTLEMENT = b"settlement-id\ttotal-amount\r\n1001\t1000.01\r\n1001\t600.00\r\n" + b"1001\t0.01\r\n" * 50_000


@pytest.fixture(scope="module")
def s3_endpoint() -> str:
    with moto_s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def archive_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with empty_bucket(s3_endpoint, monkeypatch, BUCKET):
        yield f"s3://{BUCKET}/acorn/archive"


@pytest.mark.parametrize("where", ["s3", "local"])
def test_the_archived_file_and_its_line_read_the_same_from_s3_and_a_folder(archive_url: str, tmp_path: Path,
                                                                            where: str):
    archive_dir = archive_url if where == "s3" else tmp_path / "archive"
    sha = archive.sha256_of(SETTLEMENT)
    archive.store(archive_dir, SETTLEMENT, sha)

    location = evidence.archived_path(archive_dir, sha)
    assert location == f"{str(archive_dir).rstrip('/')}/{sha[:2]}/{sha}"
    assert evidence.raw_line(location, 3) == "1001\t600.00"
    assert evidence.raw_line(location, 50_003) == "1001\t0.01"
    assert evidence.raw_line(location, 50_004) is None
    assert evidence.archived_bytes(location, sha) == SETTLEMENT
    assert evidence.archived_path(archive_dir, "d" * 64) is None  # never archived
    for smuggled in ("../../etc/passwd", sha[:63], sha.upper()):
        assert evidence.archived_path(archive_dir, smuggled) is None


def test_a_changed_object_is_not_handed_out(archive_url: str):
    import boto3
    import fsspec

    sha = archive.sha256_of(SETTLEMENT)
    archive.store(archive_url, SETTLEMENT, sha)
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"acorn/archive/{sha[:2]}/{sha}", Body=b"tampered")
    fsspec.filesystem("s3").invalidate_cache()
    location = evidence.archived_path(archive_url, sha)
    assert location is not None
    with pytest.raises(evidence.ArchiveChanged):
        evidence.archived_bytes(location, sha)
