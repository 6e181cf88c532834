"""The trading rules' state for snapshots and the state hash, and its restoration.

Everything :class:`~seawall.core.trading_rules.TradingRules` keeps beyond
the books: per instrument, the evaluators' own exported state and the
guard's figures; the evaluators themselves are rebuilt from the rulebook,
which travels in the venue's configuration.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import msgspec

from seawall.core.book import Book
from seawall.core.rules_guard import Guard
from seawall.core.types import Side
from seawall.safeguards.limit_state import LuldMonitor, LuldMonitorState
from seawall.safeguards.lrp import LiquidityReplenishment
from seawall.safeguards.luld import LuldTier
from seawall.safeguards.mwcb import MarketWideBreaker, MwcbState
from seawall.safeguards.nbbo import Nbbo
from seawall.safeguards.short_sale import ShortSaleRestriction, ShortSaleState
from seawall.safeguards.sscb import RollingRangeState, SingleStockBreaker, SscbState
from seawall.safeguards.stop_logic import StopReserve

if TYPE_CHECKING:
    from seawall.core.trading_rules import TradingRules


class GuardState(msgspec.Struct, frozen=True, array_like=True):
    """One instrument's rules state; the evaluators are rebuilt from the rulebook and this."""

    symbol: str
    tier: LuldTier
    prior_close: int
    day: dt.date | None
    luld_prior_close: int
    luld: LuldMonitorState | None
    sscb: SscbState | None
    short_sale: ShortSaleState | None
    lower: int
    upper: int
    nbbo: Nbbo | None
    session_at: int
    call_ends: int
    call_kind: str
    extensions: int
    indicative: tuple[int, int, int, Side | None] | None
    static_reference: int = 0
    reserve: StopReserve | None = None
    replenishment: RollingRangeState | None = None
    market_makers: tuple[str, ...] = ()
    straddle: bool = False


class RulesState(msgspec.Struct, frozen=True):
    """Everything :class:`TradingRules` keeps beyond the books, for snapshots and the hash."""

    guards: list[GuardState]  # in listing order: a tick walks the instruments in it
    mwcb: MwcbState | None
    mwcb_date: str
    mwcb_prior_close: int
    halt_ends: int


def export_rules(rules: TradingRules) -> RulesState:
    guards = [
        GuardState(
            symbol,
            guard.tier,
            guard.prior_close,
            guard.day.date if guard.day else None,
            guard.luld_prior_close,
            guard.luld.export() if guard.luld else None,
            guard.sscb.export() if guard.sscb else None,
            guard.short_sale.export() if guard.short_sale else None,
            guard.lower,
            guard.upper,
            guard.nbbo,
            guard.session_at,
            guard.call_ends,
            guard.call_kind,
            guard.extensions,
            guard.indicative,
            guard.static_reference,
            guard.reserve,
            guard.replenishment.export() if guard.replenishment else None,
            tuple(sorted(guard.market_makers)),
            guard.straddle,
        )  # fmt: skip
        for symbol, guard in rules.guards.items()  # listing order, as the books
    ]
    mwcb = rules.mwcb
    return RulesState(
        guards,
        mwcb.export() if mwcb is not None else None,
        rules.mwcb_date,
        rules.mwcb_prior_close,
        rules.halt_ends,
    )


def restore_rules(rules: TradingRules, state: RulesState, books: dict[str, Book]) -> None:
    """Load ``state`` into rules freshly built from the same rulebook, over restored books."""
    rulebook = rules.rulebook
    calendar = rules.calendar
    for saved in state.guards:
        guard = rules.guards[saved.symbol] = Guard(books[saved.symbol], saved.tier, 0)
        rules.set_prior_close(guard, saved.prior_close)
        day = guard.day = calendar.day(saved.day) if saved.day is not None else None
        guard.luld_prior_close = saved.luld_prior_close
        if saved.luld is not None and day is not None and rulebook.luld is not None:
            guard.luld = LuldMonitor(
                rulebook.luld, day, guard.tier, saved.luld_prior_close, guard.leverage
            )
            guard.luld.restore(saved.luld)
        if saved.sscb is not None and day is not None and rulebook.sscb is not None:
            guard.sscb = SingleStockBreaker(rulebook.sscb, day)
            guard.sscb.restore(saved.sscb)
        if saved.short_sale is not None and rulebook.short_sale is not None:
            guard.short_sale = ShortSaleRestriction(rulebook.short_sale, calendar)
            guard.short_sale.restore(saved.short_sale)
        guard.lower, guard.upper = saved.lower, saved.upper
        guard.nbbo = saved.nbbo
        guard.session_at, guard.call_ends = saved.session_at, saved.call_ends
        guard.call_kind, guard.extensions = saved.call_kind, saved.extensions
        guard.indicative = saved.indicative
        guard.static_reference = saved.static_reference or saved.prior_close
        guard.reserve = saved.reserve
        guard.market_makers = frozenset(saved.market_makers)
        guard.straddle = saved.straddle
        if rulebook.liquidity_replenishment is not None:
            guard.replenishment = LiquidityReplenishment(rulebook.liquidity_replenishment)
            if saved.replenishment is not None:
                guard.replenishment.restore(saved.replenishment)
        guard.refresh_due()
    rules.mwcb_date = state.mwcb_date
    rules.mwcb_prior_close = state.mwcb_prior_close
    rules.halt_ends = state.halt_ends
    if state.mwcb is not None and rulebook.mwcb is not None:
        day = calendar.day(dt.date.fromisoformat(state.mwcb_date))
        rules.mwcb = MarketWideBreaker(rulebook.mwcb, calendar, day, state.mwcb_prior_close)
        rules.mwcb.restore(state.mwcb)
