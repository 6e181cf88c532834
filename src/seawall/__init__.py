"""Seawall: a trading venue engine in which every trade is real.

The Python API for notebooks and research::

    from seawall import Venue, Rulebook, commands as c
"""

from seawall.core import commands
from seawall.core.config import VenueConfig
from seawall.core.events import CancelReason, RejectReason
from seawall.core.types import (
    Instrument,
    OrderType,
    SaleMarking,
    SelfTradePrevention,
    Side,
    TimeInForce,
    TradingState,
)
from seawall.core.venue import Venue
from seawall.rulebooks import Rulebook

__all__ = [
    "CancelReason",
    "Instrument",
    "OrderType",
    "RejectReason",
    "Rulebook",
    "SaleMarking",
    "SelfTradePrevention",
    "Side",
    "TimeInForce",
    "TradingState",
    "Venue",
    "VenueConfig",
    "commands",
]
