"""What the trading rules keep for one instrument on its current trading day.

A plain ``__slots__`` class: the venue reads it on every order (bands,
the next instant anything is due), so it holds its figures in the form the
hot path compares directly.
"""

from __future__ import annotations

from seawall.core.book import Book
from seawall.core.types import Side
from seawall.safeguards.calendar import TradingDay
from seawall.safeguards.limit_state import NEVER, LuldMonitor
from seawall.safeguards.lrp import LiquidityReplenishment
from seawall.safeguards.luld import LuldTier
from seawall.safeguards.nbbo import Nbbo
from seawall.safeguards.short_sale import ShortSaleRestriction
from seawall.safeguards.sscb import SingleStockBreaker
from seawall.safeguards.stop_logic import StopReserve


class Guard:
    """The rules' state for one instrument on its current trading day."""

    __slots__ = (
        "book",
        "call_ends",
        "call_kind",
        "day",
        "due_at",
        "extensions",
        "indicative",
        "leverage",
        "lower",
        "luld",
        "luld_prior_close",
        "market_makers",
        "nbbo",
        "prior_close",
        "replenishment",
        "reserve",
        "session_at",
        "short_sale",
        "short_sale_at",
        "sscb",
        "static_reference",
        "straddle",
        "tier",
        "upper",
    )

    def __init__(self, book: Book, tier: LuldTier, prior_close: int) -> None:
        self.book = book
        self.tier = tier
        self.leverage = book.instrument.leverage
        self.prior_close = prior_close
        self.static_reference = prior_close  # the last auction price: the static tolerance's
        self.reserve: StopReserve | None = None  # stop logic's reserved state, while it lasts
        self.replenishment: LiquidityReplenishment | None = None  # its recent trades
        self.market_makers: frozenset[str] = frozenset()  # participants designated here
        self.straddle = False  # LULD's straddle state, as last published
        self.day: TradingDay | None = None
        self.luld: LuldMonitor | None = None
        self.luld_prior_close = 0  # the close the day's LULD tier and doubling were set from
        self.sscb: SingleStockBreaker | None = None
        self.short_sale: ShortSaleRestriction | None = None
        self.lower = 0  # the LULD bands that restrain orders now; 0 when none do
        self.upper = 0
        self.nbbo: Nbbo | None = None  # the operator's NBBO; None: the venue's own best prices
        self.session_at = NEVER  # the next instant the session clock moves this instrument
        self.call_ends = NEVER  # when the current call uncrosses (an auction or a reopening)
        self.call_kind = ""  # what the uncross leads to: _OPEN, _CLOSE or _REOPEN
        self.extensions = 0  # of the current call, by its auction collar
        self.indicative: tuple[int, int, int, Side | None] | None = None
        self.short_sale_at = 0  # the highest price that can trigger Rule 201 (0: none can)
        self.due_at = NEVER  # the first instant at which time alone changes something here

    def national_best(self) -> tuple[int, int]:
        """The operator's NBBO, else the venue's own best prices; 0 for a side with none."""
        nbbo = self.nbbo
        return (nbbo.bid, nbbo.ask) if nbbo is not None else self.book.best_prices()

    def refresh_due(self) -> None:
        """Recompute :attr:`due_at`; called whenever the session, a call or LULD moved."""
        due = min(self.session_at, self.call_ends)
        if self.luld is not None:
            due = min(due, self.luld.next_instant())
        self.due_at = due
