"""Entry point for `dagster dev -m orchestration.definitions`: the one `Definitions` of ACORN."""
from orchestration.assembly import build_definitions

defs = build_definitions()
