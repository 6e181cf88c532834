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

from seawall.core.types import OrderType


class Phase(StrEnum):
    PRE_OPEN = "pre_open"
    OPENING_AUCTION = "opening_auction"
    CONTINUOUS = "continuous"
    LIMIT_STATE = "limit_state"
    PAUSED = "paused"
    HALTED = "halted"
    VOLATILITY_AUCTION = "volatility_auction"
    RESERVED = "reserved"
    CLOSING_AUCTION = "closing_auction"
    CLOSED = "closed"


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
        for phase, actions in self.as_dict().items():
            if Action.CANCEL not in actions:
                found.append((phase.value, "every state must accept cancel"))
        return found

    def as_dict(self) -> dict[Phase, frozenset[Action]]:
        """Phase → accepted actions, for a venue to look up in O(1)."""
        return {
            Phase.PRE_OPEN: self.pre_open,
            Phase.OPENING_AUCTION: self.opening_auction,
            Phase.CONTINUOUS: self.continuous,
            Phase.LIMIT_STATE: self.limit_state,
            Phase.PAUSED: self.paused,
            Phase.HALTED: self.halted,
            Phase.VOLATILITY_AUCTION: self.volatility_auction,
            Phase.RESERVED: self.reserved,
            Phase.CLOSING_AUCTION: self.closing_auction,
            Phase.CLOSED: self.closed,
        }


def order_action(order_type: OrderType) -> Action:
    """The action a new order of ``order_type`` asks a state to accept."""
    if order_type is OrderType.LIMIT:
        return Action.LIMIT_ORDER
    if order_type is OrderType.MARKET:
        return Action.MARKET_ORDER
    return Action.STOP_ORDER
