"""Hypothesis strategies: random venues and random command streams for the property tests.

A :class:`Scenario` is a venue configuration, the setup commands that register
traders, open accounts, list two instruments and fund the accounts, and a
stream of trading commands. Streams are drawn as lists of *specs* that are
resolved into concrete commands afterwards: a cancel or replace names "the
k-th most recent open order" rather than an order id, so that deleting
commands while shrinking keeps the remaining ones aimed at sensible targets.
A shadow venue runs the stream while it is resolved, so those targets exist.

Half the scenarios are clean (every command well formed and sent by the right
party), half noisy (some commands malformed, unauthorised or aimed at unknown
ids). ``SEAWALL_PROPERTY_EXAMPLES`` sets the examples per property (200);
``SEAWALL_PROPERTY_SHRINK=1`` minimises failing examples, which is off by
default because it can take minutes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from hypothesis import strategies as st

from seawall import (
    Instrument,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingState,
    Venue,
    VenueConfig,
)
from seawall.core.commands import (
    Borrow,
    Cancel,
    ClockTick,
    Command,
    Deposit,
    ListInstrument,
    MassCancel,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    ReportTrade,
    ReturnBorrow,
    SetTradingState,
    Withdraw,
)
from seawall.core.types import MAX_SUPPLY
from stream_support import Fixed, describe, pick, stream_settings

OPERATOR = "operator"
FEE_ACCOUNT = "venue-fees"
CURRENCY = "USD"
OTHER_CURRENCY = "EUR"
UNKNOWN_PARTICIPANT = "mallory"
UNKNOWN_ACCOUNT = "no-such-account"
UNKNOWN_SYMBOL = "NOPE"
SYMBOLS = ("XYZ", "ABC")
MAX_COMMANDS = 120

EXAMPLES = int(os.environ.get("SEAWALL_PROPERTY_EXAMPLES", "200"))
"""Examples per property; raise it (e.g. to 2000) for a long hunting run."""

SHRINK = os.environ.get("SEAWALL_PROPERTY_SHRINK", "") not in ("", "0")
"""Whether to minimise failing examples. Off by default: shrinking a failing stream can
take minutes, and each failure already names the command that broke the property and
the events it caused. Set ``SEAWALL_PROPERTY_SHRINK=1`` to get a minimal example."""

PROPERTY_SETTINGS = stream_settings(EXAMPLES, shrink=SHRINK)


# ---------------------------------------------------------------------------- scenario


@dataclass(frozen=True)
class Listing:
    """An instrument and the price around which its orders are drawn."""

    instrument: Instrument
    reference_price: int
    state: TradingState
    centre: int

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @property
    def tick(self) -> int:
        return self.instrument.tick_size

    @property
    def lot(self) -> int:
        return self.instrument.lot_size

    def price(self, ticks: int) -> int:
        """The price ``ticks`` ticks from the centre, never below one tick."""
        return max(self.centre + ticks * self.tick, self.tick)

    def passive(self, side: Side, away: int) -> int:
        """The price ``away`` ticks from the centre on ``side``'s own side of the book (below
        it for a bid): a negative ``away`` makes an aggressive order."""
        return self.price(-away if side is Side.BUY else away)


@dataclass(frozen=True)
class Setup:
    config: VenueConfig
    traders: tuple[str, ...]
    owners: tuple[tuple[str, str], ...]  # (account, owning trader)
    listings: tuple[Listing, ...]
    funding: tuple[Deposit, ...]
    noisy: bool  # whether commands are sometimes malformed or aimed at the wrong party

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(account for account, _ in self.owners)

    def owner(self, account: str) -> str:
        return dict(self.owners).get(account, UNKNOWN_PARTICIPANT)

    def listing(self, symbol: str) -> Listing | None:
        for listing in self.listings:
            if listing.symbol == symbol:
                return listing
        return None

    def commands(self) -> list[Command]:
        commands: list[Command] = [RegisterParticipant(OPERATOR, t) for t in self.traders]
        commands += [OpenAccount(OPERATOR, account, owner) for account, owner in self.owners]
        commands += [
            ListInstrument(OPERATOR, listing.instrument, listing.reference_price, listing.state)
            for listing in self.listings
        ]
        commands += self.funding
        return commands


@dataclass(frozen=True)
class Scenario:
    """Everything one property run feeds a venue: config, then commands with their stamps."""

    config: VenueConfig
    setup_length: int
    commands: tuple[Command, ...]
    listings: tuple[Listing, ...] = field(repr=False)

    @property
    def timestamps(self) -> list[int]:
        return [1_000 * (i + 1) for i in range(len(self.commands))]

    def stamped(self) -> list[tuple[Command, int]]:
        return list(zip(self.commands, self.timestamps, strict=True))

    def multiplier(self, symbol: str) -> int:
        for listing in self.listings:
            if listing.symbol == symbol:
                return listing.instrument.multiplier
        raise KeyError(symbol)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # hypothesis's printer
        printer.text(repr(self))

    def __repr__(self) -> str:
        lines = [f"Scenario(config={self.config!r}, setup_length={self.setup_length}, commands=["]
        lines += [f"    {describe(c)}," for c in self.commands]
        lines.append("])")
        return "\n".join(lines)


# ---------------------------------------------------------------------------- setup


@st.composite
def listings(draw: st.DrawFn, symbol: str) -> Listing:
    tick = draw(st.sampled_from([100, 1, 500]))
    lot = draw(st.sampled_from([1, 10]))
    multiplier = draw(st.sampled_from([1, 100]))
    centre = draw(st.sampled_from([1_000_000, 50_000, 25_000_000]))
    centre -= centre % tick
    reference = draw(st.sampled_from([centre, 0, centre + 3 * tick, max(centre - 5 * tick, tick)]))
    state = draw(st.sampled_from([TradingState.CONTINUOUS] * 3 + [TradingState.AUCTION]))
    instrument = Instrument(symbol, tick_size=tick, lot_size=lot, multiplier=multiplier)
    return Listing(instrument, reference, state, centre)


@st.composite
def setups(draw: st.DrawFn) -> Setup:
    if draw(st.booleans()):
        maker = draw(st.sampled_from([0, 1, 2, 10, 100]))
        taker = draw(st.sampled_from([1, 3, 25, 1_000]))
        config = VenueConfig(maker_fee_bps=maker, taker_fee_bps=taker)
    else:
        config = VenueConfig()
    traders = tuple(f"t{i}" for i in range(draw(st.integers(3, 5))))
    owners: list[tuple[str, str]] = []
    for trader in traders:
        owners.append((f"{trader}-a", trader))
        if draw(st.booleans()):
            owners.append((f"{trader}-b", trader))
    chosen = (draw(listings(SYMBOLS[0])), draw(listings(SYMBOLS[1])))
    funding: list[Deposit] = []
    # The most an order can need: 30 lots of either instrument at well above its centre.
    largest = max(
        2 * listing.centre * listing.instrument.multiplier * listing.lot for listing in chosen
    )
    for account, _ in owners:
        # Funding from nothing to plenty, so that some accounts are underfunded.
        orders = draw(st.sampled_from([3_000, 300, 3_000, 30, 0]))
        if orders:
            funding.append(Deposit(OPERATOR, account, CURRENCY, orders * largest))
        for listing in chosen:
            lots = draw(st.sampled_from([4_000, 400, 4_000, 40, 0]))
            if lots:
                funding.append(Deposit(OPERATOR, account, listing.symbol, lots * listing.lot))
    noisy = draw(st.booleans())
    return Setup(config, traders, tuple(owners), chosen, tuple(funding), noisy)


# ---------------------------------------------------------------------------- stream specs


class Context:
    """What resolving a spec may know about the commands before it.

    A shadow venue runs the stream as it is resolved, so that cancels and
    replaces can aim at orders that are actually open. The venues under test
    are separate; this one only steers the generator.
    """

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.venue = Venue(setup.config)
        self.issued: dict[int, tuple[str, str, Side]] = {}  # id -> participant, symbol, side
        self.commands: list[Command] = []
        for command in setup.commands():
            self.record(command)

    def record(self, command: Command) -> None:
        if isinstance(command, NewOrder):
            self.issued[self.venue.next_order_id] = (
                command.participant,
                command.instrument,
                command.side,
            )
        self.commands.append(command)
        self.venue.process(command, 1_000 * len(self.commands))

    def state(self, symbol: str) -> TradingState:
        book = self.venue.books.get(symbol)
        return TradingState.CONTINUOUS if book is None else book.state

    def target(self, ref: int) -> tuple[int, str, str, Side]:
        """(order id, owner, symbol, side) of the ``ref``-th most recent open order (refs below
        10), an order that is likely done (10), the id the next order will take (11), or
        ids never issued (12, 13)."""
        open_ids = sorted(self.venue.orders)
        next_id = self.venue.next_order_id
        if ref < 10 and open_ids:
            order = self.venue.orders[open_ids[max(0, len(open_ids) - 1 - ref)]]
            return order.order_id, order.participant, order.instrument, order.side
        if ref <= 10 and self.issued:
            order_id = max(self.issued) - ref % 3
            unknown = (UNKNOWN_PARTICIPANT, SYMBOLS[0], Side.BUY)
            participant, symbol, side = self.issued.get(order_id, unknown)
            return order_id, participant, symbol, side
        order_id = {11: next_id, 12: 0}.get(ref, 10**6)
        return order_id, UNKNOWN_PARTICIPANT, SYMBOLS[0], Side.BUY


Spec = Callable[[Context], Command]


@dataclass(frozen=True)
class OrderSpec:
    """A new order; in a clean scenario an IOC or FOK order meant for a book in a call
    (where they are refused) becomes ``call_tif`` instead."""

    command: NewOrder
    call_tif: TimeInForce

    def __call__(self, ctx: Context) -> Command:
        command = self.command
        in_call = ctx.state(command.instrument) in (TradingState.AUCTION, TradingState.PAUSED)
        if in_call and not ctx.setup.noisy and command.tif in (TimeInForce.IOC, TimeInForce.FOK):
            return msgspec.structs.replace(command, tif=self.call_tif)
        return command


@dataclass(frozen=True)
class OnOrder:
    """A cancel (``lots`` is None) or a replace of an order chosen by :meth:`Context.target`."""

    ref: int
    actor: str | None  # None: the order's owner
    lots: int | None
    away: int  # the new price's ticks from the centre, see Listing.passive
    skew: int  # added to the price (positive) or quantity (negative) to spoil it; usually 0

    def __call__(self, ctx: Context) -> Command:
        order_id, owner, symbol, side = ctx.target(self.ref)
        participant = self.actor or owner
        if self.lots is None:
            return Cancel(participant, order_id)
        listing = ctx.setup.listing(symbol) or ctx.setup.listings[0]
        qty = self.lots * listing.lot
        price = listing.passive(side, self.away)
        if self.skew > 0:
            price += self.skew
        else:
            qty += self.skew
        return Replace(participant, order_id, qty=qty, price=price)


@dataclass(frozen=True)
class StateChange:
    """A trading-state change that usually ends whatever stopped continuous trading
    (on this instrument by preference), so that streams alternate between calls, halts
    and trading: when an instrument is out of continuous trading, a ``roll`` below 40
    (70 for a halt or a close) sends it back instead of moving to ``state``."""

    participant: str
    symbol: str
    state: TradingState
    roll: int

    def __call__(self, ctx: Context) -> Command:
        stopped = [s for s in SYMBOLS if ctx.state(s) is not TradingState.CONTINUOUS]
        if stopped:
            symbol = self.symbol if self.symbol in stopped else stopped[0]
            halted = ctx.state(symbol) in (TradingState.HALTED, TradingState.CLOSED)
            if self.roll < (70 if halted else 40):
                return SetTradingState(self.participant, symbol, TradingState.CONTINUOUS)
        return SetTradingState(self.participant, self.symbol, self.state)


# Rolls shrink towards 0, so rare choices sit at the top of the range: a shrunk
# example makes as few mistakes as it can.
_PERCENT = st.integers(0, 99)
_SIDES = st.sampled_from((Side.BUY, Side.SELL))
_DAY, _GTC, _IOC, _FOK = TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK
_TIFS = st.sampled_from((_DAY, _GTC, _IOC, _FOK, _DAY, _GTC))
_STPS = st.sampled_from(
    (
        SelfTradePrevention.CANCEL_NEWEST,
        SelfTradePrevention.CANCEL_OLDEST,
        SelfTradePrevention.CANCEL_BOTH,
        SelfTradePrevention.ALLOW,
    )
)
_RESTING_TIFS = st.sampled_from((_DAY, _GTC))
_LIMIT, _MARKET = OrderType.LIMIT, OrderType.MARKET
_ORDER_TYPES = st.sampled_from(
    (_LIMIT, _LIMIT, _LIMIT, _MARKET, OrderType.STOP, OrderType.STOP_LIMIT, _LIMIT)
)
_TICKS = st.integers(-5, 5)
_AWAY = st.integers(-2, 5)
_LOTS = st.integers(1, 30)
_STATES = st.sampled_from(
    (
        TradingState.AUCTION,
        TradingState.HALTED,
        TradingState.PAUSED,
        TradingState.CLOSED,
        TradingState.AUCTION,
        TradingState.HALTED,
        TradingState.CLOSED,
        TradingState.CONTINUOUS,
    )
)
_KINDS = st.sampled_from(
    ("order",) * 8
    + ("quote",) * 4
    + ("cancel",) * 2
    + ("replace",) * 2
    + ("state",) * 3
    + ("mass_cancel", "funding", "loan", "report", "admin")
)


def chance(draw: st.DrawFn, percent: int) -> bool:
    return draw(_PERCENT) >= 100 - percent


def mistake(draw: st.DrawFn, setup: Setup, percent: int) -> bool:
    """Whether to spoil a command: never in a clean scenario."""
    return setup.noisy and chance(draw, percent)


def actor(draw: st.DrawFn, setup: Setup, usual: str) -> str:
    """``usual``, or in a noisy scenario sometimes anyone at all."""
    if mistake(draw, setup, 5):
        return pick(draw, (*setup.traders, OPERATOR, UNKNOWN_PARTICIPANT))
    return usual


def symbol_or_unknown(draw: st.DrawFn, setup: Setup) -> str:
    return UNKNOWN_SYMBOL if mistake(draw, setup, 5) else pick(draw, SYMBOLS)


def new_order_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    account = pick(draw, setup.accounts)
    if mistake(draw, setup, 5):
        account = UNKNOWN_ACCOUNT
    participant = actor(draw, setup, setup.owner(account))
    listing = pick(draw, setup.listings)
    symbol = UNKNOWN_SYMBOL if mistake(draw, setup, 5) else listing.symbol
    side = draw(_SIDES)
    qty = draw(_LOTS) * listing.lot
    if mistake(draw, setup, 3):
        qty = pick(draw, (0, -listing.lot, qty + 1))
    order_type = draw(_ORDER_TYPES)
    has_limit = order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
    has_stop = order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
    price = listing.price(draw(_TICKS)) if has_limit else 0
    stop_price = listing.price(draw(_TICKS)) if has_stop else 0
    if mistake(draw, setup, 3):
        price = pick(draw, (0, -listing.tick, listing.centre + 1, listing.centre))
    if mistake(draw, setup, 3):
        stop_price = pick(draw, (0, listing.centre + 1, listing.centre))
    tif = draw(_TIFS)
    post_only = chance(draw, 12)
    if post_only and not setup.noisy:  # only where it is allowed
        post_only = order_type is OrderType.LIMIT and tif in (TimeInForce.DAY, TimeInForce.GTC)
    stp = draw(_STPS)
    reserve_price = 0  # a buy limit may hold cash for a higher price than its limit
    if side is Side.BUY and order_type is OrderType.LIMIT and chance(draw, 20):
        reserve_price = price + draw(st.integers(0, 4)) * listing.tick
    if mistake(draw, setup, 3):
        reserve_price = pick(draw, (price - listing.tick, price + 1, listing.centre))
    command = NewOrder(
        participant, account, symbol, side, qty, price=price, order_type=order_type, tif=tif,
        stop_price=stop_price, post_only=post_only, stp=stp, reserve_price=reserve_price,
    )  # fmt: skip
    return OrderSpec(command, draw(_RESTING_TIFS))


def quote_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    """A day or GTC limit order, mostly on its own side of the centre: depth for market,
    stop, IOC and FOK orders to meet."""
    account = pick(draw, setup.accounts)
    listing = pick(draw, setup.listings)
    side = draw(_SIDES)
    price = listing.passive(side, draw(_AWAY))
    command = NewOrder(
        setup.owner(account), account, listing.symbol, side, draw(_LOTS) * listing.lot,
        price=price, tif=draw(_RESTING_TIFS), stp=draw(_STPS),
    )  # fmt: skip
    return Fixed(command)


def on_order_spec(draw: st.DrawFn, setup: Setup, replace: bool) -> Spec:
    ref = draw(st.integers(0, 13))
    other = (
        pick(draw, (*setup.traders, OPERATOR, UNKNOWN_PARTICIPANT)) if chance(draw, 15) else None
    )
    lots = draw(_LOTS) if replace else None
    away = draw(_AWAY)
    skew = pick(draw, (1, -1, -1_000)) if mistake(draw, setup, 25) else 0
    return OnOrder(ref, other, lots, away, skew)


def mass_cancel_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    participant = pick(draw, (*setup.traders, OPERATOR, UNKNOWN_PARTICIPANT))
    account = pick(draw, ("", "", *setup.accounts, UNKNOWN_ACCOUNT))
    symbol = pick(draw, ("", "", *SYMBOLS, UNKNOWN_SYMBOL))
    side = pick(draw, (None, None, Side.BUY, Side.SELL))
    return Fixed(MassCancel(participant, account=account, instrument=symbol, side=side))


def trading_state_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    participant = actor(draw, setup, OPERATOR)
    symbol = symbol_or_unknown(draw, setup)
    state = draw(_STATES)
    return StateChange(participant, symbol, state, draw(_PERCENT))


def funding_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    participant = actor(draw, setup, OPERATOR)
    account = pick(draw, (*setup.accounts, FEE_ACCOUNT, UNKNOWN_ACCOUNT))
    asset = pick(draw, (CURRENCY, *SYMBOLS, CURRENCY, OTHER_CURRENCY))
    if mistake(draw, setup, 10):
        asset = "U S D"
    listing = setup.listing(asset)
    unit = listing.lot if listing is not None else 1_000_000
    amount = draw(st.integers(1, 50)) * unit
    if mistake(draw, setup, 10):
        amount = pick(draw, (0, -1, MAX_SUPPLY))  # the largest amount, then one too many
    if draw(st.booleans()):
        return Fixed(Withdraw(participant, account, asset, amount))
    return Fixed(Deposit(participant, account, asset, amount))


def loan_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    participant = actor(draw, setup, OPERATOR)
    pool = (*setup.accounts, UNKNOWN_ACCOUNT)
    account = pick(draw, pool)
    lender = pick(draw, pool)
    symbol = symbol_or_unknown(draw, setup)
    qty = pick(draw, (1, 5, 10, 50, 0))
    if draw(st.booleans()):
        return Fixed(ReturnBorrow(participant, account, lender, symbol, qty))
    return Fixed(Borrow(participant, account, lender, symbol, qty))


def report_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    """A trade the operator reports from outside the book, settled between two accounts."""
    participant = actor(draw, setup, OPERATOR)
    listing = pick(draw, setup.listings)
    symbol = UNKNOWN_SYMBOL if mistake(draw, setup, 5) else listing.symbol
    buyer = pick(draw, (*setup.accounts, FEE_ACCOUNT, UNKNOWN_ACCOUNT))
    seller = pick(draw, (*setup.accounts, FEE_ACCOUNT, UNKNOWN_ACCOUNT))
    price = listing.price(draw(_TICKS))
    qty = draw(_LOTS) * listing.lot
    if mistake(draw, setup, 10):
        price = pick(draw, (0, price + 1))
    if mistake(draw, setup, 10):
        qty = pick(draw, (0, qty + 1))
    aggressor = pick(draw, (None, Side.BUY, Side.SELL))
    return Fixed(ReportTrade(participant, symbol, buyer, seller, price, qty, aggressor))


def admin_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    """Administration in mid-stream: clock ticks, and mostly duplicates and mistakes."""
    participant = actor(draw, setup, OPERATOR)
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return Fixed(ClockTick(participant))
    if choice == 1:
        trader = pick(draw, (*setup.traders, "t9"))
        return Fixed(RegisterParticipant(participant, trader))
    if choice == 2:
        account = pick(draw, (*setup.accounts, "extra"))
        owner = pick(draw, (*setup.traders, OPERATOR, UNKNOWN_PARTICIPANT))
        return Fixed(OpenAccount(participant, account, owner))
    listing = pick(draw, setup.listings)
    return Fixed(ListInstrument(participant, listing.instrument, listing.reference_price))


def command_spec(draw: st.DrawFn, setup: Setup) -> Spec:
    kind = draw(_KINDS)
    if kind == "order":
        return new_order_spec(draw, setup)
    if kind == "quote":
        return quote_spec(draw, setup)
    if kind in ("cancel", "replace"):
        return on_order_spec(draw, setup, replace=kind == "replace")
    if kind == "state":
        return trading_state_spec(draw, setup)
    if kind == "mass_cancel":
        return mass_cancel_spec(draw, setup)
    if kind == "funding":
        return funding_spec(draw, setup)
    if kind == "loan":
        return loan_spec(draw, setup)
    if kind == "report":
        return report_spec(draw, setup)
    return admin_spec(draw, setup)


def resolve(setup: Setup, specs: Sequence[Spec]) -> Scenario:
    ctx = Context(setup)
    setup_length = len(ctx.commands)
    for spec in specs:
        ctx.record(spec(ctx))
    return Scenario(setup.config, setup_length, tuple(ctx.commands), setup.listings)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    setup = draw(setups())
    # Not st.lists, whose lists average only a handful of elements: a continuation
    # roll before each spec gives streams of about 60 commands that still shrink well.
    specs: list[Spec] = []
    while len(specs) < MAX_COMMANDS and draw(_PERCENT) > 0:
        specs.append(command_spec(draw, setup))
    return resolve(setup, specs)
