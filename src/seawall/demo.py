"""A short scripted session on the Python API: what `seawall demo` (and `./dev start`) shows.

Every line it prints is read off the events the venue returned, never
written in advance: if the engine behaved differently, the story would too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from seawall.core.commands import (
    Command,
    Deposit,
    KillSwitch,
    ListInstrument,
    NewOrder,
    OpenAccount,
    RegisterParticipant,
    RiskLimits,
    SetRiskLimits,
)
from seawall.core.events import (
    Event,
    KillSwitchChanged,
    OrderAccepted,
    OrderCancelled,
    Rejected,
    RiskWarning,
    Trade,
)
from seawall.core.types import Instrument, OrderType, RiskScope, Side, TimeInForce
from seawall.core.units import money_to_units, price_to_ticks, ticks_to_price
from seawall.core.venue import Venue

SYMBOL = "XYZ"


@dataclass
class DemoSession:
    """Drives a venue and narrates each command's events through ``say``."""

    say: Callable[[str], None]
    venue: Venue = field(default_factory=Venue)
    clock: int = 0

    def do(self, command: Command) -> list[Event]:
        self.clock += 1_000_000  # one millisecond per command
        events = self.venue.process(command, self.clock)
        for event in events:
            line = describe(event)
            if line:
                self.say(line)
        return events

    def balances(self, account: str) -> str:
        holder = self.venue.accounts[account]
        cash = holder.cash.get("USD")
        shares = holder.positions.get(SYMBOL)
        cash_text = f"${ticks_to_price(cash.total)}" if cash else "$0"
        return f"{account}: {cash_text} cash, {shares.total if shares else 0} {SYMBOL}"


def describe(event: Event) -> str:
    if isinstance(event, OrderAccepted):
        return (
            f"  accepted  #{event.order_id} {event.account} {event.side} {event.qty} "
            f"{event.instrument} limit {ticks_to_price(event.price)} ({event.order_type})"
        )
    if isinstance(event, Trade):
        return (
            f"  TRADE     {event.qty} {event.instrument} @ {ticks_to_price(event.price)}: "
            f"{event.buy_account} pays ${ticks_to_price(event.cash)} to {event.sell_account}, "
            f"{event.sell_account} delivers {event.qty} shares — settled now"
        )
    if isinstance(event, Rejected):
        return f"  REJECTED  {event.reason}: {event.text}"
    if isinstance(event, OrderCancelled):
        return f"  cancelled #{event.order_id} ({event.reason}): {event.leaves} left unfilled"
    if isinstance(event, RiskWarning):
        return (
            f"  WARNING   {event.target} at {event.utilisation_bps / 100:.2f}% of its credit "
            f"limit (${ticks_to_price(event.exposure)} of ${ticks_to_price(event.credit_limit)})"
        )
    if isinstance(event, KillSwitchChanged):
        state = "ENGAGED" if event.engaged else "reset"
        return f"  KILL SWITCH {state} for {event.scope} {event.target}: {event.cause}"
    return ""


def run(say: Callable[[str], None]) -> Venue:
    """Run the scripted session, narrating through ``say``; return the venue for inspection."""
    s = DemoSession(say)
    say("Setting up: one listed stock, four traders, funded accounts.")
    s.do(ListInstrument("operator", Instrument(SYMBOL), reference_price=price_to_ticks("10.00")))
    for trader in ("alice", "bob", "carol", "dave"):
        s.do(RegisterParticipant("operator", trader))
        s.do(OpenAccount("operator", trader.upper(), trader))
    s.do(Deposit("operator", "ALICE", "USD", money_to_units("50000")))
    s.do(Deposit("operator", "BOB", SYMBOL, 1_000))
    s.do(Deposit("operator", "CAROL", SYMBOL, 300))
    s.do(Deposit("operator", "DAVE", "USD", money_to_units("500")))
    for account in ("ALICE", "BOB", "CAROL", "DAVE"):
        say("  " + s.balances(account))

    say("\n1. Bob offers 500 at 10.00; Alice bids 200 at 10.05 and trades at Bob's price.")
    s.do(NewOrder("bob", "BOB", SYMBOL, Side.SELL, 500, price_to_ticks("10.00")))
    s.do(NewOrder("alice", "ALICE", SYMBOL, Side.BUY, 200, price_to_ticks("10.05")))
    say("  " + s.balances("ALICE") + " | " + s.balances("BOB"))

    say("\n2. Dave has $500 and bids for 100 at 10.00 ($1,000): no cash, no order.")
    s.do(NewOrder("dave", "DAVE", SYMBOL, Side.BUY, 100, price_to_ticks("10.00")))

    say("\n3. Carol's runaway algorithm sells 100 at 9.90 again and again. She holds 300.")
    sent = 0
    for _ in range(10):
        sent += 1
        events = s.do(NewOrder("carol", "CAROL", SYMBOL, Side.SELL, 100, price_to_ticks("9.90")))
        if isinstance(events[0], Rejected):
            break
    carol = s.venue.accounts["CAROL"].positions[SYMBOL]
    say(
        f"  -> stopped cold at order {sent}: her {carol.reserved} shares are all committed to "
        f"open orders, {carol.available} are free. A runaway can only spend what it owns."
    )

    say("\n4. Alice sends a market buy for 1,000: collared to a limit, never a stub quote.")
    s.do(
        NewOrder(
            "alice", "ALICE", SYMBOL, Side.BUY, 1_000,
            order_type=OrderType.MARKET, tif=TimeInForce.IOC,
        )
    )  # fmt: skip

    say(
        "\n5. Alice's broker gives her a $15,000 credit limit: her 800 shares ($8,000 at her last"
        " fill) count, and so does every open order, checked on every order."
    )
    s.do(SetRiskLimits("operator", RiskScope.ACCOUNT, "ALICE", RiskLimits(money_to_units("15000"))))
    for qty, price in ((300, "9.80"), (100, "9.70"), (400, "9.60")):
        s.do(NewOrder("alice", "ALICE", SYMBOL, Side.BUY, qty, price_to_ticks(price)))
    say("  -> an operator reviews and resets the switch; only an operator can.")
    s.do(KillSwitch("operator", RiskScope.ACCOUNT, "ALICE", engage=False, reason="reviewed"))

    say("\nEnd of session.")
    for account in ("ALICE", "BOB", "CAROL", "DAVE"):
        say("  " + s.balances(account))
    supply = s.venue.supply
    held_cash = sum(a.cash["USD"].total for a in s.venue.accounts.values() if "USD" in a.cash)
    held_shares = sum(
        a.positions[SYMBOL].total for a in s.venue.accounts.values() if SYMBOL in a.positions
    )
    say(
        f"  conservation: cash held ${ticks_to_price(held_cash)} = deposited "
        f"${ticks_to_price(supply['USD'])}; shares held {held_shares} = deposited {supply[SYMBOL]}"
    )
    say(f"  state hash {s.venue.state_hash()[:16]}… after {s.venue.seq} commands")
    return s.venue
