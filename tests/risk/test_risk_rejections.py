"""Every risk rejection reason is produced by some command; refused limits change nothing."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest
from risk_support import ACCOUNT, BUY, FIRM, OPT, PRICE, SECOND, SELL, XYZ, RiskMarket, rejection

from orders_support import usd
from seawall import VenueConfig
from seawall.core.commands import (
    Command,
    DeclareParent,
    EndOfDay,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.events import Event, Rejected, RejectReason, RiskLimitsSet
from seawall.core.state import VenueState
from seawall.core.types import MAX_SUPPLY, SettlementMode
from seawall.risk import RISK_REJECTIONS

R = RejectReason


# ---------------------------------------------------------------------------- every reason


def test_every_risk_rejection_reason_is_produced_by_some_command() -> None:
    """Mirrors tests/core/test_rejections.py for :data:`seawall.risk.RISK_REJECTIONS`."""
    produced: set[RejectReason] = set()

    def refused(events: list[Event], expected: RejectReason) -> None:
        got = rejection(events)
        assert got.reason is expected, got
        produced.add(got.reason)

    m = RiskMarket()
    m.limits("A1", credit_limit=usd("1,000"))
    refused(m.buy("A1", 11, PRICE), R.CREDIT_LIMIT_EXCEEDED)  # and the kill switch engages
    refused(m.buy("A1", 1, PRICE), R.KILL_SWITCH_ENGAGED)
    m.limits("A2", max_order_qty=5, max_order_notional=usd("400"))
    refused(m.buy("A2", 6, usd("1.00")), R.MAX_ORDER_QTY_EXCEEDED)
    refused(m.buy("A2", 5, PRICE), R.MAX_ORDER_NOTIONAL_EXCEEDED)
    m.limits("B", collar_bps=100, extended_collar_bps=100)
    refused(m.buy("B", 1, usd("102.00")), R.OUTSIDE_PRICE_COLLAR)
    m.limits("B", duplicate_window_ns=SECOND)
    m.buy("B", 1, PRICE)
    refused(m.buy("B", 1, PRICE), R.DUPLICATE_ORDER)
    m.limits("C", max_messages=1, message_window_ns=SECOND)
    m.buy("C", 1, PRICE)
    refused(m.buy("C", 1, PRICE), R.MESSAGE_RATE_EXCEEDED)
    m.limits("D", max_orders=1, order_window_ns=SECOND)
    m.buy("D", 1, PRICE)
    refused(m.buy("D", 1, PRICE), R.ORDER_RATE_EXCEEDED)
    m.limits("F", FIRM, max_executions=1, execution_window_ns=SECOND)
    m.rest("M", SELL, 1, PRICE)
    m.buy("A2", 1, PRICE)  # fills
    refused(m.buy("A2", 1, usd("99.00")), R.EXECUTION_RATE_EXCEEDED)
    m.limits("B", restricted=True)
    refused(m.buy("B", 1, PRICE), R.RESTRICTED)
    m.limits("D", restricted_instruments=(OPT,))
    refused(m.order("D", BUY, 1, usd("5.00"), OPT), R.RESTRICTED_INSTRUMENT)
    refused(m.buy("D", 1, PRICE, parent_order_id="P"), R.UNKNOWN_PARENT)
    m.do(DeclareParent("dave", "D", "P", XYZ, BUY, 10))
    refused(m.buy("D", 11, PRICE, parent_order_id="P"), R.PARENT_QUANTITY_EXCEEDED)
    refused(m.limits("D", warn_bps=0), R.INVALID_LIMITS)
    deferred = RiskMarket(VenueConfig(settlement=SettlementMode.DEFERRED))
    refused(deferred.buy("A1", 1, PRICE), R.NO_CREDIT_LIMIT)
    deferred.limits("A1", credit_limit=usd("1,000,000"))
    deferred.limits("C", credit_limit=usd("1,000,000"))
    deferred.rest("C", SELL, 1, PRICE)
    deferred.buy("A1", 1, PRICE)  # A1 owes $100 and has no cash
    deferred.do(EndOfDay("operator"))
    refused(deferred.buy("A1", 1, PRICE), R.SETTLEMENT_FAIL)
    off = RiskMarket(VenueConfig(pre_trade_risk=False))
    refused(off.limits("A1", credit_limit=1), R.RISK_CONTROLS_OFF)
    assert produced == set(RISK_REJECTIONS)


def test_the_risk_reasons_are_new_codes() -> None:
    assert {reason.value for reason in RISK_REJECTIONS} <= {reason.value for reason in R}
    assert len({reason.value for reason in R}) == len(R)  # every code is distinct


# ---------------------------------------------------------------------------- invalid limits


def limits(**fields: object) -> RiskLimits:
    return RiskLimits(**fields)  # type: ignore[arg-type]


INVALID: list[tuple[str, RiskLimits, str]] = [
    ("negative credit", limits(credit_limit=-1), "between 0 and 10^18"),
    ("credit above supply", limits(credit_limit=MAX_SUPPLY + 1), "between 0 and 10^18"),
    ("negative quantity", limits(max_order_qty=-1), "between 0 and 10^18"),
    ("negative window", limits(duplicate_window_ns=-1), "between 0 and 10^18"),
    ("no warning level", limits(warn_bps=0), "warn_bps"),
    ("warning above 100%", limits(warn_bps=10_001), "warn_bps"),
    ("collar above 100%", limits(collar_bps=10_001), "collar_bps"),
    ("extended above ceiling", limits(extended_collar_bps=1_001), "ceiling of 1000 bps"),
    ("messages, no window", limits(max_messages=5), "message throttle"),
    ("message window only", limits(message_window_ns=SECOND), "message throttle"),
    ("orders, no window", limits(max_orders=5), "order throttle"),
    ("order window only", limits(order_window_ns=SECOND), "order throttle"),
    ("executions, no window", limits(max_executions=5), "execution throttle"),
    ("execution window only", limits(execution_window_ns=SECOND), "execution throttle"),
    ("huge throttle", limits(max_orders=1_000_001, order_window_ns=SECOND), "at most 1,000,000"),
]


@pytest.mark.parametrize(
    ("bad", "text"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_limits_are_refused_and_change_nothing(bad: RiskLimits, text: str) -> None:
    m = RiskMarket()
    m.rest("A1", BUY, 10, PRICE)
    before = m.frozen()
    for scope, target in ((ACCOUNT, "A1"), (FIRM, "F")):
        events = m.do(SetRiskLimits("operator", scope, target, bad))
        assert len(events) == 1
        assert rejection(events).reason is R.INVALID_LIMITS
        assert text in rejection(events).text
    assert m.frozen() == before


def test_limits_at_their_bounds_are_accepted() -> None:
    m = RiskMarket()
    good = limits(
        credit_limit=MAX_SUPPLY, warn_bps=10_000, collar_bps=10_000, extended_collar_bps=1_000,
        max_orders=1_000_000, order_window_ns=MAX_SUPPLY, max_order_qty=MAX_SUPPLY,
    )  # fmt: skip
    events = m.do(SetRiskLimits("operator", ACCOUNT, "A1", good))
    assert events == [RiskLimitsSet(events[0].seq, events[0].ts, ACCOUNT, "A1", good)]
    assert isinstance(
        m.do(SetRiskLimits("operator", FIRM, "F", limits(warn_bps=1)))[0], RiskLimitsSet
    )


def test_the_extended_hours_ceiling_is_the_venues_parameter() -> None:
    m = RiskMarket(VenueConfig(max_extended_collar_bps=2_000))
    assert isinstance(m.limits("A1", extended_collar_bps=2_000)[0], RiskLimitsSet)
    assert rejection(m.limits("A1", extended_collar_bps=2_001)).reason is R.INVALID_LIMITS
    with pytest.raises(ValueError, match="max_extended_collar_bps"):
        RiskMarket(VenueConfig(max_extended_collar_bps=0))
    with pytest.raises(ValueError, match="time zone"):
        RiskMarket(VenueConfig(timezone="Mars/Olympus_Mons"))
    with pytest.raises(ValueError, match="regular hours"):
        RiskMarket(VenueConfig(regular_open=16 * 60, regular_close=9 * 60 + 30))


SENDERS: list[tuple[str, Command, RejectReason]] = [
    ("trader sets limits", SetRiskLimits("alice", ACCOUNT, "A1", RiskLimits()), R.NOT_ENTITLED),
    ("stranger", SetRiskLimits("mallory", ACCOUNT, "A1", RiskLimits()), R.UNKNOWN_PARTICIPANT),
    ("unknown account", SetRiskLimits("operator", ACCOUNT, "ZZ", RiskLimits()), R.UNKNOWN_ACCOUNT),
    ("bad firm id", SetRiskLimits("operator", FIRM, "", RiskLimits()), R.INVALID_DEFINITION),
    ("trader ends the day", EndOfDay("alice"), R.NOT_ENTITLED),
]


@pytest.mark.parametrize(
    ("command", "expected"), [case[1:] for case in SENDERS], ids=[case[0] for case in SENDERS]
)
def test_risk_commands_are_for_operators(command: Command, expected: RejectReason) -> None:
    m = RiskMarket()
    before = m.frozen()
    assert rejection(m.do(command)).reason is expected
    assert m.frozen() == before


# ---------------------------------------------------------------------------- nothing changes


def refusals() -> list[tuple[str, Callable[[RiskMarket], list[Event]]]]:
    """(name, a refusal that must leave the state as it was) after :func:`prepared`."""
    return [
        ("credit", lambda m: m.buy("A1", 1_001, PRICE)),
        ("firm credit", lambda m: m.buy("B", 6_000, PRICE)),
        ("quantity", lambda m: m.buy("A2", 101, usd("1.00"))),
        ("notional", lambda m: m.order("A2", BUY, 21, usd("5.00"), OPT)),
        ("collar", lambda m: m.sell("A2", 1, usd("89.99"))),
        ("duplicate", lambda m: m.buy("A2", 7, usd("99.00"))),
        ("restricted instrument", lambda m: m.order("C", SELL, 1, usd("5.00"), OPT)),
        ("killed", lambda m: m.buy("D", 1, PRICE)),
        ("parent", lambda m: m.buy("A2", 1, PRICE, parent_order_id="nope")),
    ]


def prepared() -> RiskMarket:
    """Limits that leave room for one accepted order each, then the refusals above."""
    m = RiskMarket()
    m.limits("F", FIRM, credit_limit=usd("1,000,000"), kill_on_breach=False)
    m.limits("A1", credit_limit=usd("100,000"), kill_on_breach=False)
    m.limits(
        "A2", max_order_qty=100, max_order_notional=usd("10,000"), collar_bps=1_000,
        extended_collar_bps=1_000, duplicate_window_ns=SECOND,
    )  # fmt: skip
    m.limits("C", restricted_instruments=(OPT,))
    m.kill("D")
    m.rest("A1", BUY, 900, PRICE)
    m.rest("A2", BUY, 7, usd("99.00"))
    m.rest("B", BUY, 4_000, PRICE)
    return m


@pytest.mark.parametrize("name", [name for name, _ in refusals()])
def test_a_risk_refusal_changes_nothing_but_the_counters(name: str) -> None:
    m = prepared()
    send = dict(refusals())[name]
    before = m.frozen()
    events = send(m)
    assert len(events) == 1 and isinstance(events[0], Rejected), events
    assert rejection(events).reason in RISK_REJECTIONS
    assert m.frozen() == before


def without_scopes(state: VenueState) -> VenueState:
    return msgspec.structs.replace(state, risk=None)


def test_a_refused_first_order_of_an_account_leaves_the_state_hash_unchanged() -> None:
    """Regression (6842754 to b066269): the check created the account's and its firm's
    scopes before refusing, and the new empty scopes changed the exported state."""
    m = RiskMarket()
    m.limits("A1", credit_limit=usd("1,000"))
    frozen = m.frozen()
    events = m.buy("B", 1, PRICE, parent_order_id="nope")  # B's first order, refused
    assert rejection(events).reason is R.UNKNOWN_PARENT
    assert without_scopes(m.frozen()) == without_scopes(frozen)  # nothing else moved
    assert m.frozen() == frozen, "new empty risk scopes for 'B' and firm 'F'"
