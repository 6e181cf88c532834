"""The issue's golden test: one order flow, two regimes, and what a rulebook makes of it.

Under ``us-2010`` (6 May 2010: no bands, stub quotes, uncollared market
orders) a market sell sweeps a thin book down to a one-cent stub bid. Under
``us-today`` the same flow is held at the LULD lower band: the market order
is limited to the band, a sell limit below it is repriced to it, the offer
at the band starts a limit state, and 15 seconds later the stock pauses and
then reopens with an auction. Every expected value comes from the loaded
rulebook's parameters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rules_support import (
    PRIOR_CLOSE,
    SECOND,
    SYMBOL,
    US_TODAY,
    RuledMarket,
    accepted,
    banded,
    bands,
    changed,
    dollars,
    ny,
    tick_at,
    trade,
)

from orders_support import bare, usd
from seawall import Rulebook, Side
from seawall.core.events import (
    AuctionExtended,
    AuctionIndicative,
    AuctionUncrossed,
    CancelReason,
    OrderCancelled,
    StraddleChanged,
    Trade,
    TradingStateChanged,
)
from seawall.core.types import BPS, OrderType, TimeInForce, TradingState

US_2010 = Rulebook.load("us-2010")
TICK = usd("0.01")


# ---------------------------------------------------------------------- expected events


# ---------------------------------------------------------------------- the flow


class Flow:
    """The golden order flow on ``rulebook`` at 10:00 on a Friday, prior close $100.00.

    Alice bids 100 at $99.90 and 100 at $99.50, Bob's stub bid is 100 at
    $0.01, Carol offers 100 at $100.10. Dan then sells 300 at market (IOC)
    and 100 more with a limit of $90.00. Orders are numbered 1 to 6.
    """

    def __init__(
        self, rulebook: Rulebook, day: str = "2026-11-20", clock: str = "10:00:00"
    ) -> None:
        self.market = market = RuledMarket(rulebook, day=day, clock=clock)
        market.buy("alice", 100, "99.90")
        market.buy("alice", 100, "99.50")
        market.buy("bob", 100, "0.01")
        market.sell("carol", 100, "100.10")
        self.market_sell = market.sell("dan", 300, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
        self.limit_sell = market.sell("dan", 100, "90.00")
        self.entered = market.ts  # when the limit sell went on the book


def test_us_2010_the_market_sell_sweeps_the_book_to_the_stub_quote() -> None:
    assert US_2010.luld is None and US_2010.collars is None  # no bands, no collars
    flow = Flow(US_2010)
    assert bare(flow.market_sell) == [
        # no collar: a market sell is willing to go down to the last tick
        accepted(5, "dan", Side.SELL, TICK, 300, OrderType.MARKET, TimeInForce.IOC),
        trade(1, usd("99.90"), 100, Side.SELL, (1, "alice", 0), (5, "dan", 200)),
        trade(2, usd("99.50"), 100, Side.SELL, (2, "alice", 0), (5, "dan", 100)),
        trade(3, usd("0.01"), 100, Side.SELL, (3, "bob", 0), (5, "dan", 0)),  # the stub
    ]
    # no bands: the limit sell rests at its own price and nothing else happens, ever
    assert bare(flow.limit_sell) == [accepted(6, "dan", Side.SELL, usd("90.00"), 100)]
    assert flow.market.state == "continuous"
    market = flow.market
    assert tick_at(market, flow.entered + 600 * SECOND) == []
    assert market.state == "continuous"


def test_us_today_the_same_flow_stops_at_the_lower_band_in_a_limit_state_then_pauses() -> None:
    luld = US_TODAY.luld
    assert luld is not None
    lower, upper = bands(US_TODAY, PRIOR_CLOSE)
    flow = Flow(US_TODAY)
    market = flow.market
    assert bare(flow.market.listed)[1:] == [banded(lower, upper, PRIOR_CLOSE, "opened")]
    assert bare(flow.market_sell) == [
        # the market sell is limited to the lower band: it can never reach the stub
        accepted(5, "dan", Side.SELL, lower, 300, OrderType.MARKET, TimeInForce.IOC),
        trade(1, usd("99.90"), 100, Side.SELL, (1, "alice", 0), (5, "dan", 200)),
        trade(2, usd("99.50"), 100, Side.SELL, (2, "alice", 0), (5, "dan", 100)),
        OrderCancelled(0, 0, 5, "D", SYMBOL, 100, CancelReason.UNFILLED),
        # the best bid left is the stub, below the lower band: a straddle, trading goes on
        StraddleChanged(0, 0, SYMBOL, True, lower, upper),
    ]
    # the sell limit below the band is repriced to it (outside_band = "reprice"), and an
    # offer at the lower band is a limit state (which ends the straddle)
    assert bare(flow.limit_sell) == [
        accepted(6, "dan", Side.SELL, lower, 100),
        StraddleChanged(0, 0, SYMBOL, False, lower, upper),
        changed(TradingState.CONTINUOUS, TradingState.LIMIT_STATE, "offer_at_lower_band"),
    ]
    deadline = flow.entered + luld.limit_state_seconds * SECOND
    assert tick_at(market, deadline - 1) == []
    assert market.state == "limit_state"
    assert bare(tick_at(market, deadline)) == [
        banded(0, 0, PRIOR_CLOSE, "limit_state_timed_out"),  # a paused book has no bands
        changed(TradingState.LIMIT_STATE, TradingState.PAUSED, "limit_state_timed_out"),
    ]
    assert market.state == "paused"


def test_golden_the_stub_trade_happens_only_without_bands() -> None:
    """The issue's one-line summary: $0.01 under 2010, nothing below the band today."""
    lower, _ = bands(US_TODAY, PRIOR_CLOSE)
    then, now = Flow(US_2010), Flow(US_TODAY)
    then_prices = [e.price for e in then.market_sell + then.limit_sell if isinstance(e, Trade)]
    now_events = now.market_sell + now.limit_sell
    now_prices = [e.price for e in now_events if isinstance(e, Trade)]
    assert min(then_prices) == TICK
    assert now_prices and min(now_prices) >= lower
    assert [e.state for e in now_events if isinstance(e, TradingStateChanged)] == [
        TradingState.LIMIT_STATE
    ]
    assert now.market.state == "limit_state" and then.market.state == "continuous"


# ---------------------------------------------------------------------- the limit state


def test_a_buyer_lifting_the_offer_at_the_band_within_15_seconds_clears_the_limit_state() -> None:
    luld = US_TODAY.luld
    assert luld is not None
    lower, upper = bands(US_TODAY, PRIOR_CLOSE)
    flow = Flow(US_TODAY)
    market = flow.market
    deadline = flow.entered + luld.limit_state_seconds * SECOND
    market.ts = deadline - 2  # the buy arrives one nanosecond before the deadline
    assert bare(market.buy("alice", 100, dollars(lower))) == [
        accepted(7, "alice", Side.BUY, lower, 100),
        trade(3, lower, 100, Side.BUY, (7, "alice", 0), (6, "dan", 0)),
        changed(TradingState.LIMIT_STATE, TradingState.CONTINUOUS, "limit_state_cleared"),
        StraddleChanged(0, 0, SYMBOL, True, lower, upper),  # the stub bid is still the best
    ]
    assert tick_at(market, deadline) == []  # no deadline runs any more
    assert market.state == "continuous"


def test_an_order_at_the_deadline_itself_meets_the_pause_not_the_limit_state() -> None:
    """``clear_at_deadline = false``: a limit state lasting the full 15 seconds pauses."""
    luld = US_TODAY.luld
    assert luld is not None and not luld.clear_at_deadline
    lower, _ = bands(US_TODAY, PRIOR_CLOSE)
    flow = Flow(US_TODAY)
    market = flow.market
    market.ts = flow.entered + luld.limit_state_seconds * SECOND - 1
    assert bare(market.buy("alice", 100, dollars(lower))) == [
        banded(0, 0, PRIOR_CLOSE, "limit_state_timed_out"),
        changed(TradingState.LIMIT_STATE, TradingState.PAUSED, "limit_state_timed_out"),
        accepted(7, "alice", Side.BUY, lower, 100),  # joins the reopening auction's book
        AuctionIndicative(0, 0, SYMBOL, lower, 100, 0, None),
    ]


# ---------------------------------------------------------------------- the reopening auction


def paused_flow() -> tuple[Flow, int]:
    """The golden flow under us-today, paused; the second value is when the pause began."""
    luld = US_TODAY.luld
    assert luld is not None
    flow = Flow(US_TODAY)
    paused_at = flow.entered + luld.limit_state_seconds * SECOND
    tick_at(flow.market, paused_at)
    assert flow.market.state == "paused"
    return flow, paused_at


def test_the_pause_reopens_with_an_auction_whose_indicative_price_is_published() -> None:
    luld = US_TODAY.luld
    assert luld is not None
    lower, _ = bands(US_TODAY, PRIOR_CLOSE)
    flow, paused_at = paused_flow()
    market = flow.market
    # While paused, orders rest without matching and the indicative uncross is published.
    # Dan's 100 at the band (order 6) and Alice's 50 at $96.00 cross at any price from
    # the band to $96.00 for 50 shares; the tie goes to the price nearest the last
    # trade ($99.50), so $96.00, within the auction collar around the LULD reference.
    reopen_price = usd("96.00")
    auctions = US_TODAY.auctions
    assert auctions is not None and auctions.collar_bps is not None
    assert abs(reopen_price - PRIOR_CLOSE) * BPS <= PRIOR_CLOSE * auctions.collar_bps
    assert bare(market.buy("alice", 50, "96.00")) == [
        accepted(7, "alice", Side.BUY, reopen_price, 50),
        AuctionIndicative(0, 0, SYMBOL, reopen_price, 50, 50, Side.SELL),
    ]
    assert bare(market.sell("carol", 10, "200.00")) == [  # no change to the uncross: no event
        accepted(8, "carol", Side.SELL, usd("200.00"), 10)
    ]
    reopens = paused_at + luld.pause_seconds * SECOND
    assert tick_at(market, reopens - 1) == []
    new_lower, new_upper = bands(US_TODAY, reopen_price)  # the reopening price is the reference
    assert bare(tick_at(market, reopens)) == [
        changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen"),
        AuctionUncrossed(0, 0, SYMBOL, reopen_price, 50, 50, Side.SELL),
        trade(3, reopen_price, 50, None, (7, "alice", 0), (6, "dan", 50)),
        banded(new_lower, new_upper, reopen_price, "reopened"),
        StraddleChanged(0, 0, SYMBOL, True, new_lower, new_upper),  # the stub bid again
    ]
    assert market.state == "continuous"
    assert lower >= new_lower  # what is left of Dan's offer is inside the new bands


def extended_flow() -> tuple[Flow, int, int]:
    """A paused flow whose reopening uncross ($91.00) lies outside the auction collar."""
    luld = US_TODAY.luld
    auctions = US_TODAY.auctions
    assert luld is not None and auctions is not None and auctions.collar_bps is not None
    flow, paused_at = paused_flow()
    market = flow.market
    price = usd("91.00")
    assert abs(price - PRIOR_CLOSE) * BPS > PRIOR_CLOSE * auctions.collar_bps
    assert bare(market.sell("dan", 100, "90.00")) == [  # no band restrains a paused book
        accepted(7, "dan", Side.SELL, usd("90.00"), 100)
    ]
    # 100 cross at $90.00 or $91.00; the price nearest the last trade wins
    assert bare(market.buy("alice", 200, "91.00")) == [
        accepted(8, "alice", Side.BUY, price, 200),
        AuctionIndicative(0, 0, SYMBOL, price, 100, 100, Side.BUY),
    ]
    reopens = paused_at + luld.pause_seconds * SECOND
    until = reopens + luld.extension_seconds * SECOND
    assert bare(tick_at(market, reopens)) == [
        AuctionExtended(0, 0, SYMBOL, price, PRIOR_CLOSE, 1, until)
    ]
    assert market.state == "paused"
    return flow, price, until


def test_a_reopening_price_outside_the_auction_collar_extends_the_pause_without_a_trade() -> None:
    flow, _, until = extended_flow()
    market = flow.market
    # still a call: a bid below the uncross rests and changes nothing
    assert bare(market.buy("bob", 1, "50.00")) == [accepted(9, "bob", Side.BUY, usd("50.00"), 1)]
    assert tick_at(market, until - 1) == []
    assert market.state == "paused"


def test_after_an_extension_the_collar_widens_and_the_pause_reopens() -> None:
    auctions = US_TODAY.auctions
    assert auctions is not None and auctions.collar_bps is not None
    assert auctions.collar_widen_bps is not None
    flow, price, until = extended_flow()
    widened = auctions.collar_bps + auctions.collar_widen_bps
    assert abs(price - PRIOR_CLOSE) * BPS <= PRIOR_CLOSE * widened  # inside the widened collar
    events = bare(tick_at(flow.market, until))
    assert events[:3] == [
        changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen"),
        AuctionUncrossed(0, 0, SYMBOL, price, 100, 100, Side.BUY),
        trade(3, price, 100, None, (8, "alice", 100), (7, "dan", 0)),
    ]
    assert flow.market.state == "continuous"


# ---------------------------------------------------------------------- near the close


def short_closing_call(tmp_path: Path) -> Rulebook:
    """us-today with a one-minute closing call, so that continuous trading lasts past 15:50."""
    path = tmp_path / "late-close.toml"
    path.write_text(
        'extends = "us-today"\n'
        'description = "us-today with a one-minute closing call"\n'
        "[auctions]\n"
        "closing_call_seconds = 60\n"
    )
    return Rulebook.load(path)


@pytest.mark.parametrize(("clock", "reopens"), [("15:49:35", True), ("15:51:45", False)])
def test_a_pause_from_15_50_is_not_reopened_but_resolved_by_the_closing_auction(
    tmp_path: Path, clock: str, reopens: bool
) -> None:
    rulebook = short_closing_call(tmp_path)
    luld, auctions = rulebook.luld, rulebook.auctions
    assert luld is not None and auctions is not None
    day = "2026-11-20"
    close = ny(day, "16:00:00")
    no_reopen_from = close - luld.no_reopen_minutes_before_close * 60 * SECOND
    # the last 25 minutes double the bands: the offer goes on at the doubled lower band
    assert ny(day, clock) >= close - luld.close_doubling_minutes * 60 * SECOND
    lower, _ = bands(rulebook, PRIOR_CLOSE, factor=2)
    market = RuledMarket(rulebook, day=day, clock=clock)
    assert bare(market.sell("dan", 100, "80.00")) == [
        accepted(1, "dan", Side.SELL, lower, 100),
        changed(TradingState.CONTINUOUS, TradingState.LIMIT_STATE, "offer_at_lower_band"),
    ]
    paused_at = market.ts + luld.limit_state_seconds * SECOND
    assert (paused_at < no_reopen_from) is reopens
    assert bare(tick_at(market, paused_at)) == [
        banded(0, 0, PRIOR_CLOSE, "limit_state_timed_out"),
        changed(TradingState.LIMIT_STATE, TradingState.PAUSED, "limit_state_timed_out"),
    ]
    market.buy("alice", 50, "96.00")
    after_pause = bare(tick_at(market, paused_at + luld.pause_seconds * SECOND))
    if reopens:
        assert after_pause[0] == changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen")
        assert market.state == "continuous"
        return
    assert after_pause == []  # no reopening auction: the pause goes on
    assert market.state == "paused"
    call = close - auctions.closing_call_seconds * SECOND
    assert tick_at(market, call - 1) == []
    assert bare(tick_at(market, call)) == [
        changed(TradingState.PAUSED, TradingState.CLOSING_AUCTION, "closing_call")
    ]
    closing = bare(tick_at(market, close))
    assert AuctionUncrossed(0, 0, SYMBOL, usd("96.00"), 50, 50, Side.SELL) in closing
    assert closing[-2:] == [
        changed(TradingState.CLOSING_AUCTION, TradingState.CLOSED, "close"),
        OrderCancelled(0, 0, 1, "D", SYMBOL, 50, CancelReason.EXPIRED),
    ]


def test_a_limit_state_does_not_outlive_the_start_of_the_closing_call() -> None:
    luld, auctions = US_TODAY.luld, US_TODAY.auctions
    assert luld is not None and auctions is not None
    day = "2026-11-20"
    call = ny(day, "16:00:00") - auctions.closing_call_seconds * SECOND
    market = RuledMarket(US_TODAY, day=day, clock="15:49:55")
    market.sell("dan", 100, "80.00")
    assert market.state == "limit_state"
    deadline = market.ts + luld.limit_state_seconds * SECOND
    assert call < deadline
    assert bare(tick_at(market, call)) == [
        changed(TradingState.LIMIT_STATE, TradingState.CLOSING_AUCTION, "closing_call")
    ]
    assert tick_at(market, deadline) == []  # the closing auction, not LULD, decides now
    assert market.state == "closing_auction"
