"""The risk engine's plain records: a notice it raises, a parent order it tracks.

They carry no hot-path logic, so they are ordinary Python, defined once here
for the compiled engine and for the code that reads them.
"""

from __future__ import annotations

from typing import NamedTuple

from seawall.core.types import Side
from seawall.risk.scope import Scope


class Notice(NamedTuple):
    """A warning or a kill, raised while a command ran, published after it."""

    scope: Scope
    kill: bool
    cause: str
    exposure: int
    by: str = ""


class Parent:
    """A declared parent order: what its children may add up to, and what they use."""

    __slots__ = ("instrument", "qty", "side", "used")

    def __init__(self, instrument: str, side: Side, qty: int, used: int = 0) -> None:
        self.instrument = instrument
        self.side = side
        self.qty = qty
        self.used = used  # children's quantity: filled plus still open
