from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from runtime_support import in_memory, order_flow, setup_commands

from seawall.core.venue import Venue
from seawall.runtime.journal import CommandRecord, JournalReader
from seawall.runtime.recovery import journal_path, recover

WRITER = Path(__file__).with_name("crash_writer.py")
COUNT, SEED = 100_000, 42


def serve_until_killed(data_dir: Path, kill_after: int) -> int:
    """Run the writer process, SIGKILL it once ``kill_after`` seqs are acknowledged.

    Returns the highest acknowledged seq, including acks already in the pipe.
    """
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(COUNT), str(SEED)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        acked = 0
        for line in process.stdout:
            acked = int(line)
            if acked >= kill_after:
                break
        process.send_signal(signal.SIGKILL)
        acked = max([acked, *map(int, process.stdout.read().split())])
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL, "the writer finished or failed before the kill"
    return acked


def test_acknowledged_commands_survive_sigkill(tmp_path: Path) -> None:
    load = setup_commands() + order_flow(COUNT, SEED)
    for kill_after in (1_500, 3_000):  # the second round resumes the recovered directory
        acked = serve_until_killed(tmp_path, kill_after)
        result = recover(tmp_path)
        assert acked <= result.seq < len(load)

        with JournalReader(journal_path(tmp_path)) as reader:
            records = [r for r in reader.records() if isinstance(r, CommandRecord)]
        assert [r.command for r in records] == load[: result.seq]
        replayed = Venue()
        for record in records:
            replayed.process(record.command, record.ts)
        assert result.state_hash == replayed.state_hash()
        assert result.state_hash == in_memory(load[: result.seq]).state_hash()
