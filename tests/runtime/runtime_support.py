"""Shared test material: a funded demo venue and a deterministic order flow.

Kept out of conftest.py so that the crash test's writer process can import it too.
"""

from __future__ import annotations

import random

from seawall.core.commands import (
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    MassCancel,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    Withdraw,
)
from seawall.core.types import Instrument, Side, TimeInForce
from seawall.core.venue import Venue
from seawall.runtime.durable import FRAME

TRADERS = (("alice", "A1"), ("bob", "B1"))
TS_STEP = 1_000


def setup_commands() -> list[Command]:
    """Two funded traders and one listed instrument."""
    commands: list[Command] = [
        ListInstrument("operator", Instrument("XYZ"), reference_price=100_000),
    ]
    for trader, account in TRADERS:
        commands += [
            RegisterParticipant("operator", trader),
            OpenAccount("operator", account, trader),
            Deposit("operator", account, "USD", 10**12),
            Deposit("operator", account, "XYZ", 10_000),
        ]
    return commands


def order_flow(count: int, seed: int) -> list[Command]:
    """Orders that cross and rest, cancels and replaces of live and dead orders, funding."""
    rng = random.Random(seed)
    commands: list[Command] = []
    for i in range(count):
        trader, account = rng.choice(TRADERS)
        roll = rng.random()
        if roll < 0.6:
            commands.append(
                NewOrder(
                    trader,
                    account,
                    "XYZ",
                    rng.choice((Side.BUY, Side.SELL)),
                    rng.randrange(1, 40),
                    price=100_000 + rng.randrange(-10, 11) * 100,
                    tif=TimeInForce.IOC if rng.random() < 0.1 else TimeInForce.DAY,
                    client_order_id=f"o{i}",
                )
            )
        elif roll < 0.8:
            commands.append(Cancel(trader, rng.randrange(1, i + 2)))
        elif roll < 0.9:
            order_id = rng.randrange(1, i + 2)
            commands.append(Replace(trader, order_id, rng.randrange(1, 40), 100_000))
        elif roll < 0.95:
            commands.append(Deposit("operator", account, "USD", rng.randrange(1, 10**8)))
        elif roll < 0.98:
            commands.append(Withdraw("operator", account, "XYZ", rng.randrange(1, 50)))
        else:
            commands.append(MassCancel(trader))
    return commands


class StepClock:
    """A clock that moves ``TS_STEP`` ns per reading: the n-th command is stamped n * TS_STEP."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = start_ns

    def now_ns(self) -> int:
        self._now += TS_STEP
        return self._now


def in_memory(commands: list[Command], first_ts: int = TS_STEP) -> Venue:
    """The venue after processing ``commands`` stamped as a fresh :class:`StepClock` would."""
    venue = Venue()
    for n, command in enumerate(commands):
        venue.process(command, first_ts + n * TS_STEP)
    return venue


def frame_offsets(data: bytes) -> list[int]:
    """Start of every frame in a well-formed journal, header first."""
    offsets, offset = [], 0
    while offset < len(data):
        offsets.append(offset)
        offset += FRAME.size + FRAME.unpack_from(data, offset)[0]
    return offsets
