"""The notify part of ACORN's one `Definitions`: the notifier asset, part of the pipeline job."""
from __future__ import annotations

from dagster import Definitions

from orchestration.notify.assets import alert_deliveries


def notify_definitions() -> Definitions:
    return Definitions(assets=[alert_deliveries])
