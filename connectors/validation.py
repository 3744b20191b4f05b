"""Great Expectations checks on each parsed batch, before anything reaches the warehouse.

Parsers keep a field they cannot read as None next to its raw text, so a rule here can name the file,
the line and the problem. A batch that fails any rule is quarantined whole; the rest of the inbox loads.
"""
from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from config.settings import turn_telemetry_off
from connectors import value_rules as vr
from connectors.settlement_flatfile import SettlementHeader, StagedSettlement
from connectors.settlement_sql import first_row

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
    """One expectation over one frame of a batch. `frame` names which frame (`header`, `lines`, `rows`)."""

    name: str
    frame: str
    expectation: str
    kwargs: dict[str, Any]
    problem: str
    severity: str = "error"
    # The column holding the file's own text to quote when the rule fails (flag columns judge another field).
    shows: str | None = None


def _flag_rule(name: str, frame: str, flag: str, problem: str, shows: str | None, severity: str = "error") -> Rule:
    return Rule(name, frame, "ExpectColumnValuesToNotBeNull", {"column": flag}, problem, severity, shows)


# Flag columns added by `settlement_value_flags`, each judged by one rule: (rule, frame, flag, problem, shown text).
_SETTLEMENT_VALUE_RULES = [
    ("ASCII digits in total-amount", "header", "total_ascii_ok", "total-amount is written with non-ASCII digits", "total_amount_text"),
    ("total-amount within DECIMAL(18,2)", "header", "total_range_ok", "total-amount is too large for DECIMAL(18,2)",
     "total_amount_text"),
    ("total-amount within the currency's minor units", "header", "total_minor_units_ok",
     "total-amount has more decimals than its currency has minor units", "total_amount_text"),
    *[
        (f"real {label}", "header", f"{field}_real_ok", f"{label} is not a real calendar date", f"{field}_text")
        for field, label in (("settlement_start", "settlement-start-date"), ("settlement_end", "settlement-end-date"),
                             ("deposit", "deposit-date"))
    ],
    *[
        (f"plausible {label}", "header", f"{field}_window_ok", f"{label} is outside the plausible window",
         f"{field}_text")
        for field, label in (("settlement_start", "settlement-start-date"), ("settlement_end", "settlement-end-date"),
                             ("deposit", "deposit-date"))
    ],
    ("settlement start <= end <= deposit", "header", "period_order_ok",
     "settlement-start-date, settlement-end-date and deposit-date are out of order", "deposit_text"),
    ("ASCII digits in amount", "lines", "amount_ascii_ok",
     "amount is written with non-ASCII digits", "amount_text"),
    ("amount within DECIMAL(18,2)", "lines", "amount_range_ok", "amount is too large for DECIMAL(18,2)", "amount_text"),
    ("amount within the currency's minor units", "lines", "amount_minor_units_ok",
     "amount has more decimals than its currency has minor units", "amount_text"),
    ("whole quantity", "lines", "quantity_ok",
     "quantity-purchased is not a whole number of ASCII digits within INTEGER range", "quantity_text"),
    ("plausible posted date", "lines", "posted_window_ok", "posted date is outside the plausible window",
     "posted_date_raw"),
    *[
        (f"{label} is not a date", "lines", f"{field}_shape_ok", f"{label} holds a date: its column looks swapped",
         field)
        for field, label in (("transaction_type", "transaction-type"), ("amount_type", "amount-type"),
                             ("amount_description", "amount-description"), ("sku", "sku"),
                             ("order_id", "order-id"), ("order_item_code", "order-item-code"),
                             ("marketplace_name", "marketplace-name"))
    ],
    *[
        (f"{label} is not a number", "lines", f"{field}_number_ok", f"{label} holds a bare number: its column looks "
         "swapped", field)
        for field, label in (("transaction_type", "transaction-type"), ("amount_type", "amount-type"),
                             ("amount_description", "amount-description"), ("marketplace_name", "marketplace-name"))
    ],
]
_VOCABULARY_RULES = [
    ("known transaction-type", "lines", "transaction_type_known_ok", "transaction-type is not one Amazon is known to "
     "write (kept; classify it in the fee taxonomy)", "transaction_type"),
    ("known amount-type", "lines", "amount_type_known_ok", "amount-type is not one Amazon is known to write (kept; "
     "classify it in the fee taxonomy)", "amount_type"),
]


def _header_flags(window: tuple[date, date]) -> dict[str, str]:
    """Flag column -> SQL over the summary rows (see connectors/value_rules.py)."""
    first, last = window
    flags = {
        "total_ascii_ok": vr.ascii_digits("total_amount_text"),
        "total_range_ok": vr.within_money_range("total_number"),
        "total_minor_units_ok": vr.within_minor_units("total_number", "currency"),
        "period_order_ok": vr.in_order("settlement_start_at", "settlement_end_at", "deposit_at"),
    }
    for field, parsed in (("settlement_start", "settlement_start_at"), ("settlement_end", "settlement_end_at"),
                          ("deposit", "deposit_at")):
        flags[f"{field}_real_ok"] = vr.real_date(f"{field}_text", parsed)
        flags[f"{field}_window_ok"] = vr.within_window(parsed, first, last)
    return flags


def _line_flags(window: tuple[date, date], settlement_ids: list[str]) -> dict[str, str]:
    """Flag column -> SQL over the staged lines; every per-line rule judges one of these."""
    first, last = window
    ids = ", ".join(vr.literal(i) for i in settlement_ids) or "NULL"
    flags = {
        "amount_ok": "amount_number IS NOT NULL",
        "posted_at_ok": "posted_at IS NOT NULL",
        "settlement_id_ok": f"settlement_id IN ({ids})",
        "amount_ascii_ok": vr.ascii_digits("amount_text"),
        "amount_range_ok": vr.within_money_range("amount_number"),
        "amount_minor_units_ok": vr.within_minor_units("amount_number", "currency"),
        "quantity_ok": vr.whole_quantity("quantity_text"),
        "posted_window_ok": vr.within_window("posted_at", first, last),
    }
    for column in ("transaction_type", "amount_type", "amount_description", "sku", "order_id", "order_item_code",
                   "marketplace_name"):
        flags[f"{column}_shape_ok"] = vr.not_date_shaped(column)
    for column in ("transaction_type", "amount_type", "amount_description", "marketplace_name"):
        flags[f"{column}_number_ok"] = vr.not_number_shaped(column)
    transaction_types, amount_types = vr.known_vocabulary()
    flags["transaction_type_known_ok"] = vr.in_vocabulary("transaction_type", transaction_types)
    flags["amount_type_known_ok"] = vr.in_vocabulary("amount_type", amount_types)
    return flags


def _flag_select(flags: dict[str, str]) -> str:
    return ", ".join(f"{vr.flag(condition)} AS {name}" for name, condition in flags.items())


def validate_settlement(
    con: duckdb.DuckDBPyConnection, kind: str, staged: StagedSettlement, window: tuple[date, date]
) -> list[RuleResult]:
    """The settlement rules over a file staged in DuckDB: the flags are computed there, column-wise, and Great
    Expectations judges frames of just the flags (booleans, no Python object per line) and the summary rows."""
    headers = staged.header_rows
    header = pd.DataFrame([vars(h) for h in headers], columns=list(SettlementHeader.__dataclass_fields__))
    texts = pa.table({
        "total_amount_text": pa.array([h.total_amount_text for h in headers], pa.string()),
        "currency": pa.array([h.currency for h in headers], pa.string()),
        **{name: pa.array([getattr(h, name) for h in headers], pa.timestamp("us"))
           for name in ("settlement_start_at", "settlement_end_at", "deposit_at")},
        **{name: pa.array([getattr(h, name) for h in headers], pa.string())
           for name in ("settlement_start_text", "settlement_end_text", "deposit_text")},
    })
    con.register("acorn_settlement_headers", texts)
    try:
        header_flags = con.sql(
            f"SELECT {_flag_select(_header_flags(window))} FROM (SELECT *, acorn_decimal_text(total_amount_text, ?) "
            "AS total_number FROM acorn_settlement_headers)", params=[staged.decimal_comma],
        ).to_arrow_table().to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    finally:
        con.unregister("acorn_settlement_headers")
    header = pd.concat([header, header_flags], axis=1)
    header["total_amount"] = header["total_amount"].astype(object)

    flags = _line_flags(window, sorted({h.settlement_id for h in headers}))
    lines = con.sql(
        f"SELECT source_line, {_flag_select(flags)} FROM {staged.lines_table} "
        "ORDER BY amount_order < 0, source_line, amount_order"
    ).to_arrow_table().to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)

    def shown_text(rule: Rule, line: int) -> str | None:
        if rule.frame != "lines" or rule.shows is None:
            return None
        condition = flags[rule.kwargs["column"]]
        found = first_row(
            con, f"SELECT {rule.shows} FROM {staged.lines_table} WHERE source_line = ? AND NOT coalesce({condition}, false)"
            " ORDER BY amount_order LIMIT 1", [line],
        )
        return None if found is None else found[0]

    frames = {"columns": pd.DataFrame([[""] * len(staged.columns)], columns=staged.columns),
              "header": header, "lines": lines}
    return _judge(kind, _rules_for(kind), frames, shown_text)


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
            _flag_rule("parseable amount", "lines", "amount_ok", "amount is not a number", "amount_text"),
            _flag_rule("parseable posted date", "lines", "posted_at_ok", "posted date is missing or not a date",
                       "posted_date_raw"),
            _flag_rule("line belongs to the settlement", "lines", "settlement_id_ok",
                       "settlement-id differs from the summary row", "settlement_id"),
            *[_flag_rule(*rule) for rule in _SETTLEMENT_VALUE_RULES],
            *[_flag_rule(*rule, severity="warn") for rule in _VOCABULARY_RULES],
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


def validate(kind: str, frames: dict[str, pd.DataFrame], window: tuple[date, date]) -> list[RuleResult]:
    """Run the kind's rules over the batch's frames; every frame except `columns` carries `source_line`.

    `window`: the plausible dates (first, last) a settlement date must fall in (`Settings.plausible_dates`);
    settlement files are judged by `validate_settlement` instead.
    """
    rules = _rules_for(kind)
    if kind == "purchases" and not frames["rows"].empty:
        frames = {**frames, "rows": _purchase_flags(frames["rows"])}
    if kind == "period_close":
        periods = sorted(set(frames["closes"]["period"].dropna()))
        rules = [Rule(r.name, r.frame, r.expectation, {**r.kwargs, "value_set": periods}, r.problem)
                 if r.name == "line belongs to the period" else r for r in rules]
    return _judge(kind, rules, frames)


ShownText = Callable[[Rule, int], "str | None"]


def _judge(
    kind: str, rules: list[Rule], frames: dict[str, pd.DataFrame], shown_text: ShownText | None = None
) -> list[RuleResult]:
    """Great Expectations' verdict on each rule, one suite per frame."""
    import great_expectations as gx

    context, batch_definition = _context()
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
            results.append(_result(rule, checked, frame, shown_text))
    return results


def _result(rule: Rule, checked: Any, frame: pd.DataFrame, shown_text: ShownText | None = None) -> RuleResult:
    if checked.success:
        return RuleResult(rule.name, True, severity=rule.severity)
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
        raw = shown_text(rule, line) if shown_text and line is not None else None
        if raw is None:
            raw = _raw_text(frame, line, rule.shows or rule.kwargs.get("column"))
        shown = raw if raw is not None else next(iter(value.values()))
        detail = f"{rule.problem} ({shown!r})" if shown not in (None, "") else rule.problem
    count = details.get("unexpected_count")
    if count and count > 1:
        detail += f"; {count} lines in all"
    if rule.frame == "header" and rule.expectation == "ExpectTableRowCountToEqual":
        detail = f"expected exactly one summary row, found {len(frame)}"
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
