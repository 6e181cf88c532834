"""exchange-core's Gherkin scenarios (basic.feature, risk.feature), replayed on Seawall.

The feature files are read at test time from ``../shared/data/peers/exchange-core``
and every scenario (every example row of an outline) becomes one test named
after it. How exchange-core's symbols, balances, order types and result codes
map onto Seawall, and which steps have no exact equivalent, is set out in
:mod:`peer_support`. A scenario whose translation stops at such a step skips
with the step and the reason, after checking every step before it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from peer_support import (
    EXCHANGE_CORE_FEATURES,
    Driver,
    ExchangeCoreRun,
    GherkinError,
    Scenario,
    Step,
    missing_reason,
    read_feature,
    scenario_params,
)


@pytest.mark.parametrize("scenario", scenario_params())
def test_exchange_core_scenario(scenario: Scenario | None) -> None:
    assert scenario is not None
    outcome = ExchangeCoreRun(Driver(), check=True).run(scenario)
    if not outcome.exact:
        pytest.skip(outcome.skip_reason())


# ---------------------------------------------------------------------- the reader itself


def test_every_peer_scenario_is_read() -> None:
    """The reader finds exactly the scenarios the two files hold (guards against silent loss)."""
    basic, risk = EXCHANGE_CORE_FEATURES
    for path in (basic, risk):
        reason = missing_reason(path)
        if reason is not None:
            pytest.skip(reason)
    names = [s.test_id.split(" ", 1)[1] for s in read_feature(basic) + read_feature(risk)]
    assert names == [
        "basic full cycle test (symbol=EUR_USD)",
        "basic full cycle test (symbol=ETH_XBT)",
        "cancel BID order",
        "basic scenario",
        "move orders UP and DOWN",
    ]
    background = read_feature(basic)[2].steps[:2]
    assert [str(step) for step in background] == [
        "Given New client Alice has a balance:",
        "And New client Bob has a balance:",
    ]
    assert background[1].table == (("USD", "2000000"), ("XBT", "100000000"), ("ETH", "100000000"))


def test_reader_constructs(tmp_path: Path) -> None:
    """Outlines, backgrounds, tags, tables with empty cells and feature descriptions."""
    path = tmp_path / "demo.feature"
    path.write_text(
        "Feature: demo\n"
        "  free text describing the feature\n"
        "\n"
        "  Background:\n"
        "    Given a thing\n"
        "      | a | 1 |\n"
        "  # a comment\n"
        "  @tag1 @tag2\n"
        "  Scenario Outline: outline <x>\n"
        "    When it uses <x>\n"
        "      | bid | price |\n"
        "      |     | <x>   |\n"
        "    Examples:\n"
        "      | x |\n"
        "      | 5 |\n"
        "      | 6 |\n"
        "  Scenario: plain\n"
        "    Then done\n",
        encoding="utf-8",
    )
    first, second, plain = read_feature(path)
    assert first.name == "outline 5" and first.tags == ("@tag1", "@tag2")
    assert first.example == (("x", "5"),)
    assert first.steps == (
        Step("Given", "a thing", (("a", "1"),), 5),
        Step("When", "it uses 5", (("bid", "price"), ("", "5")), 10),
    )
    assert second.steps[1].text == "it uses 6"
    assert plain.steps == (Step("Given", "a thing", (("a", "1"),), 5), Step("Then", "done", (), 18))
    assert plain.test_id == "demo.feature:17 plain"


def test_reader_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    path = tmp_path / "bad.feature"
    path.write_text(
        "Feature: bad\n  Scenario: s\n    Given x\n  Rule: unsupported\n", encoding="utf-8"
    )
    with pytest.raises(GherkinError, match="bad.feature:4"):
        read_feature(path)


def test_missing_peer_data_skips_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "data" / "peers" / "exchange-core" / "basic.feature"
    (param,) = scenario_params((missing,))
    (mark,) = param.marks
    assert param.values == (None,) and mark.name == "skip"
    assert str(missing) in mark.kwargs["reason"]


def test_unknown_step_fails_rather_than_passing() -> None:
    scenario = Scenario(Path("x.feature"), "s", 1, (), (Step("When", "something new", (), 2),))
    with pytest.raises(AssertionError, match="no translation for the step"):
        ExchangeCoreRun(Driver()).run(scenario)
