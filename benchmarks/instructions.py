"""Set up the `seawall bench` workload and, unless --setup-only, process it.

Run under callgrind twice (see instructions.sh): the difference of the two
instruction totals divided by the command count is the core's cost per
command, independent of machine load.
"""

from __future__ import annotations

import argparse
import gc

from seawall import bench
from seawall.rulebooks import Rulebook


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=30_000)
    parser.add_argument("--setup-only", action="store_true")
    parser.add_argument("--controls", action="store_true", help="every pre-trade control on")
    parser.add_argument("--rulebook", help="run under this rulebook's trading rules (RTGS)")
    args = parser.parse_args()
    commands = list(bench.order_flow(42, args.count))
    rulebook = Rulebook.load(args.rulebook) if args.rulebook else None
    process = bench.funded_venue(controls=args.controls, rulebook=rulebook).process
    gc.disable()
    if not args.setup_only:
        for ts, command in enumerate(commands, bench.START_TS + 1):  # the bench's own clock
            process(command, ts)


if __name__ == "__main__":
    main()
