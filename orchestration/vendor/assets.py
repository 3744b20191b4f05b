"""Vendor sources as Dagster assets, one partition per vendor account.

The keys are the `raw` tables the dbt vendor sources already name (`meta.dagster.asset_key`), so the dbt models
hang off these assets directly. Purchase orders (versions and items) and Finances invoices (headers, breakdowns,
related ids, lines) each come from one sync that writes several tables: one multi-asset per sync.
Own invoices are built and submitted by `acorn vendor-invoices`; their asset refreshes the transaction status
of what is still Processing.
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    multi_asset,
)

from connectors.spapi.accounts import Account, AccountConfigError
from connectors.vendor.config import VendorConfig
from connectors.vendor.sync import INVOICES, PURCHASE_ORDER_STATUS, PURCHASE_ORDERS, SHIPMENTS
from orchestration.resources import WarehouseResource
from orchestration.spapi.assets import TRANSIENT_RETRY
from orchestration.vendor.resources import VendorResource
from orchestration.vendor.runs import refresh_submissions, sync_vendor_account, vendor_sync_facts

GROUP = "vendor"


def _key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


# sync source → (asset name, tables it writes, description)
SOURCES: dict[str, tuple[str, tuple[str, ...], str]] = {
    PURCHASE_ORDERS: (
        "vendor_purchase_orders_sync",
        ("vendor_purchase_orders", "vendor_purchase_order_items"),
        "getPurchaseOrders in 7-day changed windows: every PO version (a change, acknowledgement or cancellation "
        "adds one, earlier ones stay) and its items, cancelled items marked.",
    ),
    PURCHASE_ORDER_STATUS: (
        "vendor_purchase_order_status_sync",
        ("vendor_purchase_order_status",),
        "getPurchaseOrdersStatus in 7-day updated windows: acknowledgement, accepted, rejected, cancelled and "
        "received quantities per PO item and update.",
    ),
    SHIPMENTS: (
        "vendor_shipments_sync",
        ("vendor_shipments", "vendor_shipment_items", "vendor_config_parties"),
        "vendorShipments getShipmentDetails in 7-day created windows, the last 30 days read again: every ASN "
        "version (created, shipped, delivered) with ship date, estimated and actual delivery, cartons and the "
        "quantity shipped per PO item; and the configured vendor parties and tax registrations.",
    ),
    INVOICES: (
        "vendor_invoices_sync",
        ("vendor_invoices", "vendor_invoice_breakdowns", "vendor_invoice_related_ids", "vendor_invoice_lines"),
        "Finances Invoices 2026-06-25 per marketplace of the account: header versions (status, terms, due date), "
        "amount and settlement breakdowns, related PO and shortage-invoice ids, lines with their matching context.",
    ),
}
SUBMISSIONS_KEY = _key("vendor_invoice_submissions")
SOURCE_KEYS = {source: [_key(table) for table in tables] for source, (_, tables, _) in SOURCES.items()}
ALL_KEYS = [key for keys in SOURCE_KEYS.values() for key in keys] + [SUBMISSIONS_KEY]


def vendor_assets(partitions: PartitionsDefinition) -> list[AssetsDefinition]:
    return [*(_source_asset(source, partitions) for source in SOURCES), _submissions_asset(partitions)]


def _account(vendor: VendorResource, account_id: str) -> tuple[VendorConfig, Account]:
    try:
        return vendor.config(), vendor.account(account_id)
    except AccountConfigError as exc:
        # A configuration problem does not heal by waiting: fail without retries. The message names
        # environment variables, never their values.
        raise Failure(description=str(exc), allow_retries=False) from None


def _source_asset(source: str, partitions: PartitionsDefinition) -> AssetsDefinition:
    name, tables, description = SOURCES[source]
    keys = SOURCE_KEYS[source]

    @multi_asset(
        name=name,
        specs=[AssetSpec(key, description=description, group_name=GROUP, kinds={"duckdb"}) for key in keys],
        partitions_def=partitions,
        retry_policy=TRANSIENT_RETRY,
    )
    def _sync(context: AssetExecutionContext, vendor: VendorResource,
              warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        settings = warehouse.settings()
        config, account = _account(vendor, context.partition_key)
        run = sync_vendor_account(settings, account, config, (source,), vendor.sync_options(settings.archive_dir),
                                  endpoint=vendor.endpoint, lwa_url=vendor.lwa_url)
        facts = vendor_sync_facts(settings, account.account_id, run.run_id, source)
        cursors = facts.pop("cursors")
        windows = sum(result.windows for result in run.results.values())
        rows = sum(result.rows for result in run.results.values())
        context.log.info(f"{account.account_id} {source}: {windows} windows, {rows} rows, {facts['retries']} retries")
        metadata = {
            "account_id": account.account_id,
            "sync_run_id": run.run_id,
            "windows": windows,
            "rows_written": rows,
            **facts,
            "cursors": MetadataValue.json(cursors),
        }
        for key in keys:
            yield MaterializeResult(asset_key=key, metadata=metadata)

    return _sync


def _submissions_asset(partitions: PartitionsDefinition) -> AssetsDefinition:
    @multi_asset(
        name="vendor_invoice_submissions_refresh",
        specs=[AssetSpec(SUBMISSIONS_KEY, group_name=GROUP, kinds={"duckdb"}, description=(
            "Invoices ACORN built and submitted (acorn vendor-invoices --submit); here the vendorTransactionStatus "
            "of every transaction still Processing is asked again (Success or Failure with Amazon's errors)."))],
        partitions_def=partitions,
        retry_policy=TRANSIENT_RETRY,
    )
    def _refresh(context: AssetExecutionContext, vendor: VendorResource,
                 warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
        settings = warehouse.settings()
        _, account = _account(vendor, context.partition_key)
        statuses = refresh_submissions(settings, account, vendor.sync_options(settings.archive_dir),
                                       endpoint=vendor.endpoint, lwa_url=vendor.lwa_url)
        context.log.info(f"{account.account_id}: {len(statuses)} transactions checked")
        yield MaterializeResult(asset_key=SUBMISSIONS_KEY, metadata={
            "account_id": account.account_id, "transactions_checked": len(statuses),
            "statuses": MetadataValue.json(statuses),
        })

    return _refresh
