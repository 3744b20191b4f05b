"""Dagster as a service: the shipped Postgres dagster.yaml holds runs, the event log and the daemon's ticks.

The test starts its own PostgreSQL (tests/helpers/postgres_server.py), points DAGSTER_HOME at a copy of
orchestration/dagster_home/dagster.postgres.yaml, materializes assets in it and runs dagster-daemon until a
schedule and a sensor have each ticked, reading every record back from Postgres itself.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from tests.helpers.paths import REPO
from tests.helpers.postgres_server import PostgresServer, postgres_server

pytestmark = pytest.mark.slow
psycopg2 = pytest.importorskip("psycopg2", reason="the deploy extra is not installed (pip install -e '.[deploy]')")
pytest.importorskip("dagster_postgres", reason="the deploy extra is not installed")

TEMPLATE = REPO / "orchestration" / "dagster_home" / "dagster.postgres.yaml"

CODE = dedent('''
    import dagster as dg

    @dg.asset
    def settlements() -> int:
        return 3

    @dg.asset
    def ledger(settlements: int) -> int:
        return settlements * 2

    everything = dg.define_asset_job("everything", selection="*")

    @dg.sensor(job=everything, minimum_interval_seconds=1, default_status=dg.DefaultSensorStatus.RUNNING)
    def inbox(context):
        return dg.SkipReason("no new files")

    every_minute = dg.ScheduleDefinition(job=everything, cron_schedule="* * * * *",
                                         default_status=dg.DefaultScheduleStatus.RUNNING)

    defs = dg.Definitions(assets=[settlements, ledger], jobs=[everything], sensors=[inbox], schedules=[every_minute])
''')


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server("dagster") as server:
        yield server


@pytest.fixture
def dagster_home(postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(TEMPLATE, home / "dagster.yaml")
    for name, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": postgres.host,
                        "DAGSTER_PG_PORT": str(postgres.port), "DAGSTER_PG_DB": postgres.db_name,
                        "DAGSTER_PG_USER": postgres.user, "DAGSTER_PG_PASSWORD": "unused-trust-auth"}.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "service_defs.py").write_text(CODE, encoding="utf-8")
    return home


def _query(postgres: PostgresServer, sql: str) -> list[tuple]:
    with psycopg2.connect(host=postgres.host, port=postgres.port, user=postgres.user,
                          dbname=postgres.db_name) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def test_materializations_are_recorded_in_postgres(dagster_home: Path, postgres: PostgresServer):
    import dagster as dg
    from dagster_postgres import PostgresRunStorage

    spec = importlib.util.spec_from_file_location("postgres_code", dagster_home.parent / "service_defs.py")
    code = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(code)

    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        result = dg.materialize([code.settlements, code.ledger], instance=instance)
        assert result.success
        run_id = result.run_id

    assert _query(postgres, f"SELECT status FROM runs WHERE run_id = '{run_id}'") == [("SUCCESS",)]
    keys = {key for (key,) in _query(postgres, "SELECT asset_key FROM event_logs WHERE "
                                               f"run_id = '{run_id}' AND dagster_event_type = 'ASSET_MATERIALIZATION'")}
    assert keys == {'["settlements"]', '["ledger"]'}


def test_daemon_records_schedule_and_sensor_ticks_in_postgres(dagster_home: Path, postgres: PostgresServer):
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-f", str(dagster_home.parent / "service_defs.py")],
        cwd=dagster_home.parent, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, kinds = time.monotonic() + 180, set()
        while time.monotonic() < deadline and kinds != {"SCHEDULE", "SENSOR"}:
            time.sleep(3)
            if daemon.poll() is not None:
                break
            tables = {t for (t,) in _query(postgres, "SELECT tablename FROM pg_tables")}
            if "job_ticks" in tables:
                kinds = {kind for (kind,) in _query(postgres, "SELECT DISTINCT type FROM job_ticks")}
        assert kinds == {"SCHEDULE", "SENSOR"}, (kinds, daemon.poll())
    finally:
        # The daemon starts a gRPC code server of its own: stop the whole process group, not just the daemon.
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait()
