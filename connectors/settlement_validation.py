"""The settlement rules, judged at a fixed cost per file whatever its size.

DuckDB evaluates every rule over the staged file in two queries (summary rows, lines) and reduces each to a tally:
how many rows fail it, and the first failing row's line and text (in file order). Great Expectations then judges
the tallies, one row per rule, with ONE expectation in ONE validation: its cost is one validation per file, where
an expectation per rule cost ~10 ms each (0.4-1.3 s a file) and nothing of the file's size reaches it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from connectors import value_rules as vr
from connectors.settlement_flatfile import StagedSettlement
from connectors.settlement_sql import first_row
from connectors.validation import SETTLEMENT_CURRENCIES, RuleResult, gx_batches

# The expectation every tally must meet, and the column it judges.
_FAILING_ROWS = "failing_rows"


@dataclass(frozen=True)
class SettlementRule:
    """One rule: `condition` names the SQL (in `_header_conditions` / `_line_conditions`) true where a row passes;
    `shows` the column of the file's own text quoted when it fails. `frame` is `columns` (a required column:
    `condition` is its name), `summary` (one summary row per settlement), `header` or `lines`."""

    name: str
    frame: str
    condition: str
    problem: str
    shows: str | None = None
    # "warn": recorded and reported, the file still loads (an unknown transaction type is kept, not refused).
    severity: str = "error"


@dataclass(frozen=True)
class Tally:
    """A rule reduced over its frame: the rows failing it and the first one's line and shown text."""

    failing_rows: int
    line: int | None = None
    shown: str | None = None


_DATE_FIELDS = (("settlement_start", "settlement-start-date"), ("settlement_end", "settlement-end-date"),
                ("deposit", "deposit-date"))
_HEADER_RULES = [
    SettlementRule("one summary row per settlement", "summary", "", "expected exactly one summary row"),
    SettlementRule("parseable total-amount", "header", "total_ok", "total-amount is not a number", "total_amount_text"),
    SettlementRule("known currency", "header", "currency_known_ok", "currency is not one Amazon settles in", "currency"),
    SettlementRule("ASCII digits in total-amount", "header", "total_ascii_ok",
                   "total-amount is written with non-ASCII digits", "total_amount_text"),
    SettlementRule("total-amount within DECIMAL(18,2)", "header", "total_range_ok",
                   "total-amount is too large for DECIMAL(18,2)", "total_amount_text"),
    SettlementRule("total-amount within the currency's minor units", "header", "total_minor_units_ok",
                   "total-amount has more decimals than its currency has minor units", "total_amount_text"),
    *[SettlementRule(f"real {label}", "header", f"{field}_real_ok", f"{label} is not a real calendar date",
                     f"{field}_text") for field, label in _DATE_FIELDS],
    *[SettlementRule(f"plausible {label}", "header", f"{field}_window_ok", f"{label} is outside the plausible window",
                     f"{field}_text") for field, label in _DATE_FIELDS],
    SettlementRule("settlement start <= end <= deposit", "header", "period_order_ok",
                   "settlement-start-date, settlement-end-date and deposit-date are out of order", "deposit_text"),
]
_SHAPED_COLUMNS = (("transaction_type", "transaction-type"), ("amount_type", "amount-type"),
                   ("amount_description", "amount-description"), ("sku", "sku"), ("order_id", "order-id"),
                   ("order_item_code", "order-item-code"), ("marketplace_name", "marketplace-name"))
_LINE_RULES = [
    SettlementRule("parseable amount", "lines", "amount_ok", "amount is not a number", "amount_text"),
    SettlementRule("parseable posted date", "lines", "posted_at_ok", "posted date is missing or not a date",
                   "posted_date_raw"),
    SettlementRule("line belongs to the settlement", "lines", "settlement_id_ok",
                   "settlement-id differs from the summary row", "settlement_id"),
    SettlementRule("ASCII digits in amount", "lines", "amount_ascii_ok", "amount is written with non-ASCII digits",
                   "amount_text"),
    SettlementRule("amount within DECIMAL(18,2)", "lines", "amount_range_ok", "amount is too large for DECIMAL(18,2)",
                   "amount_text"),
    SettlementRule("amount within the currency's minor units", "lines", "amount_minor_units_ok",
                   "amount has more decimals than its currency has minor units", "amount_text"),
    SettlementRule("whole quantity", "lines", "quantity_ok",
                   "quantity-purchased is not a whole number of ASCII digits within INTEGER range", "quantity_text"),
    SettlementRule("plausible posted date", "lines", "posted_window_ok", "posted date is outside the plausible window",
                   "posted_date_raw"),
    *[SettlementRule(f"{label} is not a date", "lines", f"{field}_shape_ok",
                     f"{label} holds a date: its column looks swapped", field) for field, label in _SHAPED_COLUMNS],
    *[SettlementRule(f"{label} is not a number", "lines", f"{field}_number_ok",
                     f"{label} holds a bare number: its column looks swapped", field)
      for field, label in _SHAPED_COLUMNS if field not in ("sku", "order_id", "order_item_code")],
    SettlementRule("known transaction-type", "lines", "transaction_type_known_ok", "transaction-type is not one "
                   "Amazon is known to write (kept; classify it in the fee taxonomy)", "transaction_type", "warn"),
    SettlementRule("known amount-type", "lines", "amount_type_known_ok", "amount-type is not one Amazon is known to "
                   "write (kept; classify it in the fee taxonomy)", "amount_type", "warn"),
]
_REQUIRED = {
    "settlement_v2": ["settlement-id", "total-amount", "currency", "transaction-type", "amount-type",
                      "amount-description", "amount", "posted-date-time"],
    "settlement_v1": ["settlement-id", "total-amount", "currency", "transaction-type", "posted-date"],
}


def settlement_rules(kind: str) -> list[SettlementRule]:
    """The kind's rules in the order they are recorded (and the first failing one names the quarantine)."""
    columns = [SettlementRule(f"required column {c}", "columns", c, f"column '{c}' is missing")
               for c in _REQUIRED[kind]]
    return columns + _HEADER_RULES + _LINE_RULES


def _header_conditions(window: tuple[date, date]) -> dict[str, str]:
    """Condition name -> SQL over the summary rows (see connectors/value_rules.py), true where a row passes."""
    first, last = window
    conditions = {
        "total_ok": "total_number IS NOT NULL",
        "currency_known_ok": f"currency IN ({', '.join(vr.literal(c) for c in sorted(SETTLEMENT_CURRENCIES))})",
        "total_ascii_ok": vr.ascii_digits("total_amount_text"),
        "total_range_ok": vr.within_money_range("total_number"),
        "total_minor_units_ok": vr.within_minor_units("total_number", "currency"),
        "period_order_ok": vr.in_order("settlement_start_at", "settlement_end_at", "deposit_at"),
    }
    for field, _ in _DATE_FIELDS:
        conditions[f"{field}_real_ok"] = vr.real_date(f"{field}_text", f"{field}_at")
        conditions[f"{field}_window_ok"] = vr.within_window(f"{field}_at", first, last)
    return conditions


def _line_conditions(window: tuple[date, date], settlement_ids: list[str]) -> dict[str, str]:
    """Condition name -> SQL over the staged lines, true where a line passes."""
    first, last = window
    ids = ", ".join(vr.literal(i) for i in settlement_ids) or "NULL"
    conditions = {
        "amount_ok": "amount_number IS NOT NULL",
        "posted_at_ok": "posted_at IS NOT NULL",
        "settlement_id_ok": f"settlement_id IN ({ids})",
        "amount_ascii_ok": vr.ascii_digits("amount_text"),
        "amount_range_ok": vr.within_money_range("amount_number"),
        "amount_minor_units_ok": vr.within_minor_units("amount_number", "currency"),
        "quantity_ok": vr.whole_quantity("quantity_text"),
        "posted_window_ok": vr.within_window("posted_at", first, last),
    }
    for column, _ in _SHAPED_COLUMNS:
        conditions[f"{column}_shape_ok"] = vr.not_date_shaped(column)
        conditions[f"{column}_number_ok"] = vr.not_number_shaped(column)
    transaction_types, amount_types = vr.known_vocabulary()
    conditions["transaction_type_known_ok"] = vr.in_vocabulary("transaction_type", transaction_types)
    conditions["amount_type_known_ok"] = vr.in_vocabulary("amount_type", amount_types)
    return conditions


def _tallies(
    con: duckdb.DuckDBPyConnection, table: str, rules: list[SettlementRule], conditions: dict[str, str], order: str,
    params: list[object] | None = None,
) -> list[Tally]:
    """Each rule over `table`: its failing rows (where the condition is not TRUE: false or unknown) counted in one
    query for all rules; for a rule that fails, the first failing row in `order` (SQL, ascending) with its text.
    A file that passes pays one scan; the per-rule queries are for files about to be quarantined."""
    if not rules:
        return []
    fails = [f"({conditions[r.condition]}) IS NOT TRUE" for r in rules]
    counts = first_row(con, f"SELECT {', '.join(f'count(*) FILTER (WHERE {f})' for f in fails)} FROM {table}",
                       params)
    assert counts is not None  # an aggregate without GROUP BY always answers one row
    tallies = []
    for rule, fail, count in zip(rules, fails, counts):
        first = first_row(con, f"SELECT source_line, {rule.shows or 'NULL'} FROM {table} WHERE {fail} "
                               f"ORDER BY {order} LIMIT 1", params) if count else None
        tallies.append(Tally(count) if first is None else Tally(count, first[0], first[1]))
    return tallies


def _header_tallies(
    con: duckdb.DuckDBPyConnection, staged: StagedSettlement, rules: list[SettlementRule], window: tuple[date, date]
) -> list[Tally]:
    headers = staged.header_rows
    texts = pa.table({
        "source_line": pa.array([h.source_line for h in headers], pa.int64()),
        "total_amount_text": pa.array([h.total_amount_text for h in headers], pa.string()),
        "currency": pa.array([h.currency for h in headers], pa.string()),
        **{f"{field}_at": pa.array([getattr(h, f"{field}_at") for h in headers], pa.timestamp("us"))
           for field, _ in _DATE_FIELDS},
        **{f"{field}_text": pa.array([getattr(h, f"{field}_text") for h in headers], pa.string())
           for field, _ in _DATE_FIELDS},
    })
    con.register("acorn_settlement_headers", texts)
    try:
        return _tallies(con, "(SELECT *, acorn_decimal_text(total_amount_text, ?) AS total_number "
                             "FROM acorn_settlement_headers)", rules, _header_conditions(window), "source_line",
                        [staged.decimal_comma])
    finally:
        con.unregister("acorn_settlement_headers")


def validate_settlement(
    con: duckdb.DuckDBPyConnection, kind: str, staged: StagedSettlement, window: tuple[date, date]
) -> list[RuleResult]:
    """The settlement rules over a file staged in DuckDB (see the module's docstring).

    `window`: the plausible dates (first, last) a settlement date must fall in (`Settings.plausible_dates`).
    """
    rules = settlement_rules(kind)
    headers = staged.header_rows
    tallies: dict[SettlementRule, Tally] = {}
    for rule in rules:
        if rule.frame == "columns":
            tallies[rule] = Tally(0 if rule.condition in staged.columns else 1)
        elif rule.frame == "summary":
            tallies[rule] = Tally(0) if len(headers) == 1 else Tally(
                1, headers[1].source_line if len(headers) > 1 else None,
                f"expected exactly one summary row, found {len(headers)}")
    header_rules = [r for r in rules if r.frame == "header"]
    tallies.update(zip(header_rules, _header_tallies(con, staged, header_rules, window)))
    line_rules = [r for r in rules if r.frame == "lines"]
    line_conditions = _line_conditions(window, sorted({h.settlement_id for h in headers}))
    # File order, a V1 quantity that became its own line (amount_order -1) after every other line.
    tallies.update(zip(line_rules, _tallies(con, staged.lines_table, line_rules, line_conditions,
                                            "(amount_order < 0, source_line, amount_order)")))
    return judge_tallies(kind, [(rule, tallies[rule]) for rule in rules])


@cache
def _suite() -> Any:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name="settlement-rule-tallies")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToBeBetween(column=_FAILING_ROWS, min_value=0,
                                                                        max_value=0))
    return suite


def judge_tallies(kind: str, tallied: list[tuple[SettlementRule, Tally]]) -> list[RuleResult]:
    """Great Expectations' verdict on every rule at once: each row of the frame is a rule, and a rule fails when
    the expectation finds its row unexpected (some of the file's rows fail it)."""
    _, batch_definition = gx_batches()
    frame = pd.DataFrame({"rule": [rule.name for rule, _ in tallied],
                          _FAILING_ROWS: pd.array([tally.failing_rows for _, tally in tallied], dtype="int64")})
    outcome = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        _suite(), result_format={"result_format": "COMPLETE"})
    (checked,) = outcome.results
    failed = {int(i) for i in checked.result.get("unexpected_index_list") or []}
    return [_result(rule, tally) if position in failed else RuleResult(rule.name, True, severity=rule.severity)
            for position, (rule, tally) in enumerate(tallied)]


def _result(rule: SettlementRule, tally: Tally) -> RuleResult:
    if rule.frame == "summary":
        return RuleResult(rule.name, False, tally.line, tally.shown or rule.problem, rule.severity)
    detail = f"{rule.problem} ({tally.shown!r})" if tally.shown not in (None, "") else rule.problem
    if tally.failing_rows > 1:
        detail += f"; {tally.failing_rows} lines in all"
    return RuleResult(rule.name, False, tally.line, detail, rule.severity)
