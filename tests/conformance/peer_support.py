"""Shared machinery for the conformance suites: peer data, a Gherkin reader, a venue driver.

The peer material lives outside the repository, in ``../shared/data/peers/``
next to the project root. It is read in place and never copied; when it is
absent (a fresh clone has no ``../shared``) every test that needs it skips and
says which file it looked for.

Three parts:

* :class:`Driver` sends commands to a :class:`~seawall.Venue` with a rising
  timestamp, keeps the events of the last command and the open orders as they
  stood before it, records what was deposited
  and withdrawn (for the ledger invariants), and runs hooks after every command.
* A small Gherkin reader (:func:`read_feature`) for the constructs exchange-core's
  ``basic.feature`` and ``risk.feature`` use: ``Feature``, ``Background``,
  ``Scenario``, ``Scenario Outline`` with ``Examples``, tags, the step keywords
  and data tables.
* :class:`ExchangeCoreRun` translates each exchange-core step into Seawall
  commands and checks, and :func:`read_gemini_orders` reads the Gemini sample.

How exchange-core maps onto Seawall
-----------------------------------
exchange-core's test symbols (from its ``TestConstants``) are transcribed in
:data:`EXCHANGE_CORE_SYMBOLS`. ``ETH_XBT`` is a ``CURRENCY_EXCHANGE_PAIR``:
base ETH counted in szabo, 100,000 szabo per lot (``baseScaleK``); quote XBT
in satoshi, 10 satoshi per price step (``quoteScaleK``); no fees. It maps
exactly onto a Seawall instrument ``ETH_XBT`` quoted in cash ``XBT`` with
``tick_size=1``, ``lot_size=1`` and ``multiplier=10``: a fill of ``size`` lots
at ``price`` moves ``size × price × 10`` satoshi, as in exchange-core. The ETH
an exchange-core client holds is Seawall units of ``ETH_XBT`` (lots) times
100,000, plus a sub-lot remainder that no order can use: the driver keeps that
remainder itself, so an exchange-core ETH balance reads back exactly and an
ask needs ``size × 100,000`` szabo in both engines. XBT and USD balances are
Seawall cash, one to one.

exchange-core holds an exchange-pair bid's cash at its ``reservePrice``
(``size x reservePrice x quoteScaleK``), so ``RISK_NSF`` of a bid is decided
on that amount; it keeps holding at the ``reservePrice`` when the bid moves
below it, refuses to move the bid above it
(``MATCHING_MOVE_FAILED_PRICE_OVER_RISK_LIMIT``), and reports it as the
``bidderHoldPrice`` of the bid's trades. A bid's ``reservePrice`` is sent as
Seawall's ``reserve_price``, which does the same: the order's ``hold`` is the
reserve price, its reservation ``leaves x hold x multiplier``, and a replace
above it is refused with ``ABOVE_RESERVE_PRICE``. The orders table's
``reservePrice`` of a bid is compared with the Seawall order's ``hold`` and
its reservation, a balance with Seawall's available cash (reservations at
the hold already taken out). ``bidderHoldPrice`` is compared with the
``hold`` of the trade's bid when that bid is the resting order the step
names: the Seawall order as it stood before the command, the same object the
fill settled. A bid that traded as the taker has left Seawall's book when the
command returns and nothing shows its hold, so a ``bidderHoldPrice`` of a
taker bid stops the run (the features have none).

exchange-core refuses a bid whose ``reservePrice`` is below its price
(``RISK_INVALID_RESERVE_BID_PRICE``, before looking at funds; its risk check
reports that refusal as ``RISK_NSF``, like every refusal of its own, so for
such a bid ``RISK_NSF`` means it too); Seawall refuses it with
``INVALID_PRICE``, also before funds. A bid placed without a ``reservePrice``
carries 0 in exchange-core and is refused there, while Seawall reads
``reserve_price=0`` as none (a hold at the limit) and would accept it: such a
step stops the run (the features place every bid with one). An ask's
``reservePrice`` is stored by exchange-core but plays no part (an ask holds
base units, and only a bid's moves are limited by it); Seawall takes no
reserve price on a sell, so it is neither sent nor compared.

A step that Seawall cannot reproduce or observe exactly (an order on a margin
symbol, a budget order, a bid without ``reservePrice``, the hold of a taker
bid) stops the run (:class:`Untranslatable`): every step before it has been
run and checked, and the scenario's test skips, naming the step and why.

Other mappings: GTC/IOC/FOK are Seawall's GTC/IOC/FOK (budget orders have no
equivalent); "moves a price" is a Seawall ``Replace`` with the order's total
quantity and the new price (priority is lost, and the moved order matches
like a new one, as in exchange-core); ``RISK_NSF`` is ``INSUFFICIENT_CASH`` for
a bid (``INVALID_PRICE`` for a bid whose ``reservePrice`` is below its price,
as above) and ``INSUFFICIENT_SECURITIES`` for an ask. exchange-core has no
self-trade prevention, so orders are sent with ``SelfTradePrevention.ALLOW``.
exchange-core's matcher events of a command (trades, reductions and the
rejection of an unfilled IOC rest) are Seawall's ``Trade`` and
``OrderCancelled`` events of that command. ``EUR_USD`` is a
``FUTURES_CONTRACT`` traded on margin; Seawall has no margin trading, so steps
on it are untranslatable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from seawall import Instrument, SelfTradePrevention, Side, TimeInForce, Venue, VenueConfig
from seawall.core.book import Order
from seawall.core.commands import (
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    Replace,
    Withdraw,
)
from seawall.core.events import (
    CancelReason,
    Event,
    OrderAccepted,
    OrderCancelled,
    OrderReplaced,
    Rejected,
    RejectReason,
    Trade,
)

# ---------------------------------------------------------------------- peer data

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
PEERS = SHARED_DATA / "peers"
EXCHANGE_CORE_FEATURES = (
    PEERS / "exchange-core" / "basic.feature",
    PEERS / "exchange-core" / "risk.feature",
)
GEMINI_SAMPLE = PEERS / "gemini" / "sample_input.txt"


def missing_reason(path: Path) -> str | None:
    """Why a test cannot use a peer file, or None when the file is there."""
    if path.is_file():
        return None
    return (
        f"peer test data not found: {path} (the peer suites live in ../shared/data/peers "
        "next to the project root and are not part of the repository)"
    )


def expect_equal(what: str, actual: object, expected: object) -> None:
    """Assert with a message that says what was compared, for use outside test modules."""
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


# ---------------------------------------------------------------------- the venue driver

OPERATOR = "operator"
Hook = Callable[["Driver"], None]


class Driver:
    """Drives a venue with a rising timestamp; see the module docstring."""

    def __init__(self, config: VenueConfig | None = None) -> None:
        self.venue = Venue(config)
        self.ts = 0
        self.last: list[Event] = []
        # The venue's open orders before the last command: the same objects, which a fill
        # settles in place, so an order the command filled completely can still be read.
        self.open_before: dict[int, Order] = {}
        self.history: list[Event] = []
        # Net external funding per Seawall asset (currency code or symbol): what accepted
        # deposits brought in minus what accepted withdrawals took out.
        self.funding: dict[str, int] = {}
        self.hooks: list[Hook] = []

    def do(self, command: Command) -> list[Event]:
        self.ts += 1
        self.open_before = dict(self.venue.orders)
        events = self.venue.process(command, self.ts)
        self.last = events
        self.history.extend(events)
        refused = any(isinstance(event, Rejected) for event in events)
        if isinstance(command, Deposit | Withdraw) and not refused:
            sign = 1 if isinstance(command, Deposit) else -1
            self.funding[command.asset] = self.funding.get(command.asset, 0) + sign * command.amount
        for hook in self.hooks:
            hook(self)
        return events

    def trader(self, participant: str, account: str) -> None:
        self.do(RegisterParticipant(OPERATOR, participant))
        self.do(OpenAccount(OPERATOR, account, participant))

    def deposit(self, account: str, asset: str, amount: int) -> None:
        events = self.do(Deposit(OPERATOR, account, asset, amount))
        expect_equal(f"deposit of {amount} {asset} into {account}", _kinds(events), ["Transfer"])


def _kinds(events: Sequence[Event]) -> list[str]:
    return [type(event).__name__ for event in events]


# ---------------------------------------------------------------------- Gherkin reader


class GherkinError(ValueError):
    """A construct the reader does not support, with its file and line."""


@dataclass(frozen=True)
class Step:
    keyword: str
    text: str
    table: tuple[tuple[str, ...], ...]
    line: int

    def __str__(self) -> str:
        return f"{self.keyword} {self.text}"


@dataclass(frozen=True)
class Scenario:
    path: Path
    name: str
    line: int
    tags: tuple[str, ...]
    steps: tuple[Step, ...]  # the background's steps first
    example: tuple[tuple[str, str], ...] = ()  # (column, value) of an outline's example row

    @property
    def test_id(self) -> str:
        where = f"{self.path.name}:{self.line} {self.name}"
        if self.example:
            where += " (" + ", ".join(f"{key}={value}" for key, value in self.example) + ")"
        return where


@dataclass
class _Block:
    kind: str  # "background", "scenario" or "outline"
    name: str
    line: int
    tags: tuple[str, ...]
    steps: list[Step] = field(default_factory=list)
    examples: list[list[tuple[str, ...]]] = field(default_factory=list)


_STEP_KEYWORDS = ("Given", "When", "Then", "And", "But", "*")
_PLACEHOLDER = re.compile(r"<([^<>]+)>")


def _cells(line: str) -> tuple[str, ...]:
    if not line.endswith("|"):
        raise ValueError("a table row must end with '|'")
    return tuple(cell.strip() for cell in line[1:-1].split("|"))


def _substitute(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return _PLACEHOLDER.sub(value, text)


def read_feature(path: Path) -> list[Scenario]:
    """Every scenario of a feature file, outlines expanded to one scenario per example row."""
    background: list[Step] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    in_examples = False
    seen_feature = False
    tags: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        if line.startswith("@"):
            tags.extend(line.split())
            continue
        if line.startswith("|"):
            try:
                row = _cells(line)
            except ValueError as error:
                raise GherkinError(f"{where}: {error}") from None
            if current is not None and in_examples:
                current.examples[-1].append(row)
            elif current is not None and current.steps:
                last = current.steps[-1]
                current.steps[-1] = Step(last.keyword, last.text, (*last.table, row), last.line)
            else:
                raise GherkinError(f"{where}: a table row outside a step or Examples")
            continue
        head, colon, rest = line.partition(":")
        head = head.strip()
        if colon and head == "Feature":
            if seen_feature:
                raise GherkinError(f"{where}: a second Feature in one file")
            seen_feature = True
            tags = []
            continue
        if colon and head in ("Background", "Scenario", "Example", "Scenario Outline"):
            if not seen_feature:
                raise GherkinError(f"{where}: {head} before Feature")
            kind = {"Background": "background", "Scenario Outline": "outline"}.get(head, "scenario")
            if kind == "background" and (blocks or background):
                raise GherkinError(f"{where}: Background must come first, and only once")
            current = _Block(kind, rest.strip(), number, tuple(tags))
            if kind == "background":
                background = current.steps
            else:
                blocks.append(current)
            tags = []
            in_examples = False
            continue
        if colon and head in ("Examples", "Scenarios"):
            if current is None or current.kind != "outline":
                raise GherkinError(f"{where}: Examples outside a Scenario Outline")
            current.examples.append([])
            in_examples = True
            tags = []
            continue
        keyword = line.split(maxsplit=1)[0]
        if keyword in _STEP_KEYWORDS:
            if current is None or in_examples:
                raise GherkinError(f"{where}: a step outside a scenario")
            current.steps.append(Step(keyword, line[len(keyword) :].strip(), (), number))
            continue
        if seen_feature and current is None:
            continue  # the feature's free-text description
        raise GherkinError(f"{where}: unsupported line {line!r}")
    return [scenario for block in blocks for scenario in _expand(path, block, background)]


def _expand(path: Path, block: _Block, background: list[Step]) -> Iterator[Scenario]:
    if block.kind == "scenario":
        yield Scenario(path, block.name, block.line, block.tags, (*background, *block.steps))
        return
    if not block.examples or not any(len(table) > 1 for table in block.examples):
        raise GherkinError(f"{path}:{block.line}: Scenario Outline without example rows")
    for table in block.examples:
        header, *rows = table
        for row in rows:
            if len(row) != len(header):
                raise GherkinError(f"{path}:{block.line}: example row {row} does not fit {header}")
            values = dict(zip(header, row, strict=True))
            steps = [
                Step(
                    step.keyword,
                    _substitute(step.text, values),
                    tuple(
                        tuple(_substitute(cell, values) for cell in cells) for cells in step.table
                    ),
                    step.line,
                )
                for step in block.steps
            ]
            yield Scenario(
                path,
                _substitute(block.name, values),
                block.line,
                block.tags,
                (*background, *steps),
                tuple(values.items()),
            )


def scenario_params(features: tuple[Path, ...] = ()) -> list[ParameterSet]:
    """One pytest parameter per scenario of the exchange-core features, named after it.

    A missing file gives a single parameter that skips with the path it looked for.
    """
    params = []
    for path in features or EXCHANGE_CORE_FEATURES:
        reason = missing_reason(path)
        if reason is not None:
            skip = pytest.mark.skip(reason=reason)
            params.append(pytest.param(None, id=f"{path.name} (missing)", marks=skip))
            continue
        params.extend(pytest.param(s, id=s.test_id) for s in read_feature(path))
    return params


# ---------------------------------------------------------------------- exchange-core


class Untranslatable(Exception):  # noqa: N818 - a stop condition, not an error
    """A step with no exact Seawall equivalent; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PeerSymbol:
    """An exchange-core ``CoreSymbolSpecification`` (only the fields that matter here)."""

    name: str
    kind: str  # exchange-core's SymbolType
    base: str
    quote: str
    base_scale_k: int
    quote_scale_k: int
    taker_fee: int
    maker_fee: int


EXCHANGE_CORE_SYMBOLS = {
    # exchange-core TestConstants.SYMBOLSPEC_EUR_USD (also marginBuy 2200, marginSell 3210)
    "EUR_USD": PeerSymbol("EUR_USD", "FUTURES_CONTRACT", "EUR", "USD", 1, 1, 0, 0),
    # exchange-core TestConstants.SYMBOLSPEC_ETH_XBT: 1 lot = 100,000 szabo, 1 step = 10 satoshi
    "ETH_XBT": PeerSymbol("ETH_XBT", "CURRENCY_EXCHANGE_PAIR", "ETH", "XBT", 100_000, 10, 0, 0),
}


def symbol_problem(spec: PeerSymbol) -> str | None:
    """Why a peer symbol cannot be mapped exactly onto a Seawall instrument, or None."""
    if spec.kind != "CURRENCY_EXCHANGE_PAIR":
        return (
            f"{spec.name} is an exchange-core {spec.kind}: traded on margin (exchange-core "
            f"holds marginBuy/marginSell in {spec.quote} and lets a client sell {spec.base} it "
            "does not hold); Seawall has no margin trading, every order is fully funded "
            "(a sell must hold the units), so it has no exact equivalent"
        )
    if spec.taker_fee or spec.maker_fee:
        return (
            f"{spec.name} charges exchange-core fees per lot in {spec.quote}; Seawall fees are "
            "basis points of the notional, so they cannot be mapped exactly"
        )
    return None


def seawall_instrument(spec: PeerSymbol) -> Instrument:
    """The Seawall instrument an exchange pair maps to (see the module docstring)."""
    return Instrument(
        spec.name, tick_size=1, lot_size=1, currency=spec.quote, multiplier=spec.quote_scale_k
    )


_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}
_SIDES = {"BID": Side.BUY, "ASK": Side.SELL}


@dataclass
class PeerOrder:
    peer_id: int
    client: str
    side: Side
    symbol: str
    seawall_id: int


@dataclass(frozen=True)
class Stop:
    """The step a translation stopped at: its 1-based number, the step, why."""

    number: int
    step: Step
    reason: str

    def __str__(self) -> str:
        return f"step {self.number} ({self.step}): {self.reason}"


@dataclass
class Outcome:
    """How far a scenario's translation got.

    ``stop`` is the step Seawall cannot reproduce or observe exactly: nothing
    from it on was run. Without one, every step ran and every comparison of
    every step was made.
    """

    steps: int
    stop: Stop | None = None

    def skip_reason(self) -> str:
        """What a stopped run checked and where it stopped."""
        assert self.stop is not None, "only a run that stopped skips"
        done = self.stop.number - 1
        if not done:
            return f"translation stopped at {self.stop} (no step before it)"
        return (
            f"translation stopped at {self.stop} "
            f"(steps 1-{done} of {self.steps} were translated and checked)"
        )


StepHandler = Callable[["ExchangeCoreRun", re.Match[str], Step], None]
_HANDLERS: list[tuple[re.Pattern[str], StepHandler]] = []


def _step(pattern: str) -> Callable[[StepHandler], StepHandler]:
    def register(handler: StepHandler) -> StepHandler:
        _HANDLERS.append((re.compile(pattern), handler))
        return handler

    return register


class ExchangeCoreRun:
    """Runs one exchange-core scenario on a Seawall venue.

    With ``check`` false only the commands are sent (the ledger-invariant suite
    uses that); with ``check`` true every expectation of the scenario is
    asserted as well.
    """

    def __init__(self, driver: Driver, check: bool = True) -> None:
        self.driver = driver
        self.venue = driver.venue
        self.check = check
        self.orders: dict[int, PeerOrder] = {}
        # the sub-lot remainder of each client's base-currency balance (see the module docstring)
        self.remainders: dict[tuple[str, str], int] = {}
        for spec in EXCHANGE_CORE_SYMBOLS.values():
            if symbol_problem(spec) is None:
                listed = driver.do(ListInstrument(OPERATOR, seawall_instrument(spec)))
                expect_equal(f"listing {spec.name}", _kinds(listed), ["InstrumentListed"])

    # -- running

    def run(self, scenario: Scenario) -> Outcome:
        """Run every step, or up to the first one Seawall cannot reproduce or observe."""
        outcome = Outcome(len(scenario.steps))
        for number, step in enumerate(scenario.steps, start=1):
            try:
                self.step(step)
            except Untranslatable as stop:
                outcome.stop = Stop(number, step, stop.reason)
                break
            except AssertionError as failure:
                raise AssertionError(
                    f"{scenario.path.name}:{step.line} step {number} ({step}): {failure}"
                ) from None
        return outcome

    def step(self, step: Step) -> None:
        for pattern, handler in _HANDLERS:
            match = pattern.fullmatch(step.text)
            if match is not None:
                handler(self, match, step)
                return
        raise AssertionError(f"no translation for the step {step.text!r}")

    # -- mapping helpers

    @staticmethod
    def participant(client: str) -> str:
        return client

    @staticmethod
    def account(client: str) -> str:
        return f"{client}-spot"

    def symbol(self, name: str) -> PeerSymbol:
        spec = EXCHANGE_CORE_SYMBOLS.get(name)
        if spec is None:
            raise AssertionError(f"exchange-core symbol {name!r} is not known to the harness")
        problem = symbol_problem(spec)
        if problem is not None:
            raise Untranslatable(problem)
        return spec

    def asset(self, currency: str) -> tuple[str, int]:
        """(Seawall asset, peer units per Seawall unit) of an exchange-core currency."""
        for spec in EXCHANGE_CORE_SYMBOLS.values():
            if symbol_problem(spec) is None and spec.base == currency:
                return spec.name, spec.base_scale_k
        return currency, 1

    def add_balance(self, client: str, currency: str, amount: int) -> None:
        if amount < 0:
            raise Untranslatable("a negative balance adjustment (the features use none)")
        asset, scale = self.asset(currency)
        key = (client, currency)
        units, self.remainders[key] = divmod(self.remainders.get(key, 0) + amount, scale)
        if units:
            self.driver.deposit(self.account(client), asset, units)

    def balance(self, client: str, currency: str) -> int:
        """The client's available balance in exchange-core units."""
        asset, scale = self.asset(currency)
        account = self.venue.accounts[self.account(client)]
        holding = account.positions.get(asset) if scale != 1 else account.cash.get(asset)
        available = holding.available if holding is not None else 0
        return available * scale + self.remainders.get((client, currency), 0)

    def peer_order(self, peer_id: int) -> PeerOrder:
        order = self.orders.get(peer_id)
        if order is None:
            raise AssertionError(f"order {peer_id} was never placed in this scenario")
        return order

    def matcher_events(self) -> list[Trade | OrderCancelled]:
        return [e for e in self.driver.last if isinstance(e, Trade | OrderCancelled)]


# -- steps


@_step(r"New client (?P<client>\w+) has a balance:")
def _new_client(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    client = match["client"]
    run.driver.trader(run.participant(client), run.account(client))
    for currency, amount in step.table:
        run.add_balance(client, currency, int(amount))


@_step(r"(?P<amount>\d+) (?P<currency>\w+) is added to the balance of a client (?P<client>\w+)")
def _added(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    run.add_balance(match["client"], match["currency"], int(match["amount"]))


@_step(
    r"A client (?P<client>\w+) (?P<verb>places|could not place) an (?P<side>BID|ASK) order "
    r"(?P<id>\d+) at (?P<price>\d+)@(?P<size>\d+) \(type: (?P<type>\w+), symbol: (?P<symbol>\w+)"
    r"(?:, reservePrice: (?P<reserve>\d+))?\)(?: due to (?P<code>\w+))?"
)
def _place(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    client, peer_id = match["client"], int(match["id"])
    price, size = int(match["price"]), int(match["size"])
    reserve = int(match["reserve"] or 0)
    side = _SIDES[match["side"]]
    spec = run.symbol(match["symbol"])
    tif = _TIFS.get(match["type"])
    if tif is None:
        raise Untranslatable(
            f"exchange-core order type {match['type']}: "
            + (
                "a budget order (its price is the total to spend, not a limit); Seawall has none"
                if match["type"].endswith("_BUDGET")
                else "not a Seawall time in force"
            )
        )
    if side is Side.BUY and not reserve:
        raise Untranslatable(
            "a bid without a reservePrice: exchange-core takes it as 0, below the bid's price, "
            "and refuses the bid (RISK_INVALID_RESERVE_BID_PRICE); Seawall reads reserve_price "
            "0 as none (cash held at the limit) and would accept it"
        )
    failing = match["verb"] == "could not place"
    code = match["code"]
    if failing != (code is not None):
        raise AssertionError(f"cannot read the expected outcome of {step.text!r}")
    expected_reason = None if code is None else _placement_rejection(code, side, reserve < price)
    events = run.driver.do(
        NewOrder(
            run.participant(client),
            run.account(client),
            spec.name,
            side,
            qty=size,
            price=price,
            tif=tif,
            stp=SelfTradePrevention.ALLOW,
            client_order_id=str(peer_id),
            # an ask's reservePrice plays no part in exchange-core; Seawall takes none on a sell
            reserve_price=reserve if side is Side.BUY else 0,
        )
    )
    accepted = [e for e in events if isinstance(e, OrderAccepted)]
    rejected = [e for e in events if isinstance(e, Rejected)]
    seawall_id = accepted[0].order_id if accepted else rejected[0].order_id if rejected else 0
    run.orders[peer_id] = PeerOrder(peer_id, client, side, spec.name, seawall_id)
    if not run.check:
        return
    if expected_reason is None:
        expect_equal("rejections", [(e.reason, e.text) for e in rejected], [])
        expect_equal("accepted orders", len(accepted), 1)
        expect_equal("accepted price and size", (accepted[0].price, accepted[0].qty), (price, size))
    else:
        expect_equal("events", _kinds(events), ["Rejected"])
        expect_equal("rejection reason", rejected[0].reason, expected_reason)


def _placement_rejection(code: str, side: Side, reserve_below_price: bool) -> RejectReason:
    """The Seawall rejection of an order exchange-core refuses with ``code``.

    exchange-core refuses a bid whose reservePrice is below its price before it looks at
    funds, and its risk check reports that refusal as RISK_NSF like every other; Seawall
    refuses the same bid as INVALID_PRICE, also before funds.
    """
    if code == "RISK_INVALID_RESERVE_BID_PRICE" or (code == "RISK_NSF" and reserve_below_price):
        return RejectReason.INVALID_PRICE
    if code == "RISK_NSF":
        if side is Side.BUY:
            return RejectReason.INSUFFICIENT_CASH
        return RejectReason.INSUFFICIENT_SECURITIES
    raise Untranslatable(f"exchange-core result code {code} has no Seawall rejection")


@_step(
    r"The order (?P<id>\d+) is (?P<how>partially|fully) matched\. LastPx: (?P<px>\d+), "
    r"LastQty: (?P<qty>\d+)(?:, bidderHoldPrice: (?P<hold>\d+))?"
)
def _matched(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    maker = run.peer_order(int(match["id"]))
    events = run.matcher_events()
    if not run.check:
        return
    expect_equal(
        "matcher events (trades and cancels) of the last command", _kinds(events), ["Trade"]
    )
    trade = events[0]
    assert isinstance(trade, Trade)
    resting_id = trade.sell_order_id if trade.aggressor is Side.BUY else trade.buy_order_id
    resting_account = trade.sell_account if trade.aggressor is Side.BUY else trade.buy_account
    resting_leaves = trade.sell_leaves if trade.aggressor is Side.BUY else trade.buy_leaves
    expect_equal("matched (resting) order id", resting_id, maker.seawall_id)
    expect_equal("matched order's account", resting_account, run.account(maker.client))
    expect_equal("matched order completed", resting_leaves == 0, match["how"] == "fully")
    expect_equal("LastPx", trade.price, int(match["px"]))
    expect_equal("LastQty", trade.qty, int(match["qty"]))
    if match["hold"] is None:
        return
    if trade.aggressor is Side.BUY:
        raise Untranslatable(
            "bidderHoldPrice of a bid that traded as the taker: the bid has left Seawall's book "
            "when the command returns, and nothing Seawall shows gives its hold"
        )
    # The resting bid was open before the command: the object the fill settled, hold unchanged.
    bid = run.driver.open_before[trade.buy_order_id]
    expect_equal("bidderHoldPrice (the Seawall bid's hold)", bid.hold, int(match["hold"]))


@_step(r"No trade events")
def _no_trades(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    if run.check:
        expect_equal(
            "matcher events (trades and cancels) of the last command", run.matcher_events(), []
        )


@_step(r"An? (?P<symbol>\w+) order book is:")
def _book(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    spec = run.symbol(match["symbol"])
    rows = list(step.table)
    if rows and rows[0][0] == "bid":
        rows = rows[1:]  # exchange-core skips a header whose first cell is "bid"
    bids: list[tuple[int, int]] = []
    asks: list[tuple[int, int]] = []
    for row in rows:
        bid, price, ask = row
        if bid:
            bids.append((int(price), int(bid)))
        else:
            asks.append((int(price), int(ask)))
    if not run.check:
        return
    book = run.venue.books[spec.name]
    depth = len(book.bids.levels) + len(book.asks.levels) + 1
    actual_bids, actual_asks = book.depth(depth)
    expect_equal(
        f"{spec.name} bids (price, qty), best first", actual_bids, sorted(bids, reverse=True)
    )
    expect_equal(f"{spec.name} asks (price, qty), best first", actual_asks, sorted(asks))


@_step(r"A client (?P<client>\w+) orders:")
def _orders(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    client = match["client"]
    header, *rows = step.table
    if not run.check:
        return
    account = run.account(client)
    for row in rows:
        fields = dict(zip(header, row, strict=True))
        peer = run.peer_order(int(fields["id"]))
        order = run.venue.orders.get(peer.seawall_id)
        if order is None:
            raise AssertionError(f"order {peer.peer_id} is not open in Seawall")
        where = f"order {peer.peer_id}"
        expect_equal(f"{where} account", order.account.account_id, account)
        if "price" in fields:
            expect_equal(f"{where} price", order.price, int(fields["price"]))
        if "size" in fields:
            expect_equal(f"{where} size", order.qty, int(fields["size"]))
        if "filled" in fields:
            expect_equal(f"{where} filled", order.qty - order.leaves, int(fields["filled"]))
        if "side" in fields:
            expect_equal(f"{where} side", order.side, _SIDES[fields["side"]])
        if "reservePrice" in fields and order.side is Side.BUY:
            _compare_bid_hold(run, peer, int(fields["reservePrice"]))
        # An ask's reservePrice is stored by exchange-core but plays no part: an ask holds
        # base units, never a price, in both engines (its held units are the balance steps').


def _compare_bid_hold(run: ExchangeCoreRun, peer: PeerOrder, reserve_price: int) -> None:
    """exchange-core holds ``leaves x reservePrice x quoteScaleK`` for a bid; compare that."""
    order = run.venue.orders[peer.seawall_id]
    expect_equal(f"bid {peer.peer_id} hold (reservePrice)", order.hold, reserve_price)
    spec = EXCHANGE_CORE_SYMBOLS[peer.symbol]
    expect_equal(
        f"cash held for bid {peer.peer_id} (leaves x reservePrice x quoteScaleK)",
        order.reserved,
        order.leaves * reserve_price * spec.quote_scale_k,
    )


_MOVE_REJECTIONS = {
    "MATCHING_UNKNOWN_ORDER_ID": RejectReason.UNKNOWN_ORDER,
    # a bid may not move above the reservePrice its cash is held at
    "MATCHING_MOVE_FAILED_PRICE_OVER_RISK_LIMIT": RejectReason.ABOVE_RESERVE_PRICE,
}


@_step(r"A client (?P<client>\w+) (?P<verb>moves|could not move) a price to (?P<price>\d+) "
       r"of the order (?P<id>\d+)(?: due to (?P<code>\w+))?")  # fmt: skip
def _move(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    client, price = match["client"], int(match["price"])
    peer = run.peer_order(int(match["id"]))
    code = match["code"]
    if (match["verb"] == "could not move") != (code is not None):
        raise AssertionError(f"cannot read the expected outcome of {step.text!r}")
    expected_reason = None if code is None else _MOVE_REJECTIONS.get(code)
    if code is not None and expected_reason is None:
        raise Untranslatable(f"exchange-core result code {code} has no Seawall rejection")
    live = run.venue.orders.get(peer.seawall_id)
    if live is not None and live.price == price and code is None:
        raise Untranslatable(
            f"a move to the order's own price {price}: exchange-core takes the order out and "
            "queues it again (priority lost), a Seawall replace at an unchanged price keeps it"
        )
    # A move keeps the order's size; Seawall's Replace takes the total quantity (filled included).
    # An order that is no longer open has no size to keep: Seawall refuses it as unknown anyway.
    qty = live.qty if live is not None else 1
    events = run.driver.do(Replace(run.participant(client), peer.seawall_id, qty=qty, price=price))
    if not run.check:
        return
    rejected = [(e.reason, e.text) for e in events if isinstance(e, Rejected)]
    if expected_reason is None:
        expect_equal("rejections", rejected, [])
        replaced = [e for e in events if isinstance(e, OrderReplaced)]
        expect_equal("replaced price", [e.price for e in replaced], [price])
    else:
        expect_equal("events", _kinds(events), ["Rejected"])
        expect_equal("rejection reason", rejected[0][0], expected_reason)


@_step(
    r"A client (?P<client>\w+) cancels the remaining size (?P<size>\d+) of the order (?P<id>\d+)"
)
def _cancel(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    peer = run.peer_order(int(match["id"]))
    events = run.driver.do(Cancel(run.participant(match["client"]), peer.seawall_id))
    if run.check:
        expect_equal(
            "cancel events (order, remaining size, reason)",
            [(e.order_id, e.leaves, e.reason) for e in events if isinstance(e, OrderCancelled)],
            [(peer.seawall_id, int(match["size"]), CancelReason.USER)],
        )
        expect_equal("events", _kinds(events), ["OrderCancelled"])


@_step(r"A client (?P<client>\w+) does not have active orders")
def _no_orders(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    if run.check:
        account = run.account(match["client"])
        open_ids = sorted(i for i, o in run.venue.orders.items() if o.account.account_id == account)
        expect_equal(f"open orders of {match['client']}", open_ids, [])


@_step(r"A balance of a client (?P<client>\w+):")
def _balance(run: ExchangeCoreRun, match: re.Match[str], step: Step) -> None:
    client = match["client"]
    if not run.check:
        return
    for currency, amount in step.table:
        expect_equal(f"{client}'s {currency} balance", run.balance(client, currency), int(amount))


# ---------------------------------------------------------------------- Gemini sample


@dataclass(frozen=True)
class GeminiOrder:
    order_id: str
    side: Side
    instrument: str
    qty: int
    price: int


def read_gemini_orders(path: Path) -> list[GeminiOrder]:
    """``order id, side, instrument, quantity, price`` per line, separated by spaces."""
    orders = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 5 or fields[1] not in ("BUY", "SELL"):
            raise ValueError(f"{path}:{number}: not an order line: {line!r}")
        order_id, side, instrument, qty, price = fields
        orders.append(GeminiOrder(order_id, Side(side.lower()), instrument, int(qty), int(price)))
    return orders


GEMINI_CURRENCY = "USD"


def replay_gemini(
    orders: list[GeminiOrder], driver: Driver
) -> list[tuple[str, str, str, int, int]]:
    """Send every order to Seawall; return (instrument, aggressor, resting, qty, price) trades.

    Both instruments are listed with ``tick_size=1`` in :data:`GEMINI_CURRENCY`, so
    the sample's integer prices map one to one. Each order comes from its own
    trader and account (the exercise has no accounts), funded with exactly what
    the order needs; orders are GTC limit orders, which rest until matched.
    """
    for symbol in sorted({order.instrument for order in orders}):
        driver.do(
            ListInstrument(OPERATOR, Instrument(symbol, tick_size=1, currency=GEMINI_CURRENCY))
        )
    names: dict[int, str] = {}  # Seawall order id -> Gemini order id
    trades = []
    for order in orders:
        account = order.order_id
        driver.trader(f"trader-{order.order_id}", account)
        if order.side is Side.BUY:
            driver.deposit(account, GEMINI_CURRENCY, order.qty * order.price)
        else:
            driver.deposit(account, order.instrument, order.qty)
        events = driver.do(
            NewOrder(
                f"trader-{order.order_id}",
                account,
                order.instrument,
                order.side,
                qty=order.qty,
                price=order.price,
                tif=TimeInForce.GTC,
                client_order_id=order.order_id,
            )
        )
        refused = [(e.reason, e.text) for e in events if isinstance(e, Rejected)]
        expect_equal(f"rejections of order {order.order_id}", refused, [])
        for event in events:
            if isinstance(event, OrderAccepted):
                names[event.order_id] = event.client_order_id
            elif isinstance(event, Trade):
                resting = event.sell_order_id if event.aggressor is Side.BUY else event.buy_order_id
                trades.append(
                    (event.instrument, order.order_id, names[resting], event.qty, event.price)
                )
    return trades
