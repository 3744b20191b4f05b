"""Payment events and their reconciliation: a generated inbox loaded as files and synced from the fake SP-API
(through python-amazon-sp-api), then one real `dbt build`, then the payment marts' values.

The fake serves one closed event group per settlement (events reproducing its lines, released transactions
naming it), an open group and DEFERRED transactions per store, and deposits USD in CNY at a rate below the
ECB reference. JPY transactions lose their settlement id so JPY groups must match by period and total.
"""
from __future__ import annotations

import csv
from dataclasses import replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from config.settings import Settings
from connectors.fx import load_ecb_rates
from connectors.loader import load_inbox
from connectors.spapi.accounts import Account, Secret, Store
from connectors.spapi.clients import build_clients
from connectors.spapi.engine import SyncOptions
from connectors.spapi.pacing import Pacer
from connectors.spapi.retry import RetryPolicy
from connectors.spapi.sync import AccountSync
from demo.fake_spapi import FakeSeller, FakeSpApi, fake_data_from_inbox
from demo.fake_spapi.data import MARKETPLACE_REGIONS
from demo.generator import GenerationResult, generate
from tests.helpers.fakes import FakeClock
from tests.helpers.vendor_world import dbt_build

pytestmark = pytest.mark.slow

USD_DEPOSIT_RATE = Decimal("6.50")  # CNY per USD Amazon pays; ECB's cross rate in 2026 is above 6.7
FUNCTIONAL = "EUR"                  # so USD → CNY is valued through two ECB rates


def sync_fake_spapi(settings: Settings, inbox: Path, work: Path) -> None:
    """One account per seller of stores.csv, synced against the fake serving the inbox's settlements."""
    stores = list(csv.DictReader((inbox / "stores.csv").open(encoding="utf-8")))
    sellers: dict[str, FakeSeller] = {}
    for index, store in enumerate(stores):
        region = MARKETPLACE_REGIONS[store["marketplace_id"]]
        sellers.setdefault(store["seller_id"], FakeSeller(
            store["seller_id"], region, f"Atzr|refresh-{index}", f"amzn1.application-oa2-client.{index}", f"secret-{index}"))
    data = fake_data_from_inbox(inbox, list(sellers.values()), deposit_rates={"USD": ("CNY", USD_DEPOSIT_RATE)})
    now = max(report.created for report in data.reports) + timedelta(days=5)
    conn = duckdb.connect(str(settings.warehouse))
    try:
        with FakeSpApi(data) as server:
            for seller in sellers.values():
                own = [s for s in stores if s["seller_id"] == seller.seller_id]
                account = Account(
                    own[0]["store_id"], seller.region, seller.seller_id,
                    tuple(Store(s["store_id"], s["marketplace_id"], s["marketplace_name"], s["currency"]) for s in own),
                    Secret(seller.refresh_token), Secret(seller.lwa_app_id), Secret(seller.lwa_client_secret),
                )
                clock = FakeClock()
                options = SyncOptions(
                    archive_dir=work / "spapi_archive", inbox_dir=work / "spapi_inbox",
                    pacer=Pacer(clock=clock, sleep=clock.sleep), policy=RetryPolicy(sleep=clock.sleep),
                    now=lambda: now, backfill=timedelta(days=150),
                )
                clients = build_clients(account, endpoint=server.url, lwa_url=server.lwa_url, timeout=5)
                try:
                    AccountSync(conn, clients, options).run()
                finally:
                    clients.close()
        # An account whose transactions do not name settlements: its groups must match by period and total.
        conn.execute("UPDATE raw.finance_transactions SET settlement_id = NULL WHERE currency = 'JPY'")
    finally:
        conn.close()



def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GenerationResult]:
    root = tmp_path_factory.mktemp("payments")
    inbox = root / "inbox"
    generated = generate(inbox, orders_per_day=3)
    settings = replace(Settings.from_env(root / "acorn.duckdb"), functional_currency=FUNCTIONAL)
    load_inbox(settings, inbox)
    load_ecb_rates(settings)
    sync_fake_spapi(settings, inbox, root)
    dbt_build(settings)
    return settings, generated


def test_every_closed_group_maps_to_its_settlement(built: tuple[Settings, GenerationResult]) -> None:
    settings, generated = built
    rows = query(settings, "SELECT settlement_id, store_id, original_total, events_total, header_total, is_settlement_loaded,"
                           " settlement_match_method, status FROM marts.fct_event_group_reconciliation WHERE is_closed")
    got = {r[0]: r[1:] for r in rows}
    expected = {}
    for s in generated.settlements:
        if s.quarantined:
            # the group is closed at Amazon, its file was quarantined, and one of its lines has no event
            expected[s.settlement_id] = (s.store_id, s.total_amount, got[s.settlement_id][2], None, False, None,
                                         "settlement_missing")
            assert got[s.settlement_id][2] != s.total_amount
        else:
            method = "period_and_total" if s.currency == "JPY" else "named_by_transactions"
            expected[s.settlement_id] = (s.store_id, s.total_amount, s.total_amount, s.total_amount, True, method, "tied")
    assert len(rows) == len(got) == len(generated.settlements)
    assert got == expected


def test_open_events_are_open_and_deferred_transactions_deferred(built: tuple[Settings, GenerationResult]) -> None:
    settings, _ = built
    by_group_state = query(settings, """
        SELECT g.processing_status, e.settlement_state, e.source, count(*), count(e.settlement_id)
        FROM marts.fct_payment_events e
        LEFT JOIN raw.financial_event_groups g USING (account_id, group_id)
        GROUP BY ALL ORDER BY ALL""")
    states = {(status, state, source): (n, with_settlement) for status, state, source, n, with_settlement in by_group_state}
    assert set(states) == {("Closed", "settled", "finances_v0"), ("Open", "open", "finances_v0"),
                           ("Open", "deferred", "finances_2024_06_19")}
    assert states[("Open", "open", "finances_v0")][1] == 0 and states[("Open", "deferred", "finances_2024_06_19")][1] == 0
    assert states[("Closed", "settled", "finances_v0")][1] == states[("Closed", "settled", "finances_v0")][0]
    # each DEFERRED transaction is one line at its total; two per store
    deferred = query(settings, "SELECT transaction_id, total_amount, store_id FROM raw.finance_transactions"
                               " WHERE transaction_status = 'DEFERRED' ORDER BY 1")
    lines = query(settings, "SELECT line_id, amount, store_id FROM marts.fct_payment_events"
                            " WHERE settlement_state = 'deferred' ORDER BY 1")
    assert lines == deferred and len(deferred) == 6
    # v0 lines are exactly the raw 'amount' rows, converted at a known rate
    assert query(settings, "SELECT count(*), sum(amount) FROM marts.fct_payment_events WHERE source = 'finances_v0'") == \
        query(settings, "SELECT count(*), sum(amount) FROM raw.financial_events WHERE amount_role = 'amount'")
    assert query(settings, "SELECT count(*) FROM marts.fct_payment_events WHERE fx_rate IS NULL"
                           " OR amount_functional <> round(amount * fx_rate, 2)") == [(0,)]


def test_order_statuses(built: tuple[Settings, GenerationResult]) -> None:
    settings, generated = built
    statuses = dict(query(settings, "SELECT status, count(*) FROM marts.fct_order_reconciliation GROUP BY 1"))
    assert statuses["matched"] > 0.9 * sum(statuses.values())

    def by_status(status: str) -> set[tuple]:
        return {tuple(r) for r in query(
            settings, "SELECT store_id, order_id FROM marts.fct_order_reconciliation WHERE status = ?", [status])}

    # the fake's unsettled orders: three in each store's open group, two deferred
    open_orders = {tuple(r) for r in query(settings, "SELECT DISTINCT store_id, order_id FROM marts.fct_payment_events"
                                                     " WHERE settlement_state = 'open'")}
    deferred_orders = {tuple(r) for r in query(settings, "SELECT DISTINCT store_id, order_id FROM marts.fct_payment_events"
                                                         " WHERE settlement_state = 'deferred'")}
    assert by_status("pending_settlement") == open_orders and len(open_orders) == 9
    assert by_status("deferred") == deferred_orders and len(deferred_orders) == 6
    # orders settled in the quarantined file are missing in settlement (or differ, when partly settled elsewhere)
    quarantined = next(s.settlement_id for s in generated.settlements if s.quarantined)
    in_quarantined = {tuple(r) for r in query(settings, "SELECT DISTINCT store_id, order_id FROM marts.fct_payment_events"
                                                        " WHERE settlement_id = ? AND order_id IS NOT NULL", [quarantined])}
    assert by_status("missing_in_settlement") and by_status("missing_in_settlement") <= in_quarantined
    # the fake posts tax retrocharges as AdjustmentEvents without an order id: their orders differ by that line
    retrocharged = {tuple(r) for r in query(settings, "SELECT store_id, order_id FROM marts.fct_ledger"
                                                      " WHERE transaction_type = 'Order_Retrocharge'")}
    assert by_status("amount_differs") <= retrocharged | in_quarantined
    assert by_status("missing_in_events") == set()
    # the detail: a matched order's amount types equal the ledger's, line type by line type
    detail = query(settings, """
        SELECT a.amount_type, a.settled_event_amount, a.settlement_amount
        FROM marts.fct_order_reconciliation_amounts a
        JOIN marts.fct_order_reconciliation o USING (store_id, order_id)
        WHERE o.status = 'matched' AND o.order_id = (
            SELECT min(order_id) FROM marts.fct_order_reconciliation WHERE status = 'matched' AND store_id = 'acme-us')
        ORDER BY 1""")
    assert {t for t, _, _ in detail} >= {"ItemPrice", "ItemFees"}
    assert all(events == settled for _, events, settled in detail)


def test_conversion_cost_against_the_ecb_reference(built: tuple[Settings, GenerationResult]) -> None:
    settings, _ = built
    rows = query(settings, """
        SELECT original_currency, converted_currency, original_total, converted_total, fund_transfer_date,
               implied_rate, reference_rate, conversion_cost_functional, functional_currency
        FROM marts.fct_event_group_reconciliation WHERE is_closed""")
    assert {(r[0], r[1]) for r in rows} == {("USD", "CNY"), ("EUR", "EUR"), ("JPY", "JPY")}
    ecb = query(settings, "SELECT rate_date, currency, units_per_eur FROM raw.fx_ecb_rates WHERE currency IN ('USD', 'CNY')")

    def eur_per_unit(currency: str, day) -> Decimal:
        published = max((d, units) for d, c, units in ecb if c == currency and d <= day)[1]
        return (Decimal(1) / published).quantize(Decimal("0.00000001"), ROUND_HALF_UP)

    cent = Decimal("0.01")
    for original_ccy, converted_ccy, original, converted, day, implied, reference, cost, functional in rows:
        assert functional == FUNCTIONAL
        if original_ccy == converted_ccy:
            assert (implied, reference, cost) == (Decimal(1), Decimal(1), Decimal(0))
            continue
        assert abs(implied - USD_DEPOSIT_RATE) < Decimal("0.0001")
        usd, cny = eur_per_unit("USD", day), eur_per_unit("CNY", day)
        assert abs(reference - usd / cny) < Decimal("0.000001")
        owed = (original * usd).quantize(cent, ROUND_HALF_UP)
        paid = (converted * cny).quantize(cent, ROUND_HALF_UP)
        assert cost == owed - paid
        # Amazon's rate is below the reference: converting a payout costs, converting a debit gains
        assert (cost > 0) == (original > 0)
