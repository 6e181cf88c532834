"""The `seawall` command and the README, run for real as a user would."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

from cli_support import seawall

from seawall.core.commands import Deposit, OpenAccount, RegisterParticipant
from seawall.runtime.clock import ManualClock
from seawall.runtime.recovery import journal_path, open_data_dir
from seawall.runtime.sequencer import Sequencer

ROOT = Path(__file__).resolve().parents[2]


def test_demo_narrates_matching_settlement_and_both_kinds_of_refusal() -> None:
    result = seawall("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "TRADE     200 XYZ @ 10.0000: ALICE pays $2000.0000 to BOB" in out
    assert "REJECTED  insufficient_cash: buying 100 XYZ at up to 10.0000 needs 1000.0000" in out
    assert "REJECTED  insufficient_securities" in out
    assert "stopped cold at order 4" in out
    assert "limit 10.5000 (market)" in out  # the market order's collar
    conservation = re.search(r"cash held \$(\S+) = deposited \$(\S+); shares held (\d+) = "
                             r"deposited (\d+)", out)  # fmt: skip
    assert conservation is not None
    assert conservation[1] == conservation[2]
    assert conservation[3] == conservation[4]


def test_bench_prints_the_documented_figures_as_json(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    result = seawall(
        "bench", "--count", "3000", "--journal-count", "600", "--group-size", "64",
        "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == json.loads(output.read_text())
    assert report["workload"]["commands"] == 3000
    assert report["throughput_commands_per_s"] > 0
    latency = report["latency_ns"]
    assert 0 < latency["p50"] <= latency["p99"] <= latency["p99.9"] <= latency["max"]
    assert sum(report["events"].values()) >= 3000
    assert report["events"]["Trade"] > 0
    journal = report["journal"]
    assert (journal["records"], journal["group_size"], journal["policy"]) == (600, 64, "always")
    assert journal["fsyncs"] == -(-600 // 64)


def test_bench_under_a_rulebook_the_flow_cannot_meet_names_the_first_difference() -> None:
    # lse collars no market order, so in RTGS a market buy reserves cash at the highest price
    # the venue accepts: the flow's first market buy (its 119th command) is refused.
    result = seawall("bench", "--count", "300", "--journal-count", "0", "--rounds", "1",
                     "--rulebook", "lse")  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "error: the rulebook lse changed the outcome, so the flow cannot measure it: command 119 "
    )
    assert "order_type=<OrderType.MARKET: 'market'>" in result.stderr
    assert (
        "gave OrderAccepted; Trade; Trade; Trade on the venue without controls or rulebook, "
        "but Rejected insufficient_cash: buying 86 BENCH at up to 100000000.0000"
    ) in result.stderr


def _data_dir(tmp_path: Path) -> Path:
    opened = open_data_dir(tmp_path / "data")
    sequencer = Sequencer(opened.venue, opened.writer, ManualClock(1))
    sequencer.submit_batch(
        [
            RegisterParticipant("operator", "alice"),
            OpenAccount("operator", "A", "alice"),
            Deposit("operator", "A", "USD", 1_000_000),
        ]
    )
    sequencer.snapshot()
    sequencer.submit(Deposit("operator", "A", "USD", 5))
    sequencer.close()
    return tmp_path / "data"


def test_verify_passes_a_healthy_directory_and_names_damage_with_its_offset(
    tmp_path: Path,
) -> None:
    data = _data_dir(tmp_path)
    healthy = seawall("verify", str(data), "--json")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert json.loads(healthy.stdout)["ok"] is True

    journal = journal_path(data)
    raw = bytearray(journal.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # a flipped byte in the middle of the journal
    journal.write_bytes(bytes(raw))
    before = journal.read_bytes()
    damaged = seawall("verify", str(data))
    assert damaged.returncode == 1
    assert str(journal) in damaged.stdout
    assert re.search(r"corrupt at byte \d+", damaged.stdout)
    assert journal.read_bytes() == before  # verify never writes


def test_verify_refuses_something_that_is_not_a_directory(tmp_path: Path) -> None:
    result = seawall("verify", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "is not a directory" in result.stdout


def test_the_readme_python_example_runs_and_prints_what_it_says() -> None:
    readme = (ROOT / "README.md").read_text()
    example = re.findall(r"```python\n(.*?)```", readme, re.S)[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("OrderAccepted(") and "order_id=2" in lines[0]
    assert lines[1].startswith("Trade(") and "price=100000, qty=100" in lines[1]
    for claimed in re.findall(r"^print\(.*\)\s+# (\S+)", example, re.M):
        assert claimed.rstrip(":") in lines, (claimed, lines)


def test_the_readme_names_the_two_setup_commands_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "./dev start" in readme and "./dev test" in readme
    script = (ROOT / "dev").read_text()
    assert "start)" in script and "test)" in script


def test_risk_check_turns_the_example_limits_file_into_the_commands_that_set_them() -> None:
    result = seawall("risk", "check", str(ROOT / "examples" / "limits.toml"))
    assert result.returncode == 0, result.stderr
    commands = json.loads(result.stdout)
    assert [(c["scope"], c["target"]) for c in commands] == [("firm", "DESK"), ("account", "ALICE")]
    alice = commands[1]["limits"]
    assert alice["credit_limit"] == 1_000_000 * 10_000  # "1000000" dollars at the price scale
    assert alice["max_order_notional"] == 250_000 * 10_000
    assert alice["restricted_instruments"] == ["HALT"]


def test_risk_check_names_the_file_key_and_problem_of_a_bad_limits_file(tmp_path: Path) -> None:
    cases = {
        '[account.X]\ncredit_limit = "abc"\n': "account.X.credit_limit: 'abc' is not a number",
        '[account.X]\nmax_order_qty = "1"\n': "account.X: Expected `int`, got `str`",
        "[account.X]\nmax_order_qyt = 1\n": "account.X: Object contains unknown field",
        "[acount.X]\n": "unknown section 'acount'",
        "[account]\nX = 1\n": "account.X must be a table of limits",
        "[account.X\n": "limits.toml",
        "[account.X]\nextended_collar_bps = 5000\n": "wider than the venue's ceiling of 1000",
        "[firm.F]\nwarn_bps = 0\n": "firm.F: warn_bps must be between 1 and 10,000",
        "[account.X]\nmax_messages = 10\n": "the message throttle needs both a count and a window",
        '[account.X]\ncredit_limit = "-5"\n': "every limit must be between 0 and 10^18",
    }
    for text, expected in cases.items():
        path = tmp_path / "limits.toml"
        path.write_text(text)
        result = seawall("risk", "check", str(path))
        assert result.returncode == 1, text
        assert expected in " ".join(result.stdout.split()), (text, result.stdout)


def test_demo_shows_the_credit_warning_and_the_kill_switch_acting_on_open_orders() -> None:
    result = seawall("demo")
    assert result.returncode == 0, result.stderr
    scene = result.stdout.split("\n5. ", 1)[1].split("End of session.", 1)[0]
    # 800 shares marked at $10.00 plus $2,940 + $970 open = $11,910 of $15,000: 79.40%
    # crosses the 75% warning level; another $3,840 would make $15,750.
    assert "WARNING   ALICE at 79.40% of its credit limit ($11910.0000 of $15000.0000)" in scene
    assert "REJECTED  credit_limit_exceeded" in scene
    assert "KILL SWITCH ENGAGED for account ALICE" in scene
    assert "cancelled #9 (kill_switch): 300 left unfilled" in scene
    assert "cancelled #10 (kill_switch): 100 left unfilled" in scene
    assert "KILL SWITCH reset for account ALICE: reviewed" in scene
