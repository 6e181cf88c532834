"""The states table as data, and the quote the safeguards look at."""

from __future__ import annotations

from safeguards_support import US_TODAY, usd

from seawall.core.types import OrderType, TradingState
from seawall.safeguards.nbbo import Nbbo, effective_nbbo
from seawall.safeguards.states import Action, order_action


def test_every_state_is_in_the_table_and_halted_and_closed_take_only_cancels() -> None:
    table = US_TODAY.states.as_dict()
    assert set(table) == set(TradingState)
    assert table[TradingState.HALTED] == table[TradingState.CLOSED] == frozenset({Action.CANCEL})
    assert Action.STOP_ORDER not in table[TradingState.PAUSED]  # stops wait for continuous trading
    assert Action.MARKET_ORDER in table[TradingState.PRE_OPEN]


def test_order_types_map_to_actions() -> None:
    assert order_action(OrderType.LIMIT) is Action.LIMIT_ORDER
    assert order_action(OrderType.MARKET) is Action.MARKET_ORDER
    assert order_action(OrderType.STOP) is order_action(OrderType.STOP_LIMIT) is Action.STOP_ORDER


def test_the_external_nbbo_wins_and_the_venues_own_prices_stand_in() -> None:
    external = Nbbo(usd("9.99"), usd("10.02"))
    assert effective_nbbo(external, usd("9.98"), usd("10.01")) is external
    assert effective_nbbo(None, usd("9.98"), usd("10.01")) == Nbbo(usd("9.98"), usd("10.01"))
