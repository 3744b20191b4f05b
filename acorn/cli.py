"""The `acorn` command line: run, dashboards, users, rebuild, export, vendor-invoices (plus commands registered by
plugins)."""
from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from config.settings import REPO_ROOT, Settings, turn_telemetry_off

DEMO_DIR = REPO_ROOT / "data" / "demo"
COMMAND_PLUGINS = "acorn.commands"
Say = Callable[[str], None]
Checks = Callable[[Settings, Any, Say], Sequence[Callable[[], None]]]

turn_telemetry_off()


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
    except Exception as error:
        if os.environ.get("ACORN_DEBUG"):
            raise
        say(f"acorn: error: {error}")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acorn", description="ACORN: Amazon seller and vendor finance warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="load every file in an inbox and build every mart")
    run.add_argument("--inbox", type=Path, required=True)
    run.add_argument("--warehouse", type=Path)
    run.set_defaults(handler=_run)

    dashboards = commands.add_parser("dashboards", help="start the Streamlit dashboards on localhost")
    dashboards.add_argument("--warehouse", type=Path)
    dashboards.add_argument("--port", type=int, default=8501)
    dashboards.set_defaults(handler=_dashboards)

    users = commands.add_parser("users", help="manage who may log in to the dashboards (roles, stores, passwords)")
    users.add_argument("--users-file", type=Path, help="default: ACORN_USERS_FILE, else users.yaml beside the warehouse")
    users.add_argument("--warehouse", type=Path)
    user_commands = users.add_subparsers(dest="action", required=True)
    add = user_commands.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True, help="finance, operations, management, auditor, admin (repeatable)")
    add.add_argument("--name", help="display name")
    add.add_argument("--store", action="append", help="limit to this store (repeatable; default: every store)")
    add.add_argument("--vendor-account", action="append", help="limit to this vendor account (repeatable)")
    add.add_argument("--language", choices=("zh", "en"), help="dashboard language (default: ACORN_LANGUAGE)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = user_commands.add_parser("passwd", help="set a user's password (asks for it)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    disable = user_commands.add_parser("disable", help="stop a user from logging in (--enable lets them again)")
    disable.add_argument("username")
    disable.add_argument("--enable", action="store_true")
    user_commands.add_parser("list", help="list the users with their roles and stores")
    users.set_defaults(handler=_users)

    rebuild = commands.add_parser("rebuild", help="rebuild a warehouse from a raw archive")
    rebuild.add_argument("--from-archive", type=Path, required=True)
    rebuild.add_argument("--warehouse", type=Path, required=True)
    rebuild.set_defaults(handler=_rebuild)

    export = commands.add_parser("export", help="write transactions to a file for audit or tax filing")
    exports = export.add_subparsers(dest="what", required=True)
    vendor = exports.add_parser("vendor", help="every vendor transaction (PO lines, invoices, payments, deductions)")
    vendor.add_argument("--out", type=Path, required=True)
    vendor.add_argument("--period", help="2026, 2026-07, 2026-Q3, 2026-07-15 or 2026-07-01..2026-09-30")
    vendor.add_argument("--asin")
    vendor.add_argument("--po", help="purchase order number")
    vendor.add_argument("--format", choices=("csv", "xlsx"), help="default: from the --out suffix, else csv")
    vendor.add_argument("--warehouse", type=Path)
    vendor.set_defaults(handler=_export_vendor)

    invoices = commands.add_parser("vendor-invoices",
                                   help="build Vendor Central invoices for received, uninvoiced PO lines (and submit them)")
    invoices.add_argument("--out", type=Path, required=True, help="directory for the JSON and XLSX of each account")
    invoices.add_argument("--submit", action="store_true",
                          help="submit them to Amazon and refresh the status of earlier submissions (needs credentials)")
    invoices.add_argument("--config", type=Path, help="vendor configuration JSON (default: ACORN_VENDOR_CONFIG)")
    invoices.add_argument("--invoice-date", type=date.fromisoformat, help="YYYY-MM-DD (default: today, UTC)")
    invoices.add_argument("--warehouse", type=Path)
    invoices.set_defaults(handler=_vendor_invoices)
    # Commands of packages installed beside the product (the demo's `demo` and `generate`) register themselves.
    for plugin in entry_points(group=COMMAND_PLUGINS):
        plugin.load()(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    if not args.inbox.is_dir():
        raise UsageError(f"inbox {args.inbox} is not a directory")
    return run_pipeline(Settings.from_env(args.warehouse), args.inbox.resolve())


def run_pipeline(settings: Settings, inbox: Path, checks: Checks | None = None) -> int:
    """Load `inbox`, build every mart, print the summary; `checks` adds lines after the results (the demo's)."""
    from acorn.summary import print_summary
    from orchestration.pipeline import materialize_pipeline

    say(f"Loading {inbox} into {settings.warehouse}" + (f" (vendor ages as of {settings.as_of})" if settings.as_of else "")
        + " ...")
    result = materialize_pipeline(settings, inbox, progress=lambda line: say(f"  {line}"))
    print_summary(settings, result, say, checks(settings, result, say) if checks else ())
    return 0 if result.success else 1


def _dashboards(args: argparse.Namespace) -> int:
    from dashboards.launch import command, environment

    settings = _existing_warehouse(args.warehouse)
    env = environment(settings)
    say(f"Dashboards on http://127.0.0.1:{args.port} (warehouse {settings.warehouse}, users {settings.users_file}); "
        "Ctrl-C stops them.")
    if not settings.users_file.exists():
        say(f"  No users yet: add one with `acorn users add NAME --role admin` (file {settings.users_file}).")
    return subprocess.call(command(settings, args.port), env=env, cwd=REPO_ROOT)


def _existing_warehouse(warehouse: Path | None) -> Settings:
    settings = Settings.from_env(warehouse or _default_reading_warehouse())
    if not settings.warehouse.exists():
        raise UsageError(f"no warehouse at {settings.warehouse}: run `acorn demo` or `acorn run --inbox DIR` first")
    return settings


def _default_reading_warehouse() -> Path:
    """ACORN_WAREHOUSE, else the demo's warehouse when the default one was never built."""
    configured = os.environ.get("ACORN_WAREHOUSE")
    if configured:
        return Path(configured)
    demo = DEMO_DIR / "acorn.duckdb"
    return demo if demo.exists() and not Settings.from_env().warehouse.exists() else Settings.from_env().warehouse


def _users(args: argparse.Namespace) -> int:
    from dashboards import accounts

    settings = Settings.from_env(args.warehouse or _default_reading_warehouse())
    path = (args.users_file.resolve() if args.users_file else settings.users_file)
    try:
        if args.action == "add":
            accounts.add_user(path, args.username, _password(args), args.role, name=args.name, stores=args.store,
                              vendor_accounts=args.vendor_account, language=args.language)
            scope = ", ".join([*(args.store or ()), *(args.vendor_account or ())]) or "every store"
            say(f"Added {args.username} ({', '.join(args.role)}; {scope}) to {path}")
        elif args.action == "passwd":
            if args.username not in accounts.load_users(path):
                raise accounts.AccountError(f"no user {args.username!r} in {path}")
            accounts.set_password(path, args.username, _password(args))
            say(f"Password of {args.username} changed in {path}")
        elif args.action == "disable":
            accounts.set_disabled(path, args.username, disabled=not args.enable)
            say(f"{args.username} {'enabled' if args.enable else 'disabled'} in {path}")
        else:
            for user in accounts.load_users(path).values():
                say(f"{user.username:<16} {','.join(sorted(user.roles)):<22} stores={','.join(user.stores or ('*',))} "
                    f"vendor={','.join(user.vendor_accounts or ('*' if not user.stores else '-',))} "
                    f"language={user.language or settings.language}{' DISABLED' if user.disabled else ''}")
    except accounts.AccountError as error:
        raise UsageError(str(error)) from None
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        raise UsageError("the two passwords differ")
    return password


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
    print_summary(settings, result, say)
    return 0 if result.success else 1


def _export_vendor(args: argparse.Namespace) -> int:
    import duckdb

    from outbound.vendor_export import export_vendor_transactions, parse_period

    if args.period:
        try:
            parse_period(args.period)
        except ValueError as error:
            raise UsageError(f"--period {args.period!r}: {error}") from None
    settings = _existing_warehouse(args.warehouse)
    fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
    try:
        count = export_vendor_transactions(settings, args.out, period=args.period, asin=args.asin, po=args.po, fmt=fmt)
    except duckdb.CatalogException:
        raise UsageError(f"{settings.warehouse} has no vendor marts yet: run `acorn run` or `acorn demo` first") from None
    filters = ", ".join(f"{name} {value}" for name, value in
                        (("period", args.period), ("ASIN", args.asin), ("PO", args.po)) if value)
    say(f"Wrote {count} vendor transactions{f' ({filters})' if filters else ''} to {args.out} ({fmt})")
    return 0


def _vendor_invoices(args: argparse.Namespace) -> int:
    from outbound.vendor_invoicing import build_and_export, submit_and_refresh

    settings = _existing_warehouse(args.warehouse)
    config_path = args.config or settings.vendor_config
    if config_path is None:
        raise UsageError("no vendor configuration: pass --config FILE or set ACORN_VENDOR_CONFIG")
    if not Path(config_path).is_file():
        raise UsageError(f"vendor configuration {config_path} does not exist")
    batches = build_and_export(settings, Path(config_path), args.out, args.invoice_date)
    for batch in batches:
        say(f"{batch.account_id}: {len(batch.invoices)} invoice(s) for PO {', '.join(batch.purchase_orders)} "
            f"→ {batch.json_path}, {batch.xlsx_path.name}")
    if not batches:
        say("No received purchase-order lines wait for an invoice.")
    if args.submit:
        for line in submit_and_refresh(settings, Path(config_path), batches):
            say(line)
    elif batches:
        say("Review them; the same command with --submit submits them to Amazon.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
