"""Where the real market data lives, and the skip for a test that needs a file of it.

The samples (LOBSTER days, ITCH files, a Binance depth stream) are not part of
the repository: they are read in place from ``../shared/data`` beside the
project, and a fresh clone has no ``../shared``. The replay tests and the
command-line tests both read them, so the place and the skip that names a
missing file are kept here once. The folder is on ``sys.path`` through pytest's
``pythonpath`` setting and mypy's ``mypy_path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def need(relative: str) -> Path:
    """The sample at ``relative`` below :data:`REAL_DATA`; the test skips when it is absent."""
    path = REAL_DATA / relative
    if not path.exists():
        pytest.skip(f"real data not found: {path} (../shared/data sits beside the project)")
    return path
