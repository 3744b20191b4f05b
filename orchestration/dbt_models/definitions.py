"""The dbt part of ACORN's one `Definitions`: every seed and model as an asset, every test as a check."""
from __future__ import annotations

from dagster import Definitions

from orchestration.dbt_models.assets import acorn_dbt_models


def dbt_definitions() -> Definitions:
    return Definitions(assets=[acorn_dbt_models])
