"""Properties 1 to 4 and 8: invariants that hold after every command of any stream."""

from __future__ import annotations

from hypothesis import given
from property_checks import (
    FillChecker,
    OrderTypeChecker,
    check_conservation,
    check_not_crossed,
    check_reservations,
)
from strategies import PROPERTY_SETTINGS, Scenario, scenarios

from seawall import Venue
from stream_support import explained, run


@PROPERTY_SETTINGS
@given(scenarios())
def test_book_never_crossed_while_continuous(scenario: Scenario) -> None:
    """1. Best bid < best ask after every command while the instrument trades continuously."""
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            check_not_crossed(venue)


@PROPERTY_SETTINGS
@given(scenarios())
def test_cash_and_units_conserved(scenario: Scenario) -> None:
    """2. Every asset's holdings (fee account included) equal its net deposits; none negative."""
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            check_conservation(venue)


@PROPERTY_SETTINGS
@given(scenarios())
def test_reservations_match_open_orders(scenario: Scenario) -> None:
    """3. Reserved cash and units are exactly what the open orders need; books and the
    order index agree."""
    venue = Venue(scenario.config)
    for step in run(scenario, venue):
        with explained(step):
            check_reservations(venue)


@PROPERTY_SETTINGS
@given(scenarios())
def test_no_fill_worse_than_its_limit(scenario: Scenario) -> None:
    """4. Every trade is within both orders' limits; trade ids rise; order ids are ordinals."""
    venue = Venue(scenario.config)
    checker = FillChecker(scenario)
    for step in run(scenario, venue):
        with explained(step):
            checker(step)


@PROPERTY_SETTINGS
@given(scenarios())
def test_order_type_and_trading_state_rules(scenario: Scenario) -> None:
    """8. No trades while halted or closed; FOK all or nothing; IOC never rests;
    post-only never takes liquidity."""
    venue = Venue(scenario.config)
    checker = OrderTypeChecker()
    for step in run(scenario, venue):
        with explained(step):
            checker(step, venue)
