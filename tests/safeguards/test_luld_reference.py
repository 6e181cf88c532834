"""The LULD reference price: a 5-minute mean, replaced only on a 1% move after 30 seconds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from safeguards_support import SECOND, US_TODAY, present, usd

from seawall.safeguards.luld import ReferenceTracker

T0 = 1_000 * SECOND


def tracker(kind: type[ReferenceTracker] = ReferenceTracker) -> ReferenceTracker:
    """The Plan's rule, from the rulebook: 5 minutes, 1%, 30 seconds."""
    luld = present(US_TODAY.luld)
    found = kind(
        luld.reference_window_seconds * SECOND,
        luld.reference_move_bps,
        luld.reference_min_seconds * SECOND,
    )
    found.reset(T0, usd("100.00"))  # the opening price
    return found


def test_a_1_percent_move_waits_until_the_reference_has_stood_30_seconds() -> None:
    reference = tracker()
    reference.add(T0 + 10 * SECOND, usd("101.00"))
    assert not reference.update(T0 + 10 * SECOND)
    assert reference.next_due(T0 + 10 * SECOND) == T0 + 30 * SECOND
    assert not reference.update(T0 + 30 * SECOND - 1)
    assert reference.update(T0 + 30 * SECOND)
    assert (reference.reference, reference.changed_at) == (usd("101.00"), T0 + 30 * SECOND)


def test_exactly_1_percent_moves_the_reference_and_less_does_not() -> None:
    below = tracker()
    below.add(T0 + 40 * SECOND, usd("100.99"))
    assert not below.update(T0 + 40 * SECOND)
    exact = tracker()
    exact.add(T0 + 40 * SECOND, usd("99.00"))
    assert exact.update(T0 + 40 * SECOND)
    assert exact.reference == usd("99.00")


def test_the_mean_is_arithmetic_over_trades_not_weighted() -> None:
    reference = tracker()
    for offset, price in ((31, "100.00"), (32, "100.00"), (33, "105.00")):
        reference.add(T0 + offset * SECOND, usd(price))
    # (100 + 100 + 105) / 3 = 101.6666..., rounded to the price scale
    assert reference.pro_forma(T0 + 33 * SECOND) == usd("101.6667")
    assert reference.update(T0 + 33 * SECOND)


def test_trades_leave_the_window_after_5_minutes_and_without_trades_the_reference_stays() -> None:
    reference = tracker()
    reference.add(T0 + 40 * SECOND, usd("110.00"))
    reference.add(T0 + 100 * SECOND, usd("90.00"))
    assert not reference.update(T0 + 100 * SECOND)  # the mean is 100.00: no move
    assert reference.reference == usd("100.00")
    # at T0 + 340 s the 110.00 trade is 5 minutes old and leaves; the mean is 90.00
    assert reference.next_due(T0 + 100 * SECOND) == T0 + 340 * SECOND
    assert reference.pro_forma(T0 + 340 * SECOND - 1) == usd("100.00")
    assert reference.update(T0 + 340 * SECOND)
    assert reference.reference == usd("90.00")
    assert reference.pro_forma(T0 + 400 * SECOND) == 0  # the window is empty
    assert not reference.update(T0 + 400 * SECOND)
    assert reference.reference == usd("90.00")


def test_a_reopening_price_replaces_the_reference_at_once_and_forgets_earlier_trades() -> None:
    reference = tracker()
    reference.add(T0 + 10 * SECOND, usd("120.00"))
    reference.reset(T0 + 20 * SECOND, usd("80.00"))
    assert reference.reference == usd("80.00")
    assert reference.pro_forma(T0 + 21 * SECOND) == 0


class MeanFirst(ReferenceTracker):
    """A tracker that works the window's mean out (pruning the window) before the age is asked."""

    def update(self, ts: int) -> bool:
        self.pro_forma(ts)
        return super().update(ts)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 20 * SECOND), st.integers(9_500, 10_500)), max_size=60))
def test_a_reference_too_young_to_move_needs_no_mean_to_say_so(
    trades: list[tuple[int, int]],
) -> None:
    quick, full = tracker(), tracker(MeanFirst)
    ts = T0
    for gap, cents in trades:
        ts += gap
        quick.add(ts, cents * 100)
        full.add(ts, cents * 100)
        assert quick.update(ts) == full.update(ts)
        assert (quick.reference, quick.changed_at) == (full.reference, full.changed_at)
        assert quick.export(ts) == full.export(ts)
        assert quick.next_due(ts) == full.next_due(ts)
