"""Order checks and safeguards under a rulebook: every rule rejection, bands that move under
resting orders, the operator's NBBO, the market-wide and single-stock circuit breakers,
Rule 201 and the market-order collar. Expected values come from the rulebooks' parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from rules_support import (
    MINUTE,
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
    next_trading_day,
    ny,
    tick_at,
    trade,
)

from orders_support import OPERATOR, bare, refusal, usd
from seawall import Instrument, Rulebook, Side, Venue
from seawall.core.commands import (
    Cancel,
    Deposit,
    DesignateMarketMaker,
    IndexLevel,
    ListInstrument,
    RegisterParticipant,
    ReportTrade,
    SetNbbo,
    SetTradingState,
)
from seawall.core.events import (
    AuctionIndicative,
    AuctionUncrossed,
    CancelReason,
    Event,
    MarketWideHalt,
    OrderAccepted,
    OrderCancelled,
    OrderReplaced,
    PriceBandsChanged,
    Rejected,
    RejectReason,
    ShortSaleRestricted,
    StraddleChanged,
    Trade,
)
from seawall.core.state import VenueState
from seawall.core.trading_rules import RULE_REJECTIONS
from seawall.core.types import BPS, OrderType, SaleMarking, TimeInForce, TradingState
from seawall.safeguards.states import Action

STRICT = Rulebook.load("seawall-strict")
PILOT = Rulebook.load("us-2010-pilot")
INDEX_CLOSE = usd("5000.00")
DAY = "2026-11-20"  # a Friday


# ---------------------------------------------------------------------- helpers


def rejection(events: list[Event]) -> RejectReason:
    assert len(events) == 1 and isinstance(events[0], Rejected), events
    return events[0].reason


def limit_orders_only(tmp_path: Path) -> Rulebook:
    path = tmp_path / "limit-only.toml"
    path.write_text(
        'extends = "us-today"\n'
        'description = "us-today at a venue that takes limit orders only"\n'
        "[collars]\n"
        'market_orders = "reject"\n'
    )
    return Rulebook.load(path)


def level_value(rulebook: Rulebook, level: int) -> int:
    """The index value at which market-wide breaker ``level`` (1-based) triggers."""
    mwcb = rulebook.mwcb
    assert mwcb is not None
    return INDEX_CLOSE * (BPS - mwcb.levels[level - 1].decline_bps) // BPS


def index_level(rulebook: Rulebook, value: int) -> IndexLevel:
    assert rulebook.mwcb is not None
    return IndexLevel("operator", rulebook.mwcb.index, value, INDEX_CLOSE)


def restricted_market(day: str = DAY) -> RuledMarket:
    """us-today, Tier 2 (10% bands), after a trade at exactly 10% below the prior close."""
    short_sale, luld = US_TODAY.short_sale, US_TODAY.luld
    assert short_sale is not None and luld is not None
    trigger = PRIOR_CLOSE * (BPS - short_sale.trigger_bps) // BPS
    assert luld.tier2_bps >= short_sale.trigger_bps  # the trigger price is inside the bands
    market = RuledMarket(US_TODAY, day=day, tier=2)
    market.buy("bob", 100, dollars(trigger))
    events = bare(market.sell("dan", 100, dollars(trigger)))
    through = next_trading_day(US_TODAY, dt.date.fromisoformat(day))
    assert events == [
        accepted(2, "dan", Side.SELL, trigger, 100),
        trade(1, trigger, 100, Side.SELL, (1, "bob", 0), (2, "dan", 0)),
        ShortSaleRestricted(0, 0, SYMBOL, trigger, through.isoformat()),
    ]
    return market


# ---------------------------------------------------------------------- every rule rejection


def state_refuses(tmp_path: Path) -> list[Event]:
    accepts = US_TODAY.states.as_dict()
    assert Action.STOP_ORDER in accepts[TradingState.PRE_OPEN]
    assert Action.STOP_ORDER not in accepts[TradingState.OPENING_AUCTION]
    market = RuledMarket(US_TODAY, clock="09:26:00")  # in the opening call
    assert market.state == "opening_auction"
    return market.buy(
        "alice", 100, "101.00", order_type=OrderType.STOP_LIMIT, stop_price=usd("101.00")
    )


def outside_band(tmp_path: Path) -> list[Event]:
    _, upper = bands(STRICT, PRIOR_CLOSE)
    return RuledMarket(STRICT).buy("alice", 100, dollars(upper + usd("0.01")))


def short_sale_price_test(tmp_path: Path) -> list[Event]:
    market = restricted_market()
    market.buy("bob", 100, "95.00")
    return market.sell("dan", 10, "95.00", marking=SaleMarking.SHORT)


def market_orders_not_accepted(tmp_path: Path) -> list[Event]:
    market = RuledMarket(limit_orders_only(tmp_path))
    return market.sell("dan", 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)


def too_far_from_last_trade(tmp_path: Path) -> list[Event]:
    collars = STRICT.collars
    assert collars is not None and collars.last_trade_bps is not None
    market = RuledMarket(STRICT)
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")  # the last trade: $100.00
    too_low = PRIOR_CLOSE * (BPS - collars.last_trade_bps) // BPS - usd("0.01")
    return market.buy("bob", 10, dollars(too_low))


def unknown_index(tmp_path: Path) -> list[Event]:
    return RuledMarket(US_TODAY).do(IndexLevel("operator", "DJIA", usd("30000.00"), INDEX_CLOSE))


def no_rulebook(tmp_path: Path) -> list[Event]:
    venue = Venue()
    return venue.process(SetNbbo("operator", SYMBOL, usd("99.00"), usd("101.00")), 1)


def quoting_market() -> RuledMarket:
    """us-2010-pilot with dan its designated market maker and a best bid of $100.00."""
    market = RuledMarket(PILOT)
    market.do(DesignateMarketMaker("operator", SYMBOL, "dan"))
    market.buy("alice", 100, "100.00")
    return market


def stub_quote(tmp_path: Path) -> list[Event]:
    return quoting_market().buy("dan", 100, "0.01")


def outside_quoting_obligation(tmp_path: Path) -> list[Event]:
    return quoting_market().buy("dan", 100, "50.00")


PRODUCERS: dict[RejectReason, Callable[[Path], list[Event]]] = {
    RejectReason.STATE_REFUSES: state_refuses,
    RejectReason.OUTSIDE_BAND: outside_band,
    RejectReason.SHORT_SALE_PRICE_TEST: short_sale_price_test,
    RejectReason.MARKET_ORDERS_NOT_ACCEPTED: market_orders_not_accepted,
    RejectReason.TOO_FAR_FROM_LAST_TRADE: too_far_from_last_trade,
    RejectReason.UNKNOWN_INDEX: unknown_index,
    RejectReason.NO_RULEBOOK: no_rulebook,
    RejectReason.STUB_QUOTE: stub_quote,
    RejectReason.OUTSIDE_QUOTING_OBLIGATION: outside_quoting_obligation,
}


def test_every_rule_rejection_has_a_producer() -> None:
    assert set(PRODUCERS) == RULE_REJECTIONS


@pytest.mark.parametrize("reason", sorted(PRODUCERS), ids=str)
def test_each_rule_rejection_is_produced_by_a_command(reason: RejectReason, tmp_path: Path) -> None:
    events = PRODUCERS[reason](tmp_path)
    assert rejection(events) is reason
    assert isinstance(events[0], Rejected) and events[0].text


def test_the_last_trade_check_accepts_an_order_exactly_at_the_limit() -> None:
    collars = STRICT.collars
    assert collars is not None and collars.last_trade_bps is not None
    market = RuledMarket(STRICT)
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")
    at_limit = PRIOR_CLOSE * (BPS - collars.last_trade_bps) // BPS
    lower, upper = bands(STRICT, PRIOR_CLOSE)
    assert bare(market.buy("bob", 10, dollars(at_limit))) == [
        accepted(3, "bob", Side.BUY, at_limit, 10),
        StraddleChanged(0, 0, SYMBOL, True, lower, upper),  # a best bid below the lower band
    ]


def test_a_stop_order_is_accepted_in_the_pre_open() -> None:
    market = RuledMarket(US_TODAY, clock="05:00:00")
    assert market.state == "pre_open"
    events = market.buy(
        "alice", 100, "101.00", order_type=OrderType.STOP_LIMIT, stop_price=usd("101.00")
    )
    assert isinstance(events[0], OrderAccepted)


def test_a_closed_book_refuses_orders_as_closed_not_as_state_refuses() -> None:
    closed = RuledMarket(US_TODAY, clock="17:00:00")
    assert rejection(closed.buy("alice", 1, "99.00")) is RejectReason.MARKET_CLOSED


def test_a_market_order_collared_through_the_band_is_limited_to_it_even_when_bands_reject() -> None:
    """seawall-strict refuses a limit through a band, but a market order has no price of its own:
    when its collar (from the last trade) lies beyond the band it goes on at the band."""
    collars = STRICT.collars
    assert collars is not None and collars.market_collar_abs is not None
    lower, _ = bands(STRICT, PRIOR_CLOSE)
    last = lower + collars.market_collar_abs // 2  # a last trade just above the lower band
    market = RuledMarket(STRICT)
    market.buy("alice", 200, dollars(last))
    market.sell("carol", 100, dollars(last))
    collared = last - min(last * (collars.market_collar_bps or 0) // BPS, collars.market_collar_abs)
    assert collared < lower
    ioc = TimeInForce.IOC
    assert bare(market.sell("dan", 300, order_type=OrderType.MARKET, tif=ioc)) == [
        accepted(3, "dan", Side.SELL, lower, 300, OrderType.MARKET, ioc),
        trade(2, last, 100, Side.SELL, (1, "alice", 0), (3, "dan", 200)),
        OrderCancelled(0, 0, 3, "D", SYMBOL, 200, CancelReason.UNFILLED),
    ]
    assert rejection(market.sell("dan", 10, dollars(collared))) is RejectReason.OUTSIDE_BAND


# ---------------------------------------------------------------------- a band moves


def moved_band_market(rulebook: Rulebook) -> tuple[RuledMarket, int]:
    """Trades at $103.00 move the reference once it has stood ``reference_min_seconds``.

    Dan's offer at $97.00 (order 4) is inside the first bands and below the new lower band.
    Returns the market and the instant the reference may move.
    """
    luld = rulebook.luld
    assert luld is not None
    market = RuledMarket(rulebook)
    opened = market.listed[0].ts
    market.at("10:00:10")
    market.sell("carol", 100, "103.00")
    market.buy("alice", 100, "103.00")
    market.buy("bob", 100, "96.00")
    assert bare(market.sell("dan", 100, "97.00")) == [
        accepted(4, "dan", Side.SELL, usd("97.00"), 100)
    ]
    return market, opened + luld.reference_min_seconds * SECOND


@pytest.mark.parametrize("rulebook", [US_TODAY, STRICT], ids=["us-today", "seawall-strict"])
def test_a_resting_order_left_outside_by_a_moved_band_is_repriced_or_cancelled(
    rulebook: Rulebook,
) -> None:
    luld = rulebook.luld
    assert luld is not None
    market, moves_at = moved_band_market(rulebook)
    reference = usd("103.00")  # the mean of the window's one trade
    assert abs(reference - PRIOR_CLOSE) * BPS >= PRIOR_CLOSE * luld.reference_move_bps
    lower, upper = bands(rulebook, reference)
    assert lower > usd("97.00")
    assert tick_at(market, moves_at - 1) == []
    events = bare(tick_at(market, moves_at))
    assert events[0] == banded(lower, upper, reference, "reference_moved")
    if luld.outside_band.value == "reprice":
        assert events[1] == OrderReplaced(0, 0, 4, "D", SYMBOL, lower, 100, 100, False)
    else:
        assert events[1:] == [
            OrderCancelled(0, 0, 4, "D", SYMBOL, 100, CancelReason.OUTSIDE_BAND),
            StraddleChanged(0, 0, SYMBOL, True, lower, upper),  # Bob's $96.00 bid is below
        ]
        assert market.state == "continuous"


def test_an_offer_repriced_to_the_lower_band_on_a_tick_starts_the_limit_state_then() -> None:
    market, moves_at = moved_band_market(US_TODAY)
    events = bare(tick_at(market, moves_at))
    assert events[-1] == changed(
        TradingState.CONTINUOUS, TradingState.LIMIT_STATE, "offer_at_lower_band"
    )


# ---------------------------------------------------------------------- the operator's NBBO


def test_set_nbbo_is_validated() -> None:
    market = RuledMarket(US_TODAY)
    bid, ask = usd("99.00"), usd("101.00")
    assert rejection(market.do(SetNbbo("alice", SYMBOL, bid, ask))) is RejectReason.NOT_ENTITLED
    assert (
        rejection(market.do(SetNbbo("nobody", SYMBOL, bid, ask)))
        is RejectReason.UNKNOWN_PARTICIPANT
    )
    assert (
        rejection(market.do(SetNbbo("operator", "ABC", bid, ask)))
        is RejectReason.UNKNOWN_INSTRUMENT
    )
    off_tick = bid + usd("0.01") // 2
    assert rejection(market.do(SetNbbo("operator", SYMBOL, off_tick, ask))) is RejectReason.OFF_TICK
    assert rejection(market.do(SetNbbo("operator", SYMBOL, bid, ask + 1))) is RejectReason.OFF_TICK
    crossed = market.do(SetNbbo("operator", SYMBOL, ask, bid))
    assert rejection(crossed) is RejectReason.INVALID_PRICE
    assert market.do(SetNbbo("operator", SYMBOL, bid, ask)) == []
    assert market.state == "continuous"


@pytest.mark.parametrize("side", [Side.SELL, Side.BUY])
def test_an_external_nbbo_at_a_band_drives_the_limit_state_the_own_book_does_not(
    side: Side,
) -> None:
    luld = US_TODAY.luld
    assert luld is not None
    lower, upper = bands(US_TODAY, PRIOR_CLOSE)
    market = RuledMarket(US_TODAY)
    market.buy("alice", 100, "99.00")  # the venue's own quote is well inside the bands
    market.sell("carol", 100, "101.00")
    if side is Side.SELL:
        nbbo = SetNbbo("operator", SYMBOL, lower - usd("1.00"), lower)
        cause = "offer_at_lower_band"
    else:
        nbbo = SetNbbo("operator", SYMBOL, upper, upper + usd("1.00"))
        cause = "bid_at_upper_band"
    assert bare(market.do(nbbo)) == [
        changed(TradingState.CONTINUOUS, TradingState.LIMIT_STATE, cause)
    ]
    entered = market.ts
    # the venue's own book trades on inside the bands; the NBBO still holds the limit state
    assert [type(e) for e in market.buy("bob", 10, "101.00")] == [OrderAccepted, Trade]
    assert market.state == "limit_state"
    assert bare(tick_at(market, entered + luld.limit_state_seconds * SECOND)) == [
        banded(0, 0, PRIOR_CLOSE, "limit_state_timed_out"),
        changed(TradingState.LIMIT_STATE, TradingState.PAUSED, "limit_state_timed_out"),
    ]


def test_clearing_the_external_nbbo_hands_back_to_the_venues_own_prices() -> None:
    lower, _ = bands(US_TODAY, PRIOR_CLOSE)
    market = RuledMarket(US_TODAY)
    market.do(SetNbbo("operator", SYMBOL, 0, lower))
    assert market.state == "limit_state"
    assert bare(market.do(SetNbbo("operator", SYMBOL, 0, 0))) == [
        changed(TradingState.LIMIT_STATE, TradingState.CONTINUOUS, "limit_state_cleared")
    ]


# ---------------------------------------------------------------------- market-wide breakers


def two_instrument_market() -> RuledMarket:
    """us-today at 10:00 with XYZ ($100.00) and ABC ($50.00) and a bid in each."""
    market = RuledMarket(US_TODAY)
    abc = Instrument("ABC")
    listed = bare(market.do(ListInstrument("operator", abc, reference_price=usd("50.00"))))
    assert listed[1:] == [banded(*bands(US_TODAY, usd("50.00")), usd("50.00"), "opened", "ABC")]
    market.do(Deposit("operator", "C", "ABC", 1_000))
    market.buy("alice", 100, "99.00")  # order 1
    market.sell("carol", 100, "101.00")  # order 2
    market.do(RegisterParticipant("operator", "eve"))  # a participant with no account
    return market


def test_a_level_1_decline_halts_every_instrument_then_a_reopening_call_then_trading() -> None:
    mwcb, luld, auctions = US_TODAY.mwcb, US_TODAY.luld, US_TODAY.auctions
    assert mwcb is not None and luld is not None and auctions is not None
    step = mwcb.levels[0].halts[0]
    market = two_instrument_market()
    assert market.do(index_level(US_TODAY, level_value(US_TODAY, 1) + 1)) == []  # not yet 7%
    value = level_value(US_TODAY, 1)
    events = market.do(index_level(US_TODAY, value))
    halted_at = market.ts
    resumes = halted_at + step.halt_minutes * MINUTE
    assert bare(events) == [
        MarketWideHalt(0, 0, mwcb.index, value, 1, resumes),
        banded(0, 0, PRIOR_CLOSE, "halted"),
        changed(TradingState.CONTINUOUS, TradingState.HALTED, "mwcb_level_1"),
        banded(0, 0, usd("50.00"), "halted", "ABC"),
        changed(TradingState.CONTINUOUS, TradingState.HALTED, "mwcb_level_1", "ABC"),
    ]
    # halted: new orders are refused, cancels are taken
    assert rejection(market.buy("bob", 10, "99.00")) is RejectReason.TRADING_HALTED
    assert bare(market.do(Cancel("carol", 2))) == [
        OrderCancelled(0, 0, 2, "C", SYMBOL, 100, CancelReason.USER)
    ]
    assert tick_at(market, resumes - 1) == []
    assert bare(tick_at(market, resumes)) == [
        changed(TradingState.HALTED, TradingState.PAUSED, "mwcb_resume"),
        changed(TradingState.HALTED, TradingState.PAUSED, "mwcb_resume", "ABC"),
    ]
    # the reopening call takes orders and publishes its indicative price
    assert bare(market.sell("carol", 50, "99.00"))[1:] == [
        AuctionIndicative(0, 0, SYMBOL, usd("99.00"), 50, 50, Side.BUY)
    ]
    reopens = resumes + auctions.reopening_call_seconds * SECOND
    # halted and in call for longer than reopen_band_after_pause_seconds: the bands widen
    assert reopens - halted_at > luld.reopen_band_after_pause_seconds * SECOND
    factor = luld.reopen_band_factor
    price = usd("99.00")
    assert tick_at(market, reopens - 1) == []
    assert bare(tick_at(market, reopens)) == [
        changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen"),
        AuctionUncrossed(0, 0, SYMBOL, price, 50, 50, Side.BUY),
        trade(1, price, 50, None, (1, "alice", 50), (4, "carol", 0)),
        banded(*bands(US_TODAY, price, factor), price, "reopened"),
        changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen", "ABC"),
        banded(*bands(US_TODAY, usd("50.00"), factor), usd("50.00"), "reopened", "ABC"),
    ]
    widening_ends = reopens + luld.reopen_band_seconds * SECOND
    assert tick_at(market, widening_ends - 1) == []
    assert bare(tick_at(market, widening_ends)) == [
        banded(*bands(US_TODAY, price), price, "widening_ended"),
        banded(*bands(US_TODAY, usd("50.00")), usd("50.00"), "widening_ended", "ABC"),
    ]
    # each level halts once a day
    assert market.do(index_level(US_TODAY, value)) == []
    assert market.state == "continuous"


@pytest.mark.parametrize(
    ("day", "offset", "halts"),
    [
        (DAY, 0, True),  # "up to and including 15:25" (RULES.md §3)
        (DAY, 1, False),
        ("2026-11-27", 0, True),  # an early close moves the cut-off as much as the close
        ("2026-11-27", 1, False),
    ],
)
def test_a_level_1_decline_after_the_cut_off_does_not_halt(
    day: str, offset: int, halts: bool
) -> None:
    mwcb = US_TODAY.mwcb
    assert mwcb is not None
    through = mwcb.levels[0].halts[0].through
    assert through is not None and mwcb.levels[0].halts[-1] is mwcb.levels[0].halts[0]
    early = {e.date.isoformat(): e.close for e in US_TODAY.session.early_closes}
    usual = ny(day, US_TODAY.session.close.isoformat())
    moved = usual - ny(day, early[day].isoformat()) if day in early else 0
    cut_off = ny(day, through.isoformat()) - moved
    market = RuledMarket(US_TODAY, day=day, clock="12:00:00")
    market.ts = cut_off + offset - 1
    events = market.do(index_level(US_TODAY, level_value(US_TODAY, 1)))
    assert bool(events) is halts
    assert market.state == ("halted" if halts else "continuous")


def test_a_level_3_decline_halts_for_the_rest_of_the_day() -> None:
    mwcb = US_TODAY.mwcb
    assert mwcb is not None and mwcb.levels[2].halts[0].rest_of_day
    market = RuledMarket(US_TODAY, clock="15:30:00")
    market.buy("alice", 100, "99.00")
    value = level_value(US_TODAY, 3)
    assert bare(market.do(index_level(US_TODAY, value)))[0] == MarketWideHalt(
        0, 0, mwcb.index, value, 3, 0
    )
    close = ny(DAY, US_TODAY.session.close.isoformat())
    assert tick_at(market, close - 1) == []
    assert market.state == "halted"
    assert bare(tick_at(market, close)) == [
        changed(TradingState.HALTED, TradingState.CLOSED, "close"),
        OrderCancelled(0, 0, 1, "A", SYMBOL, 100, CancelReason.EXPIRED),
    ]


def test_a_level_3_halt_in_the_closing_call_still_closes_the_day() -> None:
    auctions = US_TODAY.auctions
    assert auctions is not None
    close = ny(DAY, US_TODAY.session.close.isoformat())
    market = RuledMarket(US_TODAY, clock="15:00:00")
    market.buy("alice", 100, "99.00")
    tick_at(market, close - auctions.closing_call_seconds * SECOND)
    assert market.state == "closing_auction"
    market.do(index_level(US_TODAY, level_value(US_TODAY, 3)))
    assert market.state == "halted"
    reference = usd("100.00")  # the prior close: nothing traded this day
    assert bare(tick_at(market, close)) == [
        # the bands the closing call left standing end with the day
        PriceBandsChanged(0, 0, SYMBOL, 0, 0, reference, "closed"),
        changed(TradingState.HALTED, TradingState.CLOSED, "close"),
        OrderCancelled(0, 0, 1, "A", SYMBOL, 100, CancelReason.EXPIRED),
    ]


def paused_by_luld() -> tuple[RuledMarket, int]:
    """us-today with XYZ paused by LULD from the returned instant."""
    luld = US_TODAY.luld
    assert luld is not None
    market = RuledMarket(US_TODAY)
    market.sell("dan", 100, "90.00")
    assert market.state == "limit_state"
    return market, market.ts + luld.limit_state_seconds * SECOND


def test_a_market_wide_halt_after_a_limit_state_ran_out_unnoticed_halts_the_instrument() -> None:
    market, paused_at = paused_by_luld()
    market.ts = paused_at + MINUTE  # no command or tick since the limit state began
    market.do(index_level(US_TODAY, level_value(US_TODAY, 1)))
    assert market.state == "halted"


def test_a_luld_pause_does_not_reopen_during_a_market_wide_halt() -> None:
    luld, mwcb = US_TODAY.luld, US_TODAY.mwcb
    assert luld is not None and mwcb is not None
    market, paused_at = paused_by_luld()
    tick_at(market, paused_at)
    assert market.state == "paused"
    market.ts = paused_at + MINUTE
    market.do(index_level(US_TODAY, level_value(US_TODAY, 1)))
    assert market.state == "halted"
    resumes = market.ts + mwcb.levels[0].halts[0].halt_minutes * MINUTE
    luld_reopening = paused_at + luld.pause_seconds * SECOND
    assert luld_reopening < resumes
    tick_at(market, luld_reopening)
    assert market.state == "halted"


# ---------------------------------------------------------------------- reported trades


def reported(
    price: int, aggressor: Side | None = None, buyer: str = "B", seller: str = "D"
) -> Trade:
    """The print of a trade reported off the book: it touches no order."""
    return Trade(0, 0, 0, SYMBOL, price, 10, aggressor, 0, 0, buyer, seller, 0, 0, price * 10, 0, 0)


def unstamped(market: RuledMarket) -> VenueState:
    """The venue's state but for the command count and clock, which every command moves."""
    return msgspec.structs.replace(market.venue.export_state(), seq=0, ts=0)


def report(market: RuledMarket, price: int, aggressor: Side | None = None) -> list[Event]:
    return market.do(ReportTrade(OPERATOR, SYMBOL, "B", "D", price, 10, aggressor))


def test_a_reported_trade_prints_inside_the_bands_only() -> None:
    """LULD binds every trading centre: a print reported off the book stays inside the
    bands, to the band itself, and is refused beyond it, leaving nothing changed."""
    lower, upper = bands(US_TODAY, PRIOR_CLOSE)
    market = RuledMarket(US_TODAY)
    before = unstamped(market)
    for beyond in (upper + usd("0.01"), lower - usd("0.01")):
        events = report(market, beyond)
        assert refusal(events) is RejectReason.OUTSIDE_BAND, events
        assert "outside XYZ's price bands 95.0000 to 105.0000" in events[0].text  # type: ignore[union-attr]
    assert unstamped(market) == before
    assert [msgspec.structs.replace(e, trade_id=0) for e in bare(report(market, upper))] == [
        reported(upper)
    ]


def test_a_reported_trade_prints_before_the_open_but_not_in_a_trading_pause() -> None:
    """The pre-open stops only the venue's own matching, and no bands are in force yet; a
    trading pause stops trading everywhere."""
    market = RuledMarket(US_TODAY, clock="09:00:00")
    assert market.state == "pre_open"
    assert [type(e) for e in report(market, usd("120.00"))] == [Trade]
    market = RuledMarket(US_TODAY)
    market.do(SetTradingState(OPERATOR, SYMBOL, TradingState.PAUSED))
    events = report(market, PRIOR_CLOSE)
    assert refusal(events) is RejectReason.STATE_REFUSES
    assert events[0].text == "XYZ is paused, everywhere: a reported trade is not accepted"  # type: ignore[union-attr]


@pytest.mark.parametrize("aggressor", [None, Side.SELL])
def test_a_reported_trade_counts_for_luld_like_one_on_the_book(aggressor: Side | None) -> None:
    """It enters the reference price whether or not it names the side that took liquidity."""
    market = RuledMarket(US_TODAY)
    report(market, usd("104.00"), aggressor)
    lower, upper = bands(US_TODAY, usd("104.00"))
    assert bare(market.tick("10:00:31")) == [banded(lower, upper, usd("104.00"), "reference_moved")]


@pytest.mark.parametrize("aggressor", [None, Side.SELL])
def test_a_reported_fall_of_10_percent_pauses_the_stock_under_the_2010_breaker(
    aggressor: Side | None,
) -> None:
    sscb = PILOT.sscb
    assert sscb is not None
    market = RuledMarket(PILOT)
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")  # the window's high: $100.00
    market.at("10:02:00")
    fallen = PRIOR_CLOSE * (BPS - sscb.thresholds[0].move_bps) // BPS
    events = bare(report(market, fallen, aggressor))
    assert [
        msgspec.structs.replace(e, trade_id=0) if isinstance(e, Trade) else e for e in events
    ] == [
        reported(fallen, aggressor),
        changed(TradingState.CONTINUOUS, TradingState.PAUSED, "sscb"),
    ]


# ---------------------------------------------------------------------- single-stock breaker


def test_a_10_percent_move_in_5_minutes_pauses_the_stock_then_it_reopens() -> None:
    sscb = PILOT.sscb
    assert sscb is not None and len(sscb.thresholds) == 1
    move = sscb.thresholds[0].move_bps
    market = RuledMarket(PILOT)
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")  # the window's high: $100.00
    market.at("10:02:00")
    assert ny(DAY, "10:02:00") - ny(DAY, "10:00:00") < sscb.window_seconds * SECOND
    fallen = PRIOR_CLOSE * (BPS - move) // BPS
    market.buy("bob", 100, dollars(fallen))
    assert bare(market.sell("dan", 100, dollars(fallen))) == [
        accepted(4, "dan", Side.SELL, fallen, 100),
        trade(2, fallen, 100, Side.SELL, (3, "bob", 0), (4, "dan", 0)),
        changed(TradingState.CONTINUOUS, TradingState.PAUSED, "sscb"),
    ]
    paused_at = market.ts
    assert bare(market.buy("alice", 100, "91.00")) == [
        accepted(5, "alice", Side.BUY, usd("91.00"), 100)
    ]
    # 50 cross anywhere from $90.50 to $91.00; the price nearest the last trade ($90.00) wins
    assert bare(market.sell("carol", 50, "90.50")) == [
        accepted(6, "carol", Side.SELL, usd("90.50"), 50),
        AuctionIndicative(0, 0, SYMBOL, usd("90.50"), 50, 50, Side.BUY),
    ]
    reopens = paused_at + sscb.pause_seconds * SECOND
    assert tick_at(market, reopens - 1) == []
    assert bare(tick_at(market, reopens)) == [
        changed(TradingState.PAUSED, TradingState.CONTINUOUS, "reopen"),
        AuctionUncrossed(0, 0, SYMBOL, usd("90.50"), 50, 50, Side.BUY),
        trade(3, usd("90.50"), 50, None, (5, "alice", 50), (6, "carol", 0)),
    ]


@pytest.mark.parametrize(("clock", "fall"), [("10:00:00", usd("9.99")), ("09:35:00", usd("10.00"))])
def test_a_smaller_move_or_one_before_the_breaker_hours_does_not_pause(
    clock: str, fall: int
) -> None:
    sscb = PILOT.sscb
    assert sscb is not None
    start = ny(DAY, "09:30:00") + sscb.start_minutes_after_open * MINUTE
    assert (ny(DAY, clock) < start) is (fall * BPS >= PRIOR_CLOSE * sscb.thresholds[0].move_bps)
    market = RuledMarket(PILOT, clock=clock)
    market.buy("alice", 100, "100.00")
    market.sell("carol", 100, "100.00")
    price = dollars(PRIOR_CLOSE - fall)
    market.buy("bob", 100, price)
    assert [type(e) for e in market.sell("dan", 100, price)] == [OrderAccepted, Trade]
    assert market.state == "continuous"


# ---------------------------------------------------------------------- Rule 201


def test_a_trade_exactly_10_percent_down_restricts_short_sales_through_the_next_day() -> None:
    market = restricted_market()
    market.buy("bob", 100, "95.00")  # order 3: the best bid
    short, exempt = SaleMarking.SHORT, SaleMarking.SHORT_EXEMPT
    refused = market.sell("dan", 10, "95.00", marking=short)
    assert rejection(refused) is RejectReason.SHORT_SALE_PRICE_TEST
    assert rejection(market.sell("dan", 10, "94.00", marking=short)) is (
        RejectReason.SHORT_SALE_PRICE_TEST
    )
    assert bare(market.sell("dan", 10, "95.01", marking=short)) == [  # above the bid: rests
        accepted(6, "dan", Side.SELL, usd("95.01"), 10)
    ]
    assert bare(market.sell("dan", 10, "95.00", marking=exempt)) == [
        accepted(7, "dan", Side.SELL, usd("95.00"), 10),
        trade(2, usd("95.00"), 10, Side.SELL, (3, "bob", 90), (7, "dan", 0)),
    ]
    assert [type(e) for e in market.sell("dan", 10, "95.00")] == [OrderAccepted, Trade]  # long


def test_a_trade_just_short_of_10_percent_down_restricts_nothing() -> None:
    market = RuledMarket(US_TODAY, tier=2)
    market.buy("bob", 100, "90.01")
    assert [type(e) for e in market.sell("dan", 100, "90.01")] == [OrderAccepted, Trade]
    market.buy("bob", 100, "95.00")
    assert [type(e) for e in market.sell("dan", 10, "95.00", marking=SaleMarking.SHORT)] == [
        OrderAccepted,
        Trade,
    ]


def test_the_restriction_lasts_through_the_next_trading_day_across_a_holiday() -> None:
    wednesday = dt.date(2026, 11, 25)
    friday = next_trading_day(US_TODAY, wednesday)
    assert friday == dt.date(2026, 11, 27)  # Thanksgiving is skipped
    market = restricted_market(wednesday.isoformat())

    def short_at_the_bid(day: dt.date) -> list[Event]:
        market.day = day.isoformat()
        tick_at(market, ny(market.day, "10:00:00"))
        assert market.state == "continuous"
        market.buy("bob", 100, "95.00")
        return market.sell("dan", 10, "95.00", marking=SaleMarking.SHORT)

    assert rejection(short_at_the_bid(friday)) is RejectReason.SHORT_SALE_PRICE_TEST
    monday = next_trading_day(US_TODAY, friday)
    allowed = short_at_the_bid(monday)
    assert [type(e) for e in allowed][:2] == [OrderAccepted, Trade]  # the restriction is over


@pytest.mark.parametrize("order_type", [OrderType.MARKET, OrderType.LIMIT])
def test_a_short_sale_through_the_band_still_meets_the_price_test(order_type: OrderType) -> None:
    market = restricted_market()
    market.buy("bob", 100, "95.00")
    if order_type is OrderType.MARKET:
        events = market.sell(
            "dan", 10, order_type=order_type, tif=TimeInForce.IOC, marking=SaleMarking.SHORT
        )
    else:
        events = market.sell("dan", 10, "50.00", marking=SaleMarking.SHORT)
    assert rejection(events) is RejectReason.SHORT_SALE_PRICE_TEST


# ---------------------------------------------------------------------- the market-order collar


@pytest.mark.parametrize("reference", [usd("100.00"), usd("2.00")])
def test_seawall_strict_collars_market_orders_at_the_lesser_of_5_percent_and_50_cents(
    reference: int,
) -> None:
    collars = STRICT.collars
    assert collars is not None and collars.market_collar_bps is not None
    assert collars.market_collar_abs is not None
    assert collars.market_collar_combine is not None
    assert collars.market_collar_combine.value == "lesser"
    width = min(reference * collars.market_collar_bps // BPS, collars.market_collar_abs)
    tick = usd("0.01")
    buy_limit = (reference + width) // tick * tick
    sell_limit = -(-(reference - width) // tick) * tick
    market = RuledMarket(STRICT, prior_close=dollars(reference))
    ioc = TimeInForce.IOC
    assert bare(market.buy("alice", 10, order_type=OrderType.MARKET, tif=ioc)) == [
        accepted(1, "alice", Side.BUY, buy_limit, 10, OrderType.MARKET, ioc),
        OrderCancelled(0, 0, 1, "A", SYMBOL, 10, CancelReason.UNFILLED),
    ]
    assert bare(market.sell("dan", 10, order_type=OrderType.MARKET, tif=ioc)) == [
        accepted(2, "dan", Side.SELL, sell_limit, 10, OrderType.MARKET, ioc),
        OrderCancelled(0, 0, 2, "D", SYMBOL, 10, CancelReason.UNFILLED),
    ]


def test_the_collar_follows_the_last_trade() -> None:
    collars = STRICT.collars
    assert collars is not None and collars.market_collar_abs is not None
    market = RuledMarket(STRICT)
    market.buy("alice", 100, "101.00")
    market.sell("carol", 100, "101.00")
    events = market.buy("bob", 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert isinstance(events[0], OrderAccepted)
    assert events[0].price == usd("101.00") + collars.market_collar_abs
