"""Export, restore and fingerprint a venue's complete state.

The exported form is canonical: every collection is sorted by its key but
the instruments, which keep their listing order, and orders are listed in
priority order (best level first, oldest first within a level), so two venues
that will react identically to every future command export byte-identical
states and therefore share a state hash. Restoring appends orders in that
order, which recreates every queue position exactly. Listing order is state:
a clock tick that moves several instruments reports them in that order, so a
restored venue must walk them as the live one did.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import msgspec

from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder
from seawall.core.config import VenueConfig
from seawall.core.ledger import Account, Balance
from seawall.core.rules_snapshot import RulesState, export_rules, restore_rules
from seawall.core.types import (
    Instrument,
    OrderType,
    Role,
    SaleMarking,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingState,
)
from seawall.risk.state import RiskState, export_risk, restore_risk

if TYPE_CHECKING:
    from seawall.core.venue import Venue


class OrderState(msgspec.Struct, frozen=True, array_like=True):
    order_id: int
    participant: str
    account: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    price: int
    stop_price: int
    qty: int
    leaves: int
    reserved: int
    stp: SelfTradePrevention
    post_only: bool
    marking: SaleMarking
    client_order_id: str
    parent_order_id: str
    waiting: bool
    reserve_price: int


class BookState(msgspec.Struct, frozen=True):
    instrument: Instrument
    state: TradingState
    reference_price: int
    last_price: int
    bids: list[OrderState]
    asks: list[OrderState]
    stops: list[OrderState]


class BalanceState(msgspec.Struct, frozen=True, array_like=True):
    asset: str
    available: int
    reserved: int
    borrowed: int
    lent: int


class AccountState(msgspec.Struct, frozen=True):
    account: str
    owner: str
    firm: str
    cash: list[BalanceState]
    positions: list[BalanceState]


class VenueState(msgspec.Struct, frozen=True, omit_defaults=True):
    """Everything needed to rebuild a venue that behaves identically from here on.

    ``risk`` is absent until the risk layer starts; ``obligations`` holds the
    deferred-settlement obligations not yet settled; ``rules`` is the
    rulebook's per-instrument state, on a venue that runs one.
    """

    config: VenueConfig
    seq: int
    ts: int
    next_order_id: int
    next_trade_id: int
    participants: list[tuple[str, Role]]
    accounts: list[AccountState]
    books: list[BookState]  # in listing order
    supply: list[tuple[str, int]]
    loans: list[tuple[str, str, str, int]]
    risk: RiskState | None = None
    obligations: list[tuple[str, str, int]] = []
    rules: RulesState | None = None


def _order_state(order: Order) -> OrderState:
    entry = order.entry
    return OrderState(
        order.order_id, order.participant, order.account.account_id, order.side,
        entry.order_type, order.tif, order.price, entry.stop_price, order.qty, order.leaves,
        order.reserved, entry.stp, entry.post_only, entry.marking, entry.client_order_id,
        entry.parent_order_id, order.waiting, entry.reserve_price,
    )  # fmt: skip


def _balances(holdings: dict[str, Balance]) -> list[BalanceState]:
    return [
        BalanceState(asset, b.available, b.reserved, b.borrowed, b.lent)
        for asset, b in sorted(holdings.items())
    ]


def _book_state(book: Book) -> BookState:
    return BookState(
        book.instrument,
        book.state,
        book.reference_price,
        book.last_price,
        [_order_state(o) for o in book.bids.orders_in_priority()],
        [_order_state(o) for o in book.asks.orders_in_priority()],
        [_order_state(o) for o in book.pending_stops()],
    )


def export_state(venue: Venue) -> VenueState:
    return VenueState(
        venue.config,
        venue.seq,
        venue.ts,
        venue.next_order_id,
        venue.matcher.next_trade_id,
        sorted(venue.participants.items()),
        [
            AccountState(a.account_id, a.owner, a.firm, _balances(a.cash), _balances(a.positions))
            for _, a in sorted(venue.accounts.items())
        ],
        [_book_state(book) for book in venue.books.values()],
        sorted(venue.supply.items()),
        sorted((*key, qty) for key, qty in venue.loans.items()),
        export_risk(venue.risk) if venue.risk.active else None,
        sorted((*key, amount) for key, amount in venue.matcher.obligations.items()),
        export_rules(venue.rules) if venue.rules is not None else None,
    )


_encoder = msgspec.msgpack.Encoder(order="deterministic")  # sets (a rulebook's) sorted


def state_hash(venue: Venue) -> str:
    return hashlib.blake2b(_encoder.encode(export_state(venue)), digest_size=32).hexdigest()


def _restore_balances(states: list[BalanceState]) -> dict[str, Balance]:
    holdings = {}
    for s in states:
        balance = holdings[s.asset] = Balance(s.available, s.reserved)
        balance.borrowed = s.borrowed
        balance.lent = s.lent
    return holdings


def _restore_order(s: OrderState, book: Book, account: Account) -> Order:
    symbol = book.instrument.symbol
    entry = NewOrder(
        s.participant, account.account_id, symbol, s.side, s.qty, s.price, s.order_type, s.tif,
        s.stop_price, s.post_only, s.marking, s.stp, s.client_order_id, s.parent_order_id,
        s.reserve_price,
    )  # fmt: skip
    hold = s.reserve_price or s.price  # a reserve is never below the order's price
    return Order(
        s.order_id, s.participant, account, symbol, s.side, s.tif, s.price, hold, s.qty, s.leaves,
        account.cash_balance(book.instrument.currency), account.position(symbol), s.reserved,
        s.waiting, entry,
    )  # fmt: skip


def restore_into(venue: Venue, state: VenueState) -> None:
    """Load ``state`` into a venue freshly built from ``state.config``."""
    venue.seq = state.seq
    venue.ts = state.ts
    venue.next_order_id = state.next_order_id
    venue.matcher.next_trade_id = state.next_trade_id
    venue.participants = dict(state.participants)
    venue.accounts.clear()
    for a in state.accounts:
        account = venue.accounts[a.account] = Account(a.account, a.owner, a.firm)
        account.cash = _restore_balances(a.cash)
        account.positions = _restore_balances(a.positions)
    venue.fee_account = venue.accounts[state.config.fee_account]
    restored: list[Order] = []
    for b in state.books:
        fee_cash = venue.fee_account.cash_balance(b.instrument.currency)
        book = venue.books[b.instrument.symbol] = Book(
            b.instrument, b.reference_price, b.state, fee_cash
        )
        book.last_price = b.last_price
        for side_states in (b.bids, b.asks):
            for s in side_states:
                order = _restore_order(s, book, venue.accounts[s.account])
                book.side_of(order.side).add(order)
                restored.append(order)
        for s in b.stops:
            order = _restore_order(s, book, venue.accounts[s.account])
            if order.waiting:
                book.add_stop(order)
            restored.append(order)
    venue.orders.clear()
    venue.orders.update((o.order_id, o) for o in sorted(restored, key=lambda o: o.order_id))
    venue.supply = dict(state.supply)
    venue.loans = {(b, lender, sym): qty for b, lender, sym, qty in state.loans}
    venue.matcher.obligations = {(a, asset): amount for a, asset, amount in state.obligations}
    if state.risk is not None:
        restore_risk(venue.risk, state.risk, venue.accounts)
    if state.rules is not None and venue.rules is not None:
        restore_rules(venue.rules, state.rules, venue.books)
