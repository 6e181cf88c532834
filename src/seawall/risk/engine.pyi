"""Type declarations of the compiled module ``engine.pyx`` (see it for the docs)."""

from seawall.core.book import Book, Order
from seawall.core.commands import NewOrder, RiskLimits
from seawall.core.config import VenueConfig
from seawall.core.events import RejectReason
from seawall.core.ledger import Account
from seawall.core.types import Side
from seawall.risk.records import Notice, Parent
from seawall.risk.scope import Scope
from seawall.risk.session import RegularHours

Problem = tuple[RejectReason, str]

class RiskEngine:
    books: dict[str, Book]
    deferred: bool
    max_extended_collar_bps: int
    hours: RegularHours
    @property
    def active(self) -> bool: ...
    account_defaults: RiskLimits | None
    accounts: dict[str, Scope]
    firms: dict[str, Scope]
    parents: dict[tuple[str, str], Parent]
    notices: list[Notice]
    failing: set[str]
    def __init__(self, config: VenueConfig, books: dict[str, Book]) -> None: ...
    def firm_scope(self, firm: str) -> Scope: ...
    def scope_of(self, account: Account) -> Scope: ...
    def warm(self, account: Account, /) -> None: ...
    def admit_order(
        self, cmd: NewOrder, account: Account, book: Book, price: int, ts: int, /
    ) -> Problem | None: ...
    def check_order(
        self, cmd: NewOrder, account: Account, book: Book, price: int, ts: int, /
    ) -> Problem | None: ...
    def market_limit(
        self, account: Account, side: Side, book: Book, price: int, ts: int, /
    ) -> int: ...
    def election_problem(self, order: Order, book: Book, ts: int, /) -> Problem | None: ...
    def check_replace(
        self, order: Order, price: int, leaves: int, qty: int, book: Book, ts: int, /
    ) -> Problem | None: ...
    def on_replace(self, order: Order, old_price: int, old_leaves: int, unit: int) -> None: ...
    def count_message(self, account: Account, ts: int, /) -> None: ...
    def on_release(self, order: Order, /) -> None: ...
    def on_fills(
        self, one: Order, other: Order, price: int, qty: int, unit: int, ts: int, /
    ) -> None: ...
    def on_reported(
        self,
        account: Account,
        instrument: str,
        side: Side,
        price: int,
        qty: int,
        unit: int,
        ts: int,
        /,
    ) -> None: ...
    def review(self, scope: Scope) -> None: ...
    def kill(self, scope: Scope, cause: str, by: str) -> None: ...
    def take_notices(self) -> list[Notice]: ...
    def declare_parent(
        self, account: str, parent_id: str, instrument: str, side: Side, qty: int
    ) -> Parent | str: ...
    def end_of_day(self) -> None: ...
