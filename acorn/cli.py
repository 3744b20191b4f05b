"""The `acorn` command line: run, dashboards, users, rebuild, export, vendor-invoices (plus commands registered by
plugins)."""
from __future__ import annotations

import argparse
import getpass
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from acorn.errors import UsageError
from acorn.invocation import acorn_command
from config.settings import REPO_ROOT, Settings, configured_warehouse, show_tracebacks, turn_telemetry_off
from outbound.periods import PERIOD_FORMS, PeriodError, parse_period

if TYPE_CHECKING:
    from acorn.build import Checks

DEMO_DIR = REPO_ROOT / "data" / "demo"
# The built-in voucher layouts (outbound/vouchers/layouts/*.yaml); listed here so --help needs no import of outbound.
VOUCHER_FORMATS = ("kingdee-kis", "kingdee-k3", "yonyou-u8", "csv")
COMMAND_PLUGINS = "acorn.commands"
VERBOSE_HELP = "print every pipeline step and asset as it runs (default: each file's outcome and the summary)"

turn_telemetry_off()


def say(line: str = "") -> None:
    print(line, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        say("acorn: interrupted")
        return 130
    except UsageError as error:
        say(f"acorn: error: {error}")
        return 1
    except Exception as error:
        if show_tracebacks():
            raise
        first = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
        say(f"acorn: error: {first}")
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acorn", description="ACORN: Amazon seller and vendor finance warehouse.",
                                     epilog="Errors are one line; ACORN_DEBUG=1 shows the traceback instead.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="load every file in an inbox and build every mart",
        epilog="An inbox with no files is a warning, not an error (exit 0): the marts are rebuilt from what the "
               "warehouse holds, or nothing is built when it holds nothing yet.")
    run.add_argument("--inbox", type=Path, required=True)
    run.add_argument("--warehouse", type=Path)
    run.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    run.add_argument("--full-refresh", action="store_true",
                     help="build and test every model from scratch, not only what new inputs reach")
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
    rebuild.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    rebuild.set_defaults(handler=_rebuild)

    export = commands.add_parser("export", help="write transactions to a file for audit or tax filing")
    exports = export.add_subparsers(dest="what", required=True)
    vendor = exports.add_parser("vendor", help="every vendor transaction (PO lines, invoices, payments, deductions)")
    vendor.add_argument("--out", type=Path, required=True)
    vendor.add_argument("--period", help=f"{PERIOD_FORMS} (both ends included)")
    vendor.add_argument("--asin")
    vendor.add_argument("--po", help="purchase order number")
    vendor.add_argument("--format", choices=("csv", "xlsx"), help="default: from the --out suffix, else csv")
    vendor.add_argument("--warehouse", type=Path)
    vendor.set_defaults(handler=_export_vendor)
    raw = exports.add_parser("raw", help="the raw and audit tables as Parquet, for dbt --target spark (docs/deploy.md)")
    raw.add_argument("--out", type=Path, required=True, help="folder: <out>/<schema>/<table>/data.parquet")
    raw.add_argument("--warehouse", type=Path)
    raw.set_defaults(handler=_export_raw)
    vouchers = exports.add_parser("vouchers", help="one period's journal as 记账凭证 for Kingdee or Yonyou")
    vouchers.add_argument("--period", required=True, help="YYYY-MM")
    vouchers.add_argument("--format", choices=VOUCHER_FORMATS,
                          help="a built-in layout (default kingdee-kis); see outbound/vouchers/layouts/")
    vouchers.add_argument("--layout", type=Path, help="your own layout file (YAML), instead of --format")
    vouchers.add_argument("--out", type=Path, required=True)
    vouchers.add_argument("--encoding", choices=("utf-8-sig", "gbk"), help="csv/txt layouts only (default: the layout's)")
    vouchers.add_argument("--allow-suspense", action="store_true",
                          help="export a period with suspense postings (unmapped lines) anyway, and list them")
    vouchers.add_argument("--preparer", default="ACORN", help="制单人 (default ACORN)")
    vouchers.add_argument("--warehouse", type=Path)
    vouchers.set_defaults(handler=_export_vouchers)
    cas = exports.add_parser("cas", help="收入确认表, 成本分摊表, 科目余额表 and 汇兑损益明细 of a period as one workbook")
    cas.add_argument("--period", required=True, help="YYYY-MM")
    cas.add_argument("--out", type=Path, required=True, help="FILE.xlsx")
    cas.add_argument("--warehouse", type=Path)
    cas.set_defaults(handler=_export_cas)

    close = commands.add_parser("close", help="close a period: freeze its journal; later data posts as adjustments")
    close.add_argument("--period", required=True, help="YYYY-MM")
    close.add_argument("--by", help="who closes it (default: the OS user)")
    close.add_argument("--warehouse", type=Path)
    close.set_defaults(handler=_close)

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
    settings = Settings.from_env(args.warehouse)
    if args.full_refresh and settings.warehouse.exists():
        from orchestration.dbt_models.incremental import forget_incremental_state

        forget_incremental_state(settings)
    return run_pipeline(settings, args.inbox.resolve(), verbose=args.verbose)


def run_pipeline(settings: Settings, inbox: Path, checks: Checks | None = None, *, verbose: bool = False) -> int:
    """Load `inbox`, build every mart, print the summary; `checks` adds lines after the results (the demo's)."""
    from acorn.build import load_and_build

    result = load_and_build(settings, inbox, say, verbose=verbose, checks=checks)
    return 0 if result is None or result.success else 1


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
        acorn = acorn_command()
        raise UsageError(f"no warehouse at {settings.warehouse}: run `{acorn} demo` or `{acorn} run --inbox DIR` first")
    return settings


def _default_reading_warehouse() -> Path:
    """ACORN_WAREHOUSE, else the demo's warehouse when the default one was never built."""
    configured = configured_warehouse()
    if configured:
        return configured
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
    from acorn.build import progress_printer
    from acorn.preflight import ensure_writable
    from acorn.summary import print_summary
    from connectors.loader import replay_archive
    from orchestration.pipeline import materialize_pipeline

    settings = Settings.from_env(args.warehouse)
    source = args.from_archive.resolve()
    if not (source / "manifest.jsonl").exists():
        raise UsageError(f"{source} is not an ACORN archive (no manifest.jsonl)")
    if source == settings.archive_dir or settings.warehouse.exists():
        raise UsageError("rebuild into a new warehouse path, away from the archive it reads")
    ensure_writable(settings)
    progress = progress_printer(say, args.verbose)
    say(f"Rebuilding {settings.warehouse} from {source} ...")
    replayed = replay_archive(settings, source, progress=progress)
    with tempfile.TemporaryDirectory() as nothing_new:
        result = materialize_pipeline(settings, Path(nothing_new), progress=progress)
    if result.load_report is not None:
        result.load_report.files[:0] = replayed.files
    print_summary(settings, result, say)
    return 0 if result.success else 1


def _export_vendor(args: argparse.Namespace) -> int:
    import duckdb

    from outbound.vendor_export import NoMatch, export_vendor_transactions

    if args.period is not None:
        try:
            parse_period(args.period)
        except PeriodError as error:
            raise UsageError(f"--period {args.period!r}: {error}") from None
    settings = _existing_warehouse(args.warehouse)
    fmt = args.format or ("xlsx" if args.out.suffix.lower() == ".xlsx" else "csv")
    try:
        count = export_vendor_transactions(settings, args.out, period=args.period, asin=args.asin, po=args.po, fmt=fmt)
    except duckdb.CatalogException:
        raise UsageError(f"{settings.warehouse} has no vendor marts yet: run `{acorn_command()} run` or "
                         f"`{acorn_command()} demo` first") from None
    except NoMatch as missing:
        raise UsageError(f"{missing}: check it, or leave out --{missing.option} to export every one; "
                         f"nothing was written") from None
    filters = ", ".join(f"{name} {value}" for name, value in
                        (("period", args.period), ("ASIN", args.asin), ("PO", args.po)) if value)
    say(f"Wrote {count} vendor transactions{f' ({filters})' if filters else ''} to {args.out} ({fmt})")
    return 0


def _export_raw(args: argparse.Namespace) -> int:
    from connectors.parquet_export import export_raw_parquet

    settings = _existing_warehouse(args.warehouse)
    tables = export_raw_parquet(settings.warehouse, args.out.resolve())
    say(f"Wrote {len(tables)} raw and audit tables as Parquet under {args.out}: "
        f"ACORN_RAW_PARQUET={args.out.resolve()} dbt build --target spark")
    return 0


def _export_vouchers(args: argparse.Namespace) -> int:
    from outbound.vouchers.export import choose_layout, export_vouchers
    from outbound.vouchers.journal import JournalRefused
    from outbound.vouchers.layouts import LayoutError

    if args.format and args.layout:
        raise UsageError("give --format or --layout, not both")
    settings = _existing_warehouse(args.warehouse)
    try:
        layout = choose_layout(args.format, args.layout)
        done = export_vouchers(settings.warehouse, args.period, args.out, layout, encoding=args.encoding,
                               allow_suspense=args.allow_suspense, preparer=args.preparer)
    except (JournalRefused, LayoutError) as refused:
        raise UsageError(str(refused)) from None
    say(f"Wrote {done.vouchers} vouchers ({done.lines} lines) of {args.period} to {done.out} ({done.layout})")
    if done.suspense:
        say(f"{len(done.suspense)} suspense posting(s), exported as allowed:")
        for line in done.suspense:
            say(f"  voucher {line['voucher_no']} {line['account_code']} {line['debit'] or -line['credit']} "
                f"{line['memo'] or ''} ({line['source_type']} {line['source_id']})")
    return 0


def _export_cas(args: argparse.Namespace) -> int:
    from outbound.cas_export import export_cas
    from outbound.vouchers.journal import JournalRefused

    settings = _existing_warehouse(args.warehouse)
    try:
        counts = export_cas(settings.warehouse, args.period, args.out)
    except JournalRefused as refused:
        raise UsageError(str(refused)) from None
    say(f"Wrote {args.out}: " + ", ".join(f"{sheet} {rows} rows" for sheet, rows in counts.items()))
    return 0


def _close(args: argparse.Namespace) -> int:
    from outbound.close import close_period
    from outbound.vouchers.journal import JournalRefused

    settings = _existing_warehouse(args.warehouse)
    try:
        closed = close_period(settings, args.period, args.by)
    except JournalRefused as refused:
        raise UsageError(str(refused)) from None
    say(f"Closed {closed.period}: {closed.lines} journal lines frozen in {closed.record} "
        f"(sha256 {closed.load.sha256[:12]}…); rebuilding the marts ...")
    # Imported only now: Dagster takes seconds to import, and a refusal should not wait for it.
    from orchestration.pipeline import materialize_pipeline

    with tempfile.TemporaryDirectory() as nothing_new:
        result = materialize_pipeline(settings, Path(nothing_new), progress=lambda line: say(f"  {line}"))
    if not result.success:
        say(f"The period is closed, but the rebuild failed: {'; '.join(result.failures)} — run `acorn run` again.")
        return 1
    say(f"Marts rebuilt; data arriving later for {closed.period} posts as adjustments in the first open period.")
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
        for held in batch.held_back:
            for reason in held.reasons:
                say(f"  held back PO {held.candidate.purchase_order_number} line "
                    f"{held.candidate.item_sequence_number}: {reason}")
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
