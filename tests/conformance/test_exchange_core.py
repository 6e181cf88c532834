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
    if outcome.stop is not None:
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


# ---------------------------------------------------------------------- reserve prices
# Paths of the reservePrice translation that the two feature files do not reach.


def _scenario(*steps: tuple[str, tuple[tuple[str, ...], ...]]) -> Scenario:
    return Scenario(
        Path("x.feature"),
        "s",
        1,
        (),
        tuple(Step("*", text, table, line) for line, (text, table) in enumerate(steps, start=2)),
    )


_ALICE = ("New client Alice has a balance:", (("XBT", "94000000"), ("ETH", "100000")))
_BOB = ("New client Bob has a balance:", (("XBT", "94000000"), ("ETH", "100000")))


@pytest.mark.parametrize("code", ["RISK_NSF", "RISK_INVALID_RESERVE_BID_PRICE"])
def test_a_bid_with_its_reserve_price_below_its_price_is_refused(code: str) -> None:
    """exchange-core refuses it (reporting RISK_NSF from its risk check); Seawall INVALID_PRICE."""
    outcome = ExchangeCoreRun(Driver()).run(
        _scenario(
            _ALICE,
            (
                "A client Alice could not place an BID order 1 at 18000@5 "
                f"(type: GTC, symbol: ETH_XBT, reservePrice: 17999) due to {code}",
                (),
            ),
            ("A client Alice does not have active orders", ()),
            ("A balance of a client Alice:", (("XBT", "94000000"),)),
        )
    )
    assert outcome.stop is None


def test_a_bid_without_a_reserve_price_stops_the_run() -> None:
    """exchange-core refuses it (reservePrice 0); Seawall's reserve_price 0 means none."""
    bid = "A client Alice places an BID order 1 at 18000@5 (type: GTC, symbol: ETH_XBT)"
    outcome = ExchangeCoreRun(Driver()).run(_scenario(_ALICE, (bid, ())))
    assert outcome.stop is not None and outcome.stop.number == 2
    assert "without a reservePrice" in outcome.stop.reason


def _bid_then_ask(bid_first: bool, hold: int) -> Scenario:
    order = "order 2 at 100@1 (type: GTC, symbol: ETH_XBT, reservePrice: 110)"
    bid = f"A client Bob places an BID {order}"
    ask = "A client Alice places an ASK order 1 at 100@1 (type: GTC, symbol: ETH_XBT)"
    first, second = (bid, ask) if bid_first else (ask, bid)
    resting = 2 if bid_first else 1
    return _scenario(
        _ALICE,
        _BOB,
        (first, ()),
        (second, ()),
        (
            f"The order {resting} is fully matched. LastPx: 100, LastQty: 1, "
            f"bidderHoldPrice: {hold}",
            (),
        ),
    )


def test_the_hold_of_a_resting_bid_is_compared() -> None:
    assert ExchangeCoreRun(Driver()).run(_bid_then_ask(True, 110)).stop is None
    with pytest.raises(AssertionError, match="bidderHoldPrice .* expected 100, got 110"):
        ExchangeCoreRun(Driver()).run(_bid_then_ask(True, 100))


def test_the_hold_of_a_taker_bid_stops_the_run() -> None:
    outcome = ExchangeCoreRun(Driver()).run(_bid_then_ask(False, 110))
    assert outcome.stop is not None and outcome.stop.number == 5
    assert "traded as the taker" in outcome.stop.reason
