"""A market for the risk layer's tests: firms, two instruments and a real New York clock.

Timestamps matter to the risk layer (the collar is wider outside regular
hours, throttles and the duplicate check use windows), so :class:`RiskMarket`
stamps commands on a calendar clock that starts inside regular hours on a
summer trading day, moving ``step`` nanoseconds per command unless a command
is given its own stamp.

:class:`ExposureModel` recomputes every scope's exposure from scratch, from
the open orders and the trades observed, as the rules state it; the tests
compare the risk layer's incremental figures with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from orders_support import OPERATOR, bare, usd
from seawall import Instrument, Side, Venue, VenueConfig
from seawall.core.commands import (
    Command,
    Deposit,
    KillSwitch,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.events import (
    Event,
    KillSwitchChanged,
    OrderAccepted,
    OrderCancelled,
    Rejected,
    Trade,
)
from seawall.core.state import VenueState
from seawall.core.types import AssetClass, RiskScope, SettlementMode
from seawall.risk.scope import Scope

ACCOUNT = RiskScope.ACCOUNT
FIRM = RiskScope.FIRM
BUY = Side.BUY
SELL = Side.SELL

XYZ = "XYZ"  # an equity at $100.00
OPT = "OPT"  # an option series at $5.00, 100 shares per contract
EQUITY = Instrument(XYZ)
OPTION = Instrument(OPT, asset_class=AssetClass.OPTION, multiplier=100)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc_ns(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> int:
    """Nanoseconds since the epoch of a UTC wall time (offsets are worked out by hand)."""
    moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1_000


SECOND = 1_000_000_000
# Wednesday 10 July 2024, New York on daylight time (UTC-4): 09:30 EDT is 13:30 UTC.
SUMMER_OPEN = utc_ns(2024, 7, 10, 13, 30)
MIDDAY = SUMMER_OPEN + 2 * 3_600 * SECOND  # 11:30 EDT, well inside regular hours


@dataclass(frozen=True)
class Holder:
    participant: str
    account: str
    firm: str = ""


# Firm F: alice's two accounts and bob's; firm G: carol's; dave has no firm. The market
# maker "mm" (account M, no firm, no limits) is the usual counterparty.
HOLDERS = (
    Holder("alice", "A1", "F"),
    Holder("alice", "A2", "F"),
    Holder("bob", "B", "F"),
    Holder("carol", "C", "G"),
    Holder("dave", "D"),
    Holder("mm", "M"),
)
PRICE = usd("100.00")  # XYZ's reference, the price most of the tests trade at
LISTINGS = ((EQUITY, PRICE), (OPTION, usd("5.00")))
CASH = usd("100,000,000")
UNITS = 1_000_000


def setup_commands(
    holders: Sequence[Holder] = HOLDERS,
    listings: Sequence[tuple[Instrument, int]] = LISTINGS,
    cash: int = CASH,
    units: int = UNITS,
) -> list[Command]:
    """List the instruments, register the traders, open and fund the accounts."""
    commands: list[Command] = [
        ListInstrument(OPERATOR, instrument, reference_price=reference)
        for instrument, reference in listings
    ]
    for participant in dict.fromkeys(h.participant for h in holders):
        commands.append(RegisterParticipant(OPERATOR, participant))
    for h in holders:
        commands.append(OpenAccount(OPERATOR, h.account, h.participant, firm=h.firm))
        if cash:
            commands.append(Deposit(OPERATOR, h.account, "USD", cash))
        if units:
            commands += [Deposit(OPERATOR, h.account, i.symbol, units) for i, _ in listings]
    return commands


class RiskMarket:
    """A venue driven on a calendar clock, with helpers for orders and limits."""

    def __init__(
        self,
        config: VenueConfig | None = None,
        *,
        holders: Sequence[Holder] = HOLDERS,
        listings: Sequence[tuple[Instrument, int]] = LISTINGS,
        cash: int | None = None,
        units: int | None = None,
        start: int = MIDDAY,
        step: int = 1_000,
    ) -> None:
        self.venue = Venue(config)
        self.ts = start
        self.step = step
        self.owners = {h.account: h.participant for h in holders}
        deferred = self.venue.config.settlement is SettlementMode.DEFERRED
        funded_cash = (0 if deferred else CASH) if cash is None else cash
        funded_units = (0 if deferred else UNITS) if units is None else units
        for command in setup_commands(holders, listings, funded_cash, funded_units):
            events = self.do(command)
            assert not isinstance(events[0], Rejected), events

    def do(self, command: Command, at: int | None = None) -> list[Event]:
        """Process ``command`` at ``at``, or ``step`` after the previous command."""
        self.ts = self.ts + self.step if at is None else at
        return self.venue.process(command, self.ts)

    def order(
        self,
        account: str,
        side: Side,
        qty: int,
        price: int,
        symbol: str = XYZ,
        at: int | None = None,
        **fields: Any,
    ) -> list[Event]:
        command = NewOrder(self.owners[account], account, symbol, side, qty, price, **fields)
        return self.do(command, at)

    def buy(self, account: str, qty: int, price: int, **fields: Any) -> list[Event]:
        return self.order(account, BUY, qty, price, **fields)

    def sell(self, account: str, qty: int, price: int, **fields: Any) -> list[Event]:
        return self.order(account, SELL, qty, price, **fields)

    def rest(self, account: str, side: Side, qty: int, price: int, **fields: Any) -> int:
        """Enter an order that must be accepted; its id."""
        events = self.order(account, side, qty, price, **fields)
        accepted = events[0]
        assert isinstance(accepted, OrderAccepted), events
        return accepted.order_id

    def limits(
        self, target: str, scope: RiskScope = ACCOUNT, at: int | None = None, **fields: Any
    ) -> list[Event]:
        return self.do(SetRiskLimits(OPERATOR, scope, target, RiskLimits(**fields)), at)

    def kill(self, target: str, scope: RiskScope = ACCOUNT, engage: bool = True) -> list[Event]:
        return self.do(KillSwitch(OPERATOR, scope, target, engage))

    def scope(self, account: str) -> Scope:
        return self.venue.risk.accounts[account]

    def firm(self, name: str) -> Scope:
        return self.venue.risk.firms[name]

    def open_ids(self, account: str | None = None) -> list[int]:
        return sorted(
            order_id
            for order_id, order in self.venue.orders.items()
            if account is None or order.account.account_id == account
        )

    def frozen(self) -> VenueState:
        """The state without the counters every command or order entry advances."""
        return msgspec.structs.replace(self.venue.export_state(), seq=0, ts=0, next_order_id=0)


# ---------------------------------------------------------------------------- events


def plain(events: Iterable[Event]) -> list[Event]:
    """:func:`bare`, with the free text of rejections and automatic kills blanked."""
    out: list[Event] = []
    for event in bare(events):
        if isinstance(event, Rejected):
            event = msgspec.structs.replace(event, text="")
        elif isinstance(event, KillSwitchChanged) and not event.by:
            event = msgspec.structs.replace(event, cause="")
        out.append(event)
    return out


def rejection(events: Sequence[Event]) -> Rejected:
    first = events[0]
    assert isinstance(first, Rejected), events
    return first


def cancelled(events: Iterable[Event]) -> list[tuple[int, str]]:
    """(order id, reason) of every cancellation in ``events``."""
    return [(e.order_id, e.reason.value) for e in events if isinstance(e, OrderCancelled)]


# ---------------------------------------------------------------------------- model


class ExposureModel:
    """Every scope's exposure recomputed from scratch, as the rules define it.

    The open part comes from ``venue.orders`` (every open order, resting or a
    waiting stop, at open quantity × limit × multiplier). The executed part
    comes from the trades fed to :meth:`observe` since the model was started
    (when the risk layer started) or since the last :meth:`end_of_day`: per
    account and instrument, |net quantity| × the account's latest fill price ×
    multiplier. A firm's figures are the sums over its accounts.
    """

    def __init__(self, venue: Venue) -> None:
        self.venue = venue
        self.net: dict[tuple[str, str], int] = defaultdict(int)
        self.mark: dict[tuple[str, str], int] = {}

    def observe(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, Trade):
                for account, signed in ((event.buy_account, 1), (event.sell_account, -1)):
                    key = (account, event.instrument)
                    self.net[key] += signed * event.qty
                    self.mark[key] = event.price

    def end_of_day(self) -> None:
        self.net.clear()
        self.mark.clear()

    def open_notional(self) -> dict[str, int]:
        figures: dict[str, int] = defaultdict(int)
        for order in self.venue.orders.values():
            unit = self.venue.books[order.instrument].instrument.multiplier
            figures[order.account.account_id] += order.leaves * order.price * unit
        return figures

    def executed(self) -> dict[str, int]:
        figures: dict[str, int] = defaultdict(int)
        for (account, symbol), net in self.net.items():
            unit = self.venue.books[symbol].instrument.multiplier
            figures[account] += abs(net) * self.mark[(account, symbol)] * unit
        return figures

    def firms(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for account in self.venue.accounts.values():
            if account.firm:
                members[account.firm].append(account.account_id)
        return members

    def expected(self) -> dict[tuple[RiskScope, str], tuple[int, int]]:
        """(open notional, executed) of every account and firm with anything at stake."""
        open_part, executed = self.open_notional(), self.executed()
        figures = {
            (ACCOUNT, account): (open_part.get(account, 0), executed.get(account, 0))
            for account in self.venue.accounts
        }
        for firm, members in self.firms().items():
            figures[(FIRM, firm)] = (
                sum(open_part.get(a, 0) for a in members),
                sum(executed.get(a, 0) for a in members),
            )
        return figures

    def check(self) -> None:
        """The risk layer's figures equal the recomputation for every scope."""
        risk = self.venue.risk
        for (kind, target), (open_part, executed) in sorted(self.expected().items()):
            scope = (risk.accounts if kind is ACCOUNT else risk.firms).get(target)
            have = (0, 0, 0) if scope is None else _figures(scope)
            want = (open_part, executed, open_part + executed)
            assert have == want, (
                f"{kind.value} {target!r}: (open, executed, exposure) is {have}, "
                f"recomputed {want}"
            )


def _figures(scope: Scope) -> tuple[int, int, int]:
    return scope.open_notional, scope.executed, scope.exposure
