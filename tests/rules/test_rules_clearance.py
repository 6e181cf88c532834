"""The range of prices the rules clear in advance (TradingRules.clearance).

An unmarked limit or market order priced in it skips the rules' order check
and, if it rests without trading, what the rules do after a command. These
tests pin the range's edges and the events that must not be skipped; the
rules' property machine checks its soundness over random streams (property 8).
"""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rules_support import SYMBOL, TRADERS, RuledMarket, bands, changed

from orders_support import bare, usd
from seawall import Instrument, Rulebook, Side
from seawall.core.book import UNCLEARED
from seawall.core.commands import (
    CancelOnDisconnect,
    Command,
    KillSwitch,
    ListInstrument,
    MassCancel,
    NewOrder,
)
from seawall.core.events import (
    KillSwitchChanged,
    OrderAccepted,
    OrderCancelled,
    StraddleChanged,
    TradingStateChanged,
)
from seawall.core.types import RiskScope, TradingState

STRICT = Rulebook.load("seawall-strict")
LOWER, UPPER = bands(STRICT, usd("100.00"))  # tier 1 at $100.00: 5%


def cleared(market: RuledMarket) -> tuple[int, int]:
    book = market.venue.books[SYMBOL]
    return book.cleared_low, book.cleared_high


def test_the_range_lies_strictly_inside_the_bands_once_an_order_was_checked() -> None:
    market = RuledMarket(STRICT)
    assert cleared(market)[1] == UNCLEARED  # nothing worked out before the first order
    market.buy("alice", 10, "99.00")
    assert cleared(market) == (LOWER + 1, UPPER - 1)


def test_a_bid_at_the_upper_band_is_not_cleared_and_starts_the_limit_state() -> None:
    market = RuledMarket(STRICT)
    market.buy("alice", 10, "99.00")  # the range is worked out
    events = market.buy("bob", 10, "105.00")
    assert [e for e in bare(events) if isinstance(e, TradingStateChanged)] == [
        changed(TradingState.CONTINUOUS, TradingState.LIMIT_STATE, "bid_at_upper_band")
    ]
    assert cleared(market)[0] > cleared(market)[1]  # nothing is cleared in a limit state


def test_a_trade_forgets_nothing_while_the_bands_keep_the_last_trade_check_slack() -> None:
    market = RuledMarket(STRICT)
    market.sell("alice", 10, "100.50")
    before = cleared(market)
    market.buy("bob", 10, "100.50")  # trades: the last trade moves, inside the bands
    assert cleared(market) == before


def test_a_kill_switch_that_cancels_the_best_bid_meets_the_rules_at_once() -> None:
    """The kill's cancels come after the rules saw its command; they look again then, and
    the next order, resting in what was cleared, finds nothing left to publish."""
    market = RuledMarket(STRICT)
    market.buy("alice", 10, "99.00")
    market.buy("bob", 10, "94.00")  # below the lower band, behind alice's bid
    killed = bare(market.do(KillSwitch("operator", RiskScope.ACCOUNT, "A")))
    assert [type(e) for e in killed] == [KillSwitchChanged, OrderCancelled, StraddleChanged]
    assert killed[-1] == StraddleChanged(0, 0, SYMBOL, True, LOWER, UPPER)
    events = market.sell("carol", 10, "101.00")  # would be cleared, and rests
    assert [type(e) for e in events] == [OrderAccepted]


@pytest.mark.parametrize(
    "cancel",
    [CancelOnDisconnect("alice"), MassCancel("alice")],
    ids=["cancel-on-disconnect", "mass-cancel"],
)
def test_a_cancel_of_many_orders_meets_the_rules_at_once(cancel: Command) -> None:
    """A cancel that names no instrument may still move a quote the rules watch: the
    straddle it leaves is published with the cancel, and the range is worked out anew."""
    market = RuledMarket(STRICT)
    market.buy("alice", 10, "99.00")
    market.buy("bob", 10, "94.00")  # below the lower band, behind alice's bid
    market.sell("carol", 10, "101.00")  # the range is worked out
    cancelled = bare(market.do(cancel))
    assert [type(e) for e in cancelled] == [OrderCancelled, StraddleChanged]
    assert cancelled[-1] == StraddleChanged(0, 0, SYMBOL, True, LOWER, UPPER)
    assert cleared(market)[0] > cleared(market)[1]  # nothing is cleared in a straddle
    events = market.sell("dan", 10, "102.00")
    assert [type(e) for e in events] == [OrderAccepted]


def test_a_disconnect_across_instruments_meets_each_in_listing_order() -> None:
    """The cancels go in entry order; the rules then look at each instrument they touched,
    in the order the instruments were listed."""
    market = RuledMarket(STRICT)
    market.do(ListInstrument("operator", Instrument("ABC"), reference_price=usd("100.00")))
    for symbol in ("ABC", SYMBOL):
        for who, price in (("alice", "99.00"), ("bob", "94.00")):
            market.do(NewOrder(who, TRADERS[who], symbol, Side.BUY, 10, usd(price)))
    events = bare(market.do(CancelOnDisconnect("alice")))
    assert [(type(e).__name__, e.instrument) for e in events] == [  # type: ignore[union-attr]
        ("OrderCancelled", "ABC"),
        ("OrderCancelled", SYMBOL),
        ("StraddleChanged", SYMBOL),
        ("StraddleChanged", "ABC"),
    ]


@cache
def bare_market() -> RuledMarket:
    return RuledMarket(STRICT)


@settings(max_examples=300, deadline=None)
@given(
    lower=st.integers(100, 10_000_000),
    width_bps=st.integers(1, 30_000),
    first=st.none() | st.floats(0, 1),
    later=st.floats(0, 1),
)
def test_the_range_stays_good_for_any_later_last_trade_inside_the_bands(
    lower: int, width_bps: int, first: float | None, later: float
) -> None:
    """Trades do not make the rules work the range out again when bands hold the last trade:
    so the last-trade check must pass every cleared price for any last inside the bands,
    whether or not there was a last trade when the range was worked out (``first`` None)."""
    market = bare_market()
    rules = market.venue.rules
    assert rules is not None
    guard = rules.guards[SYMBOL]
    book = guard.book
    upper = lower + max(2, lower * width_bps // 10_000)
    guard.lower, guard.upper = lower, upper
    book.last_price = 0 if first is None else lower + round(first * (upper - lower))
    low, high = rules.clearance(guard)
    book.last_price = lower + round(later * (upper - lower))
    for price in (low, high) if low <= high else ():
        for side in Side:
            order = NewOrder("alice", "A", SYMBOL, side, 1, price)
            book.cleared_high = UNCLEARED
            assert rules.check_order(order, book, price, market.ts) == price
