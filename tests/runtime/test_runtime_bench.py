from __future__ import annotations

from pathlib import Path

from runtime_support import order_flow, setup_commands

from seawall.runtime.bench import bench_journal
from seawall.runtime.journal import FsyncPolicy, scan_journal


def test_bench_journal_writes_what_it_reports(tmp_path: Path) -> None:
    path = tmp_path / "bench.swj"
    commands = (setup_commands() + order_flow(1_000, seed=5))[:1_000]
    result = bench_journal(path, commands, group_size=64, policy=FsyncPolicy.ALWAYS)
    assert result["records"] == 1_000 and result["policy"] == "always"
    assert result["fsyncs"] == 16  # one per group of 64, the last group partial
    assert isinstance(result["records_per_s"], int) and result["records_per_s"] > 0
    scan = scan_journal(path)
    assert scan.last_seq == 1_000 and scan.torn is None
