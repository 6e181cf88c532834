"""Real data as a command stream: a fresh venue fed it reproduces the replay exactly."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from real_data import need
from seawall.core.venue import Venue
from seawall.replay import itch, itch_replay, lobster
from seawall.replay.driver import REPLAY_CONFIG, ReplayVenue
from seawall.replay.feeds import FeedFormat, detect_format, replay_commands


def fed(path: Path) -> Venue:
    venue = Venue(REPLAY_CONFIG)
    for ts, command in replay_commands(path):
        venue.process(command, ts)
    return venue


def test_a_lobster_day_as_commands_rebuilds_the_replayed_state() -> None:
    path = need("lobster/LOBSTER_SampleFile_GOOG_2012-06-21_1.zip")
    host = ReplayVenue()
    lobster.replay_sample(path, host)
    assert fed(path).state_hash() == host.venue.state_hash()


def test_itch_order_flow_as_commands_rebuilds_the_replayed_state() -> None:
    path = need("itch/ex20101224.TEST_ITCH_50")
    host = ReplayVenue()
    itch_replay.ItchReplay(host).run(itch.read_messages(path))
    assert fed(path).state_hash() == host.venue.state_hash()


def test_formats_are_detected_and_a_depth_stream_has_no_order_flow(tmp_path: Path) -> None:
    depth = tmp_path / "depth.gz"
    with gzip.open(depth, "wb") as out:
        out.write(b'1723075200000000000 {"stream":"btcusdt@depth"}\n')
    itch_file = tmp_path / "day.itch"
    itch_file.write_bytes(b"\x00\x0cS" + bytes(11))
    assert detect_format(tmp_path / "x_message_1.csv") is FeedFormat.LOBSTER
    assert detect_format(depth) is FeedFormat.DEPTH
    assert detect_format(itch_file) is FeedFormat.ITCH
    with pytest.raises(ValueError, match="depth stream"):
        list(replay_commands(depth))
