"""The one answer every order-level safeguard gives: let it through, move its price, or refuse it.

Bands, collars and the short-sale price test all look at one order and
decide the same three ways, so the venue handles them with one branch and
turns a refusal into a rejection whose reason code is ``reason``.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class Verdict(StrEnum):
    ACCEPT = "accept"  # the order goes on unchanged
    REPRICE = "reprice"  # the order goes on at ``OrderCheck.price``
    REJECT = "reject"  # the order is refused for ``OrderCheck.reason``


class OrderCheck(msgspec.Struct, frozen=True):
    """A safeguard's decision on one order; ``price`` is the price it may go on at (0: market)."""

    verdict: Verdict
    price: int
    reason: str = ""


def accept(price: int) -> OrderCheck:
    return OrderCheck(Verdict.ACCEPT, price)
