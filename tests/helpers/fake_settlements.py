"""Amazon's genuine settlement files described to the fake SP-API, for the sync tests that serve them.

Generated data reaches the fake from the generator's world (`demo.fake_spapi.fake_data_from_world`). A genuine
file has no world behind it, so its lines are read here with ACORN's parser: fine for testing how the sync
engine fetches and stores what Amazon serves, never for a test that compares API data with file data.
"""
from __future__ import annotations

from connectors.settlement_flatfile import parse_settlement_report
from demo.fake_spapi import FakeLine, FakeSettlement


def fake_settlement(store_id: str, raw: bytes) -> FakeSettlement:
    report = parse_settlement_report(raw)
    header = report.header_rows[0]
    start = header.settlement_start_at or header.deposit_at
    end = header.settlement_end_at or header.deposit_at
    lines = tuple(
        FakeLine(line.source_line, line.transaction_type, line.order_id, line.marketplace_name, line.amount_type,
                 line.amount_description, line.amount, line.posted_at, line.order_item_code, line.sku,
                 line.quantity_purchased, line.promotion_id)
        for line in report.lines
    )
    return FakeSettlement(store_id, header.settlement_id, header.currency, start, end, header.deposit_at or end,
                          header.total_amount, lines, raw)
