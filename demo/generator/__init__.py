"""ACORN's deterministic sample-data generator (`acorn generate`): a full inbox with documented anomalies."""
from demo.generator.answer_key import ANSWER_KEY_NAME
from demo.generator.inbox import DEFAULT_START, DEFAULT_STORES, generate
from demo.generator.result import Anomaly, GenerationResult, SettlementSummary

__all__ = [
    "ANSWER_KEY_NAME",
    "DEFAULT_START",
    "DEFAULT_STORES",
    "Anomaly",
    "GenerationResult",
    "SettlementSummary",
    "generate",
]
