"""`seawall replay` on the real samples, run as a user would; skipped without ../shared."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import seawall

from real_data import need

REPLAY_SECONDS = 300  # the timeout: a real day takes longer to replay than a demo to run


def test_a_lobster_day_replays_into_a_journal_that_verifies_to_the_same_state(
    tmp_path: Path,
) -> None:
    sample = need("lobster/LOBSTER_SampleFile_GOOG_2012-06-21_1.zip")
    journal = tmp_path / "day"
    result = seawall("replay", str(sample), "--journal", str(journal), timeout=REPLAY_SECONDS)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "lobster"
    assert report["rows_compared"] == report["events"] > 40_000
    assert report["trades"] > 0
    verified = seawall("verify", str(journal), "--json", timeout=REPLAY_SECONDS)
    assert verified.returncode == 0, verified.stdout
    check = json.loads(verified.stdout)
    assert check["state_hash"] == report["journal"]["state_hash"]
    assert check["last_seq"] == report["journal"]["commands"]


def test_itch_order_flow_replays_through_the_engine() -> None:
    sample = need("itch/ex20101224.TEST_ITCH_50")
    result = seawall("replay", str(sample), timeout=REPLAY_SECONDS)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "itch"
    assert report["messages"] == 12_012
    assert report["instruments"] == 3
    outcomes = report["outcomes"]
    assert not any(key.endswith("not_applicable") for key in outcomes), outcomes
    assert report["trades"] >= 5_000  # at least the non-displayed prints


def test_a_depth_stream_synchronises_without_gaps() -> None:
    sample = need("crypto/binance_spot_btcusdt_20240808.gz")
    result = seawall("replay", str(sample), timeout=REPLAY_SECONDS)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "depth"
    assert report["gaps"] == []


def test_replay_refuses_a_missing_file_and_a_used_journal_directory(tmp_path: Path) -> None:
    missing = seawall("replay", str(tmp_path / "nothing.zip"), timeout=REPLAY_SECONDS)
    assert missing.returncode == 2
    assert "is not a file" in missing.stdout
    sample = tmp_path / "x.itch"
    sample.write_bytes(b"")
    used = tmp_path / "used"
    used.mkdir()
    (used / "journal.swj").write_bytes(b"x")
    refused = seawall("replay", str(sample), "--journal", str(used), timeout=REPLAY_SECONDS)
    assert refused.returncode == 2
    assert "is not empty" in refused.stdout
