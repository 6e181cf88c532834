"""Deferred settlement: credit instead of balances, obligations per fill, netting at end of day."""

from __future__ import annotations

from collections import defaultdict

from risk_support import BUY, FIRM, PRICE, SECOND, SELL, XYZ, RiskMarket, rejection

from orders_support import bare, kinds, refusal, usd
from seawall import Venue, VenueConfig
from seawall.core.commands import Deposit, EndOfDay, Replace, ReportTrade, Withdraw
from seawall.core.events import (
    CancelReason,
    Obligation,
    OrderCancelled,
    RejectReason,
    SettlementBatch,
    Trade,
)
from seawall.core.ledger import fee_charged
from seawall.core.types import SettlementMode

R = RejectReason
LIMIT = usd("1,000,000")
DEFERRED = VenueConfig(settlement=SettlementMode.DEFERRED)


def market(config: VenueConfig = DEFERRED) -> RiskMarket:
    """A deferred venue where A1, C and M trade under credit limits and hold nothing."""
    m = RiskMarket(config)
    for account in ("A1", "C", "M"):
        m.limits(account, credit_limit=LIMIT)
    return m


def held(venue: Venue) -> dict[str, int]:
    """Every asset's balances (available + reserved, negative ones included) plus obligations."""
    total: dict[str, int] = defaultdict(int)
    for account in venue.accounts.values():
        for holdings in (account.cash, account.positions):
            for asset, balance in holdings.items():
                total[asset] += balance.available + balance.reserved
    for (_, asset), amount in venue.matcher.obligations.items():
        total[asset] += amount
    return {asset: amount for asset, amount in total.items() if amount}


def conserved(venue: Venue) -> None:
    supply = {asset: amount for asset, amount in venue.supply.items() if amount}
    assert held(venue) == supply


def test_the_risk_layer_runs_from_the_start_and_every_order_needs_a_credit_limit() -> None:
    m = RiskMarket(DEFERRED)
    assert m.venue.export_state().risk is not None
    m.limits("A1")  # no limits: A1's scope exists, still without credit
    before = m.frozen()
    events = m.buy("A1", 1, PRICE)
    assert rejection(events).reason is R.NO_CREDIT_LIMIT and len(events) == 1
    assert m.frozen() == before
    m.limits("F", FIRM, credit_limit=LIMIT)  # a firm's limit covers its accounts
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]
    assert kinds(m.buy("B", 1, PRICE)) == ["OrderAccepted"]
    assert refusal(m.buy("C", 1, PRICE)) is R.NO_CREDIT_LIMIT
    assert refusal(m.buy("D", 1, PRICE)) is R.NO_CREDIT_LIMIT


def test_orders_reserve_nothing_and_are_held_to_the_credit_limit() -> None:
    m = market()
    m.rest("A1", BUY, 9_000, PRICE)
    m.rest("C", SELL, 9_000, usd("101.00"))  # a short sale with nothing held
    for account in ("A1", "C"):
        holdings = m.venue.accounts[account]
        assert all(b.reserved == 0 for b in (*holdings.cash.values(), *holdings.positions.values()))
    assert refusal(m.buy("A1", 1_001, PRICE)) is R.CREDIT_LIMIT_EXCEEDED


def test_a_fill_records_obligations_and_moves_nothing() -> None:
    m = market(VenueConfig(settlement=SettlementMode.DEFERRED, maker_fee_bps=10, taker_fee_bps=20))
    m.rest("C", SELL, 10, PRICE)  # the maker
    events = m.buy("A1", 10, PRICE)  # the taker
    cash = 10 * PRICE
    buy_fee, sell_fee = fee_charged(cash, 20), fee_charged(cash, 10)
    trade = events[1]
    assert isinstance(trade, Trade)
    assert (trade.cash, trade.buy_fee, trade.sell_fee) == (cash, buy_fee, sell_fee)
    assert m.venue.matcher.obligations == {
        ("A1", "USD"): -cash - buy_fee,
        ("A1", XYZ): 10,
        ("C", "USD"): cash - sell_fee,
        ("C", XYZ): -10,
        ("venue-fees", "USD"): buy_fee + sell_fee,
    }
    for account in ("A1", "C", "venue-fees"):
        holdings = m.venue.accounts[account]
        assert all(b.total == 0 for b in (*holdings.cash.values(), *holdings.positions.values()))
    conserved(m.venue)


def test_end_of_day_settles_net_and_reports_shortfalls() -> None:
    m = market()
    m.do(Deposit("operator", "A1", "USD", usd("50.00")))
    m.do(Deposit("operator", "C", XYZ, 10))
    m.rest("C", SELL, 10, PRICE)
    m.buy("A1", 10, PRICE)  # A1 owes $1,000, C owes 10 XYZ
    m.rest("C", BUY, 10, usd("101.00"))
    m.sell("A1", 10, usd("101.00"))  # and back: A1 is owed $1,010 and owes 10 XYZ
    assert m.venue.matcher.obligations == {("A1", "USD"): usd("10.00"), ("C", "USD"): -usd("10.00")}
    conserved(m.venue)
    events = m.do(EndOfDay("operator"))
    assert bare(events) == [
        SettlementBatch(
            0,
            0,
            [Obligation("A1", "USD", usd("10.00")), Obligation("C", "USD", -usd("10.00"))],
            [Obligation("C", "USD", -usd("10.00"))],  # C had no cash at all
        )
    ]
    assert m.venue.matcher.obligations == {}
    assert m.venue.accounts["A1"].cash["USD"].available == usd("60.00")
    assert m.venue.accounts["C"].cash["USD"].available == -usd("10.00")
    assert m.venue.accounts["C"].positions[XYZ].available == 10  # delivered and received back
    conserved(m.venue)


def test_a_settlement_fail_blocks_new_orders_until_every_negative_balance_is_cured() -> None:
    m = market()
    m.rest("C", SELL, 10, PRICE)
    m.buy("A1", 10, PRICE)
    m.do(EndOfDay("operator"))
    # A1 is short $1,000 and C is short 10 XYZ; each is refused until it pays in full.
    before = m.frozen()
    events = m.buy("A1", 1, PRICE)
    assert rejection(events).reason is R.SETTLEMENT_FAIL and len(events) == 1
    assert m.frozen() == before
    assert refusal(m.sell("C", 1, PRICE)) is R.SETTLEMENT_FAIL
    m.do(Deposit("operator", "A1", "USD", usd("999.99")))
    assert refusal(m.buy("A1", 1, PRICE)) is R.SETTLEMENT_FAIL
    # A withdrawal cannot take a balance below zero, nor below what it already is.
    assert refusal(m.do(Withdraw("operator", "A1", "USD", 1))) is R.INSUFFICIENT_CASH
    m.do(Deposit("operator", "A1", "USD", usd("0.01")))
    assert kinds(m.buy("A1", 1, PRICE)) == ["OrderAccepted"]
    m.do(Deposit("operator", "C", XYZ, 10))
    assert kinds(m.sell("C", 1, usd("101.00"))) == ["OrderAccepted"]
    conserved(m.venue)


def test_a_later_settlement_that_delivers_what_was_missing_cures_the_fail() -> None:
    """A failing account may still be party to a reported trade; when the next batch settles
    it back to no negative balance, the fail is over as surely as after a deposit."""
    m = market()
    m.rest("C", SELL, 10, PRICE)
    m.buy("A1", 10, PRICE)
    m.do(EndOfDay("operator"))  # A1 is short $1,000, C short 10 XYZ
    assert refusal(m.buy("A1", 1, PRICE)) is R.SETTLEMENT_FAIL
    m.do(ReportTrade("operator", XYZ, "C", "A1", PRICE, 10))  # the trade undone off the book
    m.do(EndOfDay("operator"))
    assert m.venue.risk.failing == set()
    assert kinds(m.buy("A1", 1, usd("90.00"))) == ["OrderAccepted"]
    assert kinds(m.sell("C", 1, usd("110.00"))) == ["OrderAccepted"]
    conserved(m.venue)


def test_an_account_that_fails_to_settle_loses_its_open_orders_and_cannot_trade() -> None:
    """A failing account's resting orders would otherwise keep trading on promises it broke."""
    m = market()
    m.rest("C", SELL, 10, PRICE)
    m.buy("A1", 10, PRICE)  # A1 will be short of cash
    bid = m.rest("A1", BUY, 10, usd("90.00"))
    other = m.rest("M", BUY, 10, usd("90.00"))
    events = m.do(EndOfDay("operator"))
    assert [(e.order_id, e.reason) for e in events if isinstance(e, OrderCancelled)] == [
        (bid, CancelReason.SETTLEMENT_FAIL)
    ]
    assert other in m.venue.orders
    assert refusal(m.buy("A1", 10, usd("90.00"))) is R.SETTLEMENT_FAIL
    assert refusal(m.do(Replace("alice", bid, 500, usd("90.00")))) is R.UNKNOWN_ORDER


def test_end_of_day_keeps_the_credit_used_by_open_orders_only() -> None:
    m = market()
    m.rest("C", SELL, 3_000, PRICE)
    m.buy("A1", 3_000, PRICE)  # $300k executed
    m.rest("A1", BUY, 5_000, usd("90.00"))  # $450k open
    scope = m.scope("A1")
    assert (scope.open_notional, scope.executed) == (usd("450,000"), usd("300,000"))
    assert refusal(m.buy("A1", 3_000, usd("90.00"))) is R.CREDIT_LIMIT_EXCEEDED  # and killed
    m.kill("A1", engage=False)
    m.rest("A1", BUY, 5_000, usd("90.00"))
    m.do(Deposit("operator", "A1", "USD", usd("300,000")))
    m.do(Deposit("operator", "C", XYZ, 3_000))
    m.do(EndOfDay("operator"))
    assert (scope.open_notional, scope.executed) == (usd("450,000"), 0)
    assert kinds(m.buy("A1", 5_000, usd("90.00"))) == ["OrderAccepted", "RiskWarning"]


def test_a_reported_trade_records_obligations_and_counts_as_a_position() -> None:
    m = market()
    events = m.do(ReportTrade("operator", XYZ, "A1", "C", PRICE, 100))
    assert kinds(events) == ["Trade"]
    assert m.venue.matcher.obligations == {
        ("A1", "USD"): -100 * PRICE,
        ("A1", XYZ): 100,
        ("C", "USD"): 100 * PRICE,
        ("C", XYZ): -100,
    }
    assert m.scope("A1").executed == m.scope("C").executed == 100 * PRICE
    conserved(m.venue)


def test_end_of_day_under_rtgs_settles_nothing_and_restarts_the_risk_day() -> None:
    m = RiskMarket()
    m.limits("A1", credit_limit=LIMIT, max_executions=1, execution_window_ns=100 * SECOND)
    m.rest("M", SELL, 2_000, PRICE)
    m.buy("A1", 1_000, PRICE)
    assert refusal(m.buy("A1", 1, usd("90.00"))) is R.EXECUTION_RATE_EXCEEDED
    events = m.do(EndOfDay("operator"))
    assert bare(events) == [SettlementBatch(0, 0, [], [])]
    assert m.scope("A1").executed == 0
    assert kinds(m.buy("A1", 1_000, PRICE)) == ["OrderAccepted", "Trade"]
    conserved(m.venue)
