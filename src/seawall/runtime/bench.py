"""How fast the journal makes commands durable, for ``seawall bench``.

Throughput with fsync on is bounded by the device's flush latency, not by
encoding; group commit spreads one flush over many records. This measures
exactly that trade on whatever commands it is given (``seawall bench`` passes
its documented workload).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from seawall.core.commands import Command
from seawall.core.config import VenueConfig
from seawall.runtime.journal import FsyncPolicy, JournalWriter


def bench_journal(
    path: Path,
    commands: Sequence[Command],
    group_size: int,
    policy: FsyncPolicy = FsyncPolicy.ALWAYS,
) -> dict[str, float | int | str]:
    """Append ``commands`` to a new journal at ``path`` in commits of ``group_size``."""
    count = len(commands)
    writer = JournalWriter.create(path, VenueConfig(), policy)
    ts = time.time_ns()
    start = time.perf_counter()
    for first in range(0, count, group_size):
        for seq in range(first + 1, min(first + group_size, count) + 1):
            writer.append(seq, ts, commands[seq - 1])
        writer.commit()
    elapsed = time.perf_counter() - start
    writer.close()
    size = path.stat().st_size
    return {
        "records": count,
        "group_size": group_size,
        "policy": policy.value,
        "seconds": round(elapsed, 6),
        "records_per_s": round(count / elapsed),
        "fsyncs": writer.fsyncs,
        "bytes_per_record": round(size / count, 1),
    }
