"""Commands: the only input the core accepts.

Every command names the acting participant; the core's first step decides
whether that participant may do it (traders act only on their own accounts
and orders, operators run the venue). Commands are frozen msgspec structs, so
they are cheap to build on the hot path and encode straight to msgpack for
the journal, tagged by ``type``.

Time is not a field: the sequencer passes its timestamp to
:meth:`seawall.core.venue.Venue.process` alongside the command (see ADR 0002).
"""

from __future__ import annotations

import msgspec

from seawall.core.types import (
    Instrument,
    OrderType,
    RiskScope,
    Role,
    SaleMarking,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingState,
)


class CommandBase(
    msgspec.Struct, frozen=True, gc=False, tag_field="type", forbid_unknown_fields=True
):
    participant: str


class NewOrder(CommandBase, frozen=True, omit_defaults=True, tag="new_order"):
    """Enter an order.

    ``price`` is the limit (required for limit and stop-limit orders, 0
    otherwise); ``stop_price`` the trigger of stop and stop-limit orders.
    Market orders are converted to limit orders at the venue's collar from the
    reference price; ``parent_order_id`` links a child order to the parent it
    works, for the parent/child checks of the risk layer. ``reserve_price``
    (buy limit orders only, at or above the limit) makes the order hold cash
    for that higher price from the start, so moving it up to that price can
    never fail for funds; it may not be moved above it.
    """

    account: str
    instrument: str
    side: Side
    qty: int
    price: int = 0
    order_type: OrderType = OrderType.LIMIT
    tif: TimeInForce = TimeInForce.DAY
    stop_price: int = 0
    post_only: bool = False
    marking: SaleMarking = SaleMarking.LONG
    stp: SelfTradePrevention = SelfTradePrevention.CANCEL_NEWEST
    client_order_id: str = ""
    parent_order_id: str = ""
    reserve_price: int = 0


class Cancel(CommandBase, frozen=True, omit_defaults=True, tag="cancel"):
    """Cancel the rest of an order (resting, or a stop not yet elected)."""

    order_id: int


class Replace(CommandBase, frozen=True, omit_defaults=True, tag="replace"):
    """Cancel-replace: a new limit price and a new total quantity (FIX OrderQty semantics).

    ``qty`` counts what has already filled, so the new open quantity is
    ``qty - filled``. Priority is kept only when the price is unchanged and
    the open quantity does not grow.
    """

    order_id: int
    qty: int
    price: int


class MassCancel(CommandBase, frozen=True, omit_defaults=True, tag="mass_cancel"):
    """Cancel every open order of the participant, narrowed by the optional filters.

    An operator's mass cancel reaches every participant's orders.
    """

    account: str = ""
    instrument: str = ""
    side: Side | None = None


class Deposit(CommandBase, frozen=True, omit_defaults=True, tag="deposit"):
    """Operator: credit cash (``asset`` is a currency code) or securities (a symbol)."""

    account: str
    asset: str
    amount: int


class Withdraw(CommandBase, frozen=True, omit_defaults=True, tag="withdraw"):
    """Operator: debit cash or securities; only what is available, never what is reserved."""

    account: str
    asset: str
    amount: int


class Borrow(CommandBase, frozen=True, omit_defaults=True, tag="borrow"):
    """Operator: record a locate/borrow: ``lender`` delivers securities to ``account`` now.

    The borrowed securities are a funded position of the borrower, so a short
    sale against them is covered; the loan is recorded on both accounts until
    it is returned.
    """

    account: str
    lender: str
    instrument: str
    qty: int


class ReturnBorrow(CommandBase, frozen=True, omit_defaults=True, tag="return_borrow"):
    """Operator: the borrower returns borrowed securities to the lender."""

    account: str
    lender: str
    instrument: str
    qty: int


class ReportTrade(CommandBase, frozen=True, omit_defaults=True, tag="report_trade"):
    """Operator: a trade executed outside the visible book (hidden liquidity, a cross).

    It settles like any fill, delivery versus payment from the two accounts'
    available balances, and prints on the tape, but touches no order and no
    price level. Replays use it for hidden and non-displayed executions.
    ``aggressor`` is the side that took liquidity, if the source says.
    """

    instrument: str
    buyer: str
    seller: str
    price: int
    qty: int
    aggressor: Side | None = None


class SetTradingState(CommandBase, frozen=True, omit_defaults=True, tag="set_trading_state"):
    """Operator: move an instrument to a trading state; leaving a call state uncrosses."""

    instrument: str
    state: TradingState
    reason: str = ""


class ClockTick(CommandBase, frozen=True, omit_defaults=True, tag="clock_tick"):
    """Advances the venue's clock to the sequencer's timestamp; timers hang off it."""


class RegisterParticipant(CommandBase, frozen=True, omit_defaults=True, tag="register_participant"):
    """Operator: admit a participant with a role."""

    new_participant: str
    role: Role = Role.TRADER


class OpenAccount(CommandBase, frozen=True, omit_defaults=True, tag="open_account"):
    """Operator: open an account owned by a participant, optionally inside a firm."""

    account: str
    owner: str
    firm: str = ""


class ListInstrument(CommandBase, frozen=True, omit_defaults=True, tag="list_instrument"):
    """Operator: list an instrument; ``reference_price`` seeds collars before the first trade.

    Under a rulebook the reference price is also the prior close its LULD
    bands, Rule 201 trigger and opening auction start from, ``luld_tier``
    (1 or 2) is its LULD tier, and the session clock, not ``state``,
    decides the state it starts in.
    """

    instrument: Instrument
    reference_price: int = 0
    state: TradingState = TradingState.CONTINUOUS
    luld_tier: int = 1


class RiskLimits(msgspec.Struct, frozen=True, omit_defaults=True, forbid_unknown_fields=True):
    """Pre-trade limits of one account or one firm (SEC Rule 15c3-5). Zero means "no limit".

    Money is at the price scale; windows are nanoseconds. ``credit_limit``
    caps gross exposure: every open order at full notional plus the absolute
    value of each executed position, across every instrument. A warning is
    published when utilisation first reaches ``warn_bps``; when it reaches
    100%, or an order that would take it over is refused, the kill switch
    engages if ``kill_on_breach`` is set. The collar
    refuses a limit further than ``collar_bps`` (``extended_collar_bps``
    outside regular hours) from the instrument's reference price. A
    ``restricted`` scope may not enter orders; ``restricted_instruments``
    may not be traded by it. See ``docs/risk.md`` for every control.
    """

    credit_limit: int = 0
    warn_bps: int = 7_500
    kill_on_breach: bool = True
    max_order_qty: int = 0
    max_order_notional: int = 0
    collar_bps: int = 0
    extended_collar_bps: int = 0
    duplicate_window_ns: int = 0
    max_messages: int = 0
    message_window_ns: int = 0
    max_orders: int = 0
    order_window_ns: int = 0
    max_executions: int = 0
    execution_window_ns: int = 0
    restricted: bool = False
    restricted_instruments: tuple[str, ...] = ()


class SetRiskLimits(CommandBase, frozen=True, omit_defaults=True, tag="set_risk_limits"):
    """Operator: replace the limits of an account or a firm, at start-up or at run time."""

    scope: RiskScope
    target: str
    limits: RiskLimits


class KillSwitch(CommandBase, frozen=True, omit_defaults=True, tag="kill_switch"):
    """Operator: engage (cancel every resting order, refuse new ones) or reset a kill switch.

    Only an operator resets one, including one the risk layer engaged by itself.
    """

    scope: RiskScope
    target: str
    engage: bool = True
    reason: str = ""


class DeclareParent(CommandBase, frozen=True, omit_defaults=True, tag="declare_parent"):
    """Declare (or resize) a parent order; child orders name it in ``parent_order_id``.

    The quantity of a parent's children, filled or open, may never exceed
    the parent's ``qty``: the check the 2012 runaway router lacked.
    """

    account: str
    parent_order_id: str
    instrument: str
    side: Side
    qty: int


class CancelOnDisconnect(CommandBase, frozen=True, omit_defaults=True, tag="cancel_on_disconnect"):
    """Sent by a gateway when ``participant``'s session drops: cancel all its open orders."""


class EndOfDay(CommandBase, frozen=True, omit_defaults=True, tag="end_of_day"):
    """Operator: close the risk day; in deferred settlement, settle every obligation net.

    Executed positions stop counting towards exposure, and execution
    throttles start afresh.
    """


class SetNbbo(CommandBase, frozen=True, omit_defaults=True, tag="set_nbbo"):
    """Operator or feed: the national best bid and offer of an instrument, in ticks.

    LULD and the short-sale price test are defined on the NBBO; until one is
    given (or after ``bid`` and ``ask`` are both 0) the venue's own best
    prices stand in for it. A side with no quote is 0.
    """

    instrument: str
    bid: int = 0
    ask: int = 0


class IndexLevel(CommandBase, frozen=True, omit_defaults=True, tag="index_level"):
    """Operator or feed: a value of the index the market-wide circuit breakers watch.

    ``prior_close`` is the index's previous close, from which the day's
    trigger levels are computed; both are at the price scale.
    """

    index: str
    value: int
    prior_close: int


class DesignateMarketMaker(
    CommandBase, frozen=True, omit_defaults=True, tag="designate_market_maker"
):
    """Operator: make ``market_maker`` a designated market maker in ``instrument``, or not.

    Under a rulebook with ``[market_maker]`` every limit order of a
    designated market maker in its instrument is a quote held to the
    quoting obligation (no stub quotes, within the designated percentage of
    the national best price); without one, designation obliges nothing (the
    market of 2010).
    """

    instrument: str
    market_maker: str
    designated: bool = True


Command = (
    NewOrder
    | Cancel
    | Replace
    | MassCancel
    | Deposit
    | Withdraw
    | Borrow
    | ReturnBorrow
    | SetTradingState
    | ReportTrade
    | ClockTick
    | RegisterParticipant
    | OpenAccount
    | ListInstrument
    | SetRiskLimits
    | KillSwitch
    | DeclareParent
    | CancelOnDisconnect
    | EndOfDay
    | SetNbbo
    | IndexLevel
    | DesignateMarketMaker
)
