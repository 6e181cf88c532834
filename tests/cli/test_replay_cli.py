"""`seawall replay` on the real samples, run as a user would; skipped without ../shared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def need(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"real data not found: {path} (../shared/data sits beside the project)")
    return path


def seawall(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seawall.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_lobster_day_replays_into_a_journal_that_verifies_to_the_same_state(
    tmp_path: Path,
) -> None:
    sample = need("lobster/LOBSTER_SampleFile_GOOG_2012-06-21_1.zip")
    journal = tmp_path / "day"
    result = seawall("replay", str(sample), "--journal", str(journal))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "lobster"
    assert report["rows_compared"] == report["events"] > 40_000
    assert report["trades"] > 0
    verified = seawall("verify", str(journal), "--json")
    assert verified.returncode == 0, verified.stdout
    check = json.loads(verified.stdout)
    assert check["state_hash"] == report["journal"]["state_hash"]
    assert check["last_seq"] == report["journal"]["commands"]


def test_itch_order_flow_replays_through_the_engine() -> None:
    sample = need("itch/ex20101224.TEST_ITCH_50")
    result = seawall("replay", str(sample))
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
    result = seawall("replay", str(sample))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "depth"
    assert report["gaps"] == []


def test_replay_refuses_a_missing_file_and_a_used_journal_directory(tmp_path: Path) -> None:
    missing = seawall("replay", str(tmp_path / "nothing.zip"))
    assert missing.returncode == 2
    assert "is not a file" in missing.stdout
    sample = tmp_path / "x.itch"
    sample.write_bytes(b"")
    used = tmp_path / "used"
    used.mkdir()
    (used / "journal.swj").write_bytes(b"x")
    refused = seawall("replay", str(sample), "--journal", str(used))
    assert refused.returncode == 2
    assert "is not empty" in refused.stdout
