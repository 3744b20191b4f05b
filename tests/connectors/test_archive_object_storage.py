"""The raw archive on S3-compatible object storage (moto's S3 server on 127.0.0.1): same layout, checksums and
manifest as the local folder, and a rebuild reads its deliveries back."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors import archive
from tests.helpers.object_storage import empty_bucket, moto_s3_endpoint

pytest.importorskip("s3fs", reason="the deploy extra is not installed (pip install -e '.[deploy]')")
pytest.importorskip("moto.server", reason="the deploy extra is not installed")

BUCKET = "acorn-archive"


@pytest.fixture(scope="module")
def s3_endpoint() -> str:
    with moto_s3_endpoint() as endpoint:
        yield endpoint


@pytest.fixture
def bucket_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with empty_bucket(s3_endpoint, monkeypatch, BUCKET):
        yield f"s3://{BUCKET}/acorn/archive"


def _deliver(archive_dir: Path | str, payloads: list[bytes]) -> list[str]:
    shas = []
    for number, data in enumerate(payloads):
        sha = archive.sha256_of(data)
        archive.store(archive_dir, data, sha)
        archive.record_delivery(archive_dir, archive.Delivery(sha, f"file-{number}.txt",
                                                              datetime(2026, 1, 1 + number, tzinfo=UTC)))
        shas.append(sha)
    return shas


def test_object_storage_holds_the_same_objects_and_manifest_as_a_local_folder(bucket_url: str, tmp_path: Path):
    import boto3

    payloads = [b"settlement-id\t1\n", "日期,金额\n2026-01-01,1.00\n".encode(), b"settlement-id\t1\n"]
    local = tmp_path / "archive"
    assert _deliver(bucket_url, payloads) == _deliver(local, payloads)

    objects = {o.key: o.get()["Body"].read() for o in boto3.resource("s3").Bucket(BUCKET).objects.all()}
    local_files = {f"acorn/archive/{p.relative_to(local).as_posix()}": p.read_bytes() for p in local.rglob("*")
                   if p.is_file()}
    assert objects == local_files
    assert len(objects) == 3  # two distinct payloads stored once each, plus the manifest of three deliveries
    assert list(archive.deliveries(bucket_url)) == list(archive.deliveries(local))
    assert [archive.read(bucket_url, d.sha256) for d in archive.deliveries(bucket_url)] == payloads


def test_a_changed_object_is_refused_by_its_checksum(bucket_url: str):
    import boto3

    [sha] = _deliver(bucket_url, [b"original bytes"])
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"acorn/archive/{sha[:2]}/{sha}", Body=b"tampered")
    import fsspec

    fsspec.filesystem("s3").invalidate_cache()
    with pytest.raises(archive.ArchiveCorrupted):
        archive.read(bucket_url, sha)
    with pytest.raises(archive.ArchiveCorrupted):
        archive.store(bucket_url, b"original bytes", sha)
