"""Real market data as Seawall commands: format detection and the command stream of a replay.

The commands a replay sends, with their timestamps, are a complete and
deterministic description of the replayed day: a fresh :class:`Venue`
that processes them ends in exactly the replay's state. That makes real
flow usable anywhere a command stream is, such as a simulation under
another rulebook, or a notebook.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from seawall.core.commands import Command


class FeedFormat(StrEnum):
    LOBSTER = "lobster"
    ITCH = "itch"
    DEPTH = "depth"


def detect_format(path: Path) -> FeedFormat:
    """LOBSTER zips and CSVs by name; a (gzipped) stream of timestamped JSON lines is a
    depth stream; anything else is taken for ITCH 5.0, whose reader checks every frame."""
    if path.suffix in (".zip", ".csv"):
        return FeedFormat.LOBSTER
    with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as raw:
        head = raw.read(64)
    if b" {" in head.split(b"\n", 1)[0]:
        return FeedFormat.DEPTH
    return FeedFormat.ITCH


def replay_commands(
    path: Path, feed_format: FeedFormat | None = None
) -> Iterator[tuple[int, Command]]:
    """The (timestamp, command) pairs a replay of ``path`` sends to its venue, in order.

    A depth stream rebuilds a book without orders, so it has no command stream.
    """
    # The readers load here, not at import: the CLI imports this module for FeedFormat alone.
    from seawall.replay import itch, itch_replay, lobster
    from seawall.replay.driver import ReplayVenue

    kind = feed_format or detect_format(path)
    if kind is FeedFormat.DEPTH:
        raise ValueError(f"{path} is a depth stream: it rebuilds a book, not an order flow")
    host = ReplayVenue(recorded=[])
    if kind is FeedFormat.LOBSTER:
        lobster.replay_sample(path, host)
    else:
        itch_replay.ItchReplay(host).run(itch.read_messages(path))
    assert host.recorded is not None
    yield from host.recorded
