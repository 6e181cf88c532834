"""`seawall bench` times its configurations in turns: each must still see the whole flow."""

from __future__ import annotations

import pytest

from seawall import bench
from seawall.core.commands import NewOrder


def test_venues_taking_the_flow_in_turns_each_process_all_of_it_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench, "SLICE", 7)  # slices that do not divide the flow
    commands = list(bench.order_flow(42, 150, accounts=20))
    venues = [bench.funded_venue(20, controls=False), bench.funded_venue(20, controls=True)]
    rates = bench.throughput(commands, venues)
    assert len(rates) == 2 and all(rate > 0 for rate in rates)
    alone = [bench.funded_venue(20, controls=False), bench.funded_venue(20, controls=True)]
    for venue in alone:
        for ts, command in enumerate(commands, bench.START_TS + 1):
            venue.process(command, ts)
    assert [venue.state_hash() for venue in venues] == [venue.state_hash() for venue in alone]
    assert venues[0].next_order_id == 1 + sum(isinstance(c, NewOrder) for c in commands)
