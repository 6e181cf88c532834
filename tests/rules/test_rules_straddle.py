"""LULD's straddle state at the venue (RULES.md §2): published, and a discretionary pause.

A straddle is a national best bid below the lower band or offer above the
upper band without a limit state. Trading goes on; the listing market may
pause the stock, and that pause ends with LULD's reopening auction.
"""

from __future__ import annotations

from rules_support import SECOND, SYMBOL, US_TODAY, RuledMarket, bands, changed

from orders_support import bare, usd
from seawall.core.commands import ClockTick, IndexLevel, SetNbbo, SetTradingState
from seawall.core.events import Event, PriceBandsChanged, StraddleChanged
from seawall.core.types import TradingState

LOWER, UPPER = bands(US_TODAY, usd("100.00"))  # tier 1, $100.00 prior close: 5%


def nbbo(market: RuledMarket, bid: int, ask: int) -> list[Event]:
    return market.do(SetNbbo("operator", SYMBOL, bid, ask))


def test_a_bid_below_the_lower_band_is_a_straddle_until_it_returns() -> None:
    market = RuledMarket(US_TODAY)
    assert (usd("95.00"), usd("105.00")) == (LOWER, UPPER)
    entered = nbbo(market, LOWER - usd("0.01"), usd("100.00"))
    assert bare(entered) == [StraddleChanged(0, 0, SYMBOL, True, LOWER, UPPER)]
    assert market.state == "continuous"  # trading goes on
    assert nbbo(market, LOWER - usd("0.02"), usd("100.00")) == []  # still straddling
    cleared = nbbo(market, usd("99.00"), usd("100.00"))
    assert bare(cleared) == [StraddleChanged(0, 0, SYMBOL, False, LOWER, UPPER)]


def test_an_offer_above_the_upper_band_straddles_too() -> None:
    market = RuledMarket(US_TODAY)
    entered = nbbo(market, usd("100.00"), UPPER + usd("0.01"))
    assert bare(entered) == [StraddleChanged(0, 0, SYMBOL, True, LOWER, UPPER)]


def test_an_operators_pause_of_a_straddling_stock_is_luld_s_and_reopens_by_auction() -> None:
    market = RuledMarket(US_TODAY)
    nbbo(market, LOWER - usd("0.01"), usd("100.00"))
    paused_at = market.ts + 1
    events = market.do(SetTradingState("operator", SYMBOL, TradingState.PAUSED))
    assert bare(events) == [
        PriceBandsChanged(0, 0, SYMBOL, 0, 0, usd("100.00"), "discretionary_pause"),
        StraddleChanged(0, 0, SYMBOL, False, LOWER, UPPER),  # a pause ends the straddle
        changed(TradingState.CONTINUOUS, TradingState.PAUSED, "discretionary_pause"),
    ]
    params = US_TODAY.luld
    assert params is not None
    market.ts = paused_at + params.pause_seconds * SECOND - 1
    reopened = market.do(ClockTick("operator"))
    assert bare(reopened)[0] == changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen")
    assert market.state == "continuous"


def test_an_operators_pause_without_a_straddle_is_the_operators() -> None:
    market = RuledMarket(US_TODAY)
    events = market.do(SetTradingState("operator", SYMBOL, TradingState.PAUSED))
    assert bare(events)[-1] == changed(TradingState.CONTINUOUS, TradingState.PAUSED, "operator")


def test_a_halt_during_the_closing_call_ends_the_straddle_and_says_so() -> None:
    """The closing call sets LULD's bands and states aside, but not what LULD itself says."""
    market = RuledMarket(US_TODAY, clock="15:45:00")
    rules = market.venue.rules
    assert rules is not None and US_TODAY.mwcb is not None
    guard = rules.guards[SYMBOL]
    lower, upper = guard.lower, guard.upper  # doubled in the last 25 minutes
    entered = nbbo(market, lower - usd("0.01"), usd("100.00"))
    assert bare(entered) == [StraddleChanged(0, 0, SYMBOL, True, lower, upper)]
    market.tick("15:51:00")
    assert market.state == "closing_auction"
    level_3 = US_TODAY.mwcb.levels[2].decline_bps
    close = usd("5000.00")
    halted = market.do(
        IndexLevel("operator", US_TODAY.mwcb.index, close * (10_000 - level_3) // 10_000, close)
    )
    assert StraddleChanged(0, 0, SYMBOL, False, lower, upper) in bare(halted)
    assert market.state == "halted" and not guard.straddle
