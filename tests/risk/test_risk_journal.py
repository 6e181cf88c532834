"""Risk commands through the sequencer and the journal: recovery rebuilds the same risk state.

The flow sets account and firm limits (credit, collars, throttles, the
duplicate window), declares a parent and works it, trips and resets kill
switches, disconnects a trader, reports a trade and closes the day. Recovery
from the journal alone, and from a snapshot plus the journal, must give the
live venue's state hash and then refuse and accept exactly what the live
venue does (the throttle and duplicate windows are state).
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from risk_support import ACCOUNT, BUY, FIRM, MIDDAY, OPT, PRICE, SELL, XYZ, setup_commands

from orders_support import OPERATOR, usd
from seawall import TimeInForce, Venue, VenueConfig
from seawall.core.commands import (
    Cancel,
    CancelOnDisconnect,
    Command,
    DeclareParent,
    EndOfDay,
    KillSwitch,
    NewOrder,
    Replace,
    ReportTrade,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.events import Event, Rejected, RejectReason
from seawall.core.state import VenueState
from seawall.core.types import SettlementMode
from seawall.runtime.journal import CommandRecord, JournalReader
from seawall.runtime.recovery import journal_path, open_data_dir, recover
from seawall.runtime.sequencer import Sequencer

R = RejectReason
MS = 1_000_000
DEFERRED = VenueConfig(settlement=SettlementMode.DEFERRED)


class CalendarClock:
    """A clock that moves 1 ms per reading from 11:30 New York time on 10 July 2024."""

    def __init__(self, start_ns: int = MIDDAY) -> None:
        self.now = start_ns

    def now_ns(self) -> int:
        self.now += MS
        return self.now


def order(
    account: str, side: str, qty: int, price: int, symbol: str = XYZ, **fields: object
) -> NewOrder:
    owner = {"A1": "alice", "A2": "alice", "B": "bob", "C": "carol", "D": "dave", "M": "mm"}
    return NewOrder(
        owner[account],
        account,
        symbol,
        BUY if side == "buy" else SELL,
        qty,
        price,
        **fields,  # type: ignore[arg-type]
    )


def limits(scope: str, target: str, **fields: object) -> SetRiskLimits:
    kind = FIRM if scope == "firm" else ACCOUNT
    return SetRiskLimits(OPERATOR, kind, target, RiskLimits(**fields))  # type: ignore[arg-type]


def risk_flow(deferred: bool, duplicates: bool = True) -> list[Command]:
    """Setup, then every risk command with orders that trade, rest and get refused."""
    window = 50 * MS if duplicates else 0
    flow: list[Command] = setup_commands()  # funded even when deferred: no settlement fails
    flow += [
        limits("firm", "F", credit_limit=usd("2,000,000"), max_messages=8,
               message_window_ns=10 * MS),
        limits("account", "A1", credit_limit=usd("500,000"), duplicate_window_ns=window,
               collar_bps=500, extended_collar_bps=1_000, max_orders=3, order_window_ns=6 * MS),
        limits("account", "C", credit_limit=usd("300,000"), max_executions=2,
               execution_window_ns=40 * MS),
        limits("account", "M", credit_limit=usd("5,000,000")),
        limits("account", "D", credit_limit=usd("1,000,000")),
        DeclareParent("alice", "A1", "P1", XYZ, BUY, 1_000),
        order("M", "sell", 2_000, PRICE),
        order("A1", "buy", 300, PRICE, parent_order_id="P1"),  # fills
        order("A1", "buy", 300, usd("99.00"), parent_order_id="P1"),  # rests
        order("A1", "buy", 300, usd("99.00"), parent_order_id="P1"),  # a duplicate when windowed
        order("A1", "buy", 500, usd("99.00"), parent_order_id="P1"),  # beyond the parent
        order("A1", "buy", 10, usd("120.00")),  # outside the collar
        order("C", "buy", 10, PRICE),
        order("C", "buy", 10, PRICE),
        order("C", "buy", 10, usd("99.50")),  # the execution throttle
        order("B", "sell", 20, usd("5.10"), OPT),
        order("D", "buy", 5_000, usd("98.00")),
        KillSwitch(OPERATOR, FIRM, "F", reason="desk review"),
        order("B", "sell", 20, usd("5.10"), OPT),  # refused: killed
        KillSwitch(OPERATOR, FIRM, "F", engage=False),
        order("A2", "sell", 20, usd("5.20"), OPT),
        CancelOnDisconnect("dave"),
        ReportTrade(OPERATOR, XYZ, "C", "M", PRICE, 100),
        order("D", "buy", 20_000, PRICE),  # over D's limit: refused and killed
        EndOfDay(OPERATOR),
        order("A1", "buy", 100, usd("99.00")),
    ]  # fmt: skip
    if deferred:
        flow.insert(len(flow) - 1, limits("account", "B", credit_limit=usd("100,000")))
        flow.insert(len(flow) - 1, limits("account", "A2", credit_limit=usd("100,000")))
    return flow


def tail(last_order: int) -> list[Command]:
    """Commands after recovery whose outcome depends on the windows carried across: a
    duplicate of the flow's last order, then A1's order throttle (3 in 6 ms)."""
    return [
        order("A1", "buy", 100, usd("99.00")),
        order("A1", "buy", 101, usd("99.00")),
        order("A1", "buy", 102, usd("99.00")),
        Replace("alice", last_order, 200, usd("99.00")),
        Cancel("alice", last_order),
        order("A2", "buy", 1, usd("99.00")),
        order("B", "buy", 1, usd("99.00")),
        order("C", "buy", 10, PRICE),
    ]


def serve(
    data_dir: Path, config: VenueConfig, commands: list[Command], snapshot_every: int
) -> Venue:
    opened = open_data_dir(data_dir, config)
    sequencer = Sequencer(opened.venue, opened.writer, CalendarClock(), snapshot_every)
    for command in commands:
        sequencer.submit(command)
    sequencer.close()
    return sequencer.venue


def in_memory(config: VenueConfig, commands: list[Command]) -> Venue:
    venue = Venue(config)
    clock = CalendarClock()
    for command in commands:
        venue.process(command, clock.now_ns())
    return venue


def continue_both(live: Venue, recovered: Venue) -> list[list[Event]]:
    outcomes = []
    ts = live.ts
    for command in tail(live.next_order_id - 1):
        ts += MS
        expected = live.process(command, ts)
        assert recovered.process(command, ts) == expected, command
        outcomes.append(expected)
    assert recovered.state_hash() == live.state_hash()
    return outcomes


@pytest.mark.parametrize("deferred", [False, True], ids=["rtgs", "deferred"])
def test_recovery_from_the_journal_rebuilds_the_risk_state(tmp_path: Path, deferred: bool) -> None:
    config = DEFERRED if deferred else VenueConfig()
    flow = risk_flow(deferred)
    live = serve(tmp_path, config, flow, snapshot_every=0)
    result = recover(tmp_path)
    assert result.snapshot is None and result.replayed == len(flow)
    assert result.state_hash == live.state_hash() == in_memory(config, flow).state_hash()
    state = result.venue.export_state()
    assert state.risk is not None and state.risk.parents and state.risk.scopes
    # The flow was not idle: kills, parents, throttles and duplicates all had their say.
    outcomes = continue_both(live, result.venue)
    refused = [events[0].reason if isinstance(events[0], Rejected) else None for events in outcomes]
    assert refused[:3] == [R.DUPLICATE_ORDER, None, R.ORDER_RATE_EXCEEDED]


def test_the_journal_holds_every_risk_command_as_it_was_sent(tmp_path: Path) -> None:
    flow = risk_flow(deferred=False)
    serve(tmp_path, VenueConfig(), flow, snapshot_every=0)
    with JournalReader(journal_path(tmp_path)) as reader:
        commands = [r.command for r in reader.records() if isinstance(r, CommandRecord)]
    assert commands == flow


def test_the_flow_exercises_every_risk_command() -> None:
    kinds = {type(c).__name__ for c in risk_flow(deferred=True)}
    assert {
        "SetRiskLimits", "KillSwitch", "DeclareParent", "CancelOnDisconnect", "EndOfDay",
    } <= kinds  # fmt: skip


def test_recovery_from_a_snapshot_without_a_duplicate_window(tmp_path: Path) -> None:
    flow = risk_flow(deferred=False, duplicates=False)
    live = serve(tmp_path, VenueConfig(), flow, snapshot_every=25)
    result = recover(tmp_path)
    assert result.skipped_snapshots == []
    assert result.snapshot is not None and result.replayed < len(flow)
    assert result.state_hash == live.state_hash()
    continue_both(live, result.venue)


def test_recovery_from_a_snapshot_taken_while_a_duplicate_window_is_open(tmp_path: Path) -> None:
    flow = risk_flow(deferred=False)
    live = serve(tmp_path, VenueConfig(), flow, snapshot_every=25)
    result = recover(tmp_path)
    assert result.skipped_snapshots == []
    assert result.snapshot is not None and result.replayed < len(flow)
    assert result.state_hash == live.state_hash()


def test_the_exported_state_survives_msgpack_with_a_duplicate_window_open() -> None:
    venue = in_memory(
        VenueConfig(), risk_flow(deferred=False)[:-1] + [order("A1", "buy", 7, PRICE)]
    )
    state = venue.export_state()
    decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(state), type=VenueState)
    assert Venue.restore(decoded).state_hash() == venue.state_hash()


def test_a_restored_venue_keeps_the_duplicate_window_its_firm_imposes() -> None:
    config = VenueConfig()
    venue = in_memory(config, [*setup_commands(), limits("firm", "F", duplicate_window_ns=MS)])
    ioc = order("A1", "buy", 10, usd("99.00"), tif=TimeInForce.IOC)  # nothing to trade with
    ts = venue.ts + 1
    assert [type(e).__name__ for e in venue.process(ioc, ts)] == ["OrderAccepted", "OrderCancelled"]
    restored = Venue.restore(venue.export_state())
    assert restored.state_hash() == venue.state_hash()
    refused = venue.process(ioc, ts + 1)
    assert isinstance(refused[0], Rejected) and refused[0].reason is R.DUPLICATE_ORDER
    assert restored.process(ioc, ts + 1) == refused


def test_equal_limits_give_equal_state_hashes_however_their_values_were_made() -> None:
    """A warning level of 7,500 decoded from a message is another integer object than the
    default's; the state, and so its hash, must depend on the value alone."""
    decoded = msgspec.json.decode(b'{"warn_bps": 7500, "credit_limit": 5}', type=RiskLimits)
    assert decoded == RiskLimits(credit_limit=5)
    built = in_memory(VenueConfig(), [*setup_commands(), limits("account", "A1", credit_limit=5)])
    sent = in_memory(
        VenueConfig(), [*setup_commands(), SetRiskLimits(OPERATOR, ACCOUNT, "A1", decoded)]
    )
    assert sent.state_hash() == built.state_hash()
    assert Venue.restore(sent.export_state()).state_hash() == built.state_hash()
