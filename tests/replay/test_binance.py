"""The Binance spot depth reader: exact units, the documented sync, gaps, the top-of-book check."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from pathlib import Path

import pytest
from binance_support import SAMPLE, Reference, rebuild

from seawall.core.types import PRICE_SCALE
from seawall.replay.binance import (
    QTY_SCALE,
    BookTicker,
    DepthDiff,
    DepthSnapshot,
    DepthSync,
    FeedFormatError,
    GapKind,
    InexactDecimalError,
    Level,
    Message,
    SyncReport,
    SyncState,
    TradePrint,
    price_units,
    qty_units,
    read,
    replay,
    scaled,
)

# ---------------------------------------------------------------- the recorded sample

needs_sample = pytest.mark.skipif(
    not SAMPLE.exists(),
    reason=f"the Binance sample is not available at {SAMPLE} (see /work/shared/data/README.md)",
)


@pytest.fixture(scope="module")
def reference() -> Reference:
    return rebuild(SAMPLE)


@pytest.fixture(scope="module")
def synced() -> tuple[DepthSync, SyncReport]:
    sync = DepthSync()
    for message in read(SAMPLE):
        sync.feed(message)
    return sync, sync.report(str(SAMPLE))


@needs_sample
def test_sample_synchronises_from_its_snapshot_without_a_gap(
    synced: tuple[DepthSync, SyncReport], reference: Reference
) -> None:
    _, report = synced
    kinds = reference.kinds
    assert report.messages == {
        "depth": kinds["depth@100ms"],
        "book_ticker": kinds["bookTicker"],
        "trade": kinds["trade"],
        "snapshot": kinds["snapshot"],
    }
    assert report.total_messages == kinds.total()
    assert reference.sequence_breaks == 0
    assert report.gaps == ()
    assert report.state is SyncState.LIVE and not report.unrecovered
    assert report.synced_from == reference.snapshot_id
    assert report.stale_dropped == reference.stale
    assert report.diffs_applied == reference.applied == kinds["depth@100ms"] - reference.stale
    assert report.buffered_unapplied == 0
    assert report.resyncs == report.snapshots_ignored == 0
    assert report.last_update_id == reference.states[-1][0]


@needs_sample
def test_sample_book_equals_an_independent_rebuild(
    synced: tuple[DepthSync, SyncReport], reference: Reference
) -> None:
    sync, _ = synced

    def scaled_side(side: dict[Decimal, Decimal]) -> dict[int, int]:
        return {int(p * PRICE_SCALE): int(q * QTY_SCALE) for p, q in side.items()}

    assert sync.book.bids == scaled_side(reference.bids)
    assert sync.book.asks == scaled_side(reference.asks)


@needs_sample
def test_sample_top_of_book_agrees_with_every_checkable_book_ticker(
    synced: tuple[DepthSync, SyncReport], reference: Reference
) -> None:
    _, report = synced
    seen = report.comparison
    expected = reference.outcomes
    assert seen.disagree == expected["disagree"] == 0
    assert seen.mismatches == ()
    assert seen.agree == expected["agree"]
    assert seen.superseded == expected["superseded"]
    assert seen.ahead == expected["ahead"]
    assert seen.unchecked == expected["unchecked"]
    assert seen.tickers == len(reference.tickers) == reference.kinds["bookTicker"]
    assert seen.agree + seen.superseded + seen.ahead + seen.unchecked == seen.tickers
    # every depth state (the snapshot and each applied diff) had a bookTicker in force
    assert seen.states_checked == seen.states_agreed == len(reference.states)
    assert reference.states_checked == len(reference.states)
    assert seen.states_without_ticker == 0
    assert seen.crossed_states == 0
    # comparing on arrival would prove nothing: the bookTicker stream is ahead of depth
    assert seen.arrived_ahead == reference.arrived_ahead == seen.tickers


@needs_sample
def test_replay_reports_speed() -> None:
    report = replay(SAMPLE)
    assert report.elapsed_s > 0
    assert report.messages_per_s == pytest.approx(report.total_messages / report.elapsed_s)


# ---------------------------------------------------------------- synthetic streams


def px(text: str) -> int:
    return price_units(text)


def qy(text: str) -> int:
    return qty_units(text)


def diff(
    first: int,
    last: int,
    bids: tuple[Level, ...] = (),
    asks: tuple[Level, ...] = (),
    recv_ns: int = 0,
) -> DepthDiff:
    return DepthDiff(recv_ns, 0, "BTCUSDT", first, last, bids, asks)


def snapshot(
    last_id: int, bids: tuple[Level, ...] = (), asks: tuple[Level, ...] = ()
) -> DepthSnapshot:
    return DepthSnapshot(0, last_id, bids, asks)


def ticker(update_id: int, bid: Level, ask: Level, recv_ns: int = 0) -> BookTicker:
    return BookTicker(recv_ns, "BTCUSDT", update_id, bid[0], bid[1], ask[0], ask[1])


BID = (px("100.00"), qy("1"))
ASK = (px("100.01"), qy("2"))


def feed(sync: DepthSync, *messages: Message) -> None:
    for message in messages:
        sync.feed(message)


def test_stale_diffs_before_the_snapshot_are_dropped() -> None:
    sync = DepthSync()
    feed(sync, diff(90, 95, bids=((px("99"), qy("5")),)), diff(96, 100), diff(101, 103))
    assert not sync.synced and sync.buffered == 3
    feed(sync, snapshot(100, (BID,), (ASK,)))
    assert sync.stale_dropped == 2
    assert sync.diffs_applied == 1
    assert sync.state is SyncState.LIVE and sync.last_update_id == 103
    assert px("99") not in sync.book.bids  # the stale diff's level was never applied


@pytest.mark.parametrize(("first", "last"), [(95, 105), (100, 101), (101, 101), (101, 120)])
def test_the_first_diff_applied_brackets_last_update_id_plus_one(first: int, last: int) -> None:
    sync = DepthSync()
    feed(sync, snapshot(100, (BID,), (ASK,)), diff(first, last, asks=((px("100.02"), qy("3")),)))
    assert sync.gaps == []
    assert sync.diffs_applied == 1 and sync.last_update_id == last
    assert sync.book.asks[px("100.02")] == qy("3")


def test_a_first_diff_beyond_last_update_id_plus_one_is_a_gap() -> None:
    sync = DepthSync()
    feed(sync, diff(95, 100))
    sync.feed(snapshot(100, (BID,), (ASK,)))
    gap = sync.feed(diff(102, 105, recv_ns=7))
    assert gap is not None
    assert (gap.kind, gap.expected_id, gap.received_first_id, gap.received_last_id) == (
        GapKind.FIRST_DIFF,
        101,
        102,
        105,
    )
    assert gap.recv_ns == 7
    assert sync.stale_dropped == 1 and sync.diffs_applied == 0
    assert sync.state is SyncState.LOST and not sync.synced


def test_a_sequence_gap_is_reported_and_repaired_by_the_next_snapshot() -> None:
    sync = DepthSync()
    feed(sync, snapshot(100, (BID,), (ASK,)), diff(99, 104))
    gap = sync.feed(diff(106, 110, recv_ns=1_723_161_254_000_000_000))
    assert gap is not None and gap.kind is GapKind.SEQUENCE
    assert (gap.expected_id, gap.received_first_id) == (105, 106)
    assert gap.recv_ns == 1_723_161_254_000_000_000
    assert not sync.synced
    # until a new snapshot, diffs are held, not applied
    sync.feed(diff(111, 112, bids=((px("100.00"), qy("4")),)))
    assert sync.diffs_applied == 1 and sync.buffered == 2
    # the new snapshot resumes from the buffered diffs: 106..110 is stale, 111..112 bridges
    gap = sync.feed(snapshot(110, (BID,), (ASK,)))
    assert gap is None
    assert sync.resyncs == 1 and sync.stale_dropped == 1
    assert sync.state is SyncState.LIVE and sync.last_update_id == 112
    assert sync.book.best_bid() == (px("100.00"), qy("4"))
    report = sync.report()
    assert report.gaps == (sync.gaps[0],) and not report.unrecovered


def test_a_gap_without_a_later_snapshot_is_reported_as_unrecovered() -> None:
    sync = DepthSync()
    feed(sync, snapshot(100, (BID,), (ASK,)), diff(101, 104), diff(110, 111), diff(112, 113))
    report = sync.report()
    assert len(report.gaps) == 1 and report.gaps[0].expected_id == 105
    assert report.state is SyncState.LOST and report.unrecovered
    assert report.diffs_applied == 1 and report.buffered_unapplied == 2


def test_a_snapshot_while_synchronised_is_ignored() -> None:
    sync = DepthSync()
    feed(sync, snapshot(100, (BID,), (ASK,)), diff(101, 102), snapshot(101))
    assert sync.snapshots_ignored == 1 and sync.book.best_bid() == BID


def test_a_zero_quantity_removes_the_level() -> None:
    sync = DepthSync()
    inner, outer = (px("100.00"), qy("1")), (px("99.99"), qy("0.5"))
    feed(sync, snapshot(100, (inner, outer), (ASK,)))
    assert sync.book.best_bid() == inner
    sync.feed(diff(101, 101, bids=((inner[0], 0),)))
    assert inner[0] not in sync.book.bids
    assert sync.book.best_bid() == outer
    # removing a level the book does not have is normal and harmless
    sync.feed(diff(102, 102, bids=((px("50.00"), 0),), asks=((ASK[0], 0),)))
    assert sync.book.best_bid() == outer and sync.book.best_ask() is None
    assert sync.gaps == []


def test_the_best_price_follows_insertions_and_removals() -> None:
    sync = DepthSync()
    feed(sync, snapshot(1, (BID,), (ASK,)))
    sync.feed(diff(2, 2, bids=((px("100.005"), qy("1")),), asks=((px("100.009"), qy("1")),)))
    assert sync.book.top() == ((px("100.005"), qy("1")), (px("100.009"), qy("1")))
    sync.feed(diff(3, 3, bids=((px("100.005"), 0),), asks=((px("100.009"), 0),)))
    assert sync.book.top() == (BID, ASK)


@pytest.mark.parametrize(
    ("text", "places", "units"),
    [
        ("61837.63000000", 4, 618_376_300),
        ("25.42618900", 8, 2_542_618_900),
        ("0.00000001", 8, 1),
        ("0.00000000", 8, 0),
        ("7", 4, 70_000),
    ],
)
def test_decimals_map_exactly(text: str, places: int, units: int) -> None:
    assert scaled(text, places) == units


@pytest.mark.parametrize(
    ("text", "places", "code"),
    [
        ("61837.63005", 4, "inexact"),
        ("0.000000001", 8, "inexact"),
        ("1e-5", 8, "malformed_number"),
        ("-1.0", 8, "malformed_number"),
        ("", 8, "malformed_number"),
        ("1.", 8, "malformed_number"),
        (".5", 8, "malformed_number"),
        ("1_000", 4, "malformed_number"),
        ("\u0661", 4, "malformed_number"),  # an Arabic-Indic digit, which int() would accept
        ("NaN", 4, "malformed_number"),
    ],
)
def test_inexact_or_malformed_decimals_are_refused(text: str, places: int, code: str) -> None:
    with pytest.raises(InexactDecimalError) as caught:
        scaled(text, places)
    assert caught.value.code == code


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress("".join(line + "\n" for line in lines).encode()))
    return path


def _combined(stream: str, data: dict[str, object]) -> str:
    return json.dumps({"stream": stream, "data": data}, separators=(",", ":"))


def test_read_decodes_each_message_shape(tmp_path: Path) -> None:
    lines = [
        "11 "
        + json.dumps({"lastUpdateId": 100, "bids": [["100.00000000", "1.00000000"]], "asks": []}),
        "12 "
        + _combined(
            "btcusdt@depth@100ms",
            {
                "e": "depthUpdate",
                "E": 5,
                "s": "BTCUSDT",
                "U": 99,
                "u": 101,
                "b": [["100.00000000", "0.00000000"]],
                "a": [["100.01000000", "0.25000000"]],
            },
        ),  # fmt: skip
        "13 "
        + _combined(
            "btcusdt@bookTicker",
            {"u": 101, "s": "BTCUSDT", "b": "99.99", "B": "3", "a": "100.01", "A": "0.25"},
        ),
        "14 "
        + _combined(
            "btcusdt@trade",
            {
                "e": "trade",
                "E": 6,
                "s": "BTCUSDT",
                "t": 9,
                "p": "100.01000000",
                "q": "0.00100000",
                "T": 5,
                "m": True,
                "M": True,
            },
        ),  # fmt: skip
    ]
    messages = list(read(_write(tmp_path / "sample.gz", lines)))
    assert messages == [
        DepthSnapshot(11, 100, ((1_000_000, 100_000_000),), ()),
        DepthDiff(12, 5, "BTCUSDT", 99, 101, ((1_000_000, 0),), ((1_000_100, 25_000_000),)),
        BookTicker(13, "BTCUSDT", 101, 999_900, 300_000_000, 1_000_100, 25_000_000),
        TradePrint(14, 6, "BTCUSDT", 9, 1_000_100, 100_000, 5, True),
    ]
    plain = tmp_path / "sample.txt"
    plain.write_text("\n".join(lines) + "\n")
    assert list(read(plain)) == messages


def test_read_refuses_an_inexact_quantity_naming_the_line(tmp_path: Path) -> None:
    bad = _combined(
        "btcusdt@bookTicker",
        {"u": 1, "s": "BTCUSDT", "b": "1.00", "B": "0.000000005", "a": "2.00", "A": "1"},
    )
    good = bad.replace("0.000000005", "0.00000005")
    path = _write(tmp_path / "bad.gz", ["1 " + good, "2 " + bad])
    with pytest.raises(InexactDecimalError, match=r"bad\.gz:2: 0\.000000005") as caught:
        list(read(path))
    assert caught.value.code == "inexact"


@pytest.mark.parametrize(
    "line",
    [
        '1 {"stream":"btcusdt@aggTrade","data":{}}',
        '1 {"id":1,"result":null}',
        'x {"lastUpdateId":1,"bids":[],"asks":[]}',
        '1 {"stream":"btcusdt@bookTicker","data":{"u":1}}',
    ],
)
def test_read_refuses_unknown_shapes(tmp_path: Path, line: str) -> None:
    with pytest.raises(FeedFormatError, match=r"odd\.gz:1"):
        list(read(_write(tmp_path / "odd.gz", [line])))


def test_a_second_symbol_is_refused() -> None:
    sync = DepthSync()
    sync.feed(diff(1, 2))
    with pytest.raises(FeedFormatError, match="ETHUSDT"):
        sync.feed(BookTicker(0, "ETHUSDT", 3, 1, 1, 2, 1))


def test_book_tickers_are_classified_against_the_depth_states_in_their_id_range() -> None:
    sync = DepthSync()
    wrong = (BID[0], qy("1.5"))
    feed(
        sync,
        ticker(5, BID, ASK, recv_ns=1),  # in force for ids 5..6, before the snapshot: unchecked
        ticker(7, BID, ASK, recv_ns=2),  # in force for 7..11: covers the snapshot's id 10
        snapshot(10, (BID,), (ASK,)),
        ticker(12, (px("100.005"), qy("1")), ASK),  # in force only for id 12: superseded
        ticker(13, (px("100.00"), qy("3")), ASK),  # in force for 13..15: covers state 14
        diff(11, 14, bids=((px("100.00"), qy("3")),)),
        ticker(16, wrong, ASK),  # in force for 16..19: the book at 16 says 3, not 1.5
        diff(15, 16),
        ticker(20, BID, ASK),  # beyond the last depth state: ahead
    )
    report = sync.report()
    seen = report.comparison
    assert (seen.agree, seen.disagree, seen.superseded, seen.ahead, seen.unchecked) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert seen.states_checked == 3 and seen.states_agreed == 2
    assert seen.arrived_ahead == 6
    (mismatch,) = seen.mismatches
    assert (mismatch.ticker_id, mismatch.state_id) == (16, 16)
    assert mismatch.ticker == (wrong, ASK)
    assert mismatch.book == ((px("100.00"), qy("3")), ASK)


def test_book_tickers_straddling_a_gap_are_unchecked() -> None:
    sync = DepthSync()
    feed(
        sync,
        snapshot(10, (BID,), (ASK,)),
        diff(11, 12),
        ticker(14, BID, ASK),  # in force for 14..15, inside the lost range 13..19
        ticker(16, BID, ASK),  # in force for 16..20: covers the new snapshot at 20
        diff(15, 16),  # gap: 13..14 never seen
        snapshot(20, (BID,), (ASK,)),
        ticker(21, BID, ASK),
        diff(21, 22),
    )
    seen = sync.report().comparison
    assert len(sync.gaps) == 1 and sync.resyncs == 1
    assert (seen.agree, seen.disagree, seen.superseded, seen.ahead, seen.unchecked) == (
        2,
        0,
        0,
        0,
        1,
    )
