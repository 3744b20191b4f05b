"""The `acorn` command line: demo, run, generate, dashboards, rebuild."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Sequence

from acorn.settings import REPO_ROOT, Settings

DEMO_DIR = REPO_ROOT / "data" / "demo"

for _name, _value in {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}.items():
    os.environ.setdefault(_name, _value)


class UsageError(Exception):
    """A problem the user can fix; printed as one line."""


def say(line: str = "") -> None:
    print(line, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        say("acorn: interrupted")
        return 130
    except Exception as error:  # noqa: BLE001 - the command line shows one clear line, not a traceback
        if os.environ.get("ACORN_DEBUG"):
            raise
        say(f"acorn: error: {error}")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acorn", description="ACORN: Amazon seller and vendor finance warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="generate sample data, run the whole pipeline, print a summary")
    demo.add_argument("--warehouse", type=Path, default=DEMO_DIR / "acorn.duckdb")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--source", choices=("files", "api"), default="files",
                      help="read the sample settlements as dropped files, or pull them from a local fake SP-API")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="load every file in an inbox and build every mart")
    run.add_argument("--inbox", type=Path, required=True)
    run.add_argument("--warehouse", type=Path)
    run.set_defaults(handler=_run)

    generate = commands.add_parser("generate", help="write deterministic sample data (Amazon V2 settlements, bank CSV, ...)")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--months", type=int, default=3)
    generate.add_argument("--orders-per-day", type=int, default=20, help="orders per day and store")
    generate.add_argument("--start", type=date.fromisoformat, default=date(2026, 6, 1), help="first day, YYYY-MM-DD")
    generate.add_argument("--stores", default="acme-us,acme-de,acme-jp", help="comma-separated store ids")
    generate.set_defaults(handler=_generate)

    dashboards = commands.add_parser("dashboards", help="start the Streamlit dashboards on localhost")
    dashboards.add_argument("--warehouse", type=Path)
    dashboards.add_argument("--port", type=int, default=8501)
    dashboards.set_defaults(handler=_dashboards)

    rebuild = commands.add_parser("rebuild", help="rebuild a warehouse from a raw archive")
    rebuild.add_argument("--from-archive", type=Path, required=True)
    rebuild.add_argument("--warehouse", type=Path, required=True)
    rebuild.set_defaults(handler=_rebuild)
    return parser


def _demo(args: argparse.Namespace) -> int:
    from acorn.generator import generate

    settings = Settings.from_env(args.warehouse)
    if args.source == "api":
        from acorn.api_demo import api_demo

        return api_demo(settings, args.seed, say)
    inbox = settings.warehouse.parent / "inbox"
    # The demo always starts clean so its summary shows exactly the injected anomalies.
    for path in (inbox, settings.archive_dir):
        shutil.rmtree(path, ignore_errors=True)
    for suffix in ("", ".wal"):
        Path(f"{settings.warehouse}{suffix}").unlink(missing_ok=True)
    say(f"Generating sample data into {inbox} (seed {args.seed}) ...")
    generated = generate(inbox, seed=args.seed)
    stores = sorted({s.store_id for s in generated.settlements})
    say(f"  {len(generated.files) - 1} files for stores {', '.join(stores)}")
    return _pipeline(settings, inbox, demo=True)


def _run(args: argparse.Namespace) -> int:
    if not args.inbox.is_dir():
        raise UsageError(f"inbox {args.inbox} is not a directory")
    return _pipeline(Settings.from_env(args.warehouse), args.inbox.resolve(), demo=False)


def _pipeline(settings: Settings, inbox: Path, demo: bool) -> int:
    from acorn.summary import print_summary
    from orchestration.pipeline import materialize_pipeline

    say(f"Loading {inbox} into {settings.warehouse} ...")
    result = materialize_pipeline(settings, inbox, progress=lambda line: say(f"  {line}"))
    print_summary(settings, result, say, demo=demo)
    return 0 if result.success else 1


def _generate(args: argparse.Namespace) -> int:
    from acorn.generator import generate

    stores = tuple(s.strip() for s in args.stores.split(",") if s.strip())
    result = generate(args.out, seed=args.seed, months=args.months, orders_per_day=args.orders_per_day,
                      start=args.start, stores=stores)
    say(f"Wrote {len(result.files)} files to {args.out} (answer key: {args.out / '.expected_anomalies.json'})")
    return 0


def _dashboards(args: argparse.Namespace) -> int:
    from dashboards.launch import command

    settings = Settings.from_env(args.warehouse or _default_dashboard_warehouse())
    if not settings.warehouse.exists():
        raise UsageError(f"no warehouse at {settings.warehouse}: run `acorn demo` or `acorn run --inbox DIR` first")
    env = {**os.environ, "ACORN_WAREHOUSE": str(settings.warehouse)}
    say(f"Dashboards on http://127.0.0.1:{args.port} (warehouse {settings.warehouse}); Ctrl-C stops them.")
    return subprocess.call(command(settings, args.port), env=env, cwd=REPO_ROOT)


def _default_dashboard_warehouse() -> Path:
    configured = os.environ.get("ACORN_WAREHOUSE")
    if configured:
        return Path(configured)
    demo = DEMO_DIR / "acorn.duckdb"
    return demo if demo.exists() and not Settings.from_env().warehouse.exists() else Settings.from_env().warehouse


def _rebuild(args: argparse.Namespace) -> int:
    from acorn.summary import print_summary
    from connectors.loader import replay_archive
    from orchestration.pipeline import materialize_pipeline

    settings = Settings.from_env(args.warehouse)
    source = args.from_archive.resolve()
    if not (source / "manifest.jsonl").exists():
        raise UsageError(f"{source} is not an ACORN archive (no manifest.jsonl)")
    if source == settings.archive_dir or settings.warehouse.exists():
        raise UsageError("rebuild into a new warehouse path, away from the archive it reads")
    say(f"Rebuilding {settings.warehouse} from {source} ...")
    replayed = replay_archive(settings, source, progress=lambda line: say(f"  {line}"))
    with tempfile.TemporaryDirectory() as nothing_new:
        result = materialize_pipeline(settings, Path(nothing_new), progress=lambda line: say(f"  {line}"))
    result.load_report.files[:0] = replayed.files
    print_summary(settings, result, say, demo=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
