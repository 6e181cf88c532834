"""The venue: one deterministic state machine for every instrument and account.

``Venue.process(command, ts)`` is the whole core. It reads no clock, draws no
random number and does no I/O: ``ts`` is the sequencer's stamp. The same
commands with the same stamps always give the same events and the same
:meth:`Venue.state_hash`. Each command passes, in order: entitlement (may this
participant do this?), validation, funding (reserve the cash or securities,
or reject), the instrument's trading state, matching, and settlement of every
fill in the same step.

Pre-trade risk controls (:mod:`seawall.risk`) run between entitlement and
funding, and see every change of exposure as it happens (ADR 0008).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from seawall.core import state as state_codec
from seawall.core.book import Book, Order
from seawall.core.commands import (
    Borrow,
    Cancel,
    CancelOnDisconnect,
    ClockTick,
    Command,
    DeclareParent,
    Deposit,
    DesignateMarketMaker,
    EndOfDay,
    IndexLevel,
    KillSwitch,
    ListInstrument,
    MassCancel,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    ReportTrade,
    ReturnBorrow,
    SetNbbo,
    SetRiskLimits,
    SetTradingState,
    Withdraw,
)
from seawall.core.config import VenueConfig
from seawall.core.events import (
    AccountOpened,
    AuctionUncrossed,
    CancelReason,
    Event,
    InstrumentListed,
    KillSwitchChanged,
    MarketMakerDesignated,
    Obligation,
    OrderAccepted,
    OrderCancelled,
    OrderReplaced,
    ParentDeclared,
    ParticipantRegistered,
    Rejected,
    RejectReason,
    RiskLimitsSet,
    RiskWarning,
    SettlementBatch,
    StopElected,
    Trade,
    TradingStateChanged,
    Transfer,
    TransferKind,
)
from seawall.core.ledger import Account, Balance
from seawall.core.matching import Matcher
from seawall.core.trading_rules import TradingRules
from seawall.core.types import (
    MATCHING_STATES,
    MAX_PRICE,
    MAX_QTY,
    MAX_SUPPLY,
    OrderType,
    RiskScope,
    Role,
    SaleMarking,
    SelfTradePrevention,
    SettlementMode,
    Side,
    TimeInForce,
    TradingState,
)
from seawall.core.units import ticks_to_price
from seawall.risk.engine import RiskEngine
from seawall.risk.limits import limits_problem
from seawall.risk.scope import Scope

_BUY = Side.BUY
_LIMIT = OrderType.LIMIT
_MARKET = OrderType.MARKET
_STOP = OrderType.STOP
_STOP_LIMIT = OrderType.STOP_LIMIT
_CONTINUOUS = TradingState.CONTINUOUS
_DAY = TimeInForce.DAY
_GTC = TimeInForce.GTC
_IOC = TimeInForce.IOC
_FOK = TimeInForce.FOK
_SHORT = SaleMarking.SHORT
_MAX_ID_LENGTH = 64

Events = list[Event]


def _tag(command: Command) -> str:
    return str(type(command).__struct_config__.tag)


def _valid_id(value: str) -> bool:
    return 0 < len(value) <= _MAX_ID_LENGTH and value.isprintable() and value.strip() == value


def _unknown_parent(cmd: NewOrder) -> tuple[RejectReason, str]:
    """Without risk controls no parent can be declared, so a child names an unknown one."""
    return RejectReason.UNKNOWN_PARENT, f"parent order {cmd.parent_order_id!r} was not declared"


class Venue:
    """Accounts, books and the rules that join them. See the module docstring."""

    def __init__(self, config: VenueConfig | None = None) -> None:
        config = config or VenueConfig()
        problems = config.problems()
        if problems:
            raise ValueError("invalid venue configuration: " + "; ".join(problems))
        self.config = config
        self.seq = 0
        self.ts = 0
        self.next_order_id = 1
        self.participants: dict[str, Role] = dict.fromkeys(config.operators, Role.OPERATOR)
        self.accounts: dict[str, Account] = {}
        self.fee_account = self.accounts[config.fee_account] = Account(
            config.fee_account, config.operators[0]
        )
        self.books: dict[str, Book] = {}
        self.orders: dict[int, Order] = {}
        self.supply: dict[str, int] = {}
        self.loans: dict[tuple[str, str, str], int] = {}
        self.deferred = config.settlement is SettlementMode.DEFERRED
        self.risk = RiskEngine(config, self.books)
        # Asked on every order: a plain attribute of the venue's, not a property of the compiled
        # engine (fixed with the configuration, as the engine's own flag is).
        self.risk_active = self.risk.active
        self._risk_notices = self.risk.notices
        self.matcher = Matcher(config, self.orders, self.risk)
        self._reserve_fee_bps = self.matcher.reserve_bps
        self.rules = TradingRules(self, config.rulebook) if config.rulebook is not None else None
        self._handlers: dict[type[Any], Callable[[Any, int, int], Events]] = {
            NewOrder: self._new_order,
            Cancel: self._cancel,
            Replace: self._replace,
            MassCancel: self._mass_cancel,
            Deposit: self._deposit,
            Withdraw: self._withdraw,
            Borrow: self._borrow,
            ReturnBorrow: self._return_borrow,
            SetTradingState: self._set_trading_state,
            ReportTrade: self._report_trade,
            ClockTick: self._clock_tick,
            RegisterParticipant: self._register_participant,
            OpenAccount: self._open_account,
            ListInstrument: self._list_instrument,
            SetRiskLimits: self._set_risk_limits,
            KillSwitch: self._kill_switch,
            DeclareParent: self._declare_parent,
            CancelOnDisconnect: self._cancel_on_disconnect,
            EndOfDay: self._end_of_day,
            SetNbbo: self._set_nbbo,
            IndexLevel: self._index_level,
            DesignateMarketMaker: self._designate_market_maker,
        }

    # ------------------------------------------------------------------ entry point

    def process(self, command: Command, ts: int) -> Events:
        """Apply one command stamped ``ts`` and return everything it caused, in order."""
        try:
            handler = self._handlers[type(command)]
        except KeyError:
            raise TypeError(f"not a Seawall command: {type(command).__name__}") from None
        self.seq = seq = self.seq + 1
        self.ts = ts
        rules = self.rules
        if rules is None:
            events = handler(command, seq, ts)
        else:  # the rulebook's clock first, then the command, then what it set off
            events = rules.run(handler, command, seq, ts)
        if self._risk_notices:  # the risk engine's own list: one load, not two
            self._publish_risk(events, seq, ts)
        return events

    def state_hash(self) -> str:
        """A fingerprint of the whole state, queue positions included."""
        return state_codec.state_hash(self)

    def export_state(self) -> state_codec.VenueState:
        return state_codec.export_state(self)

    @classmethod
    def restore(cls, state: state_codec.VenueState) -> Venue:
        """Rebuild a venue from :meth:`export_state`; every queue position is preserved."""
        venue = cls(state.config)
        state_codec.restore_into(venue, state)
        return venue

    # ------------------------------------------------------------------ helpers

    def _reject(
        self,
        command: Command,
        seq: int,
        ts: int,
        reason: RejectReason,
        text: str,
        order_id: int = 0,
    ) -> Events:
        client_order_id = command.client_order_id if isinstance(command, NewOrder) else ""
        return [
            Rejected(
                seq, ts, _tag(command), command.participant, reason, text, client_order_id, order_id
            )
        ]

    def _unlisted(
        self,
        command: (
            MassCancel
            | SetTradingState
            | ReportTrade
            | Borrow
            | ReturnBorrow
            | SetNbbo
            | DesignateMarketMaker
        ),
        seq: int,
        ts: int,
    ) -> Events:
        """The rejection of a command that names an instrument not listed here."""
        return self._reject(
            command, seq, ts, RejectReason.UNKNOWN_INSTRUMENT,
            f"instrument {command.instrument!r} is not listed",
        )  # fmt: skip

    def _operator_rejection(self, command: Command, seq: int, ts: int) -> Events | None:
        """None if the command comes from an operator, else the rejection to return."""
        role = self.participants.get(command.participant)
        if role is Role.OPERATOR:
            return None
        if role is None:
            return self._reject(
                command, seq, ts, RejectReason.UNKNOWN_PARTICIPANT,
                f"participant {command.participant!r} is not registered",
            )  # fmt: skip
        return self._reject(
            command, seq, ts, RejectReason.NOT_ENTITLED,
            f"{_tag(command)} is reserved for venue operators",
        )  # fmt: skip

    def _collar(self, reference: int, side: Side, book: Book) -> int:
        """The limit a market order becomes: the tighter of the percentage and absolute collar."""
        config = self.config
        band = min(reference * config.market_collar_bps // 10_000, config.market_collar_abs)
        tick = book.tick
        if side is _BUY:
            price = reference + band
            return min(price - price % tick, MAX_PRICE - MAX_PRICE % tick)
        price = reference - band
        price += -price % tick
        return max(price, tick)

    def _price_problem(self, price: int, book: Book, what: str) -> tuple[RejectReason, str] | None:
        if not 0 < price <= MAX_PRICE:
            return RejectReason.INVALID_PRICE, f"{what} {price} is outside 1 to {MAX_PRICE} ticks"
        if price % book.tick:
            return RejectReason.OFF_TICK, (
                f"{what} {ticks_to_price(price)} is not a multiple of "
                f"{book.instrument.symbol}'s tick {ticks_to_price(book.tick)}"
            )
        return None

    def _qty_problem(self, qty: int, book: Book) -> tuple[RejectReason, str] | None:
        """A quantity must be positive, bounded, and a multiple of the lot."""
        if not 0 < qty <= MAX_QTY:
            return RejectReason.INVALID_QUANTITY, f"quantity {qty} is outside 1 to {MAX_QTY}"
        if qty % book.lot:
            return RejectReason.OFF_LOT, (
                f"quantity {qty} is not a multiple of {book.instrument.symbol}'s lot {book.lot}"
            )
        return None

    def _state_problem(self, book: Book) -> tuple[RejectReason, str] | None:
        """Orders are refused while an instrument is halted or closed."""
        state = book.state
        if state is TradingState.HALTED:
            return RejectReason.TRADING_HALTED, f"{book.instrument.symbol} is halted"
        if state is TradingState.CLOSED:
            return RejectReason.MARKET_CLOSED, f"{book.instrument.symbol} is closed"
        return None

    def _order_access_rejection(
        self, command: NewOrder | DeclareParent, seq: int, ts: int, order_id: int
    ) -> Events:
        """The precise reason an order's participant, account or instrument does not fit."""
        role = self.participants.get(command.participant)
        account = self.accounts.get(command.account)
        if role is None:
            reason, text = (
                RejectReason.UNKNOWN_PARTICIPANT,
                f"participant {command.participant!r} is not registered",
            )
        elif role is Role.OPERATOR:
            reason, text = RejectReason.NOT_ENTITLED, "operators do not enter orders"
        elif command.instrument not in self.books:
            reason, text = (
                RejectReason.UNKNOWN_INSTRUMENT,
                f"instrument {command.instrument!r} is not listed",
            )
        elif account is None:
            reason, text = (
                RejectReason.UNKNOWN_ACCOUNT,
                f"account {command.account!r} does not exist",
            )
        else:
            reason, text = (
                RejectReason.NOT_ENTITLED,
                f"account {command.account!r} does not belong to {command.participant!r}",
            )
        return self._reject(command, seq, ts, reason, text, order_id)

    # ------------------------------------------------------------------ orders

    def _new_order(self, cmd: NewOrder, seq: int, ts: int) -> Events:
        # Every order entry takes the next id, accepted or not, so ids are predictable
        # ordinals and a rejection can name the order it refused.
        order_id = self.next_order_id
        self.next_order_id = order_id + 1
        # Subscripts in a zero-cost try, not dict.get calls: this is the hottest path.
        try:
            book = self.books[cmd.instrument]
            account = self.accounts[cmd.account]
        except KeyError:
            return self._order_access_rejection(cmd, seq, ts, order_id)
        if account.owner != cmd.participant:
            return self._order_access_rejection(cmd, seq, ts, order_id)
        if self.risk_active:  # its scope loads while the checks below run (admit_order)
            self.risk.warm(account)
        qty = cmd.qty
        price = cmd.price
        order_type = cmd.order_type
        if (
            order_type is not _LIMIT
            or cmd.post_only
            or cmd.stop_price
            or cmd.tif is _FOK
            or cmd.reserve_price
            or book.state is not _CONTINUOUS
            or qty <= 0
            or qty > MAX_QTY
            or qty % book.lot
            or price <= 0
            or price > MAX_PRICE
            or price % book.tick
        ):  # anything but a plain limit order in continuous trading: the detailed route
            checked = self._checked_limit(cmd, book, order_id, seq, ts)
            if type(checked) is not int:
                return checked  # type: ignore[return-value]
            price = checked
        rules = self.rules
        if rules is not None and not (
            book.cleared_low <= price <= book.cleared_high
            and (order_type is _LIMIT or order_type is _MARKET)
            and cmd.marking is not _SHORT
        ):  # what the rules have not cleared in advance, they check now
            ruled = rules.check_order(cmd, book, price, ts)
            if type(ruled) is tuple:
                return self._reject(cmd, seq, ts, *ruled, order_id)
            price = ruled  # type: ignore[assignment]
        # Funding is read first and reserved last: the risk layer checks and counts the
        # order in one call between the two, and refuses before funding does (_unfunded).
        symbol = cmd.instrument
        side = cmd.side
        is_buy = side is _BUY
        hold = cmd.reserve_price or price  # validated to be at or above the limit when set
        if self.deferred:  # promises: the credit check stands in for funding
            need = 0
            balance = None
        elif is_buy:
            need = qty * hold * book.unit
            if self._reserve_fee_bps:
                need = self.matcher.buy_need(qty, hold, book.unit)
            try:
                balance = account.cash[book.currency]
            except KeyError:
                return self._unfunded(cmd, account, book, seq, ts, order_id, price, need, None)
            if balance.available < need:
                return self._unfunded(cmd, account, book, seq, ts, order_id, price, need, balance)
        else:
            need = qty
            try:
                balance = account.positions[symbol]
            except KeyError:
                return self._unfunded(cmd, account, book, seq, ts, order_id, price, need, None)
            if balance.available < need:
                return self._unfunded(cmd, account, book, seq, ts, order_id, price, need, balance)
        if self.risk_active:
            problem = self.risk.admit_order(cmd, account, book, price, ts)
            if problem is not None:
                return self._reject(cmd, seq, ts, *problem, order_id)
        elif cmd.parent_order_id:
            return self._reject(cmd, seq, ts, *_unknown_parent(cmd), order_id)
        # No reservation, no order.
        if balance is None:
            cash = account.cash_balance(book.currency)
            position = account.position(symbol)
        else:
            balance.available -= need
            balance.reserved += need
            if is_buy:
                cash = balance
                position = account.position(symbol)
            else:
                position = balance
                cash = account.cash_balance(book.currency)
        is_stop = order_type is _STOP or order_type is _STOP_LIMIT
        order = Order(
            order_id, cmd.participant, account, symbol, side, cmd.tif, price, hold, qty, qty,
            cash, position, need, is_stop, cmd,
        )  # fmt: skip
        events: Events = [
            OrderAccepted(
                seq, ts, order_id, cmd.client_order_id, cmd.account, symbol, side, order_type,
                cmd.tif, price, cmd.stop_price, qty,
            )
        ]  # fmt: skip
        if is_stop:
            self.orders[order_id] = order
            book.add_stop(order)
        else:
            tif = cmd.tif
            keys = book.asks.keys if is_buy else book.bids.keys
            if (
                (tif is _DAY or tif is _GTC)
                and order_type is _LIMIT
                and book.state is _CONTINUOUS
                and not (keys and keys[0] <= (price if is_buy else -price))
            ):  # a day or GTC limit that cannot trade now goes straight onto the book
                (book.bids if is_buy else book.asks).add(order)
                self.orders[order_id] = order
            else:
                self._work(order, book, events, seq, ts)
        if book.buy_stops or book.sell_stops:
            self.run_stops(book, events, seq, ts)
        return events

    def _checked_limit(
        self, cmd: NewOrder, book: Book, order_id: int, seq: int, ts: int
    ) -> int | Events:
        """The limit an order will work at, or its rejection, for every order but the plain one.

        Validates quantity, trading state and the order's shape; converts
        market and stop orders to their collar price; refuses a post-only
        order that would cross and a fill-or-kill that cannot fill. Changes
        nothing.
        """
        problem = self._qty_problem(cmd.qty, book) or self._state_problem(book)
        problem = problem or self._order_shape_problem(cmd, book)
        if problem is not None:
            return self._reject(cmd, seq, ts, *problem, order_id)
        order_type = cmd.order_type
        if order_type is _LIMIT or order_type is _STOP_LIMIT:
            price = cmd.price
        elif order_type is _MARKET and self.rules is not None:
            ruled = self.rules.market_price(cmd.side, book)
            if type(ruled) is tuple:
                return self._reject(cmd, seq, ts, *ruled, order_id)
            price = ruled  # type: ignore[assignment]
            if self.risk_active:
                account = self.accounts[cmd.account]
                price = self.risk.market_limit(account, cmd.side, book, price, ts)
        else:
            reference = book.reference() if order_type is _MARKET else cmd.stop_price
            if not reference:
                return self._reject(
                    cmd, seq, ts, RejectReason.NO_REFERENCE_PRICE,
                    f"{cmd.instrument} has no reference price to collar a market order", order_id,
                )  # fmt: skip
            price = self._collar(reference, cmd.side, book)
            if order_type is _MARKET and self.risk_active:
                account = self.accounts[cmd.account]
                price = self.risk.market_limit(account, cmd.side, book, price, ts)
        if order_type is _LIMIT or order_type is _MARKET:
            problem = self._crossing_problem(cmd, book, price)
            if problem is not None:
                return self._reject(cmd, seq, ts, *problem, order_id)
        return price

    def _unfunded(
        self,
        cmd: NewOrder,
        account: Account,
        book: Book,
        seq: int,
        ts: int,
        order_id: int,
        price: int,
        need: int,
        balance: Balance | None,
    ) -> Events:
        """The rejection of an order whose cash or securities are not there.

        The risk controls answer first, as they would for a funded order: the
        attempt counts in the throttles, and what they refuse is refused for
        their reason (a killed account is told so, not that it lacks cash).
        """
        if self.risk_active:
            problem = self.risk.check_order(cmd, account, book, price, ts)
        else:
            problem = _unknown_parent(cmd) if cmd.parent_order_id else None
        if problem is not None:
            return self._reject(cmd, seq, ts, *problem, order_id)
        have = balance.available if balance is not None else 0
        if cmd.side is _BUY:
            return self._reject(
                cmd, seq, ts, RejectReason.INSUFFICIENT_CASH,
                f"buying {cmd.qty} {cmd.instrument} at up to {ticks_to_price(price)} needs "
                f"{ticks_to_price(need)} {book.currency}; {ticks_to_price(have)} is available",
                order_id,
            )  # fmt: skip
        return self._reject(
            cmd, seq, ts, RejectReason.INSUFFICIENT_SECURITIES,
            f"selling {cmd.qty} {cmd.instrument} needs {cmd.qty} held (owned or borrowed); "
            f"{have} available", order_id,
        )  # fmt: skip

    def _order_shape_problem(self, cmd: NewOrder, book: Book) -> tuple[RejectReason, str] | None:
        """Price, stop price and time in force must fit the order type and the trading state."""
        order_type = cmd.order_type
        if order_type is _LIMIT or order_type is _STOP_LIMIT:
            problem = self._price_problem(cmd.price, book, "limit price")
            if problem is not None:
                return problem
        elif cmd.price:
            return RejectReason.INVALID_PRICE, f"a {order_type} order carries no limit price"
        if order_type is _LIMIT or order_type is _MARKET:
            if cmd.stop_price:
                return RejectReason.INVALID_STOP_PRICE, f"a {order_type} order has no stop price"
        else:
            problem = self._price_problem(cmd.stop_price, book, "stop price")
            if problem is not None:
                return RejectReason.INVALID_STOP_PRICE, problem[1]
        if cmd.reserve_price:
            if cmd.side is not _BUY or order_type is not _LIMIT:
                return RejectReason.INVALID_PRICE, "a reserve price is for buy limit orders only"
            problem = self._price_problem(cmd.reserve_price, book, "reserve price")
            if problem is not None:
                return problem
            if cmd.reserve_price < cmd.price:
                return RejectReason.INVALID_PRICE, (
                    f"reserve price {ticks_to_price(cmd.reserve_price)} is below the limit "
                    f"{ticks_to_price(cmd.price)}"
                )
        tif = cmd.tif
        if cmd.post_only and (order_type is not _LIMIT or tif is _IOC or tif is _FOK):
            return (
                RejectReason.INVALID_TIME_IN_FORCE,
                "post-only applies to day or GTC limit orders only",
            )
        if (tif is _IOC or tif is _FOK) and book.state not in MATCHING_STATES:
            return (
                RejectReason.INVALID_TIME_IN_FORCE,
                f"{tif.value.upper()} cannot be used while {book.instrument.symbol} is in a call",
            )
        return None

    def _crossing_problem(
        self, cmd: NewOrder, book: Book, price: int
    ) -> tuple[RejectReason, str] | None:
        """Post-only must not cross; fill-or-kill must fill completely. Neither mutates."""
        if book.state not in MATCHING_STATES:
            return None  # nothing matches in a call
        is_buy = cmd.side is _BUY
        opposite = book.asks if is_buy else book.bids
        limit_key = price if is_buy else -price
        if cmd.post_only:
            best = opposite.best()
            if best is not None and best.key <= limit_key:
                return (
                    RejectReason.POST_ONLY_WOULD_CROSS,
                    f"post-only order at {ticks_to_price(price)} would trade against "
                    f"{ticks_to_price(best.price)}",
                )
        elif cmd.tif is _FOK and not self._fillable(
            self.accounts[cmd.account], cmd.side, cmd.qty, cmd.stp, book, limit_key
        ):
            return RejectReason.FOK_NOT_FILLABLE, f"{cmd.qty} {cmd.instrument} cannot fill at once"
        return None

    def _fillable(
        self,
        own: Account,
        side: Side,
        qty: int,
        stp: SelfTradePrevention,
        book: Book,
        limit_key: int,
    ) -> bool:
        """Whether a fill-or-kill order would fill completely now, mirroring self-trade rules.

        Asked when the order enters and, for a stop, again when it is elected.
        """
        opposite = book.asks if side is _BUY else book.bids
        needed = qty
        allow = stp is SelfTradePrevention.ALLOW
        skip_own = stp is SelfTradePrevention.CANCEL_OLDEST
        for key in opposite.keys:
            if key > limit_key:
                return False
            for order in opposite.levels[key].live_orders():
                if order.account is own and not allow:
                    if skip_own:
                        continue
                    return False
                needed -= order.leaves
                if needed <= 0:
                    return True
        return False

    def _work(
        self, order: Order, book: Book, events: Events, seq: int, ts: int, anchor: int = 0
    ) -> None:
        """Match an order entering the book (if trading is continuous), then rest or cancel it.

        ``anchor`` is the trade price that elected the order when it is an
        elected stop (stop logic measures from it), else 0.
        """
        is_buy = order.side is _BUY
        if book.state in MATCHING_STATES:
            limit_key = order.price if is_buy else -order.price
            keys = book.asks.keys if is_buy else book.bids.keys
            if keys and keys[0] <= limit_key:
                rules = self.rules
                if rules is not None and rules.interrupts:
                    self._match_within(rules, order, book, limit_key, events, seq, ts, anchor)
                else:
                    self.matcher.match(order, book, limit_key, events, seq, ts)
            if not order.live:  # cancelled by self-trade prevention
                self.orders.pop(order.order_id, None)
                return
            if not order.leaves:
                order.live = False
                self.orders.pop(order.order_id, None)
                return
            tif = order.tif
            if tif is _IOC or tif is _FOK:
                order.live = False
                self.orders.pop(order.order_id, None)
                self.matcher.release(order)
                events.append(
                    OrderCancelled(
                        seq, ts, order.order_id, order.account.account_id, order.instrument,
                        order.leaves, CancelReason.UNFILLED,
                    )
                )  # fmt: skip
                return
        (book.bids if is_buy else book.asks).add(order)
        self.orders[order.order_id] = order

    def _match_within(
        self,
        rules: TradingRules,
        order: Order,
        book: Book,
        limit_key: int,
        events: Events,
        seq: int,
        ts: int,
        anchor: int,
    ) -> None:
        """Match only at prices the rulebook's tolerances and stop logic allow.

        The range is fixed before the first fill, from the last trade before
        the order, so one order cannot walk the book past it. When the order
        could still trade beyond it, trading is interrupted (a volatility
        auction, or stop logic's reserved state) and the order's rest meets
        the call like any other order.
        """
        is_buy = order.side is _BUY
        keys = book.asks.keys if is_buy else book.bids.keys
        dynamic = book.last_price
        lowest, highest = rules.trade_keys(book, is_buy, dynamic, anchor, ts)
        if keys[0] >= lowest:
            self.matcher.match(order, book, min(limit_key, highest), events, seq, ts)
        if order.live and order.leaves and keys and keys[0] <= limit_key:
            price = keys[0] if is_buy else -keys[0]
            rules.interrupt(book, price, dynamic, anchor, seq, ts, events)

    def run_stops(self, book: Book, events: Events, seq: int, ts: int) -> None:
        """Elect every stop the last trade price has reached, cascading, in trigger order.

        The price that set off the cascade is the anchor stop logic measures
        the elected orders' trades from.
        """
        rules = self.rules
        anchor = book.last_price
        while book.state in MATCHING_STATES:
            order = book.next_triggered_stop()
            if order is None:
                return
            events.append(
                StopElected(
                    seq, ts, order.order_id, order.account.account_id, order.instrument,
                    book.last_price, order.price,
                )
            )  # fmt: skip
            if self.risk_active and self.risk.election_problem(order, book, ts) is not None:
                # A stop is collared when it becomes an order, against the price then.
                events.append(self.cancel_order(order, CancelReason.OUTSIDE_PRICE_COLLAR, seq, ts))
                continue
            if rules is not None:  # an elected stop meets the price bands in force now
                banded = rules.election_price(order, book)
                if banded is None:
                    events.append(self.cancel_order(order, CancelReason.OUTSIDE_BAND, seq, ts))
                    continue
                order.price = banded
            limit_key = order.price if order.side is _BUY else -order.price
            if order.tif is _FOK and not self._fillable(
                order.account, order.side, order.leaves, order.entry.stp, book, limit_key
            ):  # fill-or-kill holds at election too: all of it now, or nothing
                events.append(self.cancel_order(order, CancelReason.UNFILLED, seq, ts))
                continue
            order.waiting = False
            self._work(order, book, events, seq, ts, anchor)

    def _owned_order(
        self, command: Cancel | Replace, seq: int, ts: int, operator_may: bool
    ) -> Order | Events:
        """The open order a cancel or replace names, or the rejection."""
        order = self.orders.get(command.order_id)
        if order is None:
            return self._reject(
                command, seq, ts, RejectReason.UNKNOWN_ORDER,
                f"order {command.order_id} is not open", command.order_id,
            )  # fmt: skip
        if order.participant != command.participant and not (
            operator_may and self.participants.get(command.participant) is Role.OPERATOR
        ):
            return self._reject(
                command, seq, ts, RejectReason.NOT_ENTITLED,
                f"order {command.order_id} does not belong to {command.participant!r}",
                command.order_id,
            )  # fmt: skip
        return order

    def _take_off(self, order: Order) -> None:
        """Remove an open order from its book and release its reservation."""
        if order.waiting:
            order.live = False
        else:
            book = self.books[order.instrument]
            (book.bids if order.side is _BUY else book.asks).remove(order)
        del self.orders[order.order_id]
        self.matcher.release(order)

    def cancel_order(self, order: Order, reason: CancelReason, seq: int, ts: int) -> OrderCancelled:
        self._take_off(order)
        return OrderCancelled(
            seq,
            ts,
            order.order_id,
            order.account.account_id,
            order.instrument,
            order.leaves,
            reason,
        )

    def _cancel(self, cmd: Cancel, seq: int, ts: int) -> Events:
        if cmd.order_id in self.orders:
            order = self.orders[cmd.order_id]
            if order.participant == cmd.participant:
                if self.risk_active:
                    self.risk.count_message(order.account, ts)
                return [self.cancel_order(order, CancelReason.USER, seq, ts)]
        found = self._owned_order(cmd, seq, ts, operator_may=True)
        if not isinstance(found, Order):
            return found
        reason = (
            CancelReason.USER if found.participant == cmd.participant else CancelReason.OPERATOR
        )
        return [self.cancel_order(found, reason, seq, ts)]

    def _mass_cancel(self, cmd: MassCancel, seq: int, ts: int) -> Events:
        role = self.participants.get(cmd.participant)
        if role is None:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_PARTICIPANT,
                f"participant {cmd.participant!r} is not registered",
            )  # fmt: skip
        is_operator = role is Role.OPERATOR
        if cmd.account:
            account = self.accounts.get(cmd.account)
            if account is None:
                return self._reject(
                    cmd, seq, ts, RejectReason.UNKNOWN_ACCOUNT,
                    f"account {cmd.account!r} does not exist",
                )  # fmt: skip
            if not is_operator and account.owner != cmd.participant:
                return self._reject(
                    cmd, seq, ts, RejectReason.NOT_ENTITLED,
                    f"account {cmd.account!r} does not belong to {cmd.participant!r}",
                )  # fmt: skip
        if cmd.instrument and cmd.instrument not in self.books:
            return self._unlisted(cmd, seq, ts)
        reason = CancelReason.OPERATOR if is_operator else CancelReason.MASS_CANCEL
        return self._cancel_where(
            lambda order: (
                (is_operator or order.participant == cmd.participant)
                and (not cmd.account or order.account.account_id == cmd.account)
                and (not cmd.instrument or order.instrument == cmd.instrument)
                and (cmd.side is None or order.side is cmd.side)
            ),
            reason, seq, ts,
        )  # fmt: skip

    def _cancel_where(
        self, doomed: Callable[[Order], bool], reason: CancelReason, seq: int, ts: int
    ) -> Events:
        """Cancel every open order ``doomed`` picks, in order-id (entry) order."""
        chosen = [order for _, order in sorted(self.orders.items()) if doomed(order)]
        rules = self.rules
        if rules is not None:  # the cancels may move quotes the rules watch, in any instrument
            for instrument in {order.instrument for order in chosen}:
                rules.reconsider(rules.guards[instrument])
        return [self.cancel_order(order, reason, seq, ts) for order in chosen]

    def _replace(self, cmd: Replace, seq: int, ts: int) -> Events:
        found = self._owned_order(cmd, seq, ts, operator_may=False)
        if not isinstance(found, Order):
            return found
        order = found
        book = self.books[order.instrument]
        reject = self._reject
        if order.waiting:
            return reject(
                cmd, seq, ts, RejectReason.NOT_REPLACEABLE,
                "a stop order waiting for its trigger cannot be replaced; cancel it and enter anew",
                order.order_id,
            )  # fmt: skip
        problem = (
            self._state_problem(book)
            or self._price_problem(cmd.price, book, "limit price")
            or self._qty_problem(cmd.qty, book)
        )
        if problem is not None:
            return reject(cmd, seq, ts, *problem, order.order_id)
        filled = order.qty - order.leaves
        leaves = cmd.qty - filled
        if leaves <= 0:
            return reject(
                cmd, seq, ts, RejectReason.INVALID_QUANTITY,
                f"new quantity {cmd.qty} does not exceed the {filled} already filled",
                order.order_id,
            )  # fmt: skip
        price = cmd.price
        is_buy = order.side is _BUY
        reserve = order.entry.reserve_price
        if reserve and price > reserve:
            return reject(
                cmd, seq, ts, RejectReason.ABOVE_RESERVE_PRICE,
                f"order {order.order_id} holds cash up to its reserve price "
                f"{ticks_to_price(reserve)}; it cannot move to {ticks_to_price(price)}",
                order.order_id,
            )  # fmt: skip
        hold = reserve or price  # a reserve is never below the price it allows
        if order.entry.post_only and book.state in MATCHING_STATES:
            best = (book.asks if is_buy else book.bids).best()
            if best is not None and best.key <= (price if is_buy else -price):
                return reject(
                    cmd, seq, ts, RejectReason.POST_ONLY_WOULD_CROSS,
                    f"post-only order at {ticks_to_price(price)} would trade", order.order_id,
                )  # fmt: skip
        if self.rules is not None:
            ruled = self.rules.check_replace(order, book, price, ts)
            if type(ruled) is tuple:
                return reject(cmd, seq, ts, *ruled, order.order_id)
            price = ruled  # type: ignore[assignment]
        risk = self.risk
        if self.risk_active:
            problem = risk.check_replace(order, price, leaves, cmd.qty, book, ts)
            if problem is not None:
                return reject(cmd, seq, ts, *problem, order.order_id)
        if self.deferred:
            need = 0
        else:
            need = self.matcher.buy_need(leaves, hold, book.unit) if is_buy else leaves
        extra = need - order.reserved
        balance = order.cash if is_buy else order.position
        if extra > balance.available:
            reason = (
                RejectReason.INSUFFICIENT_CASH if is_buy else RejectReason.INSUFFICIENT_SECURITIES
            )
            return reject(
                cmd, seq, ts, reason,
                f"the replacement needs {extra} more; {balance.available} is available",
                order.order_id,
            )  # fmt: skip
        balance.available -= extra
        balance.reserved += extra
        keep = price == order.price and leaves <= order.leaves
        side = book.side_of(order.side)
        old_price, old_leaves = order.price, order.leaves
        if keep:
            level = side.levels[price * side.sign]
            level.qty -= order.leaves - leaves
            order.leaves = leaves
            order.qty = cmd.qty
            order.reserved = need
            if self.risk_active:
                risk.on_replace(order, old_price, old_leaves, book.unit)
            return [
                OrderReplaced(
                    seq, ts, order.order_id, order.account.account_id, order.instrument,
                    price, cmd.qty, leaves, True,
                )
            ]  # fmt: skip
        side.remove(order)
        fresh = msgspec.structs.replace(
            order, price=price, hold=hold, qty=cmd.qty, leaves=leaves, reserved=need, live=True
        )
        self.orders[order.order_id] = fresh
        if self.risk_active:
            risk.on_replace(fresh, old_price, old_leaves, book.unit)
        events: Events = [
            OrderReplaced(
                seq, ts, order.order_id, order.account.account_id, order.instrument,
                price, cmd.qty, leaves, False,
            )
        ]  # fmt: skip
        self._work(fresh, book, events, seq, ts)
        self.run_stops(book, events, seq, ts)
        return events

    # ------------------------------------------------------------------ trading states

    def _set_trading_state(self, cmd: SetTradingState, seq: int, ts: int) -> Events:
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        book = self.books.get(cmd.instrument)
        if book is None:
            return self._unlisted(cmd, seq, ts)
        previous = book.state
        if previous is cmd.state:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_TRANSITION,
                f"{cmd.instrument} is already {cmd.state.value}",
            )  # fmt: skip
        rules = self.rules
        if rules is not None and cmd.state is TradingState.PAUSED and rules.straddling(book):
            return rules.discretionary_pause(book, seq, ts)
        events: Events = []
        resuming = cmd.state in MATCHING_STATES and previous not in MATCHING_STATES
        price = 0
        if resuming:
            # Whatever crossed while trading was stopped (an auction, a pause, or a call
            # that went through a halt or a close) uncrosses at one price first.
            price = self.uncross(book, events, seq, ts)
        elif rules is not None and previous in MATCHING_STATES:
            rules.halted_by_operator(book, ts, seq, events)
        if cmd.state is TradingState.CLOSED:
            events += self.expire_day_orders(cmd.instrument, seq, ts)
        book.state = cmd.state
        cause = cmd.reason or "operator"
        events.append(TradingStateChanged(seq, ts, cmd.instrument, previous, cmd.state, cause))
        if resuming and rules is not None:
            rules.resumed_by_operator(book, price, ts, seq, events)
        self.run_stops(book, events, seq, ts)
        return events

    def expire_day_orders(self, instrument: str, seq: int, ts: int) -> Events:
        """At the close: every day order of ``instrument`` is cancelled as expired."""
        return self._cancel_where(
            lambda order: order.instrument == instrument and order.tif is TimeInForce.DAY,
            CancelReason.EXPIRED, seq, ts,
        )  # fmt: skip

    def move_resting(self, order: Order, price: int, events: Events, seq: int, ts: int) -> None:
        """Move a resting order to ``price`` behind everything there (a band moved past it).

        Only ever towards the other side's prices by less than the spread, so
        it cannot cross; its reservation, held at the price it entered with,
        still covers it.
        """
        book = self.books[order.instrument]
        side = book.side_of(order.side)
        side.remove(order)
        old_price = order.price
        moved = msgspec.structs.replace(order, price=price, live=True)
        side.add(moved)
        self.orders[order.order_id] = moved
        if self.risk_active:
            self.risk.on_replace(moved, old_price, order.leaves, book.unit)
        events.append(
            OrderReplaced(
                seq, ts, order.order_id, order.account.account_id, order.instrument, price,
                order.qty, order.leaves, False,
            )
        )  # fmt: skip

    def uncross(self, book: Book, events: Events, seq: int, ts: int) -> int:
        """Execute a call auction: every crossing order trades at one price."""
        result = book.call_result()
        if result is None:
            return 0
        price = result.price
        events.append(
            AuctionUncrossed(
                seq, ts, book.instrument.symbol, price, result.volume, result.imbalance,
                result.imbalance_side,
            )
        )  # fmt: skip
        buys = book.bids.orders_in_priority()
        sells = book.asks.orders_in_priority()
        buy, sell = next(buys), next(sells)
        remaining = result.volume
        matcher = self.matcher
        while remaining:
            qty = min(buy.leaves, sell.leaves, remaining)
            remaining -= qty
            for order in (buy, sell):
                order.leaves -= qty
                side = book.side_of(order.side)
                side.levels[order.price * side.sign].qty -= qty
            cash, buy_fee, sell_fee = matcher.settle(buy, sell, price, qty, book, None)
            if self.risk_active:
                self.risk.on_fills(buy, sell, price, qty, book.unit, ts)
            trade_id = matcher.next_trade_id
            matcher.next_trade_id = trade_id + 1
            events.append(
                Trade(
                    seq, ts, trade_id, book.instrument.symbol, price, qty, None, buy.order_id,
                    sell.order_id, buy.account.account_id, sell.account.account_id, buy.leaves,
                    sell.leaves, cash, buy_fee, sell_fee,
                )
            )  # fmt: skip
            if not buy.leaves:
                self._take_off(buy)
                buy = next(buys, buy)
            if not sell.leaves:
                self._take_off(sell)
                sell = next(sells, sell)
        book.last_price = price
        return price

    def _report_trade(self, cmd: ReportTrade, seq: int, ts: int) -> Events:
        """Settle a trade made outside the visible book; no order or level is touched."""
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        book = self.books.get(cmd.instrument)
        buyer = self.accounts.get(cmd.buyer)
        seller = self.accounts.get(cmd.seller)
        if book is None:
            return self._unlisted(cmd, seq, ts)
        if buyer is None or seller is None or buyer is seller:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_ACCOUNT,
                "a reported trade needs two different existing accounts",
            )  # fmt: skip
        problem = (
            self._state_problem(book)  # no trading while halted or closed, on the book or off
            or self._price_problem(cmd.price, book, "price")
            or self._qty_problem(cmd.qty, book)
        )
        if problem is None and self.rules is not None:
            problem = self.rules.check_report(book, cmd.price)
        if problem is not None:
            return self._reject(cmd, seq, ts, *problem)
        cash = cmd.price * cmd.qty * book.unit
        if self.deferred:
            self.matcher.owe(cmd.buyer, cmd.seller, book, cmd.qty, cash, 0, 0)
        else:
            problem = self._reported_funding_problem(cmd, buyer, seller, book, cash)
            if problem is not None:
                return self._reject(cmd, seq, ts, *problem)
        if self.risk_active:
            risk = self.risk
            risk.on_reported(buyer, cmd.instrument, _BUY, cmd.price, cmd.qty, book.unit, ts)
            risk.on_reported(seller, cmd.instrument, Side.SELL, cmd.price, cmd.qty, book.unit, ts)
        trade_id = self.matcher.next_trade_id
        self.matcher.next_trade_id = trade_id + 1
        book.last_price = cmd.price
        events: Events = [
            Trade(
                seq, ts, trade_id, cmd.instrument, cmd.price, cmd.qty, cmd.aggressor, 0, 0,
                cmd.buyer, cmd.seller, 0, 0, cash, 0, 0,
            )
        ]  # fmt: skip
        self.run_stops(book, events, seq, ts)
        return events

    def _reported_funding_problem(
        self, cmd: ReportTrade, buyer: Account, seller: Account, book: Book, cash: int
    ) -> tuple[RejectReason, str] | None:
        """Settle a reported trade gross from available balances, or say why it cannot."""
        paying = buyer.cash.get(book.currency)
        delivering = seller.positions.get(cmd.instrument)
        if paying is None or paying.available < cash:
            return (
                RejectReason.INSUFFICIENT_CASH,
                f"buyer {cmd.buyer!r} cannot pay {ticks_to_price(cash)} {book.currency}",
            )
        if delivering is None or delivering.available < cmd.qty:
            return (
                RejectReason.INSUFFICIENT_SECURITIES,
                f"seller {cmd.seller!r} cannot deliver {cmd.qty} {cmd.instrument}",
            )
        paying.available -= cash
        seller.cash_balance(book.currency).available += cash
        delivering.available -= cmd.qty
        buyer.position(cmd.instrument).available += cmd.qty
        return None

    # ------------------------------------------------------------------ funding

    def _asset_balance(self, account: Account, asset: str) -> tuple[Balance, bool]:
        """(balance, is_security) for an asset name: a listed symbol, else a currency."""
        if asset in self.books:
            return account.position(asset), True
        return account.cash_balance(asset), False

    def _funding_target(
        self, cmd: Deposit | Withdraw, seq: int, ts: int
    ) -> tuple[Account, bool] | Events:
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        account = self.accounts.get(cmd.account)
        if account is None:
            return self._reject(
                cmd,
                seq,
                ts,
                RejectReason.UNKNOWN_ACCOUNT,
                f"account {cmd.account!r} does not exist",
            )
        if not 0 < cmd.amount <= MAX_SUPPLY:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_AMOUNT,
                f"amount {cmd.amount} must be positive and at most {MAX_SUPPLY}",
            )  # fmt: skip
        is_security = cmd.asset in self.books
        if not is_security and not (cmd.asset.isalnum() and len(cmd.asset) <= 12):
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_INSTRUMENT,
                f"{cmd.asset!r} is neither a listed instrument nor a currency code",
            )  # fmt: skip
        return account, is_security

    def _deposit(self, cmd: Deposit, seq: int, ts: int) -> Events:
        target = self._funding_target(cmd, seq, ts)
        if isinstance(target, list):
            return target
        account, _ = target
        if self.supply.get(cmd.asset, 0) + cmd.amount > MAX_SUPPLY:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_AMOUNT,
                f"the venue would hold more than {MAX_SUPPLY} {cmd.asset} in all",
            )  # fmt: skip
        balance, _ = self._asset_balance(account, cmd.asset)
        balance.available += cmd.amount
        self.supply[cmd.asset] = self.supply.get(cmd.asset, 0) + cmd.amount
        self._cure_if_settled(account)
        return [Transfer(seq, ts, TransferKind.DEPOSIT, cmd.account, cmd.asset, cmd.amount)]

    def _withdraw(self, cmd: Withdraw, seq: int, ts: int) -> Events:
        target = self._funding_target(cmd, seq, ts)
        if isinstance(target, list):
            return target
        account, is_security = target
        holdings = account.positions if is_security else account.cash
        balance = holdings.get(cmd.asset)
        available = balance.available if balance is not None else 0
        if balance is None or available < cmd.amount:
            reason = (
                RejectReason.INSUFFICIENT_SECURITIES
                if is_security
                else RejectReason.INSUFFICIENT_CASH
            )
            return self._reject(
                cmd, seq, ts, reason,
                f"withdrawing {cmd.amount} {cmd.asset} needs it available; {available} is",
            )  # fmt: skip
        balance.available -= cmd.amount
        # Under deferred settlement an account may hold units another still owes (a fail to
        # deliver): withdrawing them takes the asset's supply below what was deposited.
        self.supply[cmd.asset] = self.supply.get(cmd.asset, 0) - cmd.amount
        return [Transfer(seq, ts, TransferKind.WITHDRAW, cmd.account, cmd.asset, cmd.amount)]

    def _loan_parties(
        self, cmd: Borrow | ReturnBorrow, seq: int, ts: int
    ) -> tuple[Account, Account] | Events:
        """(borrower, lender) for a borrow or return, or the rejection. Creates nothing."""
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        borrower = self.accounts.get(cmd.account)
        lender = self.accounts.get(cmd.lender)
        if borrower is None or lender is None or borrower is lender:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_ACCOUNT,
                "a loan needs two different existing accounts",
            )  # fmt: skip
        if cmd.instrument not in self.books:
            return self._unlisted(cmd, seq, ts)
        if not 0 < cmd.qty <= MAX_QTY:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_QUANTITY, f"quantity {cmd.qty} must be positive"
            )
        return borrower, lender

    def _borrow(self, cmd: Borrow, seq: int, ts: int) -> Events:
        parties = self._loan_parties(cmd, seq, ts)
        if isinstance(parties, list):
            return parties
        held = parties[1].positions.get(cmd.instrument)
        available = held.available if held is not None else 0
        if held is None or available < cmd.qty:
            return self._reject(
                cmd, seq, ts, RejectReason.INSUFFICIENT_SECURITIES,
                f"lender {cmd.lender!r} has {available} {cmd.instrument} available",
            )  # fmt: skip
        lender, borrower = held, parties[0].position(cmd.instrument)
        lender.available -= cmd.qty
        lender.lent += cmd.qty
        borrower.available += cmd.qty
        borrower.borrowed += cmd.qty
        key = (cmd.account, cmd.lender, cmd.instrument)
        self.loans[key] = self.loans.get(key, 0) + cmd.qty
        return [
            Transfer(seq, ts, TransferKind.BORROW, cmd.account, cmd.instrument, cmd.qty, cmd.lender)
        ]

    def _return_borrow(self, cmd: ReturnBorrow, seq: int, ts: int) -> Events:
        parties = self._loan_parties(cmd, seq, ts)
        if isinstance(parties, list):
            return parties
        key = (cmd.account, cmd.lender, cmd.instrument)
        owed = self.loans.get(key, 0)
        if owed < cmd.qty:
            return self._reject(
                cmd, seq, ts, RejectReason.INSUFFICIENT_BORROW,
                f"{cmd.account!r} owes {cmd.lender!r} only {owed} {cmd.instrument}",
            )  # fmt: skip
        # A loan on record means the borrow created both positions.
        borrower = parties[0].positions[cmd.instrument]
        lender = parties[1].positions[cmd.instrument]
        if borrower.available < cmd.qty:
            return self._reject(
                cmd, seq, ts, RejectReason.INSUFFICIENT_SECURITIES,
                f"{cmd.account!r} has {borrower.available} {cmd.instrument} available to return",
            )  # fmt: skip
        borrower.available -= cmd.qty
        borrower.borrowed -= cmd.qty
        lender.available += cmd.qty
        lender.lent -= cmd.qty
        if owed == cmd.qty:
            del self.loans[key]
        else:
            self.loans[key] = owed - cmd.qty
        return [
            Transfer(seq, ts, TransferKind.RETURN, cmd.account, cmd.instrument, cmd.qty, cmd.lender)
        ]

    # ------------------------------------------------------------------ administration

    def _clock_tick(self, cmd: ClockTick, seq: int, ts: int) -> Events:
        return []

    def _new_id_rejection(
        self,
        cmd: RegisterParticipant | OpenAccount,
        seq: int,
        ts: int,
        what: str,
        new_id: str,
        taken: dict[str, Any],
    ) -> Events | None:
        """None if an operator names a well-formed id not yet taken, else the rejection."""
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        if not _valid_id(new_id):
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_DEFINITION,
                f"{what} id {new_id!r} must be 1 to 64 printable characters",
            )  # fmt: skip
        if new_id in taken:
            return self._reject(
                cmd, seq, ts, RejectReason.ALREADY_EXISTS, f"{what} {new_id!r} already exists"
            )
        return None

    def _register_participant(self, cmd: RegisterParticipant, seq: int, ts: int) -> Events:
        rejection = self._new_id_rejection(
            cmd, seq, ts, "participant", cmd.new_participant, self.participants
        )
        if rejection is not None:
            return rejection
        self.participants[cmd.new_participant] = cmd.role
        return [ParticipantRegistered(seq, ts, cmd.new_participant, cmd.role)]

    def _open_account(self, cmd: OpenAccount, seq: int, ts: int) -> Events:
        rejection = self._new_id_rejection(cmd, seq, ts, "account", cmd.account, self.accounts)
        if rejection is not None:
            return rejection
        if self.participants.get(cmd.owner) is not Role.TRADER:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_PARTICIPANT,
                f"owner {cmd.owner!r} is not a registered trader",
            )  # fmt: skip
        self.accounts[cmd.account] = Account(cmd.account, cmd.owner, cmd.firm)
        return [AccountOpened(seq, ts, cmd.account, cmd.owner, cmd.firm)]

    def _list_instrument(self, cmd: ListInstrument, seq: int, ts: int) -> Events:
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        instrument = cmd.instrument
        if instrument.symbol in self.books:
            return self._reject(
                cmd,
                seq,
                ts,
                RejectReason.ALREADY_EXISTS,
                f"{instrument.symbol!r} is already listed",
            )
        problems = instrument.problems()
        if cmd.luld_tier not in (1, 2):
            problems.append("luld_tier must be 1 or 2")
        currencies = {book.instrument.currency for book in self.books.values()}
        currencies.update(self.supply)
        if instrument.symbol in currencies or instrument.currency in self.books:
            problems.append("a symbol may not be the same as a currency code")
        if cmd.reference_price < 0 or cmd.reference_price % max(instrument.tick_size, 1):
            problems.append("reference_price must be a non-negative multiple of the tick")
        if problems:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_DEFINITION,
                f"{instrument.symbol!r}: " + "; ".join(problems),
            )  # fmt: skip
        fee_cash = self.fee_account.cash_balance(instrument.currency)
        book = self.books[instrument.symbol] = Book(
            instrument, cmd.reference_price, cmd.state, fee_cash
        )
        if self.rules is None:
            return [InstrumentListed(seq, ts, instrument, cmd.reference_price, cmd.state)]
        events: Events = [InstrumentListed(seq, ts, instrument, cmd.reference_price, cmd.state)]
        self.rules.list_instrument(book, cmd.luld_tier, ts, seq, events)
        if book.state is not cmd.state:  # the session clock decides where a listing starts
            events.insert(
                1, TradingStateChanged(seq, ts, instrument.symbol, cmd.state, book.state, "session")
            )
        return events

    # ------------------------------------------------------------------ market data

    def _market_data_target(
        self, cmd: SetNbbo | IndexLevel | DesignateMarketMaker, seq: int, ts: int
    ) -> Events | None:
        """None when an operator sends a rulebook's input to a venue with a rulebook."""
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        if self.rules is None:
            return self._reject(
                cmd, seq, ts, RejectReason.NO_RULEBOOK,
                f"{_tag(cmd)} feeds a rulebook's safeguards; this venue runs without one",
            )  # fmt: skip
        return None

    def _set_nbbo(self, cmd: SetNbbo, seq: int, ts: int) -> Events:
        rejection = self._market_data_target(cmd, seq, ts)
        if rejection is not None:
            return rejection
        book = self.books.get(cmd.instrument)
        if book is None:
            return self._unlisted(cmd, seq, ts)
        for what, price in (("bid", cmd.bid), ("ask", cmd.ask)):
            if price:
                problem = self._price_problem(price, book, f"national best {what}")
                if problem is not None:
                    return self._reject(cmd, seq, ts, *problem)
        if cmd.bid and cmd.ask and cmd.bid > cmd.ask:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_PRICE,
                f"national best bid {ticks_to_price(cmd.bid)} is above the offer "
                f"{ticks_to_price(cmd.ask)}",
            )  # fmt: skip
        assert self.rules is not None
        self.rules.set_nbbo(cmd)
        return []

    def _designate_market_maker(self, cmd: DesignateMarketMaker, seq: int, ts: int) -> Events:
        rejection = self._market_data_target(cmd, seq, ts)
        if rejection is not None:
            return rejection
        if cmd.instrument not in self.books:
            return self._unlisted(cmd, seq, ts)
        if cmd.market_maker not in self.participants:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_PARTICIPANT,
                f"participant {cmd.market_maker!r} is not registered",
            )  # fmt: skip
        assert self.rules is not None
        self.rules.designate(cmd.instrument, cmd.market_maker, cmd.designated)
        return [MarketMakerDesignated(seq, ts, cmd.instrument, cmd.market_maker, cmd.designated)]

    def _index_level(self, cmd: IndexLevel, seq: int, ts: int) -> Events:
        rejection = self._market_data_target(cmd, seq, ts)
        if rejection is not None:
            return rejection
        assert self.rules is not None
        mwcb = self.rules.rulebook.mwcb
        if mwcb is None or mwcb.index != cmd.index:
            watched = f"watches {mwcb.index}" if mwcb is not None else "has no circuit breakers"
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_INDEX,
                f"index {cmd.index!r} is not watched: the rulebook {watched}",
            )  # fmt: skip
        if not 0 < cmd.value <= MAX_PRICE or not 0 < cmd.prior_close <= MAX_PRICE:
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_PRICE,
                f"index values must be between 1 and {MAX_PRICE} ticks",
            )  # fmt: skip
        return self.rules.index_level(cmd, seq, ts)

    # ------------------------------------------------------------------ pre-trade risk

    def _publish_risk(self, events: Events, seq: int, ts: int) -> None:
        """Turn the risk layer's warnings and kills into events; a kill cancels the orders."""
        rules = self.rules
        while self._risk_notices:  # what a kill sets off may raise more
            for notice in self.risk.take_notices():
                scope = notice.scope
                if not notice.kill:
                    events.append(
                        RiskWarning(
                            seq, ts, scope.kind, scope.target, notice.exposure, scope.credit,
                            scope.utilisation_bps(notice.exposure),
                        )
                    )  # fmt: skip
                    continue
                events.append(
                    KillSwitchChanged(
                        seq, ts, scope.kind, scope.target, True, notice.cause, notice.by
                    )
                )
                # The rules saw the command, not the instruments the cancels reach: those
                # meet what time made due first and their new quotes after.
                if rules is not None:
                    rules.catch_up_all(seq, ts, events)
                cancels = self._cancel_scope(scope, CancelReason.KILL_SWITCH, seq, ts)
                events.extend(cancels)
                if rules is not None:
                    rules.after_cancels(cancels, events, seq, ts)

    def _cancel_scope(self, scope: Scope, reason: CancelReason, seq: int, ts: int) -> Events:
        """Cancel every open order of an account, or of every account of a firm."""
        target = scope.target
        if scope.kind is RiskScope.ACCOUNT:
            return self._cancel_where(lambda o: o.account.account_id == target, reason, seq, ts)
        return self._cancel_where(lambda o: o.account.firm == target, reason, seq, ts)

    def _risk_off_rejection(
        self, cmd: SetRiskLimits | KillSwitch | DeclareParent, seq: int, ts: int
    ) -> Events | None:
        if self.risk_active:
            return None
        return self._reject(
            cmd, seq, ts, RejectReason.RISK_CONTROLS_OFF,
            "this venue runs without pre-trade risk controls (VenueConfig.pre_trade_risk)",
        )  # fmt: skip

    def _risk_target(self, cmd: SetRiskLimits | KillSwitch, seq: int, ts: int) -> Events | None:
        """None if an operator names an existing account or a well-formed firm id."""
        rejection = self._operator_rejection(cmd, seq, ts) or self._risk_off_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        if cmd.scope is RiskScope.ACCOUNT and cmd.target not in self.accounts:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_ACCOUNT, f"account {cmd.target!r} does not exist"
            )
        if cmd.scope is RiskScope.FIRM and not _valid_id(cmd.target):
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_DEFINITION,
                f"firm id {cmd.target!r} must be 1 to 64 printable characters",
            )  # fmt: skip
        return None

    def _risk_scope(self, kind: RiskScope, target: str) -> Scope:
        """The scope a risk command acts on."""
        risk = self.risk
        if kind is RiskScope.FIRM:
            return risk.firm_scope(target)
        return risk.scope_of(self.accounts[target])

    def _set_risk_limits(self, cmd: SetRiskLimits, seq: int, ts: int) -> Events:
        rejection = self._risk_target(cmd, seq, ts)
        if rejection is not None:
            return rejection
        problem = limits_problem(cmd.limits, self.config.max_extended_collar_bps)
        if problem is not None:
            return self._reject(cmd, seq, ts, RejectReason.INVALID_LIMITS, problem)
        scope = self._risk_scope(cmd.scope, cmd.target)
        scope.apply(cmd.limits)
        self.risk.review(scope)  # a limit set below today's exposure acts at once
        return [RiskLimitsSet(seq, ts, cmd.scope, cmd.target, cmd.limits)]

    def _kill_switch(self, cmd: KillSwitch, seq: int, ts: int) -> Events:
        rejection = self._risk_target(cmd, seq, ts)
        if rejection is not None:
            return rejection
        scope = self._risk_scope(cmd.scope, cmd.target)
        if scope.killed == cmd.engage:
            state = "engaged" if cmd.engage else "not engaged"
            return self._reject(
                cmd, seq, ts, RejectReason.INVALID_TRANSITION,
                f"the kill switch of {cmd.scope.value} {cmd.target!r} is already {state}",
            )  # fmt: skip
        if cmd.engage:
            self.risk.kill(scope, cmd.reason or "engaged by an operator", cmd.participant)
            return []  # published with its cancels by _publish_risk
        scope.set_killed(False, "")
        return [
            KillSwitchChanged(
                seq, ts, cmd.scope, cmd.target, False, cmd.reason or "reset", cmd.participant
            )
        ]

    def _declare_parent(self, cmd: DeclareParent, seq: int, ts: int) -> Events:
        account = self.accounts.get(cmd.account)
        book = self.books.get(cmd.instrument)
        if account is None or book is None or account.owner != cmd.participant:
            return self._order_access_rejection(cmd, seq, ts, 0)
        rejection = self._risk_off_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        problem = self._qty_problem(cmd.qty, book)
        if problem is None and not _valid_id(cmd.parent_order_id):
            problem = (
                RejectReason.INVALID_DEFINITION,
                "a parent order id must be 1 to 64 characters",
            )
        if problem is not None:
            return self._reject(cmd, seq, ts, *problem)
        parent = self.risk.declare_parent(
            cmd.account, cmd.parent_order_id, cmd.instrument, cmd.side, cmd.qty
        )
        if isinstance(parent, str):
            return self._reject(cmd, seq, ts, RejectReason.INVALID_DEFINITION, parent)
        return [
            ParentDeclared(
                seq, ts, cmd.account, cmd.parent_order_id, cmd.instrument, cmd.side, parent.qty,
                parent.used,
            )
        ]  # fmt: skip

    def _cancel_on_disconnect(self, cmd: CancelOnDisconnect, seq: int, ts: int) -> Events:
        if self.participants.get(cmd.participant) is not Role.TRADER:
            return self._reject(
                cmd, seq, ts, RejectReason.UNKNOWN_PARTICIPANT,
                f"{cmd.participant!r} is not a registered trader",
            )  # fmt: skip
        participant = cmd.participant
        return self._cancel_where(
            lambda o: o.participant == participant, CancelReason.DISCONNECT, seq, ts
        )

    # ------------------------------------------------------------------ end of day

    def _cure_if_settled(self, account: Account) -> None:
        """A failing account with no negative balance left may trade again."""
        if account.account_id in self.risk.failing and not self._short_assets(account):
            self.risk.failing.discard(account.account_id)

    def _short_assets(self, account: Account) -> bool:
        """Whether any balance of the account is negative (a deferred settlement fail)."""
        return any(
            balance.available < 0
            for holdings in (account.cash, account.positions)
            for balance in holdings.values()
        )

    def _end_of_day(self, cmd: EndOfDay, seq: int, ts: int) -> Events:
        """Close the risk day; under deferred settlement, settle every obligation net."""
        rejection = self._operator_rejection(cmd, seq, ts)
        if rejection is not None:
            return rejection
        settled = [
            Obligation(account, asset, amount)
            for (account, asset), amount in sorted(self.matcher.obligations.items())
        ]
        for obligation in settled:
            balance, _ = self._asset_balance(self.accounts[obligation.account], obligation.asset)
            balance.available += obligation.amount
        self.matcher.obligations.clear()
        failing = self.risk.failing
        for account_id in list(failing):  # a trade reported since may have settled it back
            self._cure_if_settled(self.accounts[account_id])
        shortfalls = []
        for obligation in settled:
            balance, _ = self._asset_balance(self.accounts[obligation.account], obligation.asset)
            if obligation.amount < 0 and balance.available < 0:
                shortfalls.append(
                    Obligation(obligation.account, obligation.asset, balance.available)
                )
                failing.add(obligation.account)
        self.risk.end_of_day()
        events: Events = [SettlementBatch(seq, ts, settled, shortfalls)]
        failed = {shortfall.account for shortfall in shortfalls}
        return events + self._cancel_where(
            lambda o: o.account.account_id in failed, CancelReason.SETTLEMENT_FAIL, seq, ts
        )
