"""How the demos show the faults they inject into the local SP-API: as the expected test faults they are.

The connectors log each fault they absorb as a warning (`getInvoice for acme-vendor-na failed (…); retry 1`),
which is right for a real sync. During a demo the fault was asked for, so the demo prints it as such; a warning
that matches no injected fault is printed as the connectors logged it. The connectors' logging is untouched.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

Say = Callable[[str], None]
Fault = tuple[str, str, int]  # (operation, fault, times), as the demos inject them

# The warnings of connectors/spapi/retry.py and connectors/spapi/sync.py (tests/demo/test_injected_faults.py
# drives the real retry loop, so a change of wording there shows up).
_RETRY = re.compile(r"(?P<operation>\w+) for (?P<account>\S+) failed \((?P<error>\w+)\b.*\); retry (?P<attempt>\d+)")
_RESTART = re.compile(r"(?P<account>\S+) (?P<source>\S+): invalid NextToken, restarting window")
# What python-amazon-sp-api raises for each fault the local SP-API injects into a call.
_RAISED_FOR = {
    "429": "SellingApiRequestThrottledException",
    "500": "SellingApiServerException",
    "expired_token": "SellingApiForbiddenException",
}


def describe(message: str, faults: Sequence[Fault]) -> str:
    """The line a demo prints for one connector warning."""
    if match := _RETRY.fullmatch(message):
        for operation, fault, _ in faults:
            if operation == match["operation"] and _RAISED_FOR.get(fault) == match["error"]:
                return (f"injected fault absorbed: {fault} on {operation} for {match['account']} "
                        f"(retry {match['attempt']})")
    if (match := _RESTART.fullmatch(message)) and any(fault == "invalid_next_token" for _, fault, _ in faults):
        return f"injected fault absorbed: invalid_next_token on {match['source']} for {match['account']} (window restarted)"
    return message


class _InjectedFaultPrinter(logging.Handler):
    def __init__(self, faults: Sequence[Fault], say: Say) -> None:
        super().__init__(level=logging.WARNING)
        self._faults, self._say = faults, say

    def emit(self, record: logging.LogRecord) -> None:
        self._say(f"  {describe(record.getMessage(), self._faults)}")


@contextmanager
def reporting_injected_faults(faults: Sequence[Fault], say: Say) -> Iterator[None]:
    """While syncing against the local SP-API, print the connectors' warnings through `describe`.

    With a handler on the `connectors` logger, Python's last-resort handler no longer echoes the raw warning to
    stderr; records still propagate to whatever handlers the root logger has.
    """
    handler = _InjectedFaultPrinter(faults, say)
    logger = logging.getLogger("connectors")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
