"""A bad rulebook is refused with the file it came from, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawall.rulebooks import Rulebook, RulebookError

HEADER = 'extends = "us-today"\ndescription = "test"\n'


def refusal(tmp_path: Path, text: str, name: str = "bad.toml") -> RulebookError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RulebookError) as caught:
        Rulebook.load(path)
    assert caught.value.file == str(path) or caught.value.file.endswith(".toml")
    return caught.value


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("colour = 1\n", "colour", "unknown key"),
        ("[luld]\ncolour = 1\n", "luld.colour", "unknown key"),
        ("[collars]\nlast_trade_bps = 500\n", "collars.market_orders", "missing key"),
        ('[luld]\ntier1_bps = "5%"\n', "luld.tier1_bps", "wrong type: expected an integer"),
        ("[luld]\ntier1_bps = 5.0\n", "luld.tier1_bps", "wrong type: expected an integer"),
        ("[luld]\ntier1_bps = 20_000\n", "luld.tier1_bps", "out of range: must be <= 10000"),
        ("[luld]\npause_seconds = 0\n", "luld.pause_seconds", "out of range: must be >= 1"),
        ('settlement = "t+2"\n', "settlement", "'t+2' is not one of rtgs, deferred"),
        (
            '[states]\nhalted = ["cancel", "dance"]\n',
            "states.halted[1]",
            "'dance' is not one of limit_order, market_order, stop_order, cancel, replace",
        ),
        ("[session]\nopen = 9\n", "session.open", "wrong type: expected a local time"),
        ('[session]\nopen = "9:30"\n', "session.open", "wrong type: expected a local time"),
        ("[mwcb]\nlevels = 7\n", "mwcb.levels", "wrong type: expected an array"),
        ("luld = 3\n", "luld", "wrong type: expected a table"),
        ("[risk]\ncolour = 1\n", "risk.colour", "unknown key"),
        ('[risk]\ncollar_bps = "10%"\n', "risk.collar_bps", "wrong type: expected an integer"),
    ],
)
def test_types_ranges_and_unknown_or_missing_keys(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    error = refusal(tmp_path, HEADER + text)
    assert (error.file, error.key) == (str(tmp_path / "bad.toml"), key)
    assert error.problem.startswith(problem), error.problem
    assert str(error).startswith(f"{tmp_path / 'bad.toml'}: {key}: ")


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[luld]\nlower_bucket_below = 40_000\n", "luld.lower_bucket_below", "must not be above"),
        ('[session]\ntimezone = "Mars/Olympus"\n', "session.timezone", "unknown time zone"),
        ("[session]\nclose = 09:00:00\n", "session.close", "must be after open"),
        (
            "[session]\nearly_closes = [{ date = 2025-12-25, close = 13:00:00 }]\n",
            "session.early_closes[0].date",
            "2025-12-25 is not a trading day",
        ),
        ('[states]\nhalted = ["limit_order"]\n', "states.halted", "every state must accept"),
        (
            "[mwcb]\nlevels = [{ decline_bps = 700, halts = [{ through = 15:25:00 }] }]\n",
            "mwcb.levels[0].halts[0]",
            "give either halt_minutes",
        ),
        (
            "[mwcb]\nlevels = [{ decline_bps = 700, halts = [{ rest_of_day = true }] },"
            " { decline_bps = 500, halts = [{ rest_of_day = true }] }]\n",
            "mwcb.levels[1].decline_bps",
            "levels must be in increasing decline",
        ),
        ('[collars]\nmarket_orders = "collar"\n', "collars.market_orders", "a collar needs"),
        ("[volatility]\nauction_seconds = 300\n", "volatility.static_bps", "give static_bps"),
        (
            "[clearly_erroneous]\nguidelines = [{ regular_bps = 300, extended_bps = 600 }, "
            "{ up_to = 250_000, regular_bps = 1_000, extended_bps = 2_000 }]\n",
            "clearly_erroneous.guidelines",
            "the last row must have no up_to",
        ),
        ("[risk]\ncollar_bps = 20_000\n", "risk", "collar_bps must be at most 10,000"),
        ("[risk]\nmax_messages = 10\n", "risk", "the message throttle needs both"),
    ],
)
def test_inconsistent_values_are_refused_with_their_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    error = refusal(tmp_path, HEADER + text)
    assert (error.file, error.key) == (str(tmp_path / "bad.toml"), key)
    assert problem in error.problem


def test_volatility_auctions_need_an_auctions_section(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        HEADER + 'drop = ["auctions"]\n[volatility]\nauction_seconds = 300\n' "dynamic_bps = 500\n",
    )
    assert (error.key, error.problem) == (
        "volatility",
        "volatility auctions need an [auctions] section",
    )


def test_a_file_that_is_not_toml(tmp_path: Path) -> None:
    error = refusal(tmp_path, HEADER + "[luld\n")
    assert error.key == "" and error.problem.startswith("not valid TOML: ")
    assert "line 3" in error.problem


def test_a_missing_file_and_an_unknown_name() -> None:
    with pytest.raises(RulebookError, match=r"^nowhere\.toml: cannot be read"):
        Rulebook.load("nowhere.toml")
    with pytest.raises(RulebookError, match=r"^us-1929: no rulebook named 'us-1929' \(shipped: "):
        Rulebook.load("us-1929")


def test_extends_drop_and_name_are_checked(tmp_path: Path) -> None:
    unknown = refusal(tmp_path, 'extends = "us-1929"\ndescription = "x"\n')
    assert (unknown.key, unknown.problem.split(" (")[0]) == (
        "extends",
        "no rulebook named 'us-1929'",
    )
    assert refusal(tmp_path, "extends = 3\n").key == "extends"
    dropped = refusal(tmp_path, HEADER + 'drop = ["sscb"]\n')
    assert (dropped.key, dropped.problem) == ("drop", "'sscb' is not set by the base rulebook")
    assert refusal(tmp_path, HEADER + 'drop = "luld"\n').key == "drop"
    assert refusal(tmp_path, HEADER + 'name = "other"\n').key == "name"


def test_a_cycle_of_extends_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    error = refusal(tmp_path, 'extends = "a.toml"\n', name="b.toml")
    assert error.key == "extends" and "extend each other" in error.problem


def test_the_error_names_the_file_the_bad_key_came_from(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(HEADER + "[luld]\nreference_move_bps = -1\n")
    error = refusal(tmp_path, 'extends = "base.toml"\ndescription = "child"\n', name="child.toml")
    assert (error.file, error.key) == (str(tmp_path / "base.toml"), "luld.reference_move_bps")
    # once the child overrides the key, the problem (if any) is the child's
    fixed = refusal(
        tmp_path,
        'extends = "base.toml"\ndescription = "child"\n[luld]\nreference_move_bps = "1%"\n',
        name="child.toml",
    )
    assert (fixed.file, fixed.key) == (str(tmp_path / "child.toml"), "luld.reference_move_bps")
    # a key missing from a table the child never mentions is the base's fault
    (tmp_path / "base.toml").write_text(HEADER + "[collars]\nlast_trade_bps = 500\n")
    missing = refusal(tmp_path, 'extends = "base.toml"\ndescription = "child"\n', "child.toml")
    assert (missing.file, missing.key) == (str(tmp_path / "base.toml"), "collars.market_orders")
