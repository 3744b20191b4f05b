"""Great Expectations checks on each parsed batch, before anything reaches the warehouse.

Parsers keep a field they cannot read as None next to its raw text, so a rule here can name the file,
the line and the problem. A batch that fails any rule is quarantined whole; the rest of the inbox loads.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Rule:
    """One expectation over one frame of a batch. `frame` names which frame (`header`, `lines`, `rows`)."""

    name: str
    frame: str
    expectation: str
    kwargs: dict[str, Any]
    problem: str


def _rules_for(kind: str) -> list[Rule]:
    if kind in ("settlement_v2", "settlement_v1"):
        required = (
            ["settlement-id", "total-amount", "currency", "transaction-type", "amount-type",
             "amount-description", "amount", "posted-date-time"]
            if kind == "settlement_v2"
            else ["settlement-id", "total-amount", "currency", "transaction-type", "posted-date"]
        )
        rules = [
            Rule(f"required column {c}", "columns", "ExpectColumnToExist", {"column": c}, f"column '{c}' is missing")
            for c in required
        ]
        return rules + [
            Rule("one summary row per settlement", "header", "ExpectTableRowCountToEqual", {"value": 1},
                 "expected exactly one summary row"),
            Rule("parseable total-amount", "header", "ExpectColumnValuesToNotBeNull", {"column": "total_amount"},
                 "total-amount is not a number"),
            Rule("known currency", "header", "ExpectColumnValuesToBeInSet",
                 {"column": "currency", "value_set": sorted(SETTLEMENT_CURRENCIES)}, "currency is not one Amazon settles in"),
            Rule("parseable amount", "lines", "ExpectColumnValuesToNotBeNull", {"column": "amount"},
                 "amount is not a number"),
            Rule("parseable posted date", "lines", "ExpectColumnValuesToNotBeNull", {"column": "posted_at"},
                 "posted date is missing or not a date"),
            Rule("line belongs to the settlement", "lines", "ExpectColumnValuesToBeInSet",
                 {"column": "settlement_id", "value_set": []}, "settlement-id differs from the summary row"),
        ]
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
    raise ValueError(f"no validation rules for kind {kind!r}")


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
def _context():
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


def validate(kind: str, frames: dict[str, pd.DataFrame]) -> list[RuleResult]:
    """Run the kind's rules over the batch's frames; every frame except `columns` carries `source_line`."""
    import great_expectations as gx

    context, batch_definition = _context()
    rules = _rules_for(kind)
    if "header" in frames and "lines" in frames:
        expected_ids = sorted(set(frames["header"]["settlement_id"].dropna()))
        rules = [
            Rule(r.name, r.frame, r.expectation, {**r.kwargs, "value_set": expected_ids}, r.problem)
            if r.name == "line belongs to the settlement" else r
            for r in rules
        ]
    results: list[RuleResult] = []
    for frame_name in dict.fromkeys(r.frame for r in rules):
        frame = frames[frame_name]
        frame_rules = [r for r in rules if r.frame == frame_name]
        if frame.empty and (frame_name == "lines" or kind in SELLER_REPORT_RULES):
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
        return RuleResult(rule.name, True)
    details = checked.result or {}
    unexpected = details.get("unexpected_index_list") or []
    line = None
    value = None
    if unexpected and isinstance(unexpected[0], dict):
        line = int(unexpected[0]["source_line"])
        value = {k: v for k, v in unexpected[0].items() if k != "source_line"}
    elif rule.frame == "header" and "source_line" in frame.columns and len(frame) > 1:
        line = int(frame["source_line"].iloc[1])
    detail = rule.problem
    if value:
        raw = _raw_text(frame, line, rule.kwargs.get("column"))
        shown = raw if raw is not None else next(iter(value.values()))
        detail = f"{rule.problem} ({shown!r})" if shown not in (None, "") else rule.problem
    count = details.get("unexpected_count")
    if count and count > 1:
        detail += f"; {count} lines in all"
    if rule.frame == "header" and rule.expectation == "ExpectTableRowCountToEqual":
        detail = f"expected exactly one summary row, found {len(frame)}"
    return RuleResult(rule.name, False, line, detail)


def _raw_text(frame: pd.DataFrame, line: int | None, column: str | None) -> str | None:
    """The file's own text for a value that did not parse, kept by the parser beside the typed field."""
    if line is None or column is None:
        return None
    # Derived flag columns (unit_cost_ok, rate_positive) point back at the field they judge.
    field = column.removesuffix("_ok").removesuffix("_positive")
    for text_column in (f"{field}_text", "posted_date_raw" if field == "posted_at" else f"{field}_raw"):
        if text_column in frame.columns:
            match = frame.loc[frame["source_line"] == line, text_column]
            if not match.empty:
                return match.iloc[0]
    return None
