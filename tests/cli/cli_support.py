"""The `seawall` command run as a user runs it, for the command-line tests.

Kept in one place so that every command-line test starts the command the
same way: a fresh interpreter on ``python -m seawall.cli``, output captured
as text, the exit code left for the test to check.
"""

from __future__ import annotations

import subprocess
import sys


def seawall(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``seawall ARGS`` and return what it did; ``timeout`` seconds stop a hung command."""
    return subprocess.run(
        [sys.executable, "-m", "seawall.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
