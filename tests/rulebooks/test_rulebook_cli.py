"""`seawall rulebooks list|show|check`, driven through typer's runner as the CLI will mount it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seawall.rulebooks import list_rulebooks
from seawall.rulebooks.cli import rulebooks_app

RUNNER = CliRunner(mix_stderr=False)


def test_list_names_and_describes_every_shipped_rulebook() -> None:
    result = RUNNER.invoke(rulebooks_app, ["list"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list_rulebooks()
    assert any(line.startswith("us-2010 ") and "stub quotes" in line for line in lines)


def test_show_prints_the_merged_rulebook_as_json() -> None:
    result = RUNNER.invoke(rulebooks_app, ["show", "us-today"])
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["name"] == "us-today" and shown["extends"] == "us-2013-luld"
    assert shown["luld"]["tier1_bps"] == 500  # inherited
    assert shown["luld"]["open_doubling_minutes"] == 0  # overridden
    assert shown["sscb"] is None  # not in force
    assert shown["session"]["open"] == "09:30:00"
    assert RUNNER.invoke(rulebooks_app, ["show", "us-today"]).stdout == result.stdout


def test_show_of_an_unknown_rulebook_fails_with_the_shipped_names() -> None:
    result = RUNNER.invoke(rulebooks_app, ["show", "us-1929"])
    assert result.exit_code == 1
    assert "no rulebook named 'us-1929'" in result.stderr


def test_check_accepts_a_good_file_and_refuses_a_bad_one_with_exit_code_1(tmp_path: Path) -> None:
    good = tmp_path / "my.toml"
    good.write_text('extends = "us-today"\ndescription = "mine"\n')
    result = RUNNER.invoke(rulebooks_app, ["check", str(good)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{good}: ok (rulebook 'my'; safeguards in force: luld, ")
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "us-today"\ndescription = "bad"\n[luld]\ntier1_bps = "5%"\n')
    result = RUNNER.invoke(rulebooks_app, ["check", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {bad}: luld.tier1_bps: wrong type: expected an integer"
    )
