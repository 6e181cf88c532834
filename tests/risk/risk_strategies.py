"""Hypothesis strategies: random command streams for the risk layer's property tests.

The style follows ``tests/property/strategies.py``, and the machinery that
runs a stream is shared with it (``tests/stream_support.py``): a stream is drawn as
*specs* resolved against a shadow venue, so that a cancel or a replace names
"the k-th most recent open order" and still aims at a live order after
shrinking. Streams here add what the risk layer needs: accounts in two firms
(and one in none), an option with multiplier 100, risk limits set and
changed mid-stream, kill switches, parents and their children, cancel on
disconnect, reported trades, auctions and the end of the day, under RTGS or
deferred settlement. Timestamps start 50 ms before the 09:30 open in New
York and advance 1 ms per command, so the collar changes session mid-stream
and the throttle and duplicate windows (a few ms) both fill and expire.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st
from risk_support import EQUITY, OPT, OPTION, XYZ, utc_ns

from orders_support import DOLLAR, OPERATOR
from seawall import OrderType, SelfTradePrevention, Side, TimeInForce, TradingState, Venue
from seawall.core.commands import (
    Cancel,
    CancelOnDisconnect,
    Command,
    DeclareParent,
    Deposit,
    EndOfDay,
    KillSwitch,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    ReportTrade,
    RiskLimits,
    SetRiskLimits,
    SetTradingState,
    Withdraw,
)
from seawall.core.config import VenueConfig
from seawall.core.types import RiskScope, SettlementMode
from stream_support import Fixed, pick, stream_settings

MS = 1_000_000
START = utc_ns(2024, 7, 10, 13, 29, 59) + 950 * MS  # 09:29:59.950 EDT
STEP = MS
MAX_COMMANDS = int(os.environ.get("SEAWALL_RISK_COMMANDS", "70"))
EXAMPLES = int(os.environ.get("SEAWALL_RISK_EXAMPLES", "30"))

RISK_SETTINGS = stream_settings(EXAMPLES)

# (participant, account, firm): firm F1 has three accounts of two traders, F2 two, e1 none.
ACCOUNTS = (
    ("t1", "a1", "F1"),
    ("t1", "a2", "F1"),
    ("t2", "b1", "F1"),
    ("t3", "c1", "F2"),
    ("t4", "d1", "F2"),
    ("t5", "e1", ""),
)
FIRMS = ("F1", "F2")
OWNER = {account: participant for participant, account, _ in ACCOUNTS}
CENTRE = {XYZ: 1_000_000, OPT: 50_000}  # $100.00 and $5.00
LOT = {XYZ: 10, OPT: 1}


@dataclass(frozen=True)
class Scenario:
    config: VenueConfig
    setup_length: int
    commands: tuple[Command, ...]

    @property
    def deferred(self) -> bool:
        return self.config.settlement is SettlementMode.DEFERRED

    def stamped(self) -> list[tuple[Command, int]]:
        return [(command, START + i * STEP) for i, command in enumerate(self.commands)]

    def __repr__(self) -> str:
        lines = [f"Scenario(config={self.config!r}, setup_length={self.setup_length}, commands=["]
        lines += [f"    {command!r}," for command in self.commands]
        return "\n".join([*lines, "])"])


# ---------------------------------------------------------------------------- limits


@st.composite
def risk_limits(draw: st.DrawFn) -> RiskLimits:
    """Limits of every kind, each absent more often than not, sized to bind now and then."""
    messages = draw(st.sampled_from([0, 0, 3, 5]))
    orders = draw(st.sampled_from([0, 0, 2, 4]))
    executions = draw(st.sampled_from([0, 0, 0, 3]))
    return RiskLimits(
        credit_limit=pick(draw, [0, 20_000, 40_000, 80_000, 150_000, 400_000]) * DOLLAR,
        warn_bps=pick(draw, [7_500, 7_500, 5_000, 9_000]),
        kill_on_breach=draw(st.booleans()) or draw(st.booleans()),
        max_order_qty=pick(draw, [0, 0, 0, 100, 250]),
        max_order_notional=pick(draw, [0, 0, 0, 10_000, 25_000]) * DOLLAR,
        collar_bps=pick(draw, [0, 0, 200, 1_000]),
        extended_collar_bps=pick(draw, [0, 0, 500, 1_000]),
        duplicate_window_ns=pick(draw, [0, 0, 3 * MS, 10 * MS, 10 * MS]),
        max_messages=messages,
        message_window_ns=20 * MS if messages else 0,
        max_orders=orders,
        order_window_ns=20 * MS if orders else 0,
        max_executions=executions,
        execution_window_ns=30 * MS if executions else 0,
        restricted=pick(draw, [False] * 24 + [True]),
        restricted_instruments=pick(draw, [()] * 18 + [(OPT,), (XYZ,)]),
    )


def set_limits(draw: st.DrawFn, deferred: bool) -> SetRiskLimits:
    if draw(st.booleans()):
        scope, target = RiskScope.FIRM, pick(draw, FIRMS)
    else:
        scope, target = RiskScope.ACCOUNT, pick(draw, [a for _, a, _ in ACCOUNTS])
    limits = draw(risk_limits())
    if deferred and not limits.credit_limit and draw(st.booleans()):
        limits = RiskLimits(credit_limit=400_000 * DOLLAR)  # deferred trading needs credit
    return SetRiskLimits(OPERATOR, scope, target, limits)


# ---------------------------------------------------------------------------- setup


@st.composite
def setups(draw: st.DrawFn, deferred: bool | None) -> tuple[VenueConfig, list[Command]]:
    if deferred is None:
        deferred = draw(st.integers(0, 2)) == 0
    fees = draw(st.sampled_from([(0, 0), (0, 0), (1, 3)]))
    config = VenueConfig(
        settlement=SettlementMode.DEFERRED if deferred else SettlementMode.RTGS,
        maker_fee_bps=fees[0],
        taker_fee_bps=fees[1],
    )
    commands: list[Command] = [
        ListInstrument(OPERATOR, EQUITY, reference_price=CENTRE[XYZ]),
        ListInstrument(OPERATOR, OPTION, reference_price=CENTRE[OPT]),
    ]
    commands += [RegisterParticipant(OPERATOR, p) for p in dict.fromkeys(p for p, _, _ in ACCOUNTS)]
    for participant, account, firm in ACCOUNTS:
        commands.append(OpenAccount(OPERATOR, account, participant, firm=firm))
        if not deferred or draw(st.booleans()):
            cash = pick(draw, [20_000, 200_000, 2_000_000])
            commands.append(Deposit(OPERATOR, account, "USD", cash * DOLLAR))
            commands.append(Deposit(OPERATOR, account, XYZ, pick(draw, [0, 200, 5_000])))
            commands.append(Deposit(OPERATOR, account, OPT, pick(draw, [0, 20, 500])))
    # Limits from the start (always under deferred settlement, where trading needs them),
    # or none yet: then limits set later in the stream must see the exposure before them.
    if deferred or draw(st.booleans()):
        commands += [set_limits(draw, deferred) for _ in range(draw(st.integers(1, 5)))]
        if deferred:
            commands += [
                SetRiskLimits(OPERATOR, RiskScope.FIRM, firm, RiskLimits(credit_limit=limit))
                for firm, limit in zip(FIRMS, (400_000 * DOLLAR, 150_000 * DOLLAR), strict=True)
            ]
    for _ in range(draw(st.integers(0, 4))):
        commands.append(parent_spec(draw))
    return config, commands


def parent_spec(draw: st.DrawFn) -> DeclareParent:
    _, account, _ = pick(draw, ACCOUNTS)
    parent = pick(draw, sorted(PARENT_WORK))
    symbol, side = PARENT_WORK[parent]
    if draw(st.integers(0, 9)) == 0:  # now and then a resize to the other side: refused
        side = Side.BUY if side is Side.SELL else Side.SELL
    qty = draw(st.integers(1, 60)) * LOT[symbol]
    return DeclareParent(OWNER[account], account, parent, symbol, side, qty)


# ---------------------------------------------------------------------------- stream


class Context:
    """A shadow venue running the stream as it is resolved (see the module docstring)."""

    def __init__(self, config: VenueConfig, setup: list[Command]) -> None:
        self.venue = Venue(config)
        self.commands: list[Command] = []
        for command in setup:
            self.record(command)

    def record(self, command: Command) -> None:
        self.venue.process(command, START + len(self.commands) * STEP)
        self.commands.append(command)

    def open_order(self, ref: int) -> tuple[int, str, str, Side] | None:
        ids = sorted(self.venue.orders)
        if not ids:
            return None
        order = self.venue.orders[ids[max(0, len(ids) - 1 - ref)]]
        return order.order_id, order.participant, order.instrument, order.side


Spec = Callable[[Context], Command]


@dataclass(frozen=True)
class OnOrder:
    """Cancel (``lots`` None) or replace the ``ref``-th most recent open order."""

    ref: int
    lots: int | None
    ticks: int

    def __call__(self, ctx: Context) -> Command:
        target = ctx.open_order(self.ref)
        if target is None:
            return Cancel("t1", 10**6)
        order_id, participant, symbol, side = target
        if self.lots is None:
            return Cancel(participant, order_id)
        price = CENTRE[symbol] + self.ticks * 100 * (-1 if side is Side.BUY else 1)
        return Replace(participant, order_id, self.lots * LOT[symbol], max(price, 100))


@dataclass(frozen=True)
class StateChange:
    """Out of continuous trading into ``state``, or back into it (uncrossing a call)."""

    symbol: str
    state: TradingState

    def __call__(self, ctx: Context) -> Command:
        current = ctx.venue.books[self.symbol].state
        if current is TradingState.CONTINUOUS:
            return SetTradingState(OPERATOR, self.symbol, self.state)
        return SetTradingState(OPERATOR, self.symbol, TradingState.CONTINUOUS)


_SIDES = st.sampled_from((Side.BUY, Side.SELL))
_TIFS = st.sampled_from(
    (TimeInForce.DAY,) * 4 + (TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK)
)
_TYPES = st.sampled_from(
    (OrderType.LIMIT,) * 6 + (OrderType.MARKET, OrderType.STOP, OrderType.STOP_LIMIT)
)
_KINDS = st.sampled_from(
    ("order",) * 8
    + ("quote",) * 6
    + (
        "child",
        "child",
        "child",
        "cancel",
        "cancel",
        "replace",
        "replace",
        "report",
        "limits",
        "limits",
    )
    + ("kill", "parent", "parent", "disconnect", "end_of_day", "funding", "state")
    + ("repeat",) * 6
)
# Each parent works one instrument and side; P3 is never declared.
PARENT_WORK = {"P0": (XYZ, Side.BUY), "P1": (OPT, Side.SELL), "P2": (XYZ, Side.SELL)}


def order_spec(draw: st.DrawFn) -> Spec:
    _, account, _ = pick(draw, ACCOUNTS)
    symbol = pick(draw, (XYZ, OPT))
    side = draw(_SIDES)
    order_type = draw(_TYPES)
    ticks = draw(st.integers(-5, 4))  # positive: passive, negative: aggressive
    price = CENTRE[symbol] + ticks * 100 * (-1 if side is Side.BUY else 1)
    if draw(st.integers(0, 19)) == 0:  # a fat finger, far from the reference
        price = CENTRE[symbol] * pick(draw, [1, 3]) // 2
    stop = CENTRE[symbol] + draw(st.integers(-3, 3)) * 100
    has_limit = order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
    has_stop = order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
    tif = draw(_TIFS)
    if order_type is not OrderType.LIMIT and tif is TimeInForce.FOK:
        tif = TimeInForce.IOC
    return Fixed(
        NewOrder(
            OWNER[account], account, symbol, side, draw(st.integers(1, 30)) * LOT[symbol],
            price=max(price, 100) if has_limit else 0, order_type=order_type, tif=tif,
            stop_price=stop if has_stop else 0,
            stp=pick(draw, (SelfTradePrevention.CANCEL_NEWEST, SelfTradePrevention.ALLOW)),
        )
    )  # fmt: skip


def quote_spec(draw: st.DrawFn) -> Spec:
    """A day limit order on its own side of the centre: liquidity for the others."""
    _, account, _ = pick(draw, ACCOUNTS)
    symbol = pick(draw, (XYZ, OPT))
    side = draw(_SIDES)
    price = CENTRE[symbol] + draw(st.integers(0, 3)) * 100 * (-1 if side is Side.BUY else 1)
    qty = draw(st.integers(1, 30)) * LOT[symbol]
    return Fixed(NewOrder(OWNER[account], account, symbol, side, qty, price))


@dataclass(frozen=True)
class Child:
    """A child order of the ``ref``-th declared parent (or of an undeclared one)."""

    ref: int
    lots: int
    ticks: int
    tif: TimeInForce

    def __call__(self, ctx: Context) -> Command:
        parents = sorted(ctx.venue.risk.parents) if ctx.venue.risk.active else []
        if not parents or self.ref >= 9:
            return NewOrder("t1", "a1", XYZ, Side.BUY, LOT[XYZ], CENTRE[XYZ], parent_order_id="P3")
        account, parent = parents[self.ref % len(parents)]
        symbol, side = PARENT_WORK[parent]
        price = CENTRE[symbol] + self.ticks * 100 * (-1 if side is Side.BUY else 1)
        return NewOrder(
            OWNER[account], account, symbol, side, self.lots * LOT[symbol], max(price, 100),
            tif=self.tif, parent_order_id=parent,
        )  # fmt: skip


@dataclass(frozen=True)
class Repeat:
    """The latest new order sent again, as a runaway system would (duplicates, bursts)."""

    def __call__(self, ctx: Context) -> Command:
        for command in reversed(ctx.commands):
            if isinstance(command, NewOrder):
                return command
        return NewOrder("t1", "a1", XYZ, Side.BUY, LOT[XYZ], CENTRE[XYZ])


def command_spec(draw: st.DrawFn, deferred: bool) -> Spec:
    kind = draw(_KINDS)
    if kind == "repeat":
        return Repeat()
    if kind == "order":
        return order_spec(draw)
    if kind == "quote":
        return quote_spec(draw)
    if kind == "child":
        tif = pick(draw, (TimeInForce.DAY, TimeInForce.DAY, TimeInForce.IOC))
        return Child(
            draw(st.integers(0, 7)), draw(st.integers(1, 20)), draw(st.integers(-3, 3)), tif
        )
    if kind in ("cancel", "replace"):
        lots = draw(st.integers(1, 30)) if kind == "replace" else None
        return OnOrder(draw(st.integers(0, 5)), lots, draw(st.integers(-2, 6)))
    accounts = [a for _, a, _ in ACCOUNTS]
    if kind == "report":
        buyer, seller = draw(
            st.lists(st.sampled_from(accounts), min_size=2, max_size=2, unique=True)
        )
        symbol = pick(draw, (XYZ, OPT))
        price = CENTRE[symbol] + draw(st.integers(-5, 5)) * 100
        qty = draw(st.integers(1, 20)) * LOT[symbol]
        return Fixed(ReportTrade(OPERATOR, symbol, buyer, seller, price, qty))
    if kind == "limits":
        return Fixed(set_limits(draw, deferred))
    if kind == "kill":
        scope = pick(draw, (RiskScope.ACCOUNT, RiskScope.FIRM))
        target = pick(draw, accounts if scope is RiskScope.ACCOUNT else FIRMS)
        return Fixed(KillSwitch(OPERATOR, scope, target, engage=draw(st.booleans())))
    if kind == "parent":
        return Fixed(parent_spec(draw))
    if kind == "disconnect":
        return Fixed(CancelOnDisconnect(pick(draw, sorted(set(OWNER.values())))))
    if kind == "end_of_day":
        return Fixed(EndOfDay(OPERATOR))
    if kind == "funding":
        account = pick(draw, accounts)
        asset = pick(draw, ("USD", XYZ, OPT))
        amount = draw(st.integers(1, 50)) * (10_000 * DOLLAR if asset == "USD" else 10)
        if draw(st.integers(0, 3)) == 0:
            return Fixed(Withdraw(OPERATOR, account, asset, amount))
        return Fixed(Deposit(OPERATOR, account, asset, amount))
    state = pick(draw, (TradingState.AUCTION,) * 4 + (TradingState.CLOSED,))
    return StateChange(pick(draw, (XYZ, OPT)), state)


@st.composite
def scenarios(draw: st.DrawFn, deferred: bool | None = None) -> Scenario:
    """A stream under RTGS or deferred settlement (``deferred`` None: either)."""
    config, setup = draw(setups(deferred))
    deferred = config.settlement is SettlementMode.DEFERRED
    specs = [command_spec(draw, deferred) for _ in range(draw(st.integers(10, MAX_COMMANDS)))]
    ctx = Context(config, setup)
    for spec in specs:
        ctx.record(spec(ctx))
    return Scenario(config, len(setup), tuple(ctx.commands))
