"""Prices, order entry and event helpers that the core, rules and risk tests share.

Each test folder has its own support module for the market it needs (a plain
venue in ``tests/core``, a venue under a rulebook on a New York clock in
``tests/rules``, firms and risk limits in ``tests/risk``), but all of them
write prices as dollar strings, enter orders by trader name and compare
events without their sequence numbers and timestamps. Those parts live here
once, so that the folders cannot drift apart in how they read a price or
strip an event. The folder is on ``sys.path`` through pytest's ``pythonpath``
setting and mypy's ``mypy_path``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from seawall import Instrument, Side, Venue
from seawall.core.commands import Command, Deposit, NewOrder, OpenAccount, RegisterParticipant
from seawall.core.events import Event, Rejected, RejectReason

OPERATOR = "operator"
DOLLAR = 10_000
"""Price (and money) units in one dollar."""


def usd(amount: str) -> int:
    """``"10.01"`` → 100100 price (or money) units; ``"-1,000.5"`` → -10005000."""
    sign = -1 if amount.startswith("-") else 1
    whole, _, frac = amount.lstrip("-").replace(",", "").partition(".")
    return sign * (int(whole) * DOLLAR + int((frac + "0000")[:4]))


def bare(events: Iterable[Event]) -> list[Event]:
    """The events with seq and ts zeroed, so expectations need not count commands."""
    return [msgspec.structs.replace(event, seq=0, ts=0) for event in events]


def kinds(events: Iterable[Event]) -> list[str]:
    """The events' type names, for expectations about what happened rather than its details."""
    return [type(event).__name__ for event in events]


class TraderMarket:
    """A venue whose traders each have one account and enter orders by name at dollar prices.

    Every command is stamped one nanosecond after the previous one. A subclass
    creates the venue, sets the clock, the instrument and the traders
    (participant → account), lists the instrument and calls
    :meth:`open_traders`.
    """

    venue: Venue
    ts: int
    instrument: Instrument
    traders: Mapping[str, str]

    def do(self, command: Command) -> list[Event]:
        self.ts += 1
        return self.venue.process(command, self.ts)

    def open_traders(self, funding: Mapping[str, int]) -> None:
        """Register every trader, open its account and deposit ``funding`` (asset → amount)."""
        for participant, account in self.traders.items():
            self.do(RegisterParticipant(OPERATOR, participant))
            self.do(OpenAccount(OPERATOR, account, participant))
            for asset, amount in funding.items():
                self.do(Deposit(OPERATOR, account, asset, amount))

    def order(self, who: str, side: Side, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        account = self.traders[who]
        return self.do(
            NewOrder(who, account, self.instrument.symbol, side, qty, usd(price), **fields)
        )

    def buy(self, who: str, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        return self.order(who, Side.BUY, qty, price, **fields)

    def sell(self, who: str, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        return self.order(who, Side.SELL, qty, price, **fields)


def refusal(events: Sequence[Event]) -> RejectReason | None:
    """The reason a command was refused for (its one event is then ``Rejected``), or None."""
    first = events[0] if events else None
    return first.reason if isinstance(first, Rejected) else None
