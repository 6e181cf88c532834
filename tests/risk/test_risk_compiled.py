"""The compiled risk core's own structures, against plain-Python models of what they promise.

The throttle ring and the duplicate table are C data structures: a ring
overwritten in place and an open-addressing table that reuses expired slots
and rebuilds itself. Each is driven here by random event streams and
compared, step by step, with the obvious model (a deque of every stamp, a
dict of every key's last stamp). The rest of the core is held to the
venue's behaviour by the whole suite; what is peculiar to compiling it (a
128-bit exposure, fields read at their offsets, the per-account cache of
the instrument of the moment) is tested through the venue below.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_support import FIRM, MIDDAY, PRICE, XYZ, Holder, RiskMarket

from orders_support import OPERATOR, refusal, usd
from seawall import Instrument, Side, VenueConfig
from seawall.core.commands import EndOfDay, NewOrder
from seawall.core.events import OrderAccepted, RejectReason
from seawall.core.types import MAX_PRICE, AssetClass
from seawall.risk.engine import RiskEngine
from seawall.risk.state import restore_risk
from seawall.risk.windows import RecentKeys, SlidingCount

BUY, SELL = Side.BUY, Side.SELL


@settings(max_examples=200, deadline=None)
@given(
    limit=st.integers(1, 6),
    window_ns=st.integers(1, 50),
    gaps=st.lists(st.integers(0, 20), max_size=80),
)
def test_a_sliding_count_is_full_exactly_when_its_limit_is_reached_inside_the_window(
    limit: int, window_ns: int, gaps: list[int]
) -> None:
    window = SlidingCount(limit, window_ns)
    seen: deque[int] = deque()  # every stamp recorded, oldest first
    ts = 10**18
    for gap in gaps:
        ts += gap
        inside = sum(1 for stamp in seen if ts - stamp < window_ns)
        assert window.is_full(ts) == (inside >= limit)
        window.append(ts)
        seen.append(ts)
        assert window.times == list(seen)[-limit:]


KEYS = [(symbol, side, price, qty) for symbol in ("XYZ", "OPT", "X" * 32)
        for side in (BUY, SELL) for price in (1, 100) for qty in (1, 7)]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    window_ns=st.integers(1, 40),
    steps=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(KEYS)), max_size=200),
    generation=st.sampled_from([0, 2**32 - 2]),
)
def test_the_duplicate_table_answers_as_a_dict_of_last_stamps(
    window_ns: int, steps: list[tuple[int, tuple[str, Side, int, int]]], generation: int
) -> None:
    """Many keys inside a long window grow the table; expired keys give up their slots; a
    table whose keys have all expired is emptied in place, through the wrap of its count
    of clears too (a table started two clears before it)."""
    table = RecentKeys(window_ns, generation)
    last: dict[tuple[str, Side, int, int], int] = {}
    ts = 0
    for gap, key in steps:
        ts += gap
        for probe in KEYS:
            expected = probe in last and ts - last[probe] < window_ns
            assert table.duplicates(probe, ts) == expected
        table.record(key, ts)
        last[key] = ts
        live = sorted((stamp, k) for k, stamp in last.items() if ts - stamp < window_ns)
        assert sorted(table.entries()) == live


def test_a_key_recorded_when_every_other_has_left_the_window_is_held_alone() -> None:
    """An account slower than its window: its key is held beside the table, which is
    emptied by starting a generation, the slots left as they are (reading and clearing
    them would touch six cache lines); a table already empty keeps its generation. A key
    recorded inside the window of the one held alone joins it in the slots. Nothing of an
    old generation is found again, even when the clock steps back inside its window."""
    table = RecentKeys(10)
    first = [("XYZ", BUY, price, 1) for price in (1, 2, 3)]
    for n, key in enumerate(first):
        table.record(key, n)
    assert table.generation == 0 and len(table.entries()) == 3
    alone = [("XYZ", SELL, price, 1) for price in range(1, 40)]
    for n, key in enumerate(alone):
        table.record(key, 100 * (n + 1))
        assert table.entries() == [(100 * (n + 1), key)]
        assert table.duplicates(key, 100 * (n + 1) + 9)
    assert table.generation == 1  # emptied once: the first three were in its slots
    last = 100 * len(alone)
    joining = ("XYZ", BUY, 7, 7)
    table.record(joining, last + 5)
    assert table.entries() == [(last, alone[-1]), (last + 5, joining)]
    assert table.duplicates(alone[-1], last + 9) and table.duplicates(joining, last + 9)
    assert not table.duplicates(alone[-1], last + 10)
    assert not any(table.duplicates(key, n + 1) for n, key in enumerate(first))
    assert not any(table.duplicates(key, 100 * (n + 1) + 1) for n, key in enumerate(alone[:-1]))


def test_keys_are_equal_by_value_not_by_identity() -> None:
    """An order decoded from the wire brings its own copy of the symbol."""
    table = RecentKeys(100)
    table.record(("".join(["X", "YZ"]), BUY, 5, 5), 1)
    assert table.duplicates(("XYZ", BUY, 5, 5), 2)
    assert not table.duplicates(("XYZ", SELL, 5, 5), 2)


def test_exposure_beyond_64_bits_is_counted_exactly() -> None:
    """10^12 contracts at the highest price with a 10^6 multiplier: 10^30 of notional."""
    big = Instrument("BIG", tick_size=100, asset_class=AssetClass.FUTURE, multiplier=10**6)
    market = RiskMarket(holders=(Holder("alice", "A"),), listings=((big, MAX_PRICE),), units=10**12)
    events = market.order("A", SELL, 10**12, MAX_PRICE, symbol="BIG")
    assert isinstance(events[0], OrderAccepted), events
    scope = market.scope("A")
    assert scope.exposure == scope.open_notional == 10**30
    restored = market.venue.restore(market.venue.export_state())
    assert restored.risk.accounts["A"].exposure == 10**30


@pytest.mark.parametrize(
    "ts", [0, 1, 2**30 - 1, 2**30, 2**60 - 1, 2**60, MIDDAY, 2**63 - 1, -1, -(2**40)]
)
def test_a_time_reaches_the_windows_as_given(ts: int) -> None:
    """A hook reads a time of up to three 30-bit digits from the digits themselves
    (nanos.pxd): each digit boundary and the top of the range arrive exactly."""
    market = RiskMarket()
    market.limits("A1", max_messages=1, message_window_ns=1)
    market.venue.risk.count_message(market.venue.accounts["A1"], ts)
    assert market.scope("A1").message_times == [ts]


@pytest.mark.parametrize(
    ("time", "error"),
    [(2**63, OverflowError), (-(2**63) - 1, OverflowError), (1.5, TypeError), ("1", TypeError)],
)
def test_a_time_that_is_no_64_bit_integer_is_refused(time: object, error: type[Exception]) -> None:
    """By every hook that takes a time, before it changes anything."""
    market = RiskMarket()
    risk, venue = market.venue.risk, market.venue
    account, book = venue.accounts["A1"], venue.books[XYZ]
    order = NewOrder("alice", "A1", XYZ, BUY, 1, PRICE)
    assert isinstance(market.buy("A1", 1, PRICE)[0], OrderAccepted)
    resting = next(iter(venue.orders.values()))
    before = venue.state_hash()
    ts = cast(int, time)  # what a careless caller might pass
    hooks: list[Callable[[], object]] = [
        lambda: risk.count_message(account, ts),
        lambda: risk.check_order(order, account, book, PRICE, ts),
        lambda: risk.admit_order(order, account, book, PRICE, ts),
        lambda: risk.market_limit(account, BUY, book, PRICE, ts),
        lambda: risk.on_fills(resting, resting, PRICE, 1, 1, ts),
        lambda: risk.check_replace(resting, PRICE, 1, 1, book, ts),
        lambda: risk.election_problem(resting, book, ts),
        lambda: risk.on_reported(account, XYZ, BUY, PRICE, 1, 1, ts),
    ]
    for hook in hooks:
        with pytest.raises(error):
            hook()
    assert venue.state_hash() == before


def test_a_hook_given_the_wrong_object_raises_instead_of_reading_it() -> None:
    market = RiskMarket()
    account = market.venue.accounts["A1"]
    book = market.venue.books[XYZ]
    with pytest.raises(TypeError, match="expected a NewOrder"):
        market.venue.risk.check_order(object(), account, book, PRICE, MIDDAY)  # type: ignore[arg-type]
    order = NewOrder("alice", "A1", XYZ, BUY, 1, PRICE)
    with pytest.raises(TypeError, match="expected a Book"):
        market.venue.risk.admit_order(order, account, object(), PRICE, MIDDAY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a Order"):
        market.venue.risk.on_release(account)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a Account"):
        market.venue.risk.warm(book)  # type: ignore[arg-type]


def test_an_instrument_restricted_after_trading_in_it_is_refused() -> None:
    """The account's instrument of the moment skips the restricted list only while it is
    not on it: restricting it, before or after the account's next fill, refuses the next
    order."""
    market = RiskMarket()
    market.rest("M", BUY, 100, PRICE)
    market.sell("A1", 10, PRICE)  # A1 trades XYZ: its instrument of the moment
    resting = market.rest("A1", SELL, 10, usd("101.00"))
    market.limits("A1", restricted_instruments=(XYZ,))
    market.buy("M", 10, usd("101.00"))  # A1's resting sell fills after the restriction
    assert resting not in market.venue.orders
    events = market.sell("A1", 10, PRICE)
    assert refusal(events) == RejectReason.RESTRICTED_INSTRUMENT


def test_a_new_day_counts_positions_afresh() -> None:
    """End of day forgets the positions, including the one an account's fills go to."""
    market = RiskMarket()
    market.rest("M", BUY, 100, PRICE)
    market.sell("A1", 10, PRICE)
    assert market.scope("A1").executed == 10 * PRICE
    market.do(EndOfDay(OPERATOR))
    assert market.scope("A1").executed == 0
    market.sell("A1", 4, PRICE)
    assert market.scope("A1").executed == 4 * PRICE
    assert market.scope("A1").positions[XYZ].net == -4


def test_risk_state_is_not_restored_into_a_venue_without_the_layer() -> None:
    """Whether the layer runs is fixed with the configuration, and a snapshot agrees with it."""
    market = RiskMarket()
    market.limits("A1", credit_limit=usd("1,000,000"))
    state = market.venue.export_state().risk
    assert state is not None
    engine = RiskEngine(VenueConfig(pre_trade_risk=False), {})
    with pytest.raises(ValueError, match="pre_trade_risk"):
        restore_risk(engine, state, market.venue.accounts)


SAME_INSTANT = """
from seawall import Instrument, Side, Venue
from seawall.core.commands import (
    Deposit, ListInstrument, NewOrder, OpenAccount, RegisterParticipant, RiskLimits,
    SetRiskLimits,
)
from seawall.core.types import RiskScope
venue = Venue()
for command in (
    ListInstrument("operator", Instrument("XYZ"), reference_price=1_000_000),
    ListInstrument("operator", Instrument("ABC"), reference_price=1_000_000),
    RegisterParticipant("operator", "alice"),
    OpenAccount("operator", "A", "alice"),
    Deposit("operator", "A", "USD", 10**12),
    SetRiskLimits("operator", RiskScope.ACCOUNT, "A", RiskLimits(duplicate_window_ns=10**9)),
):
    venue.process(command, 1)
for symbol in ("XYZ", "ABC"):
    for price in (990_000, 980_000):
        venue.process(NewOrder("alice", "A", symbol, Side.BUY, 1, price), 2)
print(venue.state_hash())
"""


def test_keys_seen_at_the_same_instant_export_in_the_same_order_in_every_process() -> None:
    """String hashes, and so the table's layout, change with each process's hash seed; the
    state hash (snapshots, checkpoints, verify) must not."""
    hashes = {
        subprocess.run(
            [sys.executable, "-c", SAME_INSTANT],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout  # fmt: skip
        for seed in ("1", "2", "3", "4")
    }
    assert len(hashes) == 1, hashes


def test_a_window_left_by_its_latest_stamp_may_still_hold_a_later_one() -> None:
    """A check skips the stamps only once the newest has left the window: the newest, not
    the last recorded, which is earlier when the clock steps back."""
    window = SlidingCount(2, 10)
    for ts in (100, 105, 50):
        window.append(ts)
    assert window.times == [105, 50]
    assert window.is_full(108)  # 105 is still inside, though the last stamp (50) is not
    assert not window.is_full(115)


def test_a_key_gone_from_the_window_stays_gone_when_the_clock_steps_back() -> None:
    """A key that had left the window by the last one recorded is absent, as it is from the
    export: the venue and its restored copy decide alike even if time runs backwards."""
    table = RecentKeys(10)
    first, second = ("XYZ", BUY, 5, 5), ("XYZ", BUY, 6, 6)
    table.record(first, 100)
    table.record(second, 200)
    assert not table.duplicates(first, 105)
    assert table.entries() == [(200, second)]


def test_stamps_near_the_end_of_the_clock_do_not_overflow() -> None:
    late = 2**63 - 10**6
    window = SlidingCount(2, 1_000)
    assert not window.is_full(late)
    window.append(late)
    window.append(late + 1)
    assert window.is_full(late + 2)
    table = RecentKeys(1_000)
    assert not table.duplicates(("XYZ", BUY, 5, 5), late)
    table.record(("XYZ", BUY, 5, 5), late)
    assert table.duplicates(("XYZ", BUY, 5, 5), late + 999)


def test_an_account_counts_in_its_firms_throttle_as_the_firm_changes_it() -> None:
    """An account's scope points at its firm's rings: a firm throttle set anew starts empty
    for its accounts, and one removed is no longer counted in (nor read)."""
    m = RiskMarket()
    m.limits("F", FIRM, max_orders=2, order_window_ns=10**12, max_messages=3,
             message_window_ns=10**12)  # fmt: skip
    assert refusal(m.buy("A1", 1, PRICE)) is None
    assert refusal(m.buy("A2", 1, PRICE)) is None
    assert refusal(m.buy("A1", 1, PRICE)) is RejectReason.ORDER_RATE_EXCEEDED
    attempts = m.firm("F").message_times
    assert len(attempts) == 3 and m.firm("F").order_times == attempts[1:]  # a ring of two
    m.limits("F", FIRM, max_orders=3, order_window_ns=10**12)  # anew, and no message throttle
    assert m.firm("F").order_times == [] and m.firm("F").message_times == []
    for account in ("A1", "A2", "A1"):
        assert refusal(m.buy(account, 1, PRICE)) is None
    assert refusal(m.buy("A2", 1, PRICE)) is RejectReason.ORDER_RATE_EXCEEDED
    m.limits("F", FIRM)  # no throttle at all
    assert [refusal(m.buy("A1", 1, PRICE)) for _ in range(5)] == [None] * 5


def test_keys_that_left_the_window_stay_gone_as_in_a_restored_copy_when_the_clock_steps_back() -> (
    None
):
    """An order entered when every key of its account has left the window empties the table:
    none of them is exported, so none may come back in the venue either when the clock then
    steps back, or the venue and its restored copy would decide differently."""
    m = RiskMarket()
    m.limits("A1", duplicate_window_ns=1_000)
    t0 = m.ts + 10**9
    for qty in (1, 2, 3):
        assert refusal(m.buy("A1", qty, PRICE, at=t0 + qty)) is None
    assert refusal(m.buy("A1", 9, PRICE, at=t0 + 2_000)) is None  # the three have left
    copy = m.venue.restore(m.venue.export_state())
    owner = m.owners["A1"]
    for venue in (m.venue, copy):
        steps = [(5, t0 + 500)] + [(qty, t0 + 600 + qty) for qty in (1, 2, 3)]  # back in time
        decisions = [
            refusal(venue.process(NewOrder(owner, "A1", XYZ, BUY, qty, PRICE), at))
            for qty, at in steps
        ]
        assert decisions == [None] * 4
    assert m.venue.state_hash() == copy.state_hash()


def test_an_order_skips_the_duplicate_table_only_when_every_key_has_left_the_window() -> None:
    """The table is not read while the newest key recorded is outside the window; the newest,
    not the last recorded, so that a clock stepping back still finds a key stamped later."""
    m = RiskMarket()
    m.limits("A1", duplicate_window_ns=1_000)
    t0 = m.ts + 10**9
    assert refusal(m.buy("A1", 1, PRICE, at=t0 + 10_000)) is None
    assert refusal(m.buy("A1", 2, PRICE, at=t0 + 2_000)) is None  # the clock steps back
    assert refusal(m.buy("A1", 1, PRICE, at=t0 + 3_500)) is RejectReason.DUPLICATE_ORDER
    assert refusal(m.buy("A1", 1, PRICE, at=t0 + 11_000)) is None  # every key has left it
    assert refusal(m.buy("A1", 1, PRICE, at=t0 + 11_999)) is RejectReason.DUPLICATE_ORDER
