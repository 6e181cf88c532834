"""How fast the journal makes commands durable, for ``seawall bench``.

Throughput with fsync on is bounded by the device's flush latency, not by
encoding; group commit spreads one flush over many records. This measures
exactly that trade on a realistic mix of order entry and cancels.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from seawall.core.commands import Cancel, Command, NewOrder
from seawall.core.config import VenueConfig
from seawall.core.types import Side, TimeInForce
from seawall.runtime.journal import FsyncPolicy, JournalWriter


def order_flow(count: int, seed: int = 1) -> list[Command]:
    """Orders and cancels as a busy book sees them: about one cancel for every two orders."""
    rng = random.Random(seed)
    commands: list[Command] = []
    for i in range(count):
        trader = f"trader-{rng.randrange(50)}"
        if i and rng.random() < 0.35:
            commands.append(Cancel(trader, order_id=rng.randrange(1, i + 1)))
        else:
            commands.append(
                NewOrder(
                    trader,
                    f"ACC-{trader}",
                    rng.choice(("AAPL", "MSFT", "SPY", "XYZ")),
                    Side.BUY if rng.random() < 0.5 else Side.SELL,
                    rng.randrange(1, 50) * 100,
                    price=1_000_000 + rng.randrange(-200, 200) * 100,
                    tif=TimeInForce.IOC if rng.random() < 0.1 else TimeInForce.DAY,
                    client_order_id=f"c{i:010d}",
                )
            )
    return commands


def bench_journal(
    path: Path, count: int, group_size: int, policy: FsyncPolicy = FsyncPolicy.ALWAYS
) -> dict[str, float | int | str]:
    """Append ``count`` records to a new journal at ``path`` in commits of ``group_size``."""
    commands = order_flow(count)
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
