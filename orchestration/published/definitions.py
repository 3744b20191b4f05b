"""The published part of ACORN's one `Definitions`: the read-only copy readers open, part of the pipeline job."""
from __future__ import annotations

from dagster import Definitions

from orchestration.published.assets import published_warehouse


def published_definitions() -> Definitions:
    return Definitions(assets=[published_warehouse])
