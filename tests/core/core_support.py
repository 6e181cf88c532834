"""A small market for golden tests: three funded traders and one listed instrument."""

from __future__ import annotations

from orders_support import DOLLAR, OPERATOR, TraderMarket, usd
from seawall import Instrument, Side, Venue, VenueConfig
from seawall.core.commands import ListInstrument

SYMBOL = "XYZ"
CASH = 1_000_000 * DOLLAR
SHARES = 10_000
TRADERS = {"alice": "A", "bob": "B", "carol": "C"}


class Market(TraderMarket):
    """Three traders and one instrument on a venue, one nanosecond per command."""

    def __init__(
        self,
        config: VenueConfig | None = None,
        instrument: Instrument | None = None,
        reference_price: int = usd("10.00"),
        fund: bool = True,
    ) -> None:
        self.venue = Venue(config)
        self.ts = 0
        self.traders = TRADERS
        self.instrument = instrument or Instrument(SYMBOL)
        self.do(ListInstrument(OPERATOR, self.instrument, reference_price=reference_price))
        self.open_traders({"USD": CASH, self.instrument.symbol: SHARES} if fund else {})

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
