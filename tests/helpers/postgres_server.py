"""A throwaway PostgreSQL server for a test: Debian's initdb/pg_ctl in a temporary directory, on a free port.

PostgreSQL refuses to run as root, so as root (CI containers) the server runs as the `postgres` system user that
Debian's package creates, in a directory handed over to it.
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    db_name: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server(db_name: str = "acorn_test") -> Iterator[PostgresServer]:
    binaries = {name: shutil.which(name) for name in ("initdb", "pg_ctl", "createdb")}
    if not all(binaries.values()):
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed (Debian: apt-get install postgresql)")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="acorn-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=120)

    try:
        run(binaries["initdb"], "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(binaries["pg_ctl"], "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start")
        try:
            run(binaries["createdb"], "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", db_name)
            yield PostgresServer("127.0.0.1", port, "postgres", db_name)
        finally:
            run(binaries["pg_ctl"], "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
