"""Properties 5 to 7: determinism, export/restore, and rejections that change nothing."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from property_checks import comparable_state, encode, roundtrip, state_difference
from strategies import PROPERTY_SETTINGS, Scenario, scenarios

from seawall import Venue
from seawall.core.commands import NewOrder
from seawall.core.events import Rejected
from stream_support import explained, run


@st.composite
def scenarios_with_cut(draw: st.DrawFn) -> tuple[Scenario, int]:
    scenario = draw(scenarios())
    return scenario, draw(st.integers(0, len(scenario.commands)))


@PROPERTY_SETTINGS
@given(scenarios_with_cut())
def test_export_restore_changes_nothing(case: tuple[Scenario, int]) -> None:
    """5. A venue restored at any point (directly or through msgpack) behaves identically."""
    scenario, cut = case
    original = Venue(scenario.config)
    for _ in run(scenario, original, stop=cut):
        pass
    state = original.export_state()
    carried = roundtrip(state)
    assert encode(carried) == encode(state), "the state does not survive msgpack unchanged"
    direct, decoded = Venue.restore(state), Venue.restore(carried)
    assert direct.state_hash() == original.state_hash(), "restoring changed the state hash"
    assert decoded.state_hash() == original.state_hash(), "msgpack restore changed the hash"
    streams = zip(
        run(scenario, original, start=cut),
        run(scenario, direct, start=cut),
        run(scenario, decoded, start=cut),
        strict=True,
    )
    for step, step_direct, step_decoded in streams:
        with explained(step):
            assert encode(step_direct.events) == encode(
                step.events
            ), f"restored venue diverged: {step_direct.events!r}"
            assert encode(step_decoded.events) == encode(
                step.events
            ), f"msgpack-restored venue diverged: {step_decoded.events!r}"
    assert direct.state_hash() == original.state_hash(), "final state differs after restore"
    assert decoded.state_hash() == original.state_hash(), "final state differs (msgpack)"


@PROPERTY_SETTINGS
@given(scenarios())
def test_same_stream_same_events_and_hashes(scenario: Scenario) -> None:
    """6. Two fresh venues fed the same stream emit the same events and hashes throughout."""
    first, second = Venue(scenario.config), Venue(scenario.config)
    steps = zip(run(scenario, first), run(scenario, second), strict=True)
    for step, twin in steps:
        with explained(step):
            assert encode(twin.events) == encode(step.events), f"diverged: {twin.events!r}"
            assert first.state_hash() == second.state_hash(), "state hashes diverged"


@PROPERTY_SETTINGS
@given(scenarios())
def test_rejected_command_changes_nothing(scenario: Scenario) -> None:
    """7. A command answered only by a Rejected leaves the state (bar seq and ts) untouched."""
    venue = Venue(scenario.config)
    before = comparable_state(venue)
    for step in run(scenario, venue):
        after = comparable_state(venue)
        if len(step.events) == 1 and isinstance(step.events[0], Rejected):
            if isinstance(step.command, NewOrder):  # even a refused order takes its id
                before = msgspec.structs.replace(before, next_order_id=before.next_order_id + 1)
            with explained(step):
                assert encode(after) == encode(before), state_difference(before, after)
        before = after
