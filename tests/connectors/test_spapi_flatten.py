"""Flattening genuine Finances payloads (SPAM sandbox and eolabs stubs) into rows with exact Decimal amounts."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from connectors.spapi.finances_v0 import flatten_event_groups, flatten_financial_events
from connectors.spapi.transactions import flatten_transactions
from tests.helpers.paths import SAMPLES

EOLABS = [
    "eolabs_sp_api_response_parser__fetchListFinancialEvents.json",
    "eolabs_sp_api_response_parser__fetchListFinancialEventsToken.json",
    "eolabs_sp_api_response_parser__fetchListFinancialEventsToken2.json",
]


def load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


@pytest.mark.parametrize("name", EOLABS)
def test_eolabs_pages_give_one_row_per_amount(samples, name):
    text = (SAMPLES / name).read_text()
    flat = flatten_financial_events(json.loads(text))
    # Every Currency object in the page is one row, none dropped.
    assert len(flat.rows) == text.count('"CurrencyAmount"') == 44
    assert flat.events == 6
    assert all(isinstance(row.amount, Decimal) for row in flat.rows)
    assert sum(r.amount for r in flat.rows if r.amount_role == "amount") == Decimal("208.75")
    # PerformanceBondRefundEventList is not in Amazon's model: reported, not silently ignored.
    assert flat.unknown_lists == {"PerformanceBondRefundEventList": 0}


def test_eolabs_shipment_item_row_carries_order_sku_date_and_type(samples):
    flat = flatten_financial_events(load(EOLABS[0]))
    principal = [r for r in flat.rows if r.order_id == "105-0457358-1245022" and r.amount_type == "Principal"]
    assert len(principal) == 1
    row = principal[0]
    assert (row.event_type, row.amount_kind, row.sku, row.quantity) == ("ShipmentEvent", "charge", "DU-WB60-C18V", 1)
    assert row.amount == Decimal("28.88") and row.currency == "USD"
    assert row.posted_at == datetime(2024, 1, 1, 0, 19, 17)
    kinds = {r.amount_kind for r in flat.rows if r.event_list == "ShipmentEventList"}
    assert kinds == {"charge", "fee", "promotion"}


def test_ads_payment_total_is_not_counted_twice(samples):
    flat = flatten_financial_events(load(EOLABS[0]))
    ads = {r.amount_path: (r.amount, r.amount_role) for r in flat.rows if r.event_list == "ProductAdsPaymentEventList"}
    assert ads == {
        "baseValue": (Decimal("115.34"), "amount"),
        "taxValue": (Decimal("21.91"), "amount"),
        "transactionValue": (Decimal("137.25"), "total"),
    }


@pytest.mark.parametrize(
    "name, rows, events",
    [
        ("financesV0_listFinancialEventsByGroupId_sandbox_static_response_0.json", 36, 6),
        ("financesV0_listFinancialEventsByOrderId_sandbox_static_response_0.json", 12, 4),
        ("financesV0_listFinancialEvents_sandbox_static_response_0.json", 11, 4),
    ],
)
def test_sandbox_payloads(samples, name, rows, events):
    flat = flatten_financial_events(load(name))
    assert (len(flat.rows), flat.events, flat.unknown_lists) == (rows, events, {})
    assert {r.amount for r in flat.rows} == {Decimal("25.37")}


def test_sandbox_kinds_tax_withheld_and_adjustments(samples):
    flat = flatten_financial_events(load("financesV0_listFinancialEventsByGroupId_sandbox_static_response_0.json"))
    chargeback = [r for r in flat.rows if r.event_list == "ChargebackEventList"]
    assert sum(r.amount_kind == "tax_withheld" for r in chargeback) == 2       # item and item-adjustment
    # 3 event-level and 3 item-level *AdjustmentList amounts, plus all 9 of the ShipmentItemAdjustmentList item.
    assert sum(r.is_adjustment for r in chargeback) == 15
    trial = [r for r in flat.rows if r.event_list == "TrialShipmentEventList"]
    assert trial[0].group_id == "1" and trial[0].sku == "456454455464"
    withholding = {r.amount_path: r.amount_role for r in flat.rows if r.event_list == "TaxWithholdingEventList"}
    assert withholding == {"BaseAmount": "detail", "WithheldAmount": "amount"}


def test_unknown_event_list_is_flattened_and_reported():
    payload = {"payload": {"FinancialEvents": {
        "ShipmentEventList": [],
        "GalacticShippingEventList": [
            {"AmazonOrderId": "111-1", "PostedDate": "2025-01-02T03:04:05Z",
             "ChargeList": [{"ChargeType": "Warp", "ChargeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": 12.34}}]},
        ],
    }}}
    flat = flatten_financial_events(payload)
    assert flat.unknown_lists == {"GalacticShippingEventList": 1}
    [row] = flat.rows
    assert (row.known_list, row.amount, row.amount_type, row.order_id) == (False, Decimal("12.34"), "Warp", "111-1")


def test_identical_events_keep_distinct_row_ids():
    event = {"PostedDate": "2025-01-01T00:00:00Z", "FeeList": [{"FeeType": "X", "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": 1}}]}
    flat = flatten_financial_events({"FinancialEvents": {"ServiceFeeEventList": [event, dict(event)]}})
    assert len({r.row_id for r in flat.rows}) == 2


def test_event_groups(samples):
    [group] = flatten_event_groups(load("eolabs_sp_api_response_parser__fetchListFinancialEventGroups.json"))
    assert group.original_total == Decimal("19.00") and group.original_currency == "USD"
    assert group.processing_status == "Closed"
    assert (group.group_start_at, group.group_end_at) == (datetime(2023, 8, 29, 19, 10, 44), datetime(2023, 9, 12, 19, 10, 44))
    [sandbox] = flatten_event_groups(load("financesV0_listFinancialEventGroups_sandbox_static_response_0.json"))
    assert sandbox.converted_total == Decimal("39.43") and sandbox.fund_transfer_at == datetime(2020, 2, 7, 14, 38, 42, 128000)


def test_transactions_sample_and_nested_breakdowns(samples):
    flat = flatten_transactions(load("finances_2024-06-19_listTransactions_sandbox_static_response_0.json"))
    [t] = flat.transactions
    assert (t.total_amount, t.currency, t.order_id) == (Decimal("10"), "USD", "8129762527551")
    assert t.group_id == "4MVaHcsAfaYAlwlaPWrXJxrfUiKfYZ2ooWtY7528FUA"
    nested = {"transactions": [{
        "transactionId": "T1", "transactionStatus": "DEFERRED", "postedDate": "2025-03-01T00:00:00Z",
        "totalAmount": {"currencyCode": "JPY", "currencyAmount": 900},
        "breakdowns": [{"breakdownType": "Sales", "breakdownAmount": {"currencyCode": "JPY", "currencyAmount": 1000},
                        "breakdowns": [{"breakdownType": "Principal", "breakdownAmount": {"currencyCode": "JPY", "currencyAmount": 1000}}]},
                       {"breakdownType": "Fees", "breakdownAmount": {"currencyCode": "JPY", "currencyAmount": -100}}],
        "items": [{"breakdowns": [{"breakdownType": "ItemFee", "breakdownAmount": {"currencyCode": "JPY", "currencyAmount": -100}}]}],
    }]}
    flat = flatten_transactions(nested)
    assert flat.transactions[0].transaction_status == "DEFERRED"
    positions = {b.position: (b.amount, b.is_leaf) for b in flat.breakdowns}
    assert positions == {
        "0": (Decimal(1000), False), "0.0": (Decimal(1000), True), "1": (Decimal(-100), True), "item0/0": (Decimal(-100), True),
    }
