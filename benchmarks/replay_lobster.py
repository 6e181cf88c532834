"""A LOBSTER day replayed through Seawall's matching and verified at every event.

Reading and unzipping happen before the clock starts; the timed part is the
whole replay: every message through the venue, and every order-book row
compared with Seawall's book. Prints JSON with the best of ``--rounds``.

    .venv/bin/python benchmarks/replay_lobster.py \\
        ../shared/data/lobster/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

from seawall.replay.lobster import LobsterReplay, open_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("sample", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = open_sample(args.sample)
    best = None
    for _ in range(args.rounds):
        gc.collect()
        report = LobsterReplay(files).run()
        if best is None or report.seconds < best.seconds:
            best = report
    assert best is not None
    result = {"python": sys.version.split()[0], "rounds": args.rounds, **best.to_dict()}
    result.pop("mismatch_examples")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
