"""The books' settings: read from the environment, validated with one-line errors, passed to dbt as vars."""
from __future__ import annotations

import pytest

from config.settings import Settings


def test_defaults_reach_dbt(monkeypatch):
    for name in ("ACORN_FX_POLICY", "ACORN_FX_RATE_SOURCE", "ACORN_COST_METHOD", "ACORN_INVENTORY_ACCOUNT",
                 "ACORN_REFUND_RESTOCK", "ACORN_PURCHASE_CREDIT_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    variables = Settings.from_env("/tmp/w.duckdb").dbt_vars()
    assert {k: variables[k] for k in ("fx_policy", "fx_rate_source", "cost_method", "inventory_account",
                                      "refund_restock", "purchase_credit_account")} == {
        "fx_policy": "transaction_date", "fx_rate_source": "ecb", "cost_method": "moving_average",
        "inventory_account": "1405", "refund_restock": True, "purchase_credit_account": "2202"}


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("ACORN_FX_POLICY", "Month_First_Day")
    monkeypatch.setenv("ACORN_FX_RATE_SOURCE", "pboc")
    monkeypatch.setenv("ACORN_COST_METHOD", "fifo")
    monkeypatch.setenv("ACORN_INVENTORY_ACCOUNT", "1406")
    monkeypatch.setenv("ACORN_REFUND_RESTOCK", "no")
    monkeypatch.setenv("ACORN_PURCHASE_CREDIT_ACCOUNT", "1002")
    settings = Settings.from_env("/tmp/w.duckdb")
    assert (settings.fx_policy, settings.fx_rate_source, settings.cost_method, settings.inventory_account,
            settings.refund_restock, settings.purchase_credit_account) == ("month_first_day", "pboc", "fifo", "1406", False, "1002")
    assert settings.dbt_vars()["refund_restock"] is False


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ACORN_FX_POLICY", "spot", "ACORN_FX_POLICY must be one of transaction_date, month_first_day, month_average, not 'spot'"),
    ("ACORN_FX_RATE_SOURCE", "fed", "ACORN_FX_RATE_SOURCE must be one of ecb, pboc, not 'fed'"),
    ("ACORN_COST_METHOD", "lifo", "ACORN_COST_METHOD must be one of moving_average, fifo, month_end_average, not 'lifo'"),
    ("ACORN_INVENTORY_ACCOUNT", "14O5", "ACORN_INVENTORY_ACCOUNT must be an account code of 4 to 15 digits"),
    ("ACORN_REFUND_RESTOCK", "maybe", "ACORN_REFUND_RESTOCK must be true or false, not 'maybe'"),
])
def test_bad_values_are_one_line_errors(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as error:
        Settings.from_env("/tmp/w.duckdb")
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
