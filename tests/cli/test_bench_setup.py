"""The benchmark times the venue it claims to: every control it sets is in force, a setup the
venue refuses stops it instead of timing a venue without that setup, and limits that bind stop
it at the first command they answer otherwise."""

from __future__ import annotations

import msgspec
import pytest

from seawall import bench
from seawall.rulebooks import Rulebook


def test_every_account_and_firm_runs_under_the_benchmark_limits() -> None:
    venue = bench.funded_venue(30, controls=True)
    firms = {venue.risk.firm_scope(f"F{n}") for n in range(bench.FIRMS)}
    accounts = {venue.risk.scope_of(venue.accounts[bench.account_of(n)]) for n in range(1, 31)}
    assert len(firms) == bench.FIRMS and len(accounts) == 30
    assert all(scope.limits == bench.GENEROUS_LIMITS for scope in firms | accounts)
    one = venue.risk.scope_of(venue.accounts[bench.account_of(1)])
    assert one.duplicate_window_ns == bench.GENEROUS_LIMITS.duplicate_window_ns
    assert one.execution_limited


def test_limits_the_venue_refuses_stop_the_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    # A throttle with a window but no count is invalid: the venue refuses the whole command,
    # which would leave every control off in the venue timed as "every control on".
    invalid = msgspec.structs.replace(bench.GENEROUS_LIMITS, max_messages=0)
    monkeypatch.setattr(bench, "GENEROUS_LIMITS", invalid)
    with pytest.raises(bench.SetupRefusedError, match="SetRiskLimits .invalid_limits: the message"):
        bench.funded_venue(3, controls=True)


def test_a_venue_without_controls_is_built_as_before() -> None:
    venue = bench.funded_venue(3, controls=False)
    assert not venue.risk_active
    assert venue.accounts[bench.account_of(3)].cash_balance("USD").available == (
        bench.CASH_PER_ACCOUNT
    )


def test_limits_that_bind_stop_the_benchmark_at_the_first_command_answered_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    binding = msgspec.structs.replace(bench.GENEROUS_LIMITS, max_order_qty=1)
    monkeypatch.setattr(bench, "GENEROUS_LIMITS", binding)
    with pytest.raises(bench.OutcomeChangedError) as refused:
        bench.run(200, accounts=20, rounds=1)
    message = str(refused.value)
    assert message.startswith(
        "the controls changed the outcome; their limits must not bind here: command 1 "
        "(NewOrder(participant='P9', account='A9', instrument='BENCH', side=<Side.BUY: 'buy'>, "
        "qty=32, price=999100, "
    )
    assert message.endswith(
        "gave OrderAccepted on the venue without controls or rulebook, but Rejected "
        "max_order_qty_exceeded: quantity 32 is above account 'A9''s maximum of 1"
    )
    assert isinstance(refused.value, RuntimeError)  # what callers caught before


def test_a_rulebook_the_flow_cannot_meet_is_refused_before_any_timing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_timing(commands: object, venues: object) -> list[float]:
        raise AssertionError("timed a configuration the flow cannot meet")

    monkeypatch.setattr(bench, "throughput", no_timing)
    with pytest.raises(bench.OutcomeChangedError, match=r"^the rulebook chix changed the outcome"):
        bench.run(300, accounts=20, rulebook=Rulebook.load("chix"))
