"""The pre-trade price collar: each instrument's own reference, regular and extended hours.

Regular hours are 09:30 to 16:00 in New York. The UTC instants below are
worked out by hand from the offsets (EST is UTC-5, EDT is UTC-4; in 2024
daylight time began on Sunday 10 March and ended on Sunday 3 November), so
the test does not lean on the time-zone code it checks.
"""

from __future__ import annotations

import pytest
from risk_support import BUY, FIRM, MIDDAY, OPT, PRICE, SELL, RiskMarket, utc_ns

from orders_support import kinds, refusal, usd
from seawall import Instrument, OrderType, TimeInForce, Venue, VenueConfig
from seawall.core.commands import Cancel, Deposit, ListInstrument, NewOrder, Replace
from seawall.core.events import (
    CancelReason,
    OrderAccepted,
    OrderCancelled,
    RejectReason,
    StopElected,
)
from seawall.core.types import BPS

R = RejectReason
REGULAR = 500  # 5% in regular hours
EXTENDED = 1_000  # 10% outside them (the venue's default ceiling)
HOUR = 3_600 * 1_000_000_000
SESSION = 6 * HOUR + HOUR // 2  # 09:30 to 16:00


def bounds(reference: int, bps: int) -> tuple[int, int]:
    """The highest buy and the lowest sell a collar of ``bps`` allows around ``reference``."""
    band = reference * bps // BPS
    return reference + band, reference - band


def collared(start: int) -> RiskMarket:
    m = RiskMarket(start=start)
    m.limits("A1", collar_bps=REGULAR, extended_collar_bps=EXTENDED)
    return m


def test_the_collar_boundaries_in_regular_hours() -> None:
    m = collared(utc_ns(2024, 7, 10, 15, 0))  # 11:00 EDT
    high, low = bounds(PRICE, REGULAR)
    assert (high, low) == (usd("105.00"), usd("95.00"))
    bid = m.rest("A1", BUY, 1, high)
    m.do(Cancel("alice", bid))
    assert kinds(m.sell("A1", 1, low)) == ["OrderAccepted"]
    # The collar bounds only the side that trades through: a bid far below the reference
    # or an offer far above it cannot hurt anyone.
    assert kinds(m.buy("A1", 1, usd("1.00"))) == ["OrderAccepted"]
    assert kinds(m.sell("A1", 1, usd("1,000.00"))) == ["OrderAccepted"]
    before = m.frozen()
    events = m.buy("A1", 1, high + usd("0.01"))
    assert refusal(events) is R.OUTSIDE_PRICE_COLLAR and len(events) == 1
    assert "regular hours" in events[0].text  # type: ignore[union-attr]
    assert refusal(m.sell("A1", 1, low - usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    assert m.frozen() == before


@pytest.mark.parametrize(
    ("day", "open_utc"),
    [
        ("winter", utc_ns(2024, 1, 17, 14, 30)),  # Wednesday, EST
        ("summer", utc_ns(2024, 7, 10, 13, 30)),  # Wednesday, EDT
        ("spring-forward day", utc_ns(2024, 3, 10, 13, 30)),  # clocks went to EDT at 02:00
        ("the Monday after", utc_ns(2024, 3, 11, 13, 30)),
        ("fall-back day", utc_ns(2024, 11, 3, 14, 30)),  # clocks went back to EST at 02:00
        ("20 Aug 2013", utc_ns(2013, 8, 20, 13, 30)),
    ],
)
def test_regular_hours_switch_collars_at_0930_and_1600_new_york_time(
    day: str, open_utc: int
) -> None:
    regular_high, _ = bounds(PRICE, REGULAR)
    extended_high, _ = bounds(PRICE, EXTENDED)
    between = regular_high + usd("1.00")  # allowed only by the wider extended-hours collar
    assert regular_high < between <= extended_high
    close_utc = open_utc + SESSION
    m = collared(open_utc - HOUR)
    for at, regular in (
        (open_utc - 1, False),
        (open_utc, True),
        (close_utc - 1, True),
        (close_utc, False),
    ):
        events = m.buy("A1", 1, between, at=at)
        assert (refusal(events) is R.OUTSIDE_PRICE_COLLAR) is regular, (day, at, events)
        outside = m.buy("A1", 1, extended_high + usd("0.01"), at=at)
        assert refusal(outside) is R.OUTSIDE_PRICE_COLLAR, (day, at)


def test_an_hour_off_is_outside_regular_hours_in_winter_and_inside_in_summer() -> None:
    # 13:45 UTC is 08:45 EST in January (pre-market) but 09:45 EDT in July.
    high, _ = bounds(PRICE, REGULAR)
    winter = collared(utc_ns(2024, 1, 17, 13, 45))
    assert kinds(winter.buy("A1", 1, high + usd("1.00"))) == ["OrderAccepted"]
    summer = collared(utc_ns(2024, 7, 17, 13, 45))
    assert refusal(summer.buy("A1", 1, high + usd("1.00"))) is R.OUTSIDE_PRICE_COLLAR


def test_other_regular_hours_and_time_zones_are_venue_parameters() -> None:
    config = VenueConfig(timezone="Europe/London", regular_open=8 * 60, regular_close=16 * 60 + 30)
    # 07:59:59 UTC on 15 Jan 2024 is 07:59:59 in London (GMT): before the open.
    m = RiskMarket(config, start=utc_ns(2024, 1, 15, 7, 59, 59))
    m.limits("A1", collar_bps=REGULAR, extended_collar_bps=EXTENDED)
    high, _ = bounds(PRICE, REGULAR)
    assert kinds(m.buy("A1", 1, high + usd("1.00"))) == ["OrderAccepted"]
    in_hours = utc_ns(2024, 1, 15, 8, 0)
    assert refusal(m.buy("A1", 1, high + usd("1.00"), at=in_hours)) is R.OUTSIDE_PRICE_COLLAR
    # In July London is on BST (UTC+1): 07:00 UTC is already 08:00 there.
    assert refusal(m.buy("A1", 1, high + usd("1.00"), at=utc_ns(2024, 7, 15, 7, 0))) is (
        R.OUTSIDE_PRICE_COLLAR
    )


def test_the_reference_is_the_last_sale_then_the_listing_reference_then_the_mid() -> None:
    m = collared(utc_ns(2024, 7, 10, 15, 0))
    # Listing reference $100: $104 is inside, as long as nothing has traded.
    assert kinds(m.buy("A1", 1, usd("104.00"))) == ["OrderAccepted"]
    # A sale at $90 moves the reference to $90: now $94.51 is too high, $94.50 is not.
    m.rest("M", SELL, 10, usd("90.00"))
    m.buy("D", 10, usd("90.00"))
    high, low = bounds(usd("90.00"), REGULAR)
    assert refusal(m.buy("A1", 1, high + usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    assert kinds(m.buy("A1", 1, high)) == ["OrderAccepted"]
    assert refusal(m.sell("A1", 1, low - usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    # An instrument listed without a reference is measured from its mid until it trades.
    m.do(ListInstrument("operator", Instrument("NEW")))
    m.do(Deposit("operator", "M", "NEW", 10))
    m.order("M", BUY, 10, usd("19.00"), "NEW")
    m.order("M", SELL, 10, usd("21.00"), "NEW")
    mid = (usd("19.00") + usd("21.00")) // 2
    high, _ = bounds(mid, REGULAR)
    assert refusal(m.order("A1", BUY, 1, high + usd("0.01"), "NEW")) is R.OUTSIDE_PRICE_COLLAR


def test_with_no_reference_at_all_there_is_nothing_to_collar_against() -> None:
    m = collared(utc_ns(2024, 7, 10, 15, 0))
    m.do(ListInstrument("operator", Instrument("NEW")))
    assert kinds(m.order("A1", BUY, 1, usd("1,000.00"), "NEW")) == ["OrderAccepted"]


def test_each_series_is_collared_against_its_own_reference() -> None:
    m = collared(utc_ns(2024, 7, 10, 15, 0))
    _, option_low = bounds(usd("5.00"), REGULAR)
    assert kinds(m.order("A1", SELL, 1, option_low, OPT)) == ["OrderAccepted"]
    assert refusal(m.order("A1", SELL, 1, option_low - usd("0.01"), OPT)) is (
        R.OUTSIDE_PRICE_COLLAR
    )
    # $95.00 is fine for XYZ, and far outside any collar for the $5 option.
    assert kinds(m.sell("A1", 1, usd("95.00"))) == ["OrderAccepted"]


def test_a_firm_collar_applies_to_its_accounts_and_a_replace_is_collared_too() -> None:
    m = RiskMarket(start=utc_ns(2024, 7, 10, 15, 0))
    m.limits("F", FIRM, collar_bps=REGULAR)
    high, _ = bounds(PRICE, REGULAR)
    for account in ("A1", "A2", "B"):
        assert refusal(m.buy(account, 1, high + usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    assert kinds(m.buy("C", 1, high + usd("0.01"))) == ["OrderAccepted"]
    bid = m.rest("B", BUY, 1, high)
    assert refusal(m.do(Replace("bob", bid, 1, high + usd("0.01")))) is R.OUTSIDE_PRICE_COLLAR
    assert m.venue.orders[bid].price == high


def test_a_firm_collar_narrows_the_first_market_order_of_an_account_and_its_restored_copy() -> None:
    """An account's scope is made at its first order; a market order must find its firm's
    collar there too, in the venue and in a copy restored before the account ever traded."""
    m = RiskMarket(start=utc_ns(2024, 7, 10, 15, 0))
    m.limits("F", FIRM, collar_bps=20)  # inside the venue's own market collar ($0.50)
    bound = PRICE + PRICE * 20 // BPS
    copy = Venue.restore(m.venue.export_state())
    market = NewOrder(
        "alice", "A1", "XYZ", BUY, 10, order_type=OrderType.MARKET, tif=TimeInForce.IOC
    )
    events = m.do(market)
    accepted = events[0]
    assert isinstance(accepted, OrderAccepted) and accepted.price == bound, events
    assert copy.process(market, m.ts) == events


def test_a_market_order_takes_the_tighter_of_the_venue_and_account_collars() -> None:
    # The venue turns a market buy into a limit at the reference + min(5%, $0.50); an account
    # collar tighter than that narrows the order to its own bound instead of refusing it.
    m = RiskMarket(start=utc_ns(2024, 7, 10, 15, 0))
    config = m.venue.config
    band = min(PRICE * config.market_collar_bps // BPS, config.market_collar_abs)
    tight = band * BPS // PRICE - 1  # bps: just under the market order's band
    m.limits("A1", collar_bps=tight)
    bound = PRICE + PRICE * tight // BPS
    bound -= bound % usd("0.01")  # rounded inward to the tick
    assert bound < PRICE + band
    m.rest("M", SELL, 10, PRICE + band)  # inside the venue's collar, outside the account's
    events = m.buy("A1", 10, 0, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    accepted = events[0]
    assert isinstance(accepted, OrderAccepted) and accepted.price == bound
    assert kinds(events) == ["OrderAccepted", "OrderCancelled"]  # nothing within its bound
    m.rest("M", SELL, 10, bound)
    events = m.buy("A1", 10, 0, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    assert kinds(events) == ["OrderAccepted", "Trade"]
    m.limits("A1", collar_bps=tight + 100)  # wider than the venue's: the venue's collar stands
    reference = bound  # the last sale
    venue_limit = reference + min(
        reference * config.market_collar_bps // BPS, config.market_collar_abs
    )
    venue_limit -= venue_limit % usd("0.01")
    assert venue_limit < reference + reference * (tight + 100) // BPS
    events = m.buy("A1", 1, 0, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    accepted = events[0]
    assert isinstance(accepted, OrderAccepted) and accepted.price == venue_limit


def test_a_market_sell_takes_the_tighter_floor_rounded_up_to_the_tick() -> None:
    m = RiskMarket(start=utc_ns(2024, 7, 10, 15, 0))
    config = m.venue.config
    band = min(PRICE * config.market_collar_bps // BPS, config.market_collar_abs)
    tight = band * BPS // PRICE - 1
    m.limits("A1", collar_bps=tight)
    floor = PRICE - PRICE * tight // BPS
    floor += -floor % usd("0.01")  # rounded inward: up, for a sell
    assert PRICE - band < floor
    m.rest("M", BUY, 10, PRICE - band)  # inside the venue's collar, below the account's
    events = m.order("A1", SELL, 10, 0, order_type=OrderType.MARKET, tif=TimeInForce.IOC)
    accepted = events[0]
    assert isinstance(accepted, OrderAccepted) and accepted.price == floor
    assert kinds(events) == ["OrderAccepted", "OrderCancelled"]


def test_a_placeholder_sell_at_one_dollar_is_refused_before_and_after_the_open() -> None:
    """The 2013 orders: $1.00 sells in a series worth far more, at and before 09:30."""
    m = RiskMarket(start=utc_ns(2013, 8, 20, 13, 0))  # 09:00 EDT
    m.limits("A1", collar_bps=REGULAR, extended_collar_bps=EXTENDED)
    reference = usd("5.00")
    assert usd("1.00") < bounds(reference, EXTENDED)[1]
    assert refusal(m.order("A1", SELL, 10, usd("1.00"), OPT)) is R.OUTSIDE_PRICE_COLLAR
    at_open = utc_ns(2013, 8, 20, 13, 30)
    assert refusal(m.order("A1", SELL, 10, usd("1.00"), OPT, at=at_open)) is (
        R.OUTSIDE_PRICE_COLLAR
    )
    assert m.venue.books[OPT].last_price == 0


def test_a_regular_collar_alone_also_collars_outside_regular_hours_at_most_at_the_ceiling() -> None:
    """A zero extended-hours collar never leaves the pre-market open (the 2013 failure)."""
    pre_market = utc_ns(2024, 1, 17, 13, 0)  # 08:00 EST
    narrow = RiskMarket(start=pre_market)
    narrow.limits("A1", collar_bps=REGULAR)
    high, _ = bounds(PRICE, REGULAR)
    assert kinds(narrow.buy("A1", 1, high)) == ["OrderAccepted"]
    assert refusal(narrow.buy("A1", 1, high + usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR
    wide = RiskMarket(start=pre_market)
    wide.limits("A1", collar_bps=3_000)  # 30% in regular hours; the venue caps extended at 10%
    ceiling_high, _ = bounds(PRICE, VenueConfig().max_extended_collar_bps)
    assert kinds(wide.buy("A1", 1, ceiling_high)) == ["OrderAccepted"]
    assert refusal(wide.buy("A1", 1, ceiling_high + usd("0.01"))) is R.OUTSIDE_PRICE_COLLAR


def test_a_stop_is_collared_when_it_is_elected_not_when_it_is_entered() -> None:
    m = collared(MIDDAY)  # A1: 5% in regular hours
    stop = usd("90.00")  # 10% below the $100 reference: a protective stop, not an error
    protective = m.rest(
        "A1", SELL, 10, usd("89.50"), order_type=OrderType.STOP_LIMIT, stop_price=stop
    )
    reckless = m.rest(
        "A1", SELL, 10, usd("50.00"), order_type=OrderType.STOP_LIMIT, stop_price=stop
    )
    m.rest("M", BUY, 10, stop)
    events = m.sell("B", 10, stop)  # prints at $90.00: both stops are elected
    _, lowest = bounds(stop, REGULAR)  # the collar now runs from the $90.00 last sale
    assert usd("50.00") < lowest <= usd("89.50")
    elected = [e.order_id for e in events if isinstance(e, StopElected)]
    assert elected == [protective, reckless]
    collared_out = [
        e.order_id
        for e in events
        if isinstance(e, OrderCancelled) and e.reason is CancelReason.OUTSIDE_PRICE_COLLAR
    ]
    assert collared_out == [reckless]
    assert protective in m.venue.orders and reckless not in m.venue.orders
