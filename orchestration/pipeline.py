"""Materialize every ACORN asset in this process: what `acorn run` and `acorn demo` call.

Same `Definitions` and job as `dagster dev`, on an ephemeral instance with the in-process executor
(a few seconds instead of a process per step), reporting progress through a plain callback.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dagster import (
    AssetCheckSeverity,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    LoggerDefinition,
)
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

from acorn.settings import Settings
from connectors.loader import LoadReport
from orchestration.assembly import build_definitions
from orchestration.jobs import PIPELINE_JOB_NAME
from orchestration.raw.assets import ARCHIVE_KEY
from orchestration.raw.load_metadata import report_from_records

Progress = Callable[[str], None]
_PROGRESS_LOGGER = "acorn_progress"
# The raw step narrates each inbox file through context.log; other steps' chatter stays out of the CLI.
_NARRATED_STEPS = {"inbox_tables"}


@dataclass
class PipelineResult:
    success: bool
    load_report: LoadReport | None  # None when the inbox step did not complete
    materialized: list[str] = field(default_factory=list)  # asset keys, e.g. "marts/fct_ledger"
    failures: list[str] = field(default_factory=list)  # one line each: failed steps and failed ERROR checks
    warnings: list[str] = field(default_factory=list)  # one line each: failed WARN checks (quarantined files)


def materialize_pipeline(settings: Settings, inbox: Path, progress: Progress | None = None) -> PipelineResult:
    loggers = {_PROGRESS_LOGGER: _progress_logger(progress or (lambda _line: None))}
    job = build_definitions(settings, inbox, loggers=loggers).resolve_job_def(PIPELINE_JOB_NAME)
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config={"loggers": {_PROGRESS_LOGGER: {}}}
        )
    events = result.all_events
    checks = [e.asset_check_evaluation_data for e in events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION]
    failed_checks = [c for c in checks if not c.passed]
    return PipelineResult(
        success=result.success and not any(c.severity == AssetCheckSeverity.ERROR for c in failed_checks),
        load_report=_load_report(events),
        materialized=[e.asset_key.to_user_string() for e in events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION],
        failures=[_step_failure(e) for e in events if e.event_type == DagsterEventType.STEP_FAILURE]
        + [_check_line(c) for c in failed_checks if c.severity == AssetCheckSeverity.ERROR],
        warnings=[_check_line(c) for c in failed_checks if c.severity == AssetCheckSeverity.WARN],
    )


def _load_report(events: list[DagsterEvent]) -> LoadReport | None:
    for event in events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key == ARCHIVE_KEY:
            metadata = event.step_materialization_data.materialization.metadata
            return report_from_records(metadata["files"].value, metadata["unchanged"].value)
    return None


def _step_failure(event: DagsterEvent) -> str:
    data = event.step_failure_data
    user = data.user_failure_data
    message = user.description if user and user.description else (data.error.message if data.error else "failed")
    # A dbt failure lists one node per line; keep each visible but on the step's one line.
    return f"{event.step_key}: " + "; ".join(line.strip() for line in message.strip().splitlines() if line.strip())


def _check_line(check) -> str:
    detail = check.metadata.get("quarantine_messages") or check.description
    text = detail.value if hasattr(detail, "value") else (detail or "")
    lines = [line.removeprefix("- ").strip() for line in str(text).splitlines() if line.strip()]
    suffix = f": {'; '.join(lines)}" if lines else ""
    return f"check {check.asset_key.to_user_string()}:{check.check_name} failed{suffix}"


def _describe(event: DagsterEvent) -> str | None:
    kind = event.event_type
    if kind == DagsterEventType.STEP_START:
        return f"started {event.step_key}"
    if kind == DagsterEventType.STEP_SUCCESS:
        return f"finished {event.step_key} in {event.event_specific_data.duration_ms / 1000:.1f} s"
    if kind == DagsterEventType.STEP_FAILURE:
        return f"failed {_step_failure(event)}"
    if kind == DagsterEventType.ASSET_MATERIALIZATION:
        return f"materialized {event.asset_key.to_user_string()}"
    if kind == DagsterEventType.ASSET_CHECK_EVALUATION and not event.asset_check_evaluation_data.passed:
        return _check_line(event.asset_check_evaluation_data)
    return None


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: Progress):
        super().__init__(level=logging.INFO)
        self._progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        meta = get_log_record_metadata(record)
        event = meta["dagster_event"]
        if event is not None:
            line = _describe(event)
        elif meta["step_key"] in _NARRATED_STEPS:
            line = meta["orig_message"]
        else:
            line = None
        if line:
            self._progress(line)


def _progress_logger(progress: Progress) -> LoggerDefinition:
    def build(_init_context) -> logging.Logger:
        logger = logging.Logger("acorn.pipeline", level=logging.INFO)
        logger.addHandler(_ProgressHandler(progress))
        return logger

    return LoggerDefinition(build, description="Forwards step and asset progress to a callback.")
