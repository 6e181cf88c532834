"""Whether a set of pre-trade limits can be set at all: one check for every way limits arrive.

An operator's ``SetRiskLimits``, a limits file (``seawall risk check``) and a
rulebook's ``[risk]`` table all go through :func:`limits_problem`, so a
limit refused one way is refused every way.
"""

from __future__ import annotations

from seawall.core.commands import RiskLimits
from seawall.core.types import BPS, MAX_SUPPLY


def limits_problem(limits: RiskLimits, max_extended_collar_bps: int) -> str | None:
    """Why these limits cannot be set under a venue's extended-hours ceiling, or None."""
    values = [
        limits.credit_limit, limits.max_order_qty, limits.max_order_notional,
        limits.collar_bps, limits.extended_collar_bps, limits.duplicate_window_ns,
        limits.max_messages, limits.message_window_ns, limits.max_orders,
        limits.order_window_ns, limits.max_executions, limits.execution_window_ns,
    ]  # fmt: skip
    if any(not 0 <= value <= MAX_SUPPLY for value in values):
        return "every limit must be between 0 and 10^18"
    if not 0 < limits.warn_bps <= BPS:
        return "warn_bps must be between 1 and 10,000"
    if limits.extended_collar_bps > max_extended_collar_bps:
        return (
            f"an extended-hours collar of {limits.extended_collar_bps} bps is wider than the "
            f"venue's ceiling of {max_extended_collar_bps} bps"
        )
    if limits.collar_bps > BPS:
        return "collar_bps must be at most 10,000"
    for count, window, name in (
        (limits.max_messages, limits.message_window_ns, "message"),
        (limits.max_orders, limits.order_window_ns, "order"),
        (limits.max_executions, limits.execution_window_ns, "execution"),
    ):
        if bool(count) != bool(window):
            return f"the {name} throttle needs both a count and a window"
        if count > 1_000_000:
            return f"the {name} throttle may count at most 1,000,000 per window"
    return None
