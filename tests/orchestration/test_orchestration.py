"""The Dagster orchestration: one Definitions, the asset graph, the inbox sensor and a real materialization."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, SensorResult, SkipReason, build_sensor_context

from config.settings import REPO_ROOT, Settings, subprocess_environ
from connectors.loader import FileLoad, LoadReport, load_inbox
from orchestration.dbt_models.commands import build_args, error_lines, failed_nodes
from orchestration.dbt_models.project import acorn_dbt_project, manifest_is_stale
from orchestration.definitions import defs
from orchestration.inbox.fingerprint import inbox_fingerprint
from orchestration.jobs import PIPELINE_JOB_NAME, inbox_sensor
from orchestration.pipeline import materialize_pipeline
from orchestration.raw.load_metadata import TABLE_KINDS, files_for, quarantine_check
from orchestration.raw.warehouse_stats import load_report_since
from orchestration.resources import InboxResource, WarehouseResource
from tests.helpers.paths import SAMPLES

CA_SETTLEMENTS = [
    "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50011020300.txt",
    "settlement_v1_flatfile_CA_CAD__adwweaver_Amazon-Settlement-Transformer__50018020314.txt",
]

# An accidental rename of an asset (which breaks lineage, history and anything selecting it) shows up here.
# When a model is added or renamed on purpose, update this list in the same change.
# The raw/vendor_* API tables are materialized by orchestration/vendor under the very keys the dbt vendor sources
# name, so adding those assets added no key (tests/test_orchestration_vendor.py checks who produces them).
ASSET_KEYS = [
    "audit/access_log",
    "audit/alert_deliveries",
    "audit/file_loads",
    "audit/report_unknown_columns",
    "audit/sync_log",
    "audit/validation_results",
    "inbox",
    "intermediate/int_bank_deposit_matches",
    "intermediate/int_bank_statement_coverage",
    "intermediate/int_cas_accounts",
    "intermediate/int_event_group_settlements",
    "intermediate/int_event_groups",
    "intermediate/int_fee_allocations",
    "intermediate/int_fee_taxonomy_matches",
    "intermediate/int_fx_daily_rates",
    "intermediate/int_fx_policy_rates",
    "intermediate/int_fx_published_rates",
    "intermediate/int_fx_rate_needs",
    "intermediate/int_inventory_costed",
    "intermediate/int_inventory_events",
    "intermediate/int_inventory_refund_write_offs",
    "intermediate/int_journal_cogs_items",
    "intermediate/int_journal_deposit_items",
    "intermediate/int_journal_items",
    "intermediate/int_journal_live_lines",
    "intermediate/int_journal_purchase_items",
    "intermediate/int_journal_revaluation_items",
    "intermediate/int_journal_settlement_items",
    "intermediate/int_journal_vendor_items",
    "intermediate/int_journal_write_off_items",
    "intermediate/int_ledger_lines",
    "intermediate/int_ledger_store_months",
    "intermediate/int_loaded_files",
    "intermediate/int_order_amounts",
    "intermediate/int_payment_event_lines",
    "intermediate/int_pnl_ledger_monthly",
    "intermediate/int_purchases_landed",
    "intermediate/int_seller_alerts",
    "intermediate/int_seller_as_of",
    "intermediate/int_seller_orders",
    "intermediate/int_settlement_line_totals",
    "intermediate/int_settlement_lines",
    "intermediate/int_settlements",
    "intermediate/int_single_currency_stores",
    "intermediate/int_skus",
    "intermediate/int_stores",
    "intermediate/int_unclassified_fee_combinations",
    "intermediate/int_vendor_api_invoices",
    "intermediate/int_vendor_as_of",
    "intermediate/int_vendor_export_invoices",
    "intermediate/int_vendor_fx_rate_needs",
    "intermediate/int_vendor_invoice_lines",
    "intermediate/int_vendor_invoice_purchase_orders",
    "intermediate/int_vendor_invoices",
    "intermediate/int_vendor_marketplaces",
    "intermediate/int_vendor_payment_gaps",
    "intermediate/int_vendor_po_item_status",
    "intermediate/int_vendor_po_item_versions",
    "intermediate/int_vendor_po_line_invoicing",
    "intermediate/int_vendor_po_line_shipments",
    "intermediate/int_vendor_po_lines",
    "intermediate/int_vendor_purchase_orders",
    "intermediate/int_vendor_remittance_lines",
    "intermediate/int_vendor_shipments",
    "marts/dim_reconciliation_statuses",
    "marts/dim_stores",
    "marts/fct_alerts",
    "marts/fct_cas_cost_allocation",
    "marts/fct_cas_revenue_recognition",
    "marts/fct_claims",
    "marts/fct_cogs",
    "marts/fct_event_group_reconciliation",
    "marts/fct_fee_allocations",
    "marts/fct_fx_gain_loss",
    "marts/fct_inventory_exceptions",
    "marts/fct_inventory_valuation",
    "marts/fct_journal_line_sources",
    "marts/fct_journal_lines",
    "marts/fct_ledger",
    "marts/fct_order_reconciliation",
    "marts/fct_order_reconciliation_amounts",
    "marts/fct_payment_events",
    "marts/fct_pnl_monthly",
    "marts/fct_po_lifecycle",
    "marts/fct_refund_rates",
    "marts/fct_refunds",
    "marts/fct_reimbursement_opportunities",
    "marts/fct_settlement_reconciliation",
    "marts/fct_store_daily_results",
    "marts/fct_trial_balance",
    "marts/fct_unclassified_fees",
    "marts/fct_unmapped_postings",
    "marts/fct_vendor_agreement_deductions",
    "marts/fct_vendor_cashflow_forecast",
    "marts/fct_vendor_deductions",
    "marts/fct_vendor_invoice_candidates",
    "marts/fct_vendor_invoice_compliance",
    "marts/fct_vendor_invoice_rule_checks",
    "marts/fct_vendor_invoices",
    "marts/fct_vendor_transactions",
    "published/warehouse",
    "raw/alert_state_changes",
    "raw/archive",
    "raw/bank_transactions",
    "raw/closed_journal_lines",
    "raw/fba_customer_returns",
    "raw/fba_reimbursements",
    "raw/finance_transactions",
    "raw/financial_event_groups",
    "raw/financial_events",
    "raw/fx_ecb_rates",
    "raw/fx_rate_overrides",
    "raw/period_closes",
    "raw/purchases",
    "raw/seller_fulfilled_returns",
    "raw/settlement_headers",
    "raw/settlement_lines",
    "raw/sku_map",
    "raw/spapi_authorizations",
    "raw/spapi_fba_customer_returns_reports",
    "raw/spapi_fba_reimbursements_reports",
    "raw/spapi_seller_returns_reports",
    "raw/spapi_settlement_reports",
    "raw/store_config",
    "raw/vendor_central_invoices",
    "raw/vendor_config_parties",
    "raw/vendor_invoice_breakdowns",
    "raw/vendor_invoice_lines",
    "raw/vendor_invoice_related_ids",
    "raw/vendor_invoice_submission_items",
    "raw/vendor_invoice_submissions",
    "raw/vendor_invoices",
    "raw/vendor_purchase_order_items",
    "raw/vendor_purchase_order_status",
    "raw/vendor_purchase_orders",
    "raw/vendor_remittances",
    "raw/vendor_shipment_exports",
    "raw/vendor_shipment_items",
    "raw/vendor_shipments",
    "seeds/alert_rule_overrides",
    "seeds/alert_rules",
    "seeds/cas_account_mapping",
    "seeds/cas_chart_of_accounts",
    "seeds/chart_of_accounts",
    "seeds/currencies",
    "seeds/event_amount_types",
    "seeds/fee_taxonomy",
    "seeds/payment_reconciliation_statuses",
    "seeds/pnl_lines",
    "seeds/reconciliation_statuses",
    "seeds/sku_map",
    "seeds/stores",
    "seeds/vendor_aging_buckets",
    "seeds/vendor_agreements",
    "seeds/vendor_alert_thresholds",
    "seeds/vendor_deduction_types",
    "seeds/vendor_invoice_rules",
    "seeds/vendor_invoice_statuses",
    "seeds/vendor_marketplaces",
    "seeds/vendor_payment_terms",
    "seeds/vendor_po_stages",
    "staging/stg_alerts__state_changes",
    "staging/stg_amazon__fba_customer_returns",
    "staging/stg_amazon__fba_reimbursements",
    "staging/stg_amazon__seller_fulfilled_returns",
    "staging/stg_amazon__settlement_headers",
    "staging/stg_amazon__settlement_lines",
    "staging/stg_audit__file_loads",
    "staging/stg_bank__transactions",
    "staging/stg_books__closed_journal_lines",
    "staging/stg_books__period_closes",
    "staging/stg_books__purchases",
    "staging/stg_ecb__fx_rates",
    "staging/stg_spapi__finance_transactions",
    "staging/stg_spapi__financial_event_groups",
    "staging/stg_spapi__financial_events",
    "staging/stg_user_config__fx_rate_overrides",
    "staging/stg_user_config__sku_map",
    "staging/stg_user_config__stores",
    "staging/stg_vendor__central_invoices",
    "staging/stg_vendor__config_parties",
    "staging/stg_vendor__invoice_breakdowns",
    "staging/stg_vendor__invoice_lines",
    "staging/stg_vendor__invoice_related_ids",
    "staging/stg_vendor__invoice_submission_items",
    "staging/stg_vendor__invoice_submissions",
    "staging/stg_vendor__invoices",
    "staging/stg_vendor__purchase_order_items",
    "staging/stg_vendor__purchase_order_status",
    "staging/stg_vendor__purchase_orders",
    "staging/stg_vendor__remittances",
    "staging/stg_vendor__shipment_exports",
    "staging/stg_vendor__shipment_items",
    "staging/stg_vendor__shipments",
]


def test_asset_keys_snapshot():
    keys = sorted(key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys())
    assert keys == ASSET_KEYS, "asset keys changed; if on purpose, update ASSET_KEYS:\n" + json.dumps(keys, indent=4)


def test_definitions_hold_one_job_a_daily_schedule_and_the_inbox_sensor():
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert job.executor_def.name == "in_process"
    schedule = defs.resolve_schedule_def("daily_pipeline")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 6 * * *", "UTC", PIPELINE_JOB_NAME)
    assert defs.resolve_sensor_def("inbox_sensor").job_name == PIPELINE_JOB_NAME


def test_every_dbt_model_and_seed_is_an_asset_and_every_dbt_test_a_check():
    manifest = json.loads(acorn_dbt_project().manifest_path.read_text())
    graph = defs.resolve_asset_graph()
    nodes = [n for n in manifest["nodes"].values() if n["package_name"] == "acorn"]
    for node in (n for n in nodes if n["resource_type"] in ("model", "seed")):
        assert AssetKey([node["config"]["schema"], node["name"]]) in graph.get_all_asset_keys(), node["unique_id"]
    dbt_tests = {n["name"] for n in nodes if n["resource_type"] == "test"}
    check_names = {key.name for key in graph.asset_check_keys}
    assert dbt_tests and dbt_tests <= check_names
    # The loader's quarantine check sits on every raw table and on the audit of file loads.
    for table in ("settlement_headers", "settlement_lines", "bank_transactions", "store_config", "sku_map"):
        assert any(k.asset_key == AssetKey(["raw", table]) and k.name == "inbox_files_pass_validation" for k in graph.asset_check_keys)


def test_dbt_sources_hang_off_the_raw_assets():
    """The dbt staging models depend on the Python raw assets, so the lineage runs inbox → raw → marts."""
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["staging", "stg_amazon__settlement_lines"])).parent_keys
    assert AssetKey(["raw", "settlement_lines"]) in parents
    assert graph.get(AssetKey(["raw", "settlement_lines"])).parent_keys == {AssetKey(["raw", "archive"])}
    assert graph.get(AssetKey(["raw", "archive"])).parent_keys == {AssetKey(["inbox"])}


def test_dbt_build_passes_the_settings_vars():
    settings = Settings(warehouse=Path("/w/acorn.duckdb"), archive_dir=Path("/w/archive"), functional_currency="EUR", allocation_driver="units")
    args = build_args(settings, Path("/tmp/profiles"))
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"functional_currency": "EUR", "allocation_driver": "units",
                                   "fx_policy": "transaction_date", "fx_rate_source": "ecb",
                                   "cost_method": "moving_average", "inventory_account": "1405", "refund_restock": True,
                                   "purchase_credit_account": "2202"}
    assert args[3:] == ["--profiles-dir", "/tmp/profiles", "--exclude-resource-type", "unit_test"]
    assert build_args(settings, Path("/tmp/profiles"), full_refresh=True)[-1] == "--full-refresh"


def test_dbt_failures_name_each_failed_node_on_one_line():
    run_results = {
        "results": [
            {"unique_id": "model.acorn.fct_ledger", "status": "success", "message": "OK"},
            {"unique_id": "test.acorn.not_null_fct_ledger_amount.abc", "status": "fail", "message": "Got 3 results, configured to fail if != 0"},
            {"unique_id": "model.acorn.int_settlements", "status": "error", "message": "Binder Error: column x\nnot found"},
            {"unique_id": "model.acorn.fct_pnl_monthly", "status": "skipped", "message": None},
        ]
    }
    assert failed_nodes(run_results) == [
        "dbt test not_null_fct_ledger_amount.abc: fail: Got 3 results, configured to fail if != 0",
        "dbt model int_settlements: error: Binder Error: column x",
    ]
    described = (
        "The dbt CLI process with command\n\n`dbt build`\n\nfailed.\n\nErrors parsed from dbt logs:\n\n"
        "[ERROR]: Encountered an error:\nCompilation Error in model x (models/x.sql)\n  var y must be 'a' or 'b'"
    )
    assert error_lines(described) == ["Compilation Error in model x (models/x.sql)", "var y must be 'a' or 'b'"]


def test_manifest_is_stale_when_missing_or_older_than_a_model(tmp_path):
    project = tmp_path / "dbt"
    (project / "models").mkdir(parents=True)
    (project / "target").mkdir()
    model = project / "models" / "m.sql"
    model.write_text("select 1")
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(manifest, project)
    manifest.write_text("{}")
    os.utime(model, (time.time() - 60, time.time() - 60))
    assert not manifest_is_stale(manifest, project)
    model.touch()
    os.utime(manifest, (time.time() - 30, time.time() - 30))
    assert manifest_is_stale(manifest, project)


def not_default(field: dataclasses.Field) -> object:
    """A value unlike the default, and unlike every other field's, for each kind of field Settings holds."""
    kinds = {"Path": Path(f"/elsewhere/{field.name}"), "Path | str": Path(f"/elsewhere/{field.name}"),
             "Path | None": Path(f"/elsewhere/{field.name}.json"),
             "str": f"not-{field.name}", "date | None": date(2026, 10, 15), "date": date(2011, 1, 1), "int": 7,
             "str | None": f"not-{field.name}", "bool": not field.default, "float": 2.5}
    # Fields whose text is checked when read back need a valid value unlike the default.
    checked = {"load_memory_limit": "3GB", "build_memory_limit": "4GB"}
    # A field of a new kind fails here until the resource (and this test) know how to carry it.
    return checked.get(field.name, kinds[field.type])


def test_warehouse_resource_carries_every_setting():
    defaults = Settings(warehouse=Path("/w/acorn.duckdb"), archive_dir=Path("/a"))
    fields = dataclasses.fields(Settings)
    settings = dataclasses.replace(defaults, **{f.name: not_default(f) for f in fields})
    assert all(getattr(settings, f.name) != getattr(defaults, f.name) for f in fields)

    resource = WarehouseResource.from_settings(settings)

    assert resource.settings() == settings
    assert WarehouseResource.from_settings(defaults).settings() == defaults
    on_object_storage = dataclasses.replace(settings, archive_dir="s3://acorn-archive/raw")
    assert WarehouseResource.from_settings(on_object_storage).settings() == on_object_storage
    # What Dagster stores as the resource's config (run config, the UI) holds every field too.
    assert set(resource.settings_fields) == {f.name for f in fields}


def test_quarantine_check_fails_only_for_the_tables_a_quarantined_file_feeds():
    report = LoadReport(
        files=[
            FileLoad("s.txt", "a" * 64, "settlement_v2", "loaded", "settlement 1 (v2, 9 lines)", 9),
            FileLoad("bank_statement.csv", "b" * 64, "bank_statement", "quarantined", "bank_statement.csv: line 3: amount_parses: '1,2,3'"),
            FileLoad("x.pdf", "c" * 64, "unknown", "quarantined", "x.pdf: not a settlement file or known CSV"),
        ],
        unchanged=["stores.csv"],
    )
    assert quarantine_check(files_for(report, TABLE_KINDS["raw.settlement_lines"])).passed
    bank = quarantine_check(files_for(report, TABLE_KINDS["raw.bank_transactions"]))
    assert not bank.passed and bank.quarantined == ["bank_statement.csv: line 3: amount_parses: '1,2,3'"]
    assert len(quarantine_check(files_for(report, TABLE_KINDS["audit.file_loads"])).quarantined) == 2


def test_the_load_report_of_a_run_is_read_back_from_audit_file_loads(tmp_path):
    """What the runner reports is what the loader returned, rebuilt from the table that records every input."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "stores.csv").write_text(
        "store_id,seller_id,marketplace_id,marketplace_name,currency,time_zone\n"
        "shop-ca,,A2EUQ1WTGCTBG2,Amazon.ca,CAD,America/Los_Angeles\n"
    )
    (inbox / "notes.csv").write_text("what,is,this\n1,2,3\n")
    (inbox / "copy of stores.csv").write_bytes((inbox / "stores.csv").read_bytes())
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "archive")

    first_started = _utc_now()
    loaded = load_inbox(settings, inbox)
    assert loaded.counts() == {"loaded": 1, "duplicate": 1, "quarantined": 1}
    assert load_report_since(settings, inbox, first_started) == loaded

    (inbox / "bank_statement.csv").write_text("not,a,bank\nstatement,at,all\n")
    second_started = _utc_now()
    again = load_inbox(settings, inbox)
    assert again.unchanged == ["copy of stores.csv", "notes.csv", "stores.csv"]
    assert load_report_since(settings, inbox, second_started) == again
    assert [f.file_name for f in again.files] == ["bank_statement.csv"]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _evaluate_sensor(inbox: Path, cursor: str | None) -> SensorResult | SkipReason:
    context = build_sensor_context(cursor=cursor, resources={"inbox": InboxResource(path=str(inbox))})
    return inbox_sensor(context)


def test_inbox_sensor_requests_a_run_when_files_change_and_none_otherwise(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert isinstance(_evaluate_sensor(inbox, None), SkipReason)

    (inbox / "stores.csv").write_text("store_id\n")
    (inbox / ".expected_anomalies.json").write_text("{}")
    first = _evaluate_sensor(inbox, None)
    assert isinstance(first, SensorResult)
    assert [r.run_key for r in first.run_requests] == [first.cursor] == [inbox_fingerprint(inbox)]

    assert isinstance(_evaluate_sensor(inbox, first.cursor), SkipReason)
    (inbox / ".DS_Store").write_text("hidden files are not inputs")
    assert isinstance(_evaluate_sensor(inbox, first.cursor), SkipReason)

    (inbox / "bank_statement.csv").write_text("account_id\n")
    second = _evaluate_sensor(inbox, first.cursor)
    assert isinstance(second, SensorResult)
    assert second.run_requests[0].run_key == second.cursor != first.cursor


@pytest.mark.slow
def test_dagster_cli_loads_the_definitions():
    """What `dagster dev -m orchestration.definitions` loads, in a fresh process."""
    dagster = Path(sys.executable).parent / "dagster"
    env = subprocess_environ()
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation successful" in done.stdout + done.stderr


@pytest.mark.slow
def test_materialize_pipeline_loads_raw_tables_builds_marts_and_reports_checks(samples, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in CA_SETTLEMENTS:
        shutil.copy(SAMPLES / name, inbox / name)
    (inbox / "notes.csv").write_text("what,is,this\n1,2,3\n")
    settings = Settings(warehouse=tmp_path / "wh" / "acorn.duckdb", archive_dir=tmp_path / "archive")
    progress: list[str] = []

    result = materialize_pipeline(settings, inbox, progress=progress.append)

    assert result.success, result.failures
    assert result.failures == []
    assert result.load_report is not None
    assert result.load_report.counts() == {"loaded": 2, "duplicate": 0, "quarantined": 1}
    # The unreadable file is a warning naming the file, and it did not stop the run.
    assert len(result.warnings) == 1 and result.warnings[0].startswith("notes.csv")
    assert result.checks["raw/settlement_lines:inbox_files_pass_validation"] is True
    assert result.checks["audit/file_loads:inbox_files_pass_validation"] is False
    dbt_checks = [c for c in result.checks if c.startswith(("staging/", "intermediate/", "marts/"))]
    assert dbt_checks and all(result.checks[c] for c in dbt_checks)
    graph = defs.resolve_asset_graph()
    # SP-API assets are partitioned per store, vendor assets per vendor account; each runs in its own job
    # (tests/test_orchestration_spapi.py, tests/test_orchestration_vendor.py).
    groups = {"spapi": set(), "vendor": set()}
    for key in graph.get_all_asset_keys():
        groups.get(graph.get(key).group_name, set()).add(key.to_user_string())
    materializable = {k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert groups["spapi"] and groups["vendor"]
    assert materializable - groups["spapi"] - groups["vendor"] == set(result.materialized)
    assert "started inbox_tables" in progress
    assert any(line.startswith("finished acorn_dbt_models") for line in progress)

    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        count = lambda table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        assert count("raw.settlement_headers") == 2
        assert count("raw.settlement_lines") > 0
        assert count("raw.fx_ecb_rates") > 0
        assert count("audit.file_loads") >= 3
        assert con.execute(
            "SELECT settlement_id, header_total = lines_total FROM marts.fct_settlement_reconciliation ORDER BY 1"
        ).fetchall() == [("23874396421", True), ("23874397121", True)]
