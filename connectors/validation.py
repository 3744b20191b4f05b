"""Great Expectations checks on each parsed batch, before anything reaches the warehouse.

Parsers keep a field they cannot read as None next to its raw text, so a rule here can name the file,
the line and the problem. A batch that fails any rule is quarantined whole; the rest of the inbox loads.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd

from config.settings import turn_telemetry_off

# Currencies Amazon settles seller payouts in (its marketplaces' currencies).
SETTLEMENT_CURRENCIES = frozenset(
    ["USD", "CAD", "MXN", "BRL", "GBP", "EUR", "SEK", "PLN", "TRY", "AED", "SAR", "EGP", "INR", "JPY", "AUD", "SGD", "ZAR", "CNY"]
)
# Currencies a bank statement, SKU cost or FX override may carry: the settlement ones plus common home currencies.
KNOWN_CURRENCIES = SETTLEMENT_CURRENCIES | frozenset(["HKD", "TWD", "KRW", "CHF", "NOK", "DKK", "CZK", "HUF", "RON", "NZD", "THB", "MYR", "IDR", "PHP", "VND", "ILS"])

# Great Expectations reads its analytics switch when it is imported, below.
turn_telemetry_off()


@dataclass(frozen=True)
class RuleResult:
    rule: str
    success: bool
    failed_line: int | None = None
    detail: str = ""
    # "warn": recorded and reported, the file still loads (an unknown transaction type is kept, not refused).
    severity: str = "error"


@dataclass(frozen=True)
class Rule:
    """One expectation over one frame of a batch. `frame` names which frame (`columns`, `rows`, ...)."""

    name: str
    frame: str
    expectation: str
    kwargs: dict[str, Any]
    problem: str
    severity: str = "error"


def _rules_for(kind: str) -> list[Rule]:
    if kind in SELLER_REPORT_RULES:
        return SELLER_REPORT_RULES[kind]()
    if kind == "bank_statement":
        return [
            Rule("parseable amount", "rows", "ExpectColumnValuesToNotBeNull", {"column": "amount"}, "amount is not a number"),
            Rule("parseable booking date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "booking_date"},
                 "booking_date is not a date"),
            Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "currency", "value_set": sorted(KNOWN_CURRENCIES)}, "unknown currency"),
        ]
    if kind == "store_config":
        return [
            Rule("unique store id", "rows", "ExpectColumnValuesToBeUnique", {"column": "store_id"}, "store_id repeated"),
            Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "currency", "value_set": sorted(SETTLEMENT_CURRENCIES)}, "unknown currency"),
            Rule("valid time zone", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "time_zone", "value_set": sorted(zoneinfo.available_timezones())},
                 "not an IANA time zone"),
        ]
    if kind == "sku_map":
        return [
            Rule("seller sku present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "seller_sku"},
                 "seller_sku is blank"),
            Rule("internal sku present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "internal_sku"},
                 "internal_sku is blank"),
            Rule("parseable unit cost", "rows", "ExpectColumnValuesToNotBeNull", {"column": "unit_cost_ok"},
                 "unit_cost is not a number"),
        ]
    if kind == "fx_rates":
        return [
            Rule("parseable rate date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "rate_date"},
                 "rate_date is not a date"),
            Rule("positive rate", "rows", "ExpectColumnValuesToNotBeNull", {"column": "rate_positive"},
                 "rate is not a positive number"),
            Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "base_currency", "value_set": sorted(KNOWN_CURRENCIES)}, "unknown base currency"),
            Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "quote_currency", "value_set": sorted(KNOWN_CURRENCIES)}, "unknown quote currency"),
        ]
    if kind == "alert_states":
        return [
            Rule("alert id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "alert_id"},
                 "alert_id is blank"),
            Rule("known state", "rows", "ExpectColumnValuesToNotBeNull", {"column": "state"},
                 "state is not open, acknowledged or resolved"),
            Rule("parseable changed_at", "rows", "ExpectColumnValuesToNotBeNull", {"column": "changed_at"},
                 "changed_at is not an ISO timestamp"),
        ]
    if kind == "vendor_remittance":
        return [
            Rule("payment number present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "payment_number"},
                 "payment number is blank"),
            Rule("invoice number present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "invoice_number"},
                 "invoice number is blank"),
            Rule("parseable amount paid", "rows", "ExpectColumnValuesToNotBeNull", {"column": "amount_paid"},
                 "amount paid is not a number"),
            Rule("parseable payment date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "payment_date"},
                 "payment date is missing or not a date"),
            *_vendor_currency_rules(),
        ]
    if kind == "vendor_invoice_export":
        return [
            Rule("invoice number present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "invoice_number"},
                 "invoice number is blank"),
            Rule("parseable invoice amount", "rows", "ExpectColumnValuesToNotBeNull", {"column": "invoice_amount"},
                 "invoice amount is not a number"),
            Rule("parseable invoice date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "invoice_date"},
                 "invoice date is missing or not a date"),
            *_vendor_currency_rules(),
        ]
    if kind == "vendor_shipment_export":
        return [
            Rule("shipment id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "shipment_id"},
                 "shipment id is blank"),
            Rule("PO number present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "purchase_order_number"},
                 "PO number is blank"),
            Rule("whole shipped quantity", "rows", "ExpectColumnValuesToNotBeNull", {"column": "shipped_quantity"},
                 "shipped quantity is not a whole number"),
            Rule("parseable ship date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "ship_date"},
                 "ship date is missing or not a date"),
        ]
    if kind == "vendor_invoice_submission":
        return [
            Rule("transaction id present", "invoices", "ExpectColumnValuesToNotBeNull", {"column": "transaction_id"},
                 "the submission has no transaction id"),
            Rule("invoice total present", "invoices", "ExpectColumnValuesToNotBeNull", {"column": "invoice_total"},
                 "invoice total is missing"),
            Rule("purchase order present", "rows", "ExpectColumnValuesToNotBeNull",
                 {"column": "purchase_order_number"}, "an invoice item names no purchase order"),
            Rule("positive quantity", "rows", "ExpectColumnValuesToBeBetween",
                 {"column": "invoiced_quantity", "min_value": 1}, "an invoice item invoices no units"),
        ]
    if kind == "purchases":
        return [
            Rule("internal sku present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "internal_sku"},
                 "internal_sku is blank"),
            Rule("plausible purchase date", "rows", "ExpectColumnValuesToNotBeNull", {"column": "purchase_date_ok"},
                 f"purchase_date is not a real YYYY-MM-DD date from {EARLIEST_PURCHASE} to a year from today"),
            Rule("whole positive quantity", "rows", "ExpectColumnValuesToNotBeNull", {"column": "quantity_ok"},
                 "quantity is not a whole number of units above zero"),
            *(Rule(f"parseable non-negative {cost}", "rows", "ExpectColumnValuesToNotBeNull", {"column": f"{cost}_ok"},
                   f"{cost} is not a number of at least zero") for cost in PURCHASE_COSTS),
            Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "currency", "value_set": sorted(KNOWN_CURRENCIES)}, "unknown currency"),
        ]
    if kind == "period_close":
        return [
            Rule("period is YYYY-MM", "closes", "ExpectColumnValuesToMatchRegex",
                 {"column": "period", "regex": r"^\d{4}-(?:0[1-9]|1[0-2])$"}, "period is not YYYY-MM"),
            Rule("journal line id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "journal_line_id"},
                 "a journal line has no journal_line_id"),
            Rule("line belongs to the period", "rows", "ExpectColumnValuesToBeInSet",
                 {"column": "period", "value_set": []}, "a journal line names another period"),
        ]
    raise ValueError(f"no validation rules for kind {kind!r}")


# Dates outside [EARLIEST_PURCHASE, a year ahead] are typos (1926 for 2026, 2062), not stock ACORN should cost.
EARLIEST_PURCHASE = date(2000, 1, 1)
PURCHASE_COSTS = ("unit_cost", "inbound_freight", "duty", "other_landed_cost")


def _purchase_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Flag columns the purchases rules test: True when the value is fine, None (what the rule catches) when not."""
    frame = frame.copy()
    latest = date.today() + timedelta(days=366)
    frame["purchase_date_ok"] = [
        True if d is not None and not pd.isna(d) and EARLIEST_PURCHASE <= d <= latest else None
        for d in frame["purchase_date"]
    ]
    frame["quantity_ok"] = [True if q is not None and not pd.isna(q) and q > 0 else None for q in frame["quantity"]]
    for cost in PURCHASE_COSTS:
        frame[f"{cost}_ok"] = [True if c is not None and not pd.isna(c) and c >= 0 else None for c in frame[cost]]
    return frame

def _report_columns(*columns: str) -> list[Rule]:
    return [Rule(f"required column {c}", "columns", "ExpectColumnToExist", {"column": c}, f"column '{c}' is missing")
            for c in columns]


def _parseable(column: str, what: str) -> Rule:
    return Rule(f"parseable {what}", "rows", "ExpectColumnValuesToNotBeNull", {"column": column}, f"{what} is not readable")


def _reimbursement_rules() -> list[Rule]:
    return [
        *_report_columns("approval-date", "reimbursement-id", "currency-unit", "amount-total",
                         "quantity-reimbursed-total"),
        _parseable("approved_at", "approval-date"),
        Rule("reimbursement id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "reimbursement_id"},
             "reimbursement-id is blank"),
        _parseable("amount_total", "amount-total"),
        Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
             {"column": "currency", "value_set": sorted(SETTLEMENT_CURRENCIES)}, "currency-unit is not one Amazon pays in"),
    ]


def _customer_return_rules() -> list[Rule]:
    return [
        *_report_columns("return-date", "order-id", "sku", "quantity", "detailed-disposition"),
        _parseable("returned_at", "return-date"),
        Rule("order id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "order_id"}, "order-id is blank"),
        Rule("positive quantity", "rows", "ExpectColumnValuesToBeBetween", {"column": "quantity", "min_value": 1},
             "quantity is not a positive whole number"),
    ]


def _seller_return_rules() -> list[Rule]:
    return [
        *_report_columns("order id", "return request date", "currency code", "refunded amount"),
        Rule("order id present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "order_id"}, "Order ID is blank"),
        _parseable("return_requested_at", "return request date"),
        Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
             {"column": "currency", "value_set": sorted(SETTLEMENT_CURRENCIES)},
             "currency code is not one Amazon settles in"),
    ]


SELLER_REPORT_RULES = {
    "fba_reimbursements": _reimbursement_rules,
    "fba_customer_returns": _customer_return_rules,
    "seller_fulfilled_returns": _seller_return_rules,
}


def _vendor_currency_rules() -> list[Rule]:
    return [
        Rule("currency present", "rows", "ExpectColumnValuesToNotBeNull", {"column": "currency"}, "currency is blank"),
        Rule("known currency", "rows", "ExpectColumnValuesToBeInSet",
             {"column": "currency", "value_set": sorted(SETTLEMENT_CURRENCIES)}, "unknown currency"),
    ]


@lru_cache(maxsize=1)
def gx_batches():
    """The process's Great Expectations context and its batch definition for a pandas frame (built once)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("acorn_batches")
        .add_dataframe_asset("parsed_batch")
        .add_batch_definition_whole_dataframe("whole_batch")
    )
    return context, batch_definition


def validate(kind: str, frames: dict[str, pd.DataFrame], window: tuple[date, date]) -> list[RuleResult]:
    """Run the kind's rules over the batch's frames; every frame except `columns` carries `source_line`.

    `window`: the plausible dates (first, last) a settlement date must fall in (`Settings.plausible_dates`);
    settlement files are judged by `connectors.settlement_validation` instead.
    """
    rules = _rules_for(kind)
    if kind == "purchases" and not frames["rows"].empty:
        frames = {**frames, "rows": _purchase_flags(frames["rows"])}
    if kind == "period_close":
        periods = sorted(set(frames["closes"]["period"].dropna()))
        rules = [Rule(r.name, r.frame, r.expectation, {**r.kwargs, "value_set": periods}, r.problem)
                 if r.name == "line belongs to the period" else r for r in rules]
    return _judge(kind, rules, frames)


def _judge(
    kind: str, rules: list[Rule], frames: dict[str, pd.DataFrame]) -> list[RuleResult]:
    """Great Expectations' verdict on each rule, one suite per frame."""
    import great_expectations as gx

    context, batch_definition = gx_batches()
    results: list[RuleResult] = []
    for frame_name in dict.fromkeys(r.frame for r in rules):
        frame = frames[frame_name]
        frame_rules = [r for r in rules if r.frame == frame_name]
        if frame.empty and kind in SELLER_REPORT_RULES:
            results.extend(RuleResult(r.name, True) for r in frame_rules)
            continue
        suite = gx.ExpectationSuite(name=f"{kind}-{frame_name}")
        for rule in frame_rules:
            suite.add_expectation(getattr(gx.expectations, rule.expectation)(**rule.kwargs))
        has_lines = "source_line" in frame.columns
        result_format: dict[str, Any] = {"result_format": "COMPLETE"}
        if has_lines:
            result_format["unexpected_index_column_names"] = ["source_line"]
        outcome = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format=result_format
        )
        for rule, checked in zip(frame_rules, outcome.results):
            results.append(_result(rule, checked, frame))
    return results


def _result(rule: Rule, checked: Any, frame: pd.DataFrame) -> RuleResult:
    if checked.success:
        return RuleResult(rule.name, True, severity=rule.severity)
    details = checked.result or {}
    unexpected = details.get("unexpected_index_list") or []
    line = None
    value = None
    if unexpected and isinstance(unexpected[0], dict):
        line = int(unexpected[0]["source_line"])
        value = {k: v for k, v in unexpected[0].items() if k != "source_line"}
    detail = rule.problem
    if value:
        raw = _raw_text(frame, line, rule.kwargs.get("column"))
        shown = raw if raw is not None else next(iter(value.values()))
        detail = f"{rule.problem} ({shown!r})" if shown not in (None, "") else rule.problem
    count = details.get("unexpected_count")
    if count and count > 1:
        detail += f"; {count} lines in all"
    return RuleResult(rule.name, False, line, detail, rule.severity)


def _raw_text(frame: pd.DataFrame, line: int | None, column: str | None) -> str | None:
    """The file's own text for a value that did not parse, kept by the parser beside the typed field."""
    if line is None or column is None:
        return None
    # Derived flag columns (unit_cost_ok, rate_positive) point back at the field they judge.
    field = column.removesuffix("_ok").removesuffix("_positive")
    for text_column in (f"{field}_text", "posted_date_raw" if field == "posted_at" else f"{field}_raw", field):
        if text_column in frame.columns:
            match = frame.loc[frame["source_line"] == line, text_column]
            if not match.empty:
                return match.iloc[0]
    return None
