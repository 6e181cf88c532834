"""Trading states and the commands each accepts, as rulebook data.

An instrument is always in one trading state. Which order entry a state
takes is the rulebook's ``[states]`` table, so that a pre-open that takes
no market orders, or a halt that still takes cancels, is a line in a file
rather than a branch in the venue. Whether a state matches is not data:
only the continuous states (``continuous``, ``limit_state``) match; the
auction states and ``paused`` and ``reserved`` keep the book in call;
``halted`` and ``closed`` freeze it.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from seawall.core.types import OrderType, TradingState


class Action(StrEnum):
    LIMIT_ORDER = "limit_order"
    MARKET_ORDER = "market_order"
    STOP_ORDER = "stop_order"
    CANCEL = "cancel"
    REPLACE = "replace"


class StateTable(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[states]`` section: the actions every trading state accepts."""

    pre_open: frozenset[Action]
    opening_auction: frozenset[Action]
    continuous: frozenset[Action]
    limit_state: frozenset[Action]
    paused: frozenset[Action]
    halted: frozenset[Action]
    volatility_auction: frozenset[Action]
    reserved: frozenset[Action]
    closing_auction: frozenset[Action]
    closed: frozenset[Action]

    def problems(self) -> list[tuple[str, str]]:
        found = []
        for state, actions in self.as_dict().items():
            if Action.CANCEL not in actions and state is not TradingState.AUCTION:
                found.append((state.value, "every state must accept cancel"))
        return found

    def as_dict(self) -> dict[TradingState, frozenset[Action]]:
        """State → accepted actions, for a venue to look up in O(1).

        A call an operator opens by hand (``auction``) takes what a
        volatility auction takes: both are unscheduled calls.
        """
        return {
            TradingState.PRE_OPEN: self.pre_open,
            TradingState.OPENING_AUCTION: self.opening_auction,
            TradingState.CONTINUOUS: self.continuous,
            TradingState.LIMIT_STATE: self.limit_state,
            TradingState.AUCTION: self.volatility_auction,
            TradingState.PAUSED: self.paused,
            TradingState.HALTED: self.halted,
            TradingState.VOLATILITY_AUCTION: self.volatility_auction,
            TradingState.RESERVED: self.reserved,
            TradingState.CLOSING_AUCTION: self.closing_auction,
            TradingState.CLOSED: self.closed,
        }


def order_action(order_type: OrderType) -> Action:
    """The action a new order of ``order_type`` asks a state to accept."""
    if order_type is OrderType.LIMIT:
        return Action.LIMIT_ORDER
    if order_type is OrderType.MARKET:
        return Action.MARKET_ORDER
    return Action.STOP_ORDER
