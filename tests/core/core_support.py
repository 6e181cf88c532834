"""A small market for golden tests: three funded traders and one listed instrument."""

from __future__ import annotations

from typing import Any

import msgspec

from seawall import Instrument, Side, Venue, VenueConfig
from seawall.core.commands import (
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
)
from seawall.core.events import Event

SYMBOL = "XYZ"
DOLLAR = 10_000
CASH = 1_000_000 * DOLLAR
SHARES = 10_000
TRADERS = {"alice": "A", "bob": "B", "carol": "C"}


def usd(amount: str) -> int:
    """``"10.01"`` → 100100 price units, for readable expectations."""
    whole, _, frac = amount.partition(".")
    return int(whole) * DOLLAR + int((frac + "0000")[:4])


class Market:
    """Drives a venue with a strictly increasing timestamp and strips seq/ts for comparisons."""

    def __init__(
        self,
        config: VenueConfig | None = None,
        instrument: Instrument | None = None,
        reference_price: int = usd("10.00"),
        fund: bool = True,
    ) -> None:
        self.venue = Venue(config)
        self.ts = 0
        self.instrument = instrument or Instrument(SYMBOL)
        self.do(ListInstrument("operator", self.instrument, reference_price=reference_price))
        for participant, account in TRADERS.items():
            self.do(RegisterParticipant("operator", participant))
            self.do(OpenAccount("operator", account, participant))
            if fund:
                self.do(Deposit("operator", account, "USD", CASH))
                self.do(Deposit("operator", account, self.instrument.symbol, SHARES))

    def do(self, command: Command) -> list[Event]:
        self.ts += 1
        return self.venue.process(command, self.ts)

    def order(self, who: str, side: Side, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        return self.do(
            NewOrder(who, TRADERS[who], self.instrument.symbol, side, qty, usd(price), **fields)
        )

    def buy(self, who: str, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        return self.order(who, Side.BUY, qty, price, **fields)

    def sell(self, who: str, qty: int, price: str = "0", **fields: Any) -> list[Event]:
        return self.order(who, Side.SELL, qty, price, **fields)

    def cash(self, account: str) -> tuple[int, int]:
        balance = self.venue.accounts[account].cash["USD"]
        return balance.available, balance.reserved

    def shares(self, account: str) -> tuple[int, int]:
        balance = self.venue.accounts[account].positions[self.instrument.symbol]
        return balance.available, balance.reserved

    def depth(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        return self.venue.books[self.instrument.symbol].depth(10)

    def queue(self, side: Side) -> list[tuple[int, int]]:
        """(order id, leaves) in priority order on one side."""
        book = self.venue.books[self.instrument.symbol]
        orders = book.side_of(side).orders_in_priority()
        return [(order.order_id, order.leaves) for order in orders]


def bare(events: list[Event]) -> list[Event]:
    """The events with seq and ts zeroed, so expectations need not count commands."""
    return [msgspec.structs.replace(event, seq=0, ts=0) for event in events]


def kinds(events: list[Event]) -> list[str]:
    return [type(event).__name__ for event in events]
