"""The two incidents of SCENARIOS.md, replayed against each control that would have stopped them.

20 Aug 2013: a misconfigured options system sends $1.00 placeholder sell
orders in series whose symbols begin with I to K, from 09:30, into resting
bids well above $1. It is stopped (i) by a price collar against each
series' own reference, (ii) by a real-time capital threshold with its kill
switch, (iii) under RTGS with no risk limits at all, by the contracts it
does not hold.

1 Aug 2012: a router keeps sending child orders for parents already filled.
It is stopped by the parent/child check, by an automated gross-exposure
threshold, and by RTGS funding; each allows a different amount of damage.

Every expected count is derived here from the parameters and the rules,
never taken from a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from risk_support import BUY, FIRM, SELL, Holder, RiskMarket, utc_ns

from orders_support import refusal, usd
from seawall import Instrument, Side
from seawall.core.commands import DeclareParent, Deposit, NewOrder, RiskLimits
from seawall.core.events import (
    Event,
    KillSwitchChanged,
    OrderAccepted,
    RejectReason,
    RiskWarning,
    Trade,
)
from seawall.core.types import BPS, AssetClass

R = RejectReason
MULTIPLIER = 100

# ---------------------------------------------------------------------------- 20 Aug 2013

OPEN_2013 = utc_ns(2013, 8, 20, 13, 30)  # 09:30 EDT
SECOND = 1_000_000_000
PLACEHOLDER = usd("1.00")


@dataclass(frozen=True)
class Series:
    symbol: str
    reference: int  # prior close: the collar's reference before the first trade
    bid: int  # where the resting bids wait, well above the $1 placeholder


BID = usd("3.00")
SERIES = (
    Series("IBM 130920C00190000", usd("3.20"), BID),
    Series("JPM 130920P00050000", usd("3.10"), BID),
    Series("KO 130920C00037000", usd("3.05"), BID),
)
LOT = 10  # contracts per runaway order
BID_DEPTH = 50_000  # contracts bid in every series: more than any control lets through
RUNAWAY = Holder("runaway", "OPTS", "OPTFIRM")
MAKER = Holder("maker", "MM")


def options_market(runaway_holds: int) -> RiskMarket:
    listings = [
        (Instrument(s.symbol, asset_class=AssetClass.OPTION, multiplier=MULTIPLIER), s.reference)
        for s in SERIES
    ]
    m = RiskMarket(
        holders=(RUNAWAY, MAKER), listings=listings, cash=0, units=0, start=OPEN_2013 - SECOND
    )
    for s in SERIES:
        m.do(Deposit("operator", "MM", "USD", BID_DEPTH * s.bid * MULTIPLIER))
        m.rest("MM", BUY, BID_DEPTH, s.bid, symbol=s.symbol)
        m.do(Deposit("operator", "OPTS", s.symbol, runaway_holds))
    return m


def flood(m: RiskMarket, orders: int) -> list[list[Event]]:
    """Placeholder sells, round robin over the series, from 09:30 one millisecond apart."""
    results = []
    for n in range(orders):
        series = SERIES[n % len(SERIES)]
        command = NewOrder("runaway", "OPTS", series.symbol, SELL, LOT, PLACEHOLDER)
        results.append(m.do(command, OPEN_2013 + n * 1_000_000))
    return results


def contracts_sold(m: RiskMarket, holds: int) -> int:
    """From the runaway's balances: what it held less what it holds now."""
    account = m.venue.accounts["OPTS"]
    return sum(holds - account.positions[s.symbol].total for s in SERIES)


def filled(results: list[list[Event]]) -> int:
    return sum(e.qty for events in results for e in events if isinstance(e, Trade))


def test_2013_the_collar_stops_the_runaway_before_a_single_contract() -> None:
    holds = BID_DEPTH
    m = options_market(holds)
    collar = 1_000  # 10% either side of each series' own reference, at any hour
    m.limits("OPTS", collar_bps=collar, extended_collar_bps=collar)
    for s in SERIES:  # $1 is below every series' lowest allowed sell
        assert s.reference - s.reference * collar // BPS > PLACEHOLDER
    results = flood(m, 300)
    assert [refusal(events) for events in results] == [R.OUTSIDE_PRICE_COLLAR] * 300
    assert filled(results) == contracts_sold(m, holds) == 0


def test_2013_the_capital_threshold_and_its_kill_switch_stop_the_runaway() -> None:
    limit = usd("1,000,000")
    holds = BID_DEPTH  # the runaway holds enough contracts: only the threshold binds
    m = options_market(holds)
    m.limits("OPTFIRM", FIRM, credit_limit=limit)
    # Each order enters at its $1 limit (LOT × $1 × 100 of open notional) and fills against
    # a bid, becoming a short position marked at that bid: LOT × $3 × 100 of exposure.
    entry = LOT * PLACEHOLDER * MULTIPLIER
    per_order = LOT * BID * MULTIPLIER
    # Order k (from 0) enters while k × per_order + entry <= limit.
    orders = (limit - entry) // per_order + 1
    contracts = orders * LOT
    # About the limit over the notional of one contract sold, in whole orders.
    assert abs(contracts - limit // (BID * MULTIPLIER)) < LOT
    killed_by_fill = orders * per_order >= limit  # the last fill reaches 100%
    warn_order = -(-limit * 7_500 // BPS // per_order)  # the fill that reaches 75%
    results = flood(m, orders + 30)
    assert filled(results) == contracts_sold(m, holds) == contracts
    assert all(isinstance(events[0], OrderAccepted) for events in results[:orders])
    refusals = [refusal(events) for events in results[orders:]]
    first = R.KILL_SWITCH_ENGAGED if killed_by_fill else R.CREDIT_LIMIT_EXCEEDED
    assert refusals == [first] + [R.KILL_SWITCH_ENGAGED] * 29
    kills = [e for events in results for e in events if isinstance(e, KillSwitchChanged)]
    assert [(k.scope, k.target, k.engaged) for k in kills] == [(FIRM, "OPTFIRM", True)]
    kill_order = orders if killed_by_fill else orders + 1
    assert any(isinstance(e, KillSwitchChanged) for e in results[kill_order - 1])
    warned = [n for n, events in enumerate(results, 1) if has(events, RiskWarning)]
    assert warned == [warn_order]  # once, on the fill that reaches 75%
    assert m.firm("OPTFIRM").exposure == orders * per_order
    assert not m.open_ids("OPTS")


def no_limits_set(m: RiskMarket) -> bool:
    risk = m.venue.risk
    return all(s.limits == RiskLimits() for s in (*risk.accounts.values(), *risk.firms.values()))


def has(events: list[Event], kind: type) -> bool:
    return any(isinstance(e, kind) for e in events)


def test_2013_under_rtgs_the_runaway_can_sell_only_what_it_holds() -> None:
    holds = 125  # contracts of each series; orders are for 10, so 120 of each can go
    m = options_market(holds)
    per_series = holds // LOT  # orders each series' holdings cover
    results = flood(m, 300)
    accepted = per_series * len(SERIES)  # round robin: the first ones, then none
    outcomes = [refusal(events) for events in results]
    assert outcomes == [None] * accepted + [R.INSUFFICIENT_SECURITIES] * (300 - accepted)
    assert filled(results) == contracts_sold(m, holds) == per_series * LOT * len(SERIES)
    assert no_limits_set(m)  # funding alone stopped it


# ---------------------------------------------------------------------------- 1 Aug 2012


@dataclass(frozen=True)
class Stock:
    symbol: str
    price: int
    side: Side  # what the router's children do in it (it went long some, short others)


STOCKS = (Stock("ALPHA", usd("20.00"), BUY), Stock("BRAVO", usd("50.00"), SELL))
PARENT_QTY = 1_000
CHILD_QTY = 100
CHILDREN = 40  # children sent per parent: four times what each parent called for
ROUTER = Holder("router", "RT", "BROKER")
STREET = Holder("street", "ST")


def equities_market(cash: int, shares: int) -> RiskMarket:
    """The router's account holds ``cash`` and ``shares`` of BRAVO; the street quotes enough
    on the other side for every child to fill at its limit."""
    listings = [(Instrument(s.symbol), s.price) for s in STOCKS]
    m = RiskMarket(
        holders=(ROUTER, STREET), listings=listings, cash=0, units=0,
        start=utc_ns(2012, 8, 1, 13, 30),
    )  # fmt: skip
    m.do(Deposit("operator", "RT", "USD", cash))
    m.do(Deposit("operator", "RT", "BRAVO", shares))
    depth = CHILDREN * CHILD_QTY
    for s in STOCKS:
        if s.side is BUY:
            m.do(Deposit("operator", "ST", s.symbol, depth))
        else:
            m.do(Deposit("operator", "ST", "USD", depth * s.price))
        m.rest("ST", SELL if s.side is BUY else BUY, depth, s.price, symbol=s.symbol)
    return m


def route(m: RiskMarket, tag: bool) -> list[list[Event]]:
    """The runaway router: child after child for each parent, round robin over the stocks."""
    results = []
    for _ in range(CHILDREN):
        for s in STOCKS:
            parent = f"P-{s.symbol}" if tag else ""
            command = NewOrder(
                "router", "RT", s.symbol, s.side, CHILD_QTY, s.price, parent_order_id=parent
            )
            results.append(m.do(command))
    return results


def damage(results: list[list[Event]]) -> dict[str, int]:
    """Shares executed per stock: what the runaway router did."""
    done = dict.fromkeys((s.symbol for s in STOCKS), 0)
    for events in results:
        for e in events:
            if isinstance(e, Trade):
                done[e.instrument] += e.qty
    return done


def test_2012_the_parent_child_check_blocks_every_child_beyond_its_parent() -> None:
    m = equities_market(cash=usd("100,000,000"), shares=10**6)
    for s in STOCKS:
        m.do(DeclareParent("router", "RT", f"P-{s.symbol}", s.symbol, s.side, PARENT_QTY))
    results = route(m, tag=True)
    allowed = PARENT_QTY // CHILD_QTY * len(STOCKS)  # round robin: the first ones
    outcomes = [refusal(events) for events in results]
    assert outcomes == [None] * allowed + [R.PARENT_QUANTITY_EXCEEDED] * (len(results) - allowed)
    assert damage(results) == {s.symbol: PARENT_QTY for s in STOCKS}  # what the parents asked


def test_2012_a_gross_exposure_threshold_stops_the_router_and_kills_it() -> None:
    limit = usd("200,000")
    m = equities_market(cash=usd("100,000,000"), shares=10**6)
    m.limits("BROKER", FIRM, credit_limit=limit)
    # Children fill at their limits, so each adds its notional to gross exposure, long or
    # short alike: $2,000 for ALPHA, $5,000 for BRAVO, $7,000 per round.
    alpha, bravo = (CHILD_QTY * s.price for s in STOCKS)
    rounds, rest = divmod(limit, alpha + bravo)
    accepted = 2 * rounds + (1 if rest >= alpha else 0)  # bravo never fits in the rest
    exposure = rounds * (alpha + bravo) + (alpha if rest >= alpha else 0)
    results = route(m, tag=False)
    outcomes = [refusal(events) for events in results]
    first = R.KILL_SWITCH_ENGAGED if exposure == limit else R.CREDIT_LIMIT_EXCEEDED
    assert outcomes == [None] * accepted + [first] + [R.KILL_SWITCH_ENGAGED] * (
        len(results) - accepted - 1
    )
    assert damage(results) == {
        "ALPHA": (rounds + (1 if rest >= alpha else 0)) * CHILD_QTY,
        "BRAVO": rounds * CHILD_QTY,
    }
    assert m.firm("BROKER").exposure == exposure and m.firm("BROKER").killed


def test_2012_rtgs_funding_stops_each_side_when_its_cash_or_shares_run_out() -> None:
    cash = usd("10,000")
    shares = 550
    m = equities_market(cash=cash, shares=shares)
    alpha, bravo = (CHILD_QTY * s.price for s in STOCKS)
    # A sell holds its shares and delivers them on its fill: it stops when they run out.
    sells = shares // CHILD_QTY
    # A buy holds its notional and pays it on its fill. Each round the buy comes first, then
    # the sell, whose proceeds pay for later buys: after the sells stop, the cash left buys
    # what it can.
    assert cash >= alpha  # the first round's buy is paid for
    buys = sells + min(CHILDREN - sells, (cash + sells * (bravo - alpha)) // alpha)
    results = route(m, tag=False)
    outcomes = {
        s.symbol: [refusal(r) for r in results[i :: len(STOCKS)]] for i, s in enumerate(STOCKS)
    }
    assert outcomes["ALPHA"] == [None] * buys + [R.INSUFFICIENT_CASH] * (CHILDREN - buys)
    assert outcomes["BRAVO"] == [None] * sells + [R.INSUFFICIENT_SECURITIES] * (CHILDREN - sells)
    assert damage(results) == {"ALPHA": buys * CHILD_QTY, "BRAVO": sells * CHILD_QTY}
    assert no_limits_set(m)  # funding alone stopped it
