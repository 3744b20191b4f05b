"""Materialize every ACORN asset in this process: what `acorn run` and `acorn demo` call.

Same `Definitions` and job as `dagster dev`, on an ephemeral instance with the in-process executor
(a few seconds instead of a process per step), reporting progress through a plain callback. What the run loaded
is read back from the warehouse's own record (`audit.file_loads`), not from Dagster's event metadata.
"""
from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    JsonLogFormatter,
    LoggerDefinition,
    deserialize_value,
)

from config.settings import Settings
from connectors.loader import LoadReport
from orchestration.assembly import build_definitions
from orchestration.build_settings import build_as_of
from orchestration.dbt_models.assets import prepared_build
from orchestration.dbt_models.incremental import UNCHANGED
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.raw.assets import ARCHIVE_KEY, CHECK_NAME, inbox_tables
from orchestration.raw.warehouse_stats import load_report_since

Progress = Callable[[str], None]
_PROGRESS_LOGGER = "acorn_progress"
# The raw step narrates each inbox file through context.log; other steps' chatter stays out of the CLI.
_NARRATED_STEPS = {inbox_tables.op.name}


@dataclass
class PipelineResult:
    success: bool
    load_report: LoadReport | None  # None when the inbox step did not complete
    materialized: list[str] = field(default_factory=list)  # asset keys, e.g. "marts/fct_ledger"
    checks: dict[str, bool] = field(default_factory=dict)  # "<asset key>:<check name>" -> passed
    failures: list[str] = field(default_factory=list)  # one line each: what made a step fail
    warnings: list[str] = field(default_factory=list)  # one line each: quarantined files, failed WARN checks
    as_of: date | None = None  # the day vendor ages were measured on; None: today


def materialize_pipeline(settings: Settings, inbox: Path, progress: Progress | None = None) -> PipelineResult:
    """Run the `acorn_pipeline` job; quarantined files are warnings, failed steps or ERROR checks are failures."""
    console = sys.stdout

    def narrate(line: str) -> None:
        if progress:
            with redirect_stdout(console):
                progress(line)

    loggers = {_PROGRESS_LOGGER: _progress_logger(narrate)}
    started = datetime.now(UTC).replace(tzinfo=None)
    # dbt gets ready on the idle core while the inbox loads (orchestration/dbt_models/warm_dbt.py). dagster-dbt
    # echoes every dbt log line to stdout (for Dagster's compute logs); the CLI shows progress lines instead, and
    # failures come back from dbt's run results.
    with prepared_build(settings) as prepared, DagsterInstance.ephemeral() as instance, redirect_stdout(io.StringIO()):
        job = build_definitions(settings, inbox, loggers=loggers, prepared_dbt=prepared).resolve_job_def(PIPELINE_JOB_NAME)
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config={"loggers": {_PROGRESS_LOGGER: {}}}
        )
    events = result.all_events
    checks = [e.asset_check_evaluation_data for e in events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    materialized = [e.asset_key for e in events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION]
    # The archive is materialized once the whole inbox went through the loader.
    load_report = load_report_since(settings, inbox, started) if ARCHIVE_KEY in materialized else None
    # A quarantined file fails the check of every table it feeds: report it once, from the load report.
    quarantined = [f.message for f in load_report.quarantined] if load_report else []
    return PipelineResult(
        # A failing ERROR-severity dbt test fails `dbt build`, hence its step: the run's success covers it.
        success=result.success,
        load_report=load_report,
        materialized=[key.to_user_string() for key in materialized],
        checks={_check_id(c): c.passed for c in checks},
        failures=[line for e in events if e.event_type == DagsterEventType.STEP_FAILURE for line in _step_failure(e)],
        warnings=quarantined
        + [
            _check_line(c)
            for c in checks
            if not c.passed and c.severity == AssetCheckSeverity.WARN and c.check_name != CHECK_NAME
        ],
        as_of=build_as_of(settings),
    )


def _step_failure(event: DagsterEvent) -> list[str]:
    """One line per problem: a dbt failure names each failed node on its own line."""
    data = event.step_failure_data
    user = data.user_failure_data
    error = data.error
    # Dagster wraps what the step raised; the innermost cause says what actually went wrong.
    while error is not None and error.cause is not None:
        error = error.cause
    message = user.description if user and user.description else (error.message if error else "failed")
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()] or ["failed"]
    return [f"{event.step_key}: {line}" for line in lines]


def _check_line(check: AssetCheckEvaluation) -> str:
    return f"check {_check_id(check)} failed" + (f": {check.description}" if check.description else "")


def _check_id(check: AssetCheckEvaluation) -> str:
    return f"{check.asset_key.to_user_string()}:{check.check_name}"


def _describe(event: DagsterEvent) -> str | None:
    kind = event.event_type
    if kind == DagsterEventType.STEP_START:
        return f"started {event.step_key}"
    if kind == DagsterEventType.STEP_SUCCESS:
        return f"finished {event.step_key} in {event.event_specific_data.duration_ms / 1000:.1f} s"
    if kind == DagsterEventType.STEP_FAILURE:
        return "failed " + "; ".join(_step_failure(event))
    if kind == DagsterEventType.ASSET_MATERIALIZATION:
        unchanged = UNCHANGED in event.event_specific_data.materialization.metadata
        return f"{'unchanged' if unchanged else 'materialized'} {event.asset_key.to_user_string()}"
    check = event.asset_check_evaluation_data if kind == DagsterEventType.ASSET_CHECK_EVALUATION else None
    # Quarantines are already narrated file by file by the loader.
    if check is not None and not check.passed and check.check_name != CHECK_NAME:
        return _check_line(check)
    return None


class _ProgressHandler(logging.Handler):
    """Reads each record through Dagster's public JSON formatter, whose `dagster_meta` carries the step, the
    message as logged and the serialized `DagsterEvent`, which `deserialize_value` turns back into one."""

    def __init__(self, progress: Progress):
        # Dagster logs its structured events (step started, asset materialized) at DEBUG.
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonLogFormatter())
        self._progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        # JSON cannot hold a traceback (`context.log.exception`): the formatter would fail, and the run with it.
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        try:
            logged = deserialize_value(self.format(plain))
        except TypeError:  # other `extra` values JSON cannot hold: not a progress record
            return
        meta = logged.get("dagster_meta") if isinstance(logged, dict) else None
        if not meta:
            return
        event = meta["dagster_event"]
        if isinstance(event, DagsterEvent):
            line = _describe(event)
        elif meta["step_key"] in _NARRATED_STEPS and record.levelno >= logging.INFO:
            line = meta["orig_message"]
        else:
            line = None
        if line:
            self._progress(line)


def _progress_logger(progress: Progress) -> LoggerDefinition:
    def build(_init_context) -> logging.Logger:
        logger = logging.Logger("acorn.pipeline", level=logging.DEBUG)
        logger.addHandler(_ProgressHandler(progress))
        return logger

    return LoggerDefinition(build, description="Forwards step and asset progress to a callback.")
