"""Events: the core's only output.

Each carries ``seq`` and ``ts`` of the command that caused it, so consumers
can line events up with the journal. The list returned for one command is its
complete, ordered effect: nothing in the venue changes that is not in it.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.core.commands import RiskLimits
from seawall.core.types import (
    Instrument,
    OrderType,
    RiskScope,
    Role,
    Side,
    TimeInForce,
    TradingState,
)


class RejectReason(StrEnum):
    """Stable, machine-readable reasons. Every rejection also carries a human sentence."""

    UNKNOWN_PARTICIPANT = "unknown_participant"
    NOT_ENTITLED = "not_entitled"
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_INSTRUMENT = "unknown_instrument"
    UNKNOWN_ORDER = "unknown_order"
    ALREADY_EXISTS = "already_exists"
    INVALID_DEFINITION = "invalid_definition"
    INVALID_QUANTITY = "invalid_quantity"
    OFF_LOT = "off_lot"
    INVALID_PRICE = "invalid_price"
    OFF_TICK = "off_tick"
    INVALID_STOP_PRICE = "invalid_stop_price"
    INVALID_TIME_IN_FORCE = "invalid_time_in_force"
    INVALID_AMOUNT = "invalid_amount"
    INSUFFICIENT_CASH = "insufficient_cash"
    INSUFFICIENT_SECURITIES = "insufficient_securities"
    INSUFFICIENT_BORROW = "insufficient_borrow"
    POST_ONLY_WOULD_CROSS = "post_only_would_cross"
    FOK_NOT_FILLABLE = "fok_not_fillable"
    NO_REFERENCE_PRICE = "no_reference_price"
    TRADING_HALTED = "trading_halted"
    MARKET_CLOSED = "market_closed"
    NOT_REPLACEABLE = "not_replaceable"
    INVALID_TRANSITION = "invalid_transition"
    ABOVE_RESERVE_PRICE = "above_reserve_price"
    # Pre-trade risk controls (docs/risk.md)
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    NO_CREDIT_LIMIT = "no_credit_limit"
    MAX_ORDER_QTY_EXCEEDED = "max_order_qty_exceeded"
    MAX_ORDER_NOTIONAL_EXCEEDED = "max_order_notional_exceeded"
    OUTSIDE_PRICE_COLLAR = "outside_price_collar"
    DUPLICATE_ORDER = "duplicate_order"
    MESSAGE_RATE_EXCEEDED = "message_rate_exceeded"
    ORDER_RATE_EXCEEDED = "order_rate_exceeded"
    EXECUTION_RATE_EXCEEDED = "execution_rate_exceeded"
    RESTRICTED = "restricted"
    RESTRICTED_INSTRUMENT = "restricted_instrument"
    UNKNOWN_PARENT = "unknown_parent"
    PARENT_QUANTITY_EXCEEDED = "parent_quantity_exceeded"
    KILL_SWITCH_ENGAGED = "kill_switch_engaged"
    INVALID_LIMITS = "invalid_limits"
    SETTLEMENT_FAIL = "settlement_fail"
    RISK_CONTROLS_OFF = "risk_controls_off"
    # Market safeguards (docs/rulebooks.md)
    STATE_REFUSES = "state_refuses"
    OUTSIDE_BAND = "outside_band"
    SHORT_SALE_PRICE_TEST = "short_sale_price_test"
    MARKET_ORDERS_NOT_ACCEPTED = "market_orders_not_accepted"
    TOO_FAR_FROM_LAST_TRADE = "too_far_from_last_trade"
    UNKNOWN_INDEX = "unknown_index"
    NO_RULEBOOK = "no_rulebook"
    STUB_QUOTE = "stub_quote"  # a designated market maker's quote at a stub price
    OUTSIDE_QUOTING_OBLIGATION = "outside_quoting_obligation"  # beyond the designated percentage


class CancelReason(StrEnum):
    USER = "user"  # an explicit Cancel
    MASS_CANCEL = "mass_cancel"  # a MassCancel by the owner
    OPERATOR = "operator"  # a cancel or mass cancel by an operator
    UNFILLED = "unfilled"  # the unfilled rest of an IOC order
    SELF_TRADE = "self_trade"  # removed by self-trade prevention
    EXPIRED = "expired"  # a day order at the close
    KILL_SWITCH = "kill_switch"  # the account's or firm's kill switch engaged
    DISCONNECT = "disconnect"  # the participant's session dropped (cancel on disconnect)
    SETTLEMENT_FAIL = "settlement_fail"  # the account failed to settle at the end of the day
    OUTSIDE_PRICE_COLLAR = "outside_price_collar"  # an elected stop beyond its owner's collar
    OUTSIDE_BAND = "outside_band"  # resting beyond a price band that moved (bands reject)
    QUOTE_DRIFTED = "quote_drifted"  # a market maker's quote left beyond its obligation's drift


class TransferKind(StrEnum):
    DEPOSIT = "deposit"
    WITHDRAW = "withdraw"
    BORROW = "borrow"
    RETURN = "return"


class EventBase(msgspec.Struct, frozen=True, gc=False, tag_field="type"):
    seq: int
    ts: int


class OrderAccepted(EventBase, frozen=True, tag="order_accepted"):
    """An order passed every check and its assets are reserved.

    ``price`` is the effective limit: for a market or stop order, the collar
    price it was converted to (0 for a stop order until it is elected).
    """

    order_id: int
    client_order_id: str
    account: str
    instrument: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    price: int
    stop_price: int
    qty: int


class Rejected(EventBase, frozen=True, tag="rejected"):
    """A command was refused and changed nothing.

    ``order_id`` names the order concerned: the id a refused new order was
    given, or the order a cancel or replace named; 0 for other commands.
    """

    command: str
    participant: str
    reason: RejectReason
    text: str
    client_order_id: str = ""
    order_id: int = 0


class Trade(EventBase, frozen=True, tag="trade"):
    """A fill, settled in the same step (delivery versus payment).

    ``cash`` moved from buyer to seller and ``qty`` units from seller to
    buyer; each side's fee went to the venue's fee account. ``aggressor`` is
    None for a trade printed by an auction uncross. A trade reported off the
    book (``ReportTrade``) has order ids 0 and pays no fees.
    """

    trade_id: int
    instrument: str
    price: int
    qty: int
    aggressor: Side | None
    buy_order_id: int
    sell_order_id: int
    buy_account: str
    sell_account: str
    buy_leaves: int
    sell_leaves: int
    cash: int
    buy_fee: int
    sell_fee: int


class OrderCancelled(EventBase, frozen=True, tag="order_cancelled"):
    """The order is done; ``leaves`` units were left open and their reservation released."""

    order_id: int
    account: str
    instrument: str
    leaves: int
    reason: CancelReason


class OrderReplaced(EventBase, frozen=True, tag="order_replaced"):
    order_id: int
    account: str
    instrument: str
    price: int
    qty: int
    leaves: int
    kept_priority: bool


class StopElected(EventBase, frozen=True, tag="stop_elected"):
    """A stop order's trigger was reached; it now works as a limit order at ``price``."""

    order_id: int
    account: str
    instrument: str
    trigger_price: int
    price: int


class Transfer(EventBase, frozen=True, tag="transfer"):
    """Cash or securities moved outside trading: funding, withdrawals, borrows."""

    kind: TransferKind
    account: str
    asset: str
    amount: int
    counterparty: str = ""


class TradingStateChanged(EventBase, frozen=True, tag="trading_state_changed"):
    instrument: str
    previous: TradingState
    state: TradingState
    reason: str


class AuctionUncrossed(EventBase, frozen=True, tag="auction_uncrossed"):
    """A call auction's result: one price, the volume it matched, what was left unmatched."""

    instrument: str
    price: int
    volume: int
    imbalance: int
    imbalance_side: Side | None


class AuctionIndicative(EventBase, frozen=True, tag="auction_indicative"):
    """While a book is in call: the price it would uncross at now, and what would be left.

    Published whenever the answer changes; ``price`` 0 means nothing crosses.
    """

    instrument: str
    price: int
    volume: int
    imbalance: int
    imbalance_side: Side | None


class AuctionExtended(EventBase, frozen=True, tag="auction_extended"):
    """The call goes on: its price would have fallen outside the auction collar."""

    instrument: str
    price: int
    reference: int
    extensions: int
    until: int


class PriceBandsChanged(EventBase, frozen=True, tag="price_bands_changed"):
    """New LULD bands (both 0: none apply) and why: a LULD cause such as ``reference_moved``."""

    instrument: str
    lower: int
    upper: int
    reference: int
    cause: str


class ShortSaleRestricted(EventBase, frozen=True, tag="short_sale_restricted"):
    """Rule 201: a trade at ``price`` triggered the price test, in force through ``through``."""

    instrument: str
    price: int
    through: str


class StraddleChanged(EventBase, frozen=True, tag="straddle_changed"):
    """LULD's straddle state began (``straddle``) or ended: the national best bid below the
    lower band or offer above the upper band, with no limit state. Trading goes on; the
    listing market may pause the stock (an operator's pause while it lasts)."""

    instrument: str
    straddle: bool
    lower: int
    upper: int


class MarketMakerDesignated(EventBase, frozen=True, tag="market_maker_designated"):
    """``market_maker`` is (``designated``) or is no longer a market maker in ``instrument``."""

    instrument: str
    market_maker: str
    designated: bool


class MarketWideHalt(EventBase, frozen=True, tag="market_wide_halt"):
    """A market-wide circuit breaker fired; ``resume_at`` 0 means for the rest of the day."""

    index: str
    value: int
    level: int
    resume_at: int


class ParticipantRegistered(EventBase, frozen=True, tag="participant_registered"):
    participant: str
    role: Role


class AccountOpened(EventBase, frozen=True, tag="account_opened"):
    account: str
    owner: str
    firm: str


class InstrumentListed(EventBase, frozen=True, tag="instrument_listed"):
    instrument: Instrument
    reference_price: int
    state: TradingState


class RiskLimitsSet(EventBase, frozen=True, tag="risk_limits_set"):
    scope: RiskScope
    target: str
    limits: RiskLimits


class RiskWarning(EventBase, frozen=True, tag="risk_warning"):
    """Utilisation of a credit limit reached its warning level (published once per crossing)."""

    scope: RiskScope
    target: str
    exposure: int
    credit_limit: int
    utilisation_bps: int


class KillSwitchChanged(EventBase, frozen=True, tag="kill_switch_changed"):
    """A kill switch engaged (by an operator or by a breached limit) or was reset."""

    scope: RiskScope
    target: str
    engaged: bool
    cause: str
    by: str


class ParentDeclared(EventBase, frozen=True, tag="parent_declared"):
    account: str
    parent_order_id: str
    instrument: str
    side: Side
    qty: int
    used: int


class Obligation(msgspec.Struct, frozen=True, array_like=True):
    """What one account receives (positive) or delivers (negative) of one asset."""

    account: str
    asset: str
    amount: int


class SettlementBatch(EventBase, frozen=True, tag="settlement_batch"):
    """End of day: the net obligations settled, and the shortfalls no balance covered.

    A shortfall is the account's balance left negative: a recorded debt. Its
    open orders are cancelled and it may not enter orders until a deposit
    cures it.
    """

    settled: list[Obligation]
    shortfalls: list[Obligation]


Event = (
    OrderAccepted
    | Rejected
    | Trade
    | OrderCancelled
    | OrderReplaced
    | StopElected
    | Transfer
    | TradingStateChanged
    | AuctionUncrossed
    | AuctionIndicative
    | AuctionExtended
    | PriceBandsChanged
    | StraddleChanged
    | ShortSaleRestricted
    | MarketWideHalt
    | MarketMakerDesignated
    | ParticipantRegistered
    | AccountOpened
    | InstrumentListed
    | RiskLimitsSet
    | RiskWarning
    | KillSwitchChanged
    | ParentDeclared
    | SettlementBatch
)
