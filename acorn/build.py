"""Load an inbox and build every mart, printing what the user needs: what `acorn run` and the demos call."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from acorn.preflight import ensure_writable, holds_data
from acorn.summary import print_summary
from config.settings import Settings
from connectors.loader import LoadReport, inbox_files

Say = Callable[[str], None]
Checks = Callable[[Settings, Any, Say], Sequence[Callable[[], None]]]

# The loader narrates each file with its outcome first ("loaded …", "duplicate …", "quarantined …"): those lines
# are the run's news; Dagster's step and materialization lines are for --verbose.
FILE_OUTCOMES = tuple(LoadReport().counts())
EMPTY_INBOX_ADVICE = "drop settlement reports, bank statements, stores.csv or Vendor Central exports into it"


def progress_printer(say: Say, verbose: bool) -> Callable[[str], None]:
    """The pipeline's progress callback: every line when verbose, else only each file's outcome."""

    def show(line: str) -> None:
        if verbose or line.split(" ", 1)[0] in FILE_OUTCOMES:
            say(f"  {line}")

    return show


def load_and_build(settings: Settings, inbox: Path, say: Say, *, verbose: bool = False,
                   checks: Checks | None = None) -> Any | None:
    """Load `inbox`, build every mart, print the summary; `checks` adds lines after the results (the demo's).

    Returns the pipeline's result, or None when there was nothing to build: an empty inbox and a warehouse that
    has never received anything (the warning says so; not an error).
    """
    ensure_writable(settings)
    if not inbox_files(inbox):
        if not holds_data(settings):
            say(f"acorn: warning: inbox {inbox} has no files to load: {EMPTY_INBOX_ADVICE}, then run again "
                "(nothing was built)")
            return None
        say(f"acorn: warning: inbox {inbox} has no files to load: {EMPTY_INBOX_ADVICE}; "
            f"rebuilding the marts from what {settings.warehouse} holds")
    # Dagster takes seconds to import: only once there is something to run.
    from orchestration.pipeline import materialize_pipeline

    say(f"Loading {inbox} into {settings.warehouse}" + (f" (vendor ages as of {settings.as_of})" if settings.as_of else "")
        + " ...")
    started = datetime.now(UTC).replace(tzinfo=None)
    result = materialize_pipeline(settings, inbox, progress=progress_printer(say, verbose))
    print_summary(settings, result, say, checks(settings, result, say) if checks else ())
    if settings.notify_config:
        # The pipeline's last asset sent the new alerts (orchestration/notify); say where they went.
        from outbound.notify.notifier import delivery_lines

        for line in delivery_lines(settings, started) or ["Alerts: nothing new to send"]:
            say(line)
    return result
