"""Real-time gross settlement: funded orders, delivery versus payment, fees, borrows."""

from __future__ import annotations

from core_support import CASH, SHARES, SYMBOL, Market

from orders_support import bare, kinds, usd
from seawall import Side, VenueConfig
from seawall.core.commands import Borrow, Cancel, Deposit, ReturnBorrow, Withdraw
from seawall.core.events import Rejected, RejectReason, Trade, Transfer, TransferKind


def test_a_buy_reserves_its_full_notional_and_a_cancel_releases_it() -> None:
    m = Market()
    m.buy("alice", 100, "10.00")
    assert m.cash("A") == (CASH - 100 * usd("10.00"), 100 * usd("10.00"))
    m.do(Cancel("alice", 1))
    assert m.cash("A") == (CASH, 0)


def test_a_sell_reserves_the_securities() -> None:
    m = Market()
    m.sell("bob", 300, "10.00")
    assert m.shares("B") == (SHARES - 300, 300)


def test_a_fill_moves_cash_against_securities_in_the_same_step() -> None:
    m = Market()
    m.sell("bob", 100, "10.00")
    m.buy("alice", 100, "10.00")
    assert m.cash("A") == (CASH - 100 * usd("10.00"), 0)
    assert m.shares("A") == (SHARES + 100, 0)
    assert m.cash("B") == (CASH + 100 * usd("10.00"), 0)
    assert m.shares("B") == (SHARES - 100, 0)


def test_a_seller_that_runs_out_of_shares_is_stopped_cold() -> None:
    m = Market()
    m.buy("alice", 100_000, "10.00")
    accepted = 0
    for _ in range(20):
        events = m.sell("bob", 1_000, "10.00")
        if isinstance(events[0], Rejected):
            assert events[0].reason is RejectReason.INSUFFICIENT_SECURITIES
            break
        accepted += 1
    assert accepted == SHARES // 1_000
    assert m.shares("B") == (0, 0)


def test_a_buyer_without_the_cash_is_rejected_with_what_was_missing() -> None:
    m = Market(fund=False)
    m.do(Deposit("operator", "A", "USD", 500 * usd("1.00")))
    events = m.buy("alice", 100, "10.00")
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INSUFFICIENT_CASH
    assert "needs 1000.0000 USD; 500.0000 is available" in events[0].text
    assert m.cash("A") == (500 * usd("1.00"), 0)


def test_fees_are_charged_per_side_and_paid_to_the_venue() -> None:
    m = Market(config=VenueConfig(maker_fee_bps=10, taker_fee_bps=30))
    m.sell("bob", 100, "10.00")  # maker
    assert m.shares("B")[1] == 100
    events = m.buy("alice", 100, "10.00")  # taker
    notional = 100 * usd("10.00")
    trade = events[1]
    assert isinstance(trade, Trade)
    assert (trade.cash, trade.buy_fee, trade.sell_fee) == (notional, notional * 30 // 10_000,
                                                           notional * 10 // 10_000)  # fmt: skip
    assert m.cash("A") == (CASH - notional - trade.buy_fee, 0)
    assert m.cash("B") == (CASH + notional - trade.sell_fee, 0)
    fees = m.venue.accounts["venue-fees"].cash["USD"]
    assert fees.available == trade.buy_fee + trade.sell_fee


def test_a_buy_reserves_the_larger_fee_rounded_up_and_gets_the_rest_back() -> None:
    m = Market(config=VenueConfig(maker_fee_bps=1, taker_fee_bps=3))
    m.buy("alice", 7, "0.03")  # notional 2,100 units; 3 bps = 0.63 -> reserve 1
    assert m.cash("A") == (CASH - 2_101, 2_101)
    m.sell("bob", 7, "0.03")  # alice is the maker: 1 bp of 2,100 = 0.21 -> charged 0
    assert m.cash("A") == (CASH - 2_100, 0)


def test_deposits_and_withdrawals_are_operator_transfers_and_never_touch_reserves() -> None:
    m = Market()
    m.buy("alice", 100, "10.00")
    events = m.do(Withdraw("operator", "A", "USD", CASH))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INSUFFICIENT_CASH
    free = CASH - 100 * usd("10.00")
    assert bare(m.do(Withdraw("operator", "A", "USD", free))) == [
        Transfer(0, 0, TransferKind.WITHDRAW, "A", "USD", free)
    ]
    assert m.cash("A") == (0, 100 * usd("10.00"))
    assert m.venue.supply["USD"] == 3 * CASH - free


def test_a_short_sale_needs_a_borrow_and_the_loan_is_recorded_on_both_sides() -> None:
    m = Market(fund=False)
    m.do(Deposit("operator", "C", SYMBOL, 500))  # carol lends
    refused = m.sell("alice", 200, "10.00")
    assert isinstance(refused[0], Rejected)
    assert refused[0].reason is RejectReason.INSUFFICIENT_SECURITIES
    assert bare(m.do(Borrow("operator", "A", "C", SYMBOL, 200))) == [
        Transfer(0, 0, TransferKind.BORROW, "A", SYMBOL, 200, "C")
    ]
    assert kinds(m.sell("alice", 200, "10.00")) == ["OrderAccepted"]
    alice = m.venue.accounts["A"].positions[SYMBOL]
    carol = m.venue.accounts["C"].positions[SYMBOL]
    assert (alice.reserved, alice.borrowed, carol.available, carol.lent) == (200, 200, 300, 200)
    m.do(Cancel("alice", 2))
    assert kinds(m.do(ReturnBorrow("operator", "A", "C", SYMBOL, 200))) == ["Transfer"]
    assert (alice.total, alice.borrowed, carol.available, carol.lent) == (0, 0, 500, 0)
    assert m.venue.loans == {}


def test_returning_more_than_was_borrowed_is_refused() -> None:
    m = Market()
    m.do(Borrow("operator", "A", "C", SYMBOL, 10))
    events = m.do(ReturnBorrow("operator", "A", "C", SYMBOL, 11))
    assert isinstance(events[0], Rejected)
    assert events[0].reason is RejectReason.INSUFFICIENT_BORROW


def test_options_settle_with_their_multiplier() -> None:
    from seawall import Instrument
    from seawall.core.types import AssetClass

    option = Instrument("XYZ", asset_class=AssetClass.OPTION, multiplier=100)
    m = Market(instrument=option, reference_price=usd("1.00"))
    m.sell("bob", 3, "1.25")
    m.order("alice", Side.BUY, 3, "1.25")
    assert m.cash("A") == (CASH - 3 * 100 * usd("1.25"), 0)


def test_a_reserve_price_holds_cash_for_the_higher_price_and_caps_moves() -> None:
    from seawall.core.commands import Replace

    m = Market()
    m.buy("alice", 100, "9.90", reserve_price=usd("10.00"))
    held = 100 * usd("10.00")
    assert m.cash("A") == (CASH - held, held)
    # moving up to the reserve price needs no new cash: the order already holds it
    assert kinds(m.do(Replace("alice", 1, 100, usd("10.00")))) == ["OrderReplaced"]
    assert m.cash("A") == (CASH - held, held)
    above = m.do(Replace("alice", 1, 100, usd("10.01")))
    assert isinstance(above[0], Rejected)
    assert above[0].reason is RejectReason.ABOVE_RESERVE_PRICE
    # a partial fill releases the hold of what filled; the rest stays held at the reserve
    m.sell("bob", 40, "10.00")
    assert m.cash("A") == (CASH - 40 * usd("10.00") - 60 * usd("10.00"), 60 * usd("10.00"))
    m.do(Replace("alice", 1, 100, usd("9.50")))  # moving down keeps the reserve hold
    assert m.cash("A")[1] == 60 * usd("10.00")
    m.do(Cancel("alice", 1))
    assert m.cash("A") == (CASH - 40 * usd("10.00"), 0)


def test_a_reserve_price_must_be_a_buy_limit_at_or_above_the_limit_on_the_tick() -> None:
    m = Market()
    for fields in (
        {"side": Side.SELL, "reserve_price": usd("10.00")},
        {"reserve_price": usd("9.00")},  # below the limit
        {"reserve_price": 100_050},  # off the tick
    ):
        side = fields.pop("side", Side.BUY)
        events = m.order("alice", side, 10, "9.50", **fields)  # type: ignore[arg-type]
        assert isinstance(events[0], Rejected)
        assert events[0].reason in (RejectReason.INVALID_PRICE, RejectReason.OFF_TICK)
    assert m.cash("A") == (CASH, 0)


def test_a_reported_trade_settles_off_the_book_and_touches_no_order() -> None:
    from seawall.core.commands import ReportTrade

    m = Market()
    m.buy("alice", 10, "9.99")
    m.sell("bob", 10, "10.01")
    before = m.depth()
    events = m.do(ReportTrade("operator", SYMBOL, "C", "B", usd("10.00"), 7, Side.SELL))
    assert bare(events) == [
        Trade(0, 0, 1, SYMBOL, usd("10.00"), 7, Side.SELL, 0, 0, "C", "B", 0, 0, 7 * usd("10.00"),
              0, 0)
    ]  # fmt: skip
    assert m.depth() == before
    assert m.cash("C") == (CASH - 7 * usd("10.00"), 0)
    assert m.shares("C") == (SHARES + 7, 0)
    assert m.shares("B") == (SHARES - 17, 10)
    assert m.venue.books[SYMBOL].last_price == usd("10.00")
