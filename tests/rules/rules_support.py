"""A venue under a rulebook, driven at New York wall-clock instants, for the trading-rules tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import msgspec

from orders_support import DOLLAR, OPERATOR, TraderMarket, usd
from seawall import Instrument, Rulebook, Side, Venue, VenueConfig
from seawall.core.commands import ClockTick, ListInstrument
from seawall.core.events import (
    Event,
    OrderAccepted,
    PriceBandsChanged,
    Trade,
    TradingStateChanged,
)
from seawall.core.state import VenueState, export_state, restore_into
from seawall.core.types import BPS, OrderType, SettlementMode, TimeInForce, TradingState

NEW_YORK = ZoneInfo("America/New_York")
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
SYMBOL = "XYZ"
TRADERS = {"alice": "A", "bob": "B", "carol": "C", "dan": "D"}
# The rulebooks most of the tests run under, and the prior close RuledMarket lists at.
US_TODAY = Rulebook.load("us-today")
LSE = Rulebook.load("lse")
PRIOR_CLOSE = usd("100.00")


def ny(day: str, clock: str, zone: ZoneInfo = NEW_YORK) -> int:
    """Nanoseconds since the epoch of wall-clock ``clock`` in New York (or ``zone``) on ``day``."""
    local = dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone)
    return int(local.timestamp()) * SECOND


class RuledMarket(TraderMarket):
    """Four funded traders and one instrument on a venue running ``rulebook`` in RTGS.

    Clocks are wall-clock times in the rulebook's time zone. Every command is
    one nanosecond after the previous one unless the test moves the clock
    with :meth:`at` or :meth:`tick`.
    """

    def __init__(
        self,
        rulebook: str | Rulebook,
        day: str = "2026-11-20",
        clock: str = "10:00:00",
        prior_close: str = "100.00",
        tier: int = 1,
        instrument: Instrument | None = None,
        shares: int = 100_000,
    ) -> None:
        book = rulebook if isinstance(rulebook, Rulebook) else Rulebook.load(rulebook)
        self.day = day
        self.zone = ZoneInfo(book.session.timezone)
        self.venue = Venue(VenueConfig.for_rulebook(book, settlement=SettlementMode.RTGS))
        self.ts = ny(day, clock, self.zone)
        self.traders = TRADERS
        self.instrument = instrument or Instrument(SYMBOL)
        self.listed = self.do(
            ListInstrument(
                OPERATOR, self.instrument, reference_price=usd(prior_close), luld_tier=tier
            )
        )
        self.open_traders({"USD": 100_000_000 * DOLLAR, self.instrument.symbol: shares})

    def at(self, clock: str) -> None:
        """Move the clock to ``clock`` on the market's day (the next command is stamped there)."""
        self.ts = ny(self.day, clock, self.zone) - 1

    def tick(self, clock: str) -> list[Event]:
        self.at(clock)
        return self.do(ClockTick(OPERATOR))

    @property
    def state(self) -> str:
        return self.venue.books[self.instrument.symbol].state.value


def bands(rulebook: Rulebook, reference: int, factor: int = 1, tier: int = 1) -> tuple[int, int]:
    """LULD bands above $3.00 from the rulebook's percentage × ``factor``, to ``band_tick``."""
    luld = rulebook.luld
    assert luld is not None and reference > luld.upper_bucket_above
    bps = (luld.tier1_bps if tier == 1 else luld.tier2_bps) * factor
    unit = BPS * luld.band_tick
    lower = (reference * (BPS - bps) + unit // 2) // unit * luld.band_tick
    upper = (reference * (BPS + bps) + unit // 2) // unit * luld.band_tick
    return lower, upper


def next_trading_day(rulebook: Rulebook, day: dt.date) -> dt.date:
    """The trading day after ``day``, from the rulebook's weekend and holidays."""
    session = rulebook.session
    day += dt.timedelta(days=1)
    while day.isoweekday() in session.weekend or day in session.holidays:
        day += dt.timedelta(days=1)
    return day


def dollars(ticks: int) -> str:
    return f"{ticks // 10_000}.{ticks % 10_000:04d}"


def accepted(
    order_id: int,
    who: str,
    side: Side,
    price: int,
    qty: int,
    order_type: OrderType = OrderType.LIMIT,
    tif: TimeInForce = TimeInForce.DAY,
    symbol: str = SYMBOL,
) -> OrderAccepted:
    return OrderAccepted(
        0, 0, order_id, "", TRADERS[who], symbol, side, order_type, tif, price, 0, qty
    )


def trade(
    trade_id: int,
    price: int,
    qty: int,
    aggressor: Side | None,
    buy: tuple[int, str, int],
    sell: tuple[int, str, int],
) -> Trade:
    """``buy`` and ``sell`` are ``(order id, trader, leaves after the fill)``; an uncross's
    prints have no ``aggressor``."""
    return Trade(
        0, 0, trade_id, SYMBOL, price, qty, aggressor, buy[0], sell[0], TRADERS[buy[1]],
        TRADERS[sell[1]], buy[2], sell[2], price * qty, 0, 0,
    )  # fmt: skip


def changed(
    previous: TradingState, state: TradingState, reason: str, symbol: str = SYMBOL
) -> TradingStateChanged:
    return TradingStateChanged(0, 0, symbol, previous, state, reason)


def banded(
    lower: int, upper: int, reference: int, cause: str, symbol: str = SYMBOL
) -> PriceBandsChanged:
    return PriceBandsChanged(0, 0, symbol, lower, upper, reference, cause)


def tick_at(market: RuledMarket, ts: int) -> list[Event]:
    market.ts = ts - 1
    return market.do(ClockTick(OPERATOR))


def restored_copy(venue: Venue) -> Venue:
    """A venue restored from ``venue``'s exported state, through its msgpack encoding."""
    saved = msgspec.msgpack.encode(export_state(venue))
    copy = Venue(venue.config)
    restore_into(copy, msgspec.msgpack.decode(saved, type=VenueState))
    return copy
