"""`acorn demo` and `acorn generate`: registered with the product's command line as a plugin (entry point
`acorn.commands`), so the product never imports the demo."""
from __future__ import annotations

import argparse
import shutil
from datetime import date, timedelta
from pathlib import Path

from acorn.cli import DEMO_DIR, VERBOSE_HELP, run_pipeline, say
from acorn.preflight import ensure_writable
from config.settings import Settings

# One user per role, plus an operations user limited to one store and one vendor account; fixed passwords,
# since the demo's data are made up. The finance user reads the dashboards in Chinese.
DEMO_USERS = (
    # user, password, roles, stores, vendor accounts, language, name
    ("finance", "finance-demo", ["finance"], None, None, "zh", "财务 Demo"),
    ("operations", "operations-demo", ["operations"], None, None, "en", "Operations Demo"),
    ("management", "management-demo", ["management"], None, None, "en", "Management Demo"),
    ("auditor", "auditor-demo", ["auditor"], None, None, "en", "Auditor Demo"),
    ("admin", "admin-demo", ["admin"], None, None, "en", "Admin Demo"),
    ("ops-us", "ops-us-demo", ["operations"], ["acme-us"], ["acme-vendor-na"], "en", "Operations, acme-us only"),
    ("finance-us", "finance-us-demo", ["finance"], ["acme-us"], None, "zh", "财务，仅 acme-us"),
)

# The generated vendor world's as_of by default: long enough after the first PO for its Net 90 invoices to fall due.
VENDOR_DAYS_AFTER_START = (date(2026, 10, 15) - date(2026, 6, 1)).days


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser("demo", help="generate sample data, run the whole pipeline, print a summary")
    demo.add_argument("--warehouse", type=Path, default=DEMO_DIR / "acorn.duckdb")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--source", choices=("files", "api"), default="files",
                      help="read the sample settlements as dropped files, or pull them from a local fake SP-API")
    demo.add_argument("--no-vendor", action="store_true", help="skip the Vendor Central part of the demo")
    demo.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    demo.set_defaults(handler=_demo)

    generate = commands.add_parser("generate", help="write deterministic sample data (Amazon V2 settlements, bank CSV, ...)")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--months", type=int, default=3)
    generate.add_argument("--orders-per-day", type=int, default=20, help="orders per day and store")
    generate.add_argument("--start", type=date.fromisoformat, default=date(2026, 6, 1), help="first day, YYYY-MM-DD")
    generate.add_argument("--stores", default="acme-us,acme-de,acme-jp", help="comma-separated store ids")
    generate.add_argument("--vendor-as-of", type=date.fromisoformat,
                          help=f"day the vendor data set is seen on, YYYY-MM-DD (default: {VENDOR_DAYS_AFTER_START} days after --start)")
    generate.add_argument("--no-vendor", action="store_true", help="write only the seller data set")
    generate.set_defaults(handler=_generate)


def _demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env(args.warehouse)
    ensure_writable(settings)
    from demo.checks import demo_checks
    from demo.generator import generate

    if args.source == "api":
        from demo.api_demo import api_demo

        code = api_demo(settings, args.seed, say, vendor=not args.no_vendor, verbose=args.verbose)
        demo_users(settings.warehouse.parent)
        return code
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
    if not args.no_vendor:
        from demo.vendor_demo import generate_and_sync_vendor

        settings = generate_and_sync_vendor(settings, inbox, args.seed, say)
    elif settings.as_of is None:
        # SAFE-T deadlines and refund ages are measured on the day the generator placed them against.
        from dataclasses import replace

        from demo.generator.risk_reports import RISK_AS_OF_DAYS
        from demo.generator.world import DEFAULT_START

        settings = replace(settings, as_of=DEFAULT_START + timedelta(days=RISK_AS_OF_DAYS))
    code = run_pipeline(settings, inbox, checks=demo_checks, verbose=args.verbose)
    demo_users(settings.warehouse.parent)
    return code


def demo_users(directory: Path) -> Path:
    """A users file for the demo beside its warehouse (under data/, outside the tracked files), and how to log in."""
    from dashboards.accounts import add_user

    path = directory / "users.yaml"
    path.unlink(missing_ok=True)
    # The demo's failed logins must not lock anyone out of the next demo.
    (directory / "access_log.jsonl").unlink(missing_ok=True)
    for username, password, roles, stores, accounts, language, name in DEMO_USERS:
        add_user(path, username, password, roles, name=name, stores=stores, vendor_accounts=accounts, language=language)
    say("")
    say(f"Dashboard users (demo passwords; file {path}):")
    for username, password, roles, stores, accounts, language, _ in DEMO_USERS:
        scope = f", only {', '.join([*(stores or ()), *(accounts or ())])}" if stores or accounts else ""
        say(f"  {username:<11} password {password:<16} {', '.join(roles)}{scope} ({'中文' if language == 'zh' else 'English'})")
    say("  `make dashboards` (or `acorn dashboards`), open http://127.0.0.1:8501 and log in as one of them.")
    return path


def _generate(args: argparse.Namespace) -> int:
    from demo.generator import generate

    stores = tuple(s.strip() for s in args.stores.split(",") if s.strip())
    result = generate(args.out, seed=args.seed, months=args.months, orders_per_day=args.orders_per_day,
                      start=args.start, stores=stores)
    say(f"Wrote {len(result.files)} files to {args.out} (answer key: {args.out / '.expected_anomalies.json'})")
    if not args.no_vendor:
        from demo.generator.vendor import generate_vendor

        as_of = args.vendor_as_of or args.start + timedelta(days=VENDOR_DAYS_AFTER_START)
        vendor = generate_vendor(args.out, seed=args.seed, start=args.start, as_of=as_of)
        say(f"Wrote {len(vendor.files)} vendor files as of {as_of} (answer key: {vendor.answer_key}, "
            f"vendor config: {vendor.config})")
    return 0
