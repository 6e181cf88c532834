"""Pre-trade risk controls (SEC Rule 15c3-5) and the kill switch.

The controls run inside :meth:`seawall.core.venue.Venue.process`, between
entitlement and funding, so they block in real time and are as deterministic
as the matching they guard (ADR 0008). Every figure they compare is kept
incrementally: no check scans orders or positions.
"""

from seawall.core.events import RejectReason

RISK_REJECTIONS = frozenset(
    {
        RejectReason.CREDIT_LIMIT_EXCEEDED,
        RejectReason.NO_CREDIT_LIMIT,
        RejectReason.MAX_ORDER_QTY_EXCEEDED,
        RejectReason.MAX_ORDER_NOTIONAL_EXCEEDED,
        RejectReason.OUTSIDE_PRICE_COLLAR,
        RejectReason.DUPLICATE_ORDER,
        RejectReason.MESSAGE_RATE_EXCEEDED,
        RejectReason.ORDER_RATE_EXCEEDED,
        RejectReason.EXECUTION_RATE_EXCEEDED,
        RejectReason.RESTRICTED,
        RejectReason.RESTRICTED_INSTRUMENT,
        RejectReason.UNKNOWN_PARENT,
        RejectReason.PARENT_QUANTITY_EXCEEDED,
        RejectReason.KILL_SWITCH_ENGAGED,
        RejectReason.INVALID_LIMITS,
        RejectReason.SETTLEMENT_FAIL,
        RejectReason.RISK_CONTROLS_OFF,
    }
)
"""The reasons only the risk layer gives (each is listed in docs/risk.md)."""
