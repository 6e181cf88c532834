"""The venue process of the crash test: ``crash_writer.py DATA_DIR COUNT SEED``.

It serves the seeded load (resuming where the directory left off) in batches
of random size with fsync "always", and prints each seq once its batch is
acknowledged, so the test knows exactly what was promised before it kills us.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from runtime_support import StepClock, order_flow, setup_commands

from seawall.runtime.journal import FsyncPolicy
from seawall.runtime.recovery import open_data_dir
from seawall.runtime.sequencer import Sequencer


def main(data_dir: Path, count: int, seed: int) -> None:
    load = setup_commands() + order_flow(count, seed)
    opened = open_data_dir(data_dir, policy=FsyncPolicy.ALWAYS)
    venue = opened.venue
    sequencer = Sequencer(venue, opened.writer, StepClock(venue.ts), snapshot_every=250)
    rng = random.Random(seed + venue.seq)
    while venue.seq < len(load):
        first = venue.seq
        sequencer.submit_batch(load[first : first + rng.randint(1, 8)])
        sys.stdout.write("".join(f"{seq}\n" for seq in range(first + 1, venue.seq + 1)))
        sys.stdout.flush()
    sequencer.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
