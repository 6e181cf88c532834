"""Continuous matching and delivery-versus-payment settlement of each fill.

The matcher walks the opposite side best level first, head of queue first,
and settles every fill the moment it is made: cash from the buyer's
reservation to the seller, securities from the seller's reservation to the
buyer, fees to the venue. A buy's reservation is recomputed from its new open
quantity at its limit, so price improvement is released in the same step.

Under deferred settlement (ADR 0008) nothing is reserved and a fill moves
nothing: it records what each party owes and is owed, and the end-of-day
batch settles those obligations net.
"""

from __future__ import annotations

from seawall.core.book import Book, BookSide, Order
from seawall.core.config import VenueConfig
from seawall.core.events import CancelReason, Event, OrderCancelled, Trade
from seawall.core.ledger import fee_charged, fee_reserved
from seawall.core.types import SelfTradePrevention, SettlementMode, Side
from seawall.risk.engine import RiskEngine

_ALLOW = SelfTradePrevention.ALLOW
_CANCEL_OLDEST = SelfTradePrevention.CANCEL_OLDEST
_CANCEL_NEWEST = SelfTradePrevention.CANCEL_NEWEST
_BUY = Side.BUY


class Matcher:
    """Matching and settlement for every book of one venue; owns the trade-id counter."""

    __slots__ = (
        "deferred",
        "fee_account",
        "maker_bps",
        "next_trade_id",
        "obligations",
        "orders",
        "reserve_bps",
        "risk",
        "risk_active",
        "taker_bps",
    )

    def __init__(self, config: VenueConfig, orders: dict[int, Order], risk: RiskEngine) -> None:
        self.orders = orders  # the venue's open orders: a maker that is done leaves it here
        self.risk = risk
        self.risk_active = risk.active  # asked per fill: an attribute, not the engine's property
        self.maker_bps = config.maker_fee_bps
        self.taker_bps = config.taker_fee_bps
        # A buy may end up maker or taker, so it reserves the larger fee.
        self.reserve_bps = max(config.maker_fee_bps, config.taker_fee_bps)
        self.next_trade_id = 1
        self.deferred = config.settlement is SettlementMode.DEFERRED
        self.fee_account = config.fee_account
        # Deferred settlement: (account, asset) -> net amount to receive (+) or deliver (-).
        self.obligations: dict[tuple[str, str], int] = {}

    def buy_need(self, leaves: int, price: int, unit: int) -> int:
        """Cash an open buy of ``leaves`` at limit ``price`` must hold reserved."""
        notional = leaves * price * unit
        if self.reserve_bps:
            return notional + fee_reserved(notional, self.reserve_bps)
        return notional

    def match(
        self,
        taker: Order,
        book: Book,
        limit_key: int,
        events: list[Event],
        seq: int,
        ts: int,
    ) -> None:
        """Cross ``taker`` against the opposite side down to ``limit_key``.

        ``limit_key`` is the taker's limit in the opposite side's key space
        (see :mod:`seawall.core.book`). On return ``taker.leaves`` is what is
        left; if self-trade prevention cancelled the taker, it is no longer
        live and its reservation is released.
        """
        is_buy = taker.side is _BUY
        opposite: BookSide = book.asks if is_buy else book.bids
        account = taker.account
        stp = taker.entry.stp
        symbol = taker.instrument
        while taker.leaves:
            level = opposite.best()
            if level is None or level.key > limit_key:
                break
            queue = level.queue
            maker = queue[0]
            while not maker.live:
                queue.popleft()
                maker = queue[0]
            if maker.account is account and stp is not _ALLOW:
                if stp is not _CANCEL_NEWEST:
                    opposite.remove(maker)
                    self.release(maker)
                    del self.orders[maker.order_id]
                    events.append(
                        OrderCancelled(
                            seq, ts, maker.order_id, account.account_id, symbol,
                            maker.leaves, CancelReason.SELF_TRADE,
                        )
                    )  # fmt: skip
                    if stp is _CANCEL_OLDEST:
                        continue
                taker.live = False
                self.release(taker)
                events.append(
                    OrderCancelled(
                        seq, ts, taker.order_id, account.account_id, symbol,
                        taker.leaves, CancelReason.SELF_TRADE,
                    )
                )  # fmt: skip
                return
            price = level.price
            qty = taker.leaves if taker.leaves < maker.leaves else maker.leaves
            maker.leaves -= qty
            taker.leaves -= qty
            level.qty -= qty
            if is_buy:
                cash, buy_fee, sell_fee = self.settle(taker, maker, price, qty, book, True)
                buy_id, sell_id, buy_leaves, sell_leaves = (
                    taker.order_id, maker.order_id, taker.leaves, maker.leaves,
                )  # fmt: skip
                buyer, seller = account, maker.account
            else:
                cash, buy_fee, sell_fee = self.settle(maker, taker, price, qty, book, False)
                buy_id, sell_id, buy_leaves, sell_leaves = (
                    maker.order_id, taker.order_id, maker.leaves, taker.leaves,
                )  # fmt: skip
                buyer, seller = maker.account, account
            if self.risk_active:
                self.risk.on_fills(taker, maker, price, qty, book.unit, ts)
            trade_id = self.next_trade_id
            self.next_trade_id = trade_id + 1
            events.append(
                Trade(
                    seq, ts, trade_id, symbol, price, qty, taker.side, buy_id, sell_id,
                    buyer.account_id, seller.account_id, buy_leaves, sell_leaves,
                    cash, buy_fee, sell_fee,
                )
            )  # fmt: skip
            book.last_price = price
            if maker.leaves == 0:
                queue.popleft()
                maker.live = False
                del self.orders[maker.order_id]
                if not level.qty:
                    opposite.drop_level(level.key)

    def settle(
        self, buy: Order, sell: Order, price: int, qty: int, book: Book, buyer_is_taker: bool | None
    ) -> tuple[int, int, int]:
        """Move cash against securities for one fill; return (cash, buyer fee, seller fee).

        Both orders' ``leaves`` already exclude ``qty``. ``buyer_is_taker``
        is None in an auction, where both sides pay the maker fee.
        """
        unit = book.unit
        cash = price * qty * unit
        if self.reserve_bps:
            maker_fee = fee_charged(cash, self.maker_bps)
            taker_fee = fee_charged(cash, self.taker_bps)
            buy_fee = taker_fee if buyer_is_taker else maker_fee
            sell_fee = maker_fee if buyer_is_taker or buyer_is_taker is None else taker_fee
        else:
            buy_fee = sell_fee = 0
        if self.deferred:
            self.owe(
                buy.account.account_id, sell.account.account_id, book, qty, cash, buy_fee, sell_fee
            )
            return cash, buy_fee, sell_fee
        book.fee_cash.available += buy_fee + sell_fee
        need = self.buy_need(buy.leaves, buy.hold, unit)
        released = buy.reserved - need
        buy.reserved = need
        buy_cash = buy.cash
        buy_cash.reserved -= released
        buy_cash.available += released - cash - buy_fee
        buy.position.available += qty
        sell.reserved -= qty
        sell.position.reserved -= qty
        sell.cash.available += cash - sell_fee
        return cash, buy_fee, sell_fee

    def owe(
        self, buyer: str, seller: str, book: Book, qty: int, cash: int, buy_fee: int, sell_fee: int
    ) -> None:
        """Record a deferred trade: the buyer owes the cash, the seller the securities."""
        currency = book.currency
        symbol = book.instrument.symbol
        add = self._add_obligation
        add(buyer, currency, -cash - buy_fee)
        add(buyer, symbol, qty)
        add(seller, currency, cash - sell_fee)
        add(seller, symbol, -qty)
        if buy_fee or sell_fee:
            add(self.fee_account, currency, buy_fee + sell_fee)

    def _add_obligation(self, account: str, asset: str, amount: int) -> None:
        key = (account, asset)
        net = self.obligations.get(key, 0) + amount
        if net:
            self.obligations[key] = net
        else:
            self.obligations.pop(key, None)

    def release(self, order: Order) -> None:
        """Give back everything an order still holds reserved (it is leaving the book)."""
        if self.risk_active:
            self.risk.on_release(order)
        reserved = order.reserved
        order.reserved = 0
        if order.side is _BUY:
            order.cash.reserved -= reserved
            order.cash.available += reserved
        else:
            order.position.reserved -= reserved
            order.position.available += reserved
