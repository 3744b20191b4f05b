"""Where the tests find the repository, their fixtures and Amazon's genuine samples in ../shared."""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
EXPECTED = REPO / "tests" / "expected"
# CI and developers have ../shared beside the clone; a clone without it skips what needs the samples.
SHARED = Path(os.environ.get("ACORN_TEST_SHARED") or REPO.parent / "shared")
SAMPLES = SHARED / "formats" / "samples"


def sample_files(pattern: str = "*") -> list[Path]:
    """The genuine samples matching `pattern`; none (so a parametrized test is skipped) without ../shared."""
    return sorted(p for p in SAMPLES.glob(pattern) if p.is_file()) if SAMPLES.is_dir() else []
