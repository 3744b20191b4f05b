"""A local S3-compatible server (moto's, on 127.0.0.1) and an empty bucket on it, for the archive on object storage."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def moto_s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def empty_bucket(endpoint: str, monkeypatch: pytest.MonkeyPatch, bucket: str) -> Iterator[str]:
    """`bucket` created on `endpoint`, with boto's (and so s3fs's) environment pointed at it; emptied and removed
    after. Yields the bucket's name."""
    import boto3
    from s3fs import S3FileSystem

    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3").create_bucket(Bucket=bucket)
    # s3fs keeps one filesystem per process, bound to the endpoint it first met, and its listings: another test's
    # server (or bucket of the same name) must not show through.
    S3FileSystem.clear_instance_cache()
    try:
        yield bucket
    finally:
        boto3.resource("s3").Bucket(bucket).objects.all().delete()
        boto3.client("s3").delete_bucket(Bucket=bucket)
