"""The raw part of ACORN's one `Definitions`: the inbox, its load into `raw` and `audit`, the ECB rates and the
access log."""
from __future__ import annotations

from dagster import Definitions

from orchestration.raw.assets import access_log, fx_ecb_rates, inbox_spec, inbox_tables


def raw_definitions() -> Definitions:
    return Definitions(assets=[inbox_spec, inbox_tables, fx_ecb_rates, access_log])
