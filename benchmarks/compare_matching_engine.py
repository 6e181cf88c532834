"""Seawall against the `matching-engine` package, side by side, in one interpreter.

The peer (PyPI `matching-engine` 0.1.1) is a well-built pure-Python
price-time engine with no settlement and no risk checks. Its own workload,
``matching_engine.workload.order_flow(seed=42)``, is translated command for
command into Seawall commands (same accounts, sides, prices, quantities,
market orders and cancels of the same orders), so both engines see exactly
the same flow. Seawall runs with settlement on: 1,000 accounts funded with
cash and shares, every order reserved, every fill settled.

Both engines are timed the same way: commands built beforehand, the cycle
collector paused, only the engine's ``process`` call inside the loop. The
engines alternate for ``--rounds`` rounds and the best round of each is
reported, plus per-command latency percentiles from a separate pass.

Needs Python 3.12+ (the peer uses the ``type`` statement) and the peer:
``pip install -e '.[peer]'``. Run:

    python benchmarks/compare_matching_engine.py --count 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from matching_engine.domain import CancelOrder, SequencedCommand
from matching_engine.domain import OrderType as PeerOrderType
from matching_engine.engine import MatchingEngine
from matching_engine.workload import order_flow as peer_order_flow

from seawall.bench import account_of, participant_of, percentile
from seawall.core.commands import (
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
)
from seawall.core.config import VenueConfig
from seawall.core.events import Rejected
from seawall.core.types import Instrument, OrderType, Side, TimeInForce
from seawall.core.venue import Venue

SYMBOL = "PEER"
PEER_MID = 100_000  # the peer's integer price around which its workload quotes


def seawall_venue(accounts: int) -> Venue:
    """A venue whose instrument has a tick of 1, so the peer's integer prices map 1:1.

    Every account is funded far beyond what the workload can reserve, so no
    order is refused for funds and both engines do the same matching work.
    """
    venue = Venue(VenueConfig(pre_trade_risk=False))  # the peer has no pre-trade controls
    venue.process(ListInstrument("operator", Instrument(SYMBOL, tick_size=1), PEER_MID), 0)
    for n in range(1, accounts + 1):
        for command in (
            RegisterParticipant("operator", participant_of(n)),
            OpenAccount("operator", account_of(n), participant_of(n)),
            Deposit("operator", account_of(n), "USD", 10**14),  # $10 billion each
            Deposit("operator", account_of(n), SYMBOL, 10**9),
        ):
            if isinstance(venue.process(command, 0)[0], Rejected):
                raise SystemExit(f"set-up refused: {command}")
    return venue


def translate(peer_commands: Sequence[Any]) -> list[Command]:
    """The same flow in Seawall's vocabulary. Seawall numbers order entries 1, 2, 3…"""
    ids: dict[int, int] = {}
    out: list[Command] = []
    for command in peer_commands:
        if isinstance(command, CancelOrder):
            out.append(Cancel(participant_of(command.account), ids[command.order_id]))
            continue
        ids[command.order_id] = len(ids) + 1
        side = Side.BUY if command.side.value == "buy" else Side.SELL
        who, acct = participant_of(command.account), account_of(command.account)
        if command.order_type is PeerOrderType.MARKET:
            out.append(
                NewOrder(
                    who, acct, SYMBOL, side, command.qty,
                    order_type=OrderType.MARKET, tif=TimeInForce.IOC,
                )
            )  # fmt: skip
        else:
            out.append(NewOrder(who, acct, SYMBOL, side, command.qty, price=command.price))
    return out


def timed(run: Callable[[], None]) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start
    finally:
        gc.enable()


def peer_round(sequenced: list[SequencedCommand]) -> float:
    process = MatchingEngine().process

    def loop() -> None:
        for sc in sequenced:
            process(sc)

    return timed(loop)


def seawall_round(commands: list[Command], accounts: int) -> float:
    process = seawall_venue(accounts).process

    def loop() -> None:
        for ts, command in enumerate(commands):
            process(command, ts)

    return timed(loop)


def latency(call: Callable[[Any], object], items: Sequence[Any]) -> dict[str, int]:
    clock = time.perf_counter_ns
    samples = []
    gc.disable()
    try:
        for item in items:
            start = clock()
            call(item)
            samples.append(clock() - start)
    finally:
        gc.enable()
    samples.sort()
    return {f"p{q * 100:g}": percentile(samples, q) for q in (0.5, 0.99, 0.999)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=1_000)
    args = parser.parse_args(argv)

    peer_commands = list(peer_order_flow(seed=args.seed, count=args.count))
    sequenced = [SequencedCommand(i + 1, i, c) for i, c in enumerate(peer_commands)]
    commands = translate(peer_commands)
    peer_times, seawall_times = [], []
    for _ in range(args.rounds):
        peer_times.append(peer_round(sequenced))
        seawall_times.append(seawall_round(commands, args.accounts))
    peer_engine = MatchingEngine()
    venue = seawall_venue(args.accounts)
    ts = iter(range(10**12))
    report = {
        "python": sys.version.split()[0],
        "commands": args.count,
        "seed": args.seed,
        "rounds": args.rounds,
        "peer_commands_per_s": round(args.count / min(peer_times)),
        "seawall_commands_per_s": round(args.count / min(seawall_times)),
        "seawall_over_peer": round(min(peer_times) / min(seawall_times), 3),
        "peer_latency_ns": latency(peer_engine.process, sequenced),
        "seawall_latency_ns": latency(lambda c: venue.process(c, next(ts)), commands),
        "seawall_settlement": "rtgs (funded orders, every fill settled)",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
