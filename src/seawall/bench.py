"""Reproducible in-process benchmarks: the seeded workload and the runners behind `seawall bench`.

The workload has the shape of a liquid market seen from the engine: 25%
cancels of random earlier orders (some already filled, so rejected as
unknown), 5% market orders, and limit orders within 50 ticks of the mid, up
to 5 ticks through it, so that about one limit in ten takes liquidity. 1,000
funded accounts trade one instrument with settlement on. Generation happens
before the clock starts; only ``Venue.process`` is timed.

Throughput is the best of several rounds (``rounds``, 3 by default). In a
round every configuration below runs the flow on a fresh venue, the venues
taking it in turns, a slice of ``SLICE`` commands each, so that a busy spell
of the machine meets them alike; latency comes from one further pass of
each.

The same flow runs twice in one process: with no pre-trade controls, and
with every control of the risk layer enabled on every account and on the
ten firms the accounts belong to (:func:`risk_commands`). The limits are
sized never to bind on this flow, so both runs make the same trades and the
difference is the cost of checking.

With a rulebook the flow runs a third time, under that rulebook's trading
rules (its session clock, bands, collars and price tests), against the
first run: both in real-time gross settlement and without risk controls,
so the difference is the cost of the safeguards alone. The flow is
stamped one nanosecond apart from 10:00 New York time on a trading day,
inside regular hours, and stays within 50 ticks of a $100 reference, well
inside every band, so that run too makes the same trades.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator

from seawall.core.commands import (
    Cancel,
    Command,
    Deposit,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.config import VenueConfig
from seawall.core.events import Rejected
from seawall.core.types import Instrument, OrderType, RiskScope, SettlementMode, Side, TimeInForce
from seawall.core.venue import Events, Venue
from seawall.rulebooks import Rulebook

SYMBOL = "BENCH"
TICK = 100  # $0.01
MID = 1_000_000  # $100.00
CASH_PER_ACCOUNT = 10**8 * 10_000  # $100 million
SHARES_PER_ACCOUNT = 10**7
CANCEL_SHARE = 0.25
MARKET_SHARE = 0.05
FIRMS = 10
SLICE = 10_000
"""Commands one configuration runs before the next takes its turn (see :func:`throughput`)."""
START_TS = 1_795_186_800_000_000_000  # 2026-11-20 10:00 New York, a Friday in regular hours
GENEROUS_LIMITS = RiskLimits(
    credit_limit=10**15,  # $100 billion
    max_order_qty=1_000_000,
    max_order_notional=10**14,
    collar_bps=1_000,
    extended_collar_bps=1_000,
    duplicate_window_ns=10,
    max_messages=100,
    message_window_ns=100,
    max_orders=100,
    order_window_ns=100,
    max_executions=100,
    execution_window_ns=100,
    restricted_instruments=("OTHER",),
)
"""Every control on, none binding.

Commands are stamped 1 ns apart, so the windows are short in nanoseconds;
in commands they are what matters: an account (or a firm) may send 100
messages, 100 orders and get 100 executions in any 100 consecutive
commands, where the flow gives one account about one command in 1,000 and
one firm one in 10.
"""


def participant_of(account: int) -> str:
    return f"P{account}"


def account_of(account: int) -> str:
    return f"A{account}"


def setup_commands(accounts: int = 1_000) -> list[Command]:
    """List the instrument, open and fund ``accounts`` accounts with cash and shares."""
    commands: list[Command] = [ListInstrument("operator", Instrument(SYMBOL), reference_price=MID)]
    for n in range(1, accounts + 1):
        commands += [
            RegisterParticipant("operator", participant_of(n)),
            OpenAccount("operator", account_of(n), participant_of(n), firm=f"F{n % FIRMS}"),
            Deposit("operator", account_of(n), "USD", CASH_PER_ACCOUNT),
            Deposit("operator", account_of(n), SYMBOL, SHARES_PER_ACCOUNT),
        ]
    return commands


def order_flow(
    seed: int,
    count: int,
    *,
    accounts: int = 1_000,
    depth_ticks: int = 50,
    cross_ticks: int = 5,
) -> Iterator[Command]:
    """Yield ``count`` commands. Order entries take ids 1, 2, 3… in order (see the venue)."""
    rng = random.Random(seed)
    placed: list[tuple[int, int]] = []  # (order id, account) of every limit order so far
    next_order_id = 1
    for _ in range(count):
        roll = rng.random()
        if roll < CANCEL_SHARE and placed:
            victim, owner = placed[rng.randrange(len(placed))]
            yield Cancel(participant_of(owner), victim)
            continue
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        account = rng.randint(1, accounts)
        qty = rng.randint(1, 100)
        who, acct = participant_of(account), account_of(account)
        if roll < CANCEL_SHARE + MARKET_SHARE:
            yield NewOrder(
                who, acct, SYMBOL, side, qty, order_type=OrderType.MARKET, tif=TimeInForce.IOC
            )
        else:
            offset = rng.randint(-cross_ticks, depth_ticks) * TICK
            price = MID - offset if side is Side.BUY else MID + offset
            placed.append((next_order_id, account))
            yield NewOrder(who, acct, SYMBOL, side, qty, price=price)
        next_order_id += 1


def risk_commands(accounts: int = 1_000) -> list[Command]:
    """Every pre-trade control on every account and every firm (see ``GENEROUS_LIMITS``)."""
    commands: list[Command] = [
        SetRiskLimits("operator", RiskScope.FIRM, f"F{n}", GENEROUS_LIMITS) for n in range(FIRMS)
    ]
    commands += [
        SetRiskLimits("operator", RiskScope.ACCOUNT, account_of(n), GENEROUS_LIMITS)
        for n in range(1, accounts + 1)
    ]
    return commands


class BenchmarkError(RuntimeError):
    """The benchmark cannot measure what it was asked to: it reports nothing."""


class SetupRefusedError(BenchmarkError):
    """The venue refused a command that builds the benchmark's venue: nothing would measure
    the configuration asked for."""


class OutcomeChangedError(BenchmarkError):
    """A configuration answered the flow differently from the venue without controls, so
    their throughputs are not of the same work."""


def funded_venue(
    accounts: int = 1_000, controls: bool = False, rulebook: Rulebook | None = None
) -> Venue:
    """The benchmark's venue; without ``controls`` the risk layer is configured off."""
    if rulebook is None:
        config = VenueConfig(pre_trade_risk=controls)
    else:
        config = VenueConfig.for_rulebook(
            rulebook, pre_trade_risk=controls, settlement=SettlementMode.RTGS
        )
    venue = Venue(config)
    setup = setup_commands(accounts) + (risk_commands(accounts) if controls else [])
    for command in setup:
        refused = [e for e in venue.process(command, START_TS) if isinstance(e, Rejected)]
        if refused:
            # Measured on, a venue whose limits were refused would time no control at all.
            raise SetupRefusedError(
                f"the benchmark's venue refused its setup: {type(command).__name__} "
                f"({refused[0].reason.value}: {refused[0].text})"
            )
    return venue


def throughput(commands: list[Command], venues: list[Venue]) -> list[float]:
    """Commands per second through each venue's ``process``, the venues taking turns.

    The flow is cut into slices of ``SLICE`` commands, and every venue runs
    a slice before any runs the next; a venue's time is the sum of its
    slices. On a shared machine a slow spell lasts from milliseconds to
    seconds: run one configuration after another, it would fall on
    whichever ran then and move their ratio by several hundredths; cut this
    fine, it falls on all alike. A slice is long enough (tens of
    milliseconds) for the switch between venues to cost nothing measurable.

    Each command's events are dropped as soon as they are returned, as a
    service loop hands them on; accumulating a million event lists would
    measure the allocator instead. The cycle collector is paused while the
    clock runs, as a production loop would schedule it between bursts.
    """
    processes = [venue.process for venue in venues]
    elapsed = [0.0] * len(venues)
    stamped = list(enumerate(commands, START_TS + 1))
    clock = time.perf_counter
    gc.collect()
    gc.disable()
    try:
        for first in range(0, len(stamped), SLICE):
            part = stamped[first : first + SLICE]
            for index, process in enumerate(processes):
                start = clock()
                for ts, command in part:
                    process(command, ts)
                elapsed[index] += clock() - start
    finally:
        gc.enable()
    return [len(commands) / seconds for seconds in elapsed]


def latencies_ns(commands: list[Command], venue: Venue) -> tuple[list[int], Counter[str]]:
    """Per-command latency of ``venue.process`` in nanoseconds (sorted), and events by type.

    Events are counted outside the timed interval of each command.
    """
    process = venue.process
    clock = time.perf_counter_ns
    samples: list[int] = []
    append = samples.append
    counts: Counter[str] = Counter()
    gc.collect()
    gc.disable()
    try:
        for ts, command in enumerate(commands, START_TS + 1):
            start = clock()
            events = process(command, ts)
            append(clock() - start)
            counts.update(type(event).__name__ for event in events)
    finally:
        gc.enable()
    samples.sort()
    return samples, counts


def percentile(sorted_samples: list[int], fraction: float) -> int:
    index = min(len(sorted_samples) - 1, int(fraction * len(sorted_samples)))
    return sorted_samples[index]


def measure(
    commands: list[Command], accounts: int, controls: bool, rulebook: Rulebook | None, rate: float
) -> dict[str, object]:
    """The figures of one configuration: its best ``rate``, then latency and event counts on a
    fresh venue."""
    samples, events = latencies_ns(commands, funded_venue(accounts, controls, rulebook))
    return {
        "throughput_commands_per_s": round(rate),
        "latency_ns": {
            "p50": percentile(samples, 0.50),
            "p99": percentile(samples, 0.99),
            "p99.9": percentile(samples, 0.999),
            "max": samples[-1],
        },
        "events": dict(sorted(events.items())),
    }


def best_rates(
    commands: list[Command],
    accounts: int,
    configurations: list[tuple[bool, Rulebook | None]],
    rounds: int,
) -> list[float]:
    """The best throughput of each configuration (controls, rulebook) over ``rounds`` rounds.

    Each round runs every configuration on a fresh venue, in turns
    (:func:`throughput`); the best of each is the figure least disturbed by
    whatever else the machine was doing.
    """
    best = [0.0] * len(configurations)
    for _ in range(rounds):
        venues = [
            funded_venue(accounts, controls, rulebook) for controls, rulebook in configurations
        ]
        best = [max(old, new) for old, new in zip(best, throughput(commands, venues), strict=True)]
    return best


def first_difference(
    commands: list[Command], accounts: int, configuration: tuple[bool, Rulebook | None]
) -> str | None:
    """The first command a venue of ``configuration`` (controls, rulebook) answers otherwise
    than the plain one, and both answers; None if every command is answered alike."""
    plain = funded_venue(accounts)
    other = funded_venue(accounts, *configuration)
    for ts, command in enumerate(commands, START_TS + 1):
        expected, got = _answer(plain.process(command, ts)), _answer(other.process(command, ts))
        if expected != got:
            return (
                f"command {ts - START_TS} ({command!r}) gave {'; '.join(expected) or 'nothing'} "
                f"on the venue without controls or rulebook, but {'; '.join(got) or 'nothing'}"
            )
    return None


def _changed(configuration: tuple[bool, Rulebook | None], difference: str) -> OutcomeChangedError:
    rulebook = configuration[1]
    if rulebook is None:
        return OutcomeChangedError(
            f"the controls changed the outcome; their limits must not bind here: {difference}"
        )
    return OutcomeChangedError(
        f"the rulebook {rulebook.name} changed the outcome, so the flow cannot measure it: "
        f"{difference}"
    )


def _counted(
    commands: list[Command],
    accounts: int,
    configuration: tuple[bool, Rulebook | None],
    figures: dict[str, object],
    plain: dict[str, object],
) -> str:
    """Why the events of a whole run differ: the first command answered otherwise (the
    counts alone if a second pass finds none)."""
    return first_difference(commands, accounts, configuration) or (
        f"events {figures['events']} against {plain['events']}"
    )


def _answer(events: Events) -> list[str]:
    """What a command's events say, without what differs between any two venues (times)."""
    return [
        f"{type(e).__name__} {e.reason.value}: {e.text}" if isinstance(e, Rejected)
        else type(e).__name__
        for e in events
    ]  # fmt: skip


def run(
    count: int,
    seed: int = 42,
    accounts: int = 1_000,
    rulebook: Rulebook | None = None,
    rounds: int = 3,
) -> dict[str, object]:
    """The core's figures for `seawall bench`: controls off, every control on, a rulebook."""
    commands = list(order_flow(seed, count, accounts=accounts))
    configurations: list[tuple[bool, Rulebook | None]] = [(False, None), (True, None)]
    if rulebook is not None:
        configurations.append((False, rulebook))
    for configuration in configurations[1:]:  # what cannot meet the flow fails before timing
        difference = first_difference(commands[:SLICE], accounts, configuration)
        if difference is not None:
            raise _changed(configuration, difference)
    rates = best_rates(commands, accounts, configurations, rounds)
    off = measure(commands, accounts, controls=False, rulebook=None, rate=rates[0])
    on = measure(commands, accounts, controls=True, rulebook=None, rate=rates[1])
    if on["events"] != off["events"]:
        raise _changed((True, None), _counted(commands, accounts, (True, None), on, off))
    ruled: dict[str, object] = {}
    if rulebook is not None:
        safeguarded = measure(commands, accounts, controls=False, rulebook=rulebook, rate=rates[2])
        if safeguarded["events"] != off["events"]:
            configuration = (False, rulebook)
            raise _changed(
                configuration, _counted(commands, accounts, configuration, safeguarded, off)
            )
        ruled = {
            "with_rulebook": {"rulebook": rulebook.name, **safeguarded},
            "rulebook_throughput_ratio": _ratio(safeguarded, off),
        }
    return {
        "workload": {
            "commands": count,
            "seed": seed,
            "accounts": accounts,
            "cancel_share": CANCEL_SHARE,
            "market_share": MARKET_SHARE,
            "settlement": "rtgs",
            "rounds": rounds,
        },
        "python": sys.version.split()[0],
        **off,
        "with_controls": on,
        "controls_throughput_ratio": _ratio(on, off),
        **ruled,
    }


def _ratio(run: dict[str, object], baseline: dict[str, object]) -> float:
    rate, base = run["throughput_commands_per_s"], baseline["throughput_commands_per_s"]
    assert isinstance(rate, int) and isinstance(base, int)
    return round(rate / base, 3)
