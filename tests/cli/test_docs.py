"""The guide's examples run as written, in order, and do what the guide says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from seawall.core.events import AuctionUncrossed, Rejected, Trade
from seawall.core.venue import Venue

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"


def test_every_guide_example_runs_in_order() -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)
    assert len(blocks) >= 8
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for number, block in enumerate(blocks):
            exec(compile(block, f"guide.md block {number}", "exec"), namespace)
    venue = namespace["venue"]
    assert isinstance(venue, Venue)
    assert venue.books["XYZ"].state.value == "closed"


def test_the_guides_auction_example_uncrosses_with_a_trade() -> None:
    text = GUIDE.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    preamble, setup = blocks[0], blocks[1]
    auction = next(block for block in blocks if "TradingState.AUCTION" in block)
    namespace: dict[str, object] = {}
    exec(compile(preamble + setup, "guide.md", "exec"), namespace)
    lines = [line for line in auction.splitlines() if "HALTED" not in line and "CLOSED" not in line]
    results = []
    do = namespace["do"]
    for line in lines:
        results.append(eval(line.split("  #")[0].strip(), namespace))
    assert callable(do)
    uncross = results[-1]
    assert any(isinstance(event, AuctionUncrossed) for event in uncross)
    assert any(isinstance(event, Trade) for event in uncross)
    assert not any(isinstance(event, Rejected) for result in results for event in result)


def test_the_replay_guides_python_example_runs_from_the_project_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = GUIDE.parents[1]
    if not (root.parent / "shared" / "data" / "lobster").exists():
        pytest.skip(f"real data not found beside the project: {root.parent / 'shared' / 'data'}")
    text = (root / "docs" / "replay.md").read_text()
    example = re.findall(r"```python\n(.*?)```", text, re.S)[-2]
    monkeypatch.chdir(root)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "replay.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert len(lines) == 4
    assert "'A': 4997" in lines[1]
    assert lines[3] == "()"  # no gaps in the depth stream


def test_the_replay_guides_command_stream_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    root = GUIDE.parents[1]
    if not (root.parent / "shared" / "data" / "itch").exists():
        pytest.skip(f"real data not found beside the project: {root.parent / 'shared' / 'data'}")
    example = re.findall(r"```python\n(.*?)```", (root / "docs" / "replay.md").read_text(), re.S)
    monkeypatch.chdir(root)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example[-1], "replay.md", "exec"), {})
    seq, _ = printed.getvalue().split()
    assert int(seq) > 12_012


def test_the_risk_guides_examples_run_in_order_from_the_project_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/risk.md's examples assert their own outcomes; run them as a reader would."""
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    blocks = re.findall(r"```python\n(.*?)```", (root / "docs" / "risk.md").read_text(), re.S)
    assert len(blocks) >= 7
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for number, block in enumerate(blocks):
            exec(compile(block, f"risk.md block {number}", "exec"), namespace)
    assert "Obligation(account='CAROL', asset='XYZ', amount=-100)" in printed.getvalue()


def test_the_rulebook_guides_venue_examples_run() -> None:
    """docs/rulebooks.md's venue examples: a stub print in 2010 and a pause today; London's
    volatility auction; a market maker's stub quote refused."""
    root = Path(__file__).resolve().parents[2]
    blocks = re.findall(r"```python\n(.*?)```", (root / "docs" / "rulebooks.md").read_text(), re.S)
    examples = [block for block in blocks if "VenueConfig.for_rulebook" in block]
    assert len(examples) == 3
    for example in examples:
        exec(compile(example, "rulebooks.md", "exec"), {})
