"""SP-API sources as Dagster assets, one partition per store.

Amazon's finance and report APIs answer per seller account, so a store's partition syncs its account: the
stores of one account share one cursor per source, and materializing a second store of that account only
repeats what is already up to date. Settlement report documents land in the SP-API inbox (under the inbox),
where the inbox sensor and `inbox_tables` load them through the same archive, parser and checks as a file
dropped by hand. Event groups, events and transactions are written to their `raw` tables directly.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    asset,
)

from connectors.spapi.accounts import AccountConfigError
from connectors.spapi.risk_reports import REPORT_SOURCES
from orchestration.resources import WarehouseResource
from orchestration.spapi.resources import SpApiResource
from orchestration.spapi.runs import sync_account, sync_facts

GROUP = "spapi"

SOURCE_KEYS = {
    "settlement_reports": AssetKey(["raw", "spapi_settlement_reports"]),
    "financial_event_groups": AssetKey(["raw", "financial_event_groups"]),
    "financial_events": AssetKey(["raw", "financial_events"]),
    "finance_transactions": AssetKey(["raw", "finance_transactions"]),
    # The money-at-risk reports: documents requested per window, landing in the SP-API inbox like settlements.
    **{source: AssetKey(["raw", f"spapi_{source}_reports"]) for source in REPORT_SOURCES},
}
_DESCRIPTIONS = {
    "settlement_reports": "Settlement reports listed by getReports and downloaded (gunzipped, bytes as Amazon made "
    "them) into the SP-API inbox, which the inbox load archives and parses like any dropped file.",
    "financial_event_groups": "Finances v0 financial event groups (Open and Closed), with converted totals.",
    "financial_events": "Finances v0 financial events, one row per amount; lists ACORN does not know are kept and reported.",
    "finance_transactions": "Finances 2024-06-19 transactions, RELEASED and DEFERRED, with their breakdowns.",
    **{source: f"{report_type} requested window by window (createReport, getReport, getReportDocument) into the "
       "SP-API inbox, which the inbox load archives and parses like any dropped file."
       for source, (report_type, _) in REPORT_SOURCES.items()},
}
# Events are assigned to the group whose span holds them: fetch groups first.
_DEPS = {"financial_events": [SOURCE_KEYS["financial_event_groups"]]}

# A window that still fails after the connector's own backoff (429, 5xx, expired token or URL) is retried
# by Dagster later; the cursor makes the retry resume where the failed window began.
TRANSIENT_RETRY = RetryPolicy(max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)


def spapi_assets(partitions: PartitionsDefinition) -> list[AssetsDefinition]:
    return [_source_asset(source, partitions) for source in SOURCE_KEYS]


def _source_asset(source: str, partitions: PartitionsDefinition) -> AssetsDefinition:
    @asset(
        key=SOURCE_KEYS[source],
        deps=_DEPS.get(source, []),
        description=_DESCRIPTIONS[source],
        group_name=GROUP,
        partitions_def=partitions,
        retry_policy=TRANSIENT_RETRY,
        kinds={"duckdb"},
    )
    def _sync(context: AssetExecutionContext, spapi: SpApiResource, warehouse: WarehouseResource) -> MaterializeResult:
        settings = warehouse.settings()
        store_id = context.partition_key
        try:
            account = spapi.account_for(store_id)
        except AccountConfigError as exc:
            # A configuration problem does not heal by waiting: fail without retries. The message names
            # environment variables, never their values.
            raise Failure(description=str(exc), allow_retries=False) from None
        run = sync_account(settings, account, (source,), spapi.sync_options(settings.archive_dir),
                           endpoint=spapi.endpoint, lwa_url=spapi.lwa_url)
        result = run.results[source]
        facts = sync_facts(settings, account.account_id, run.run_id, source)
        context.log.info(
            f"{account.account_id} {source}: {result.windows} windows, {result.rows} rows, "
            f"{facts['retries']} retries, cursor {facts['cursor_at']}"
        )
        metadata: dict[str, object] = {
            "account_id": account.account_id,
            "sync_run_id": run.run_id,
            "windows": result.windows,
            "rows_written": result.rows,
            **facts,
        }
        if source == "settlement_reports" or source in REPORT_SOURCES:
            metadata["documents"] = MetadataValue.json(sorted(path.name for path in result.files))
            metadata["inbox_dir"] = MetadataValue.path(spapi.inbox_dir)
        if result.unknown_event_lists:
            metadata["unknown_event_lists"] = MetadataValue.json(result.unknown_event_lists)
        return MaterializeResult(metadata=metadata)

    return _sync
