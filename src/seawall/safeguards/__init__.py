"""Market safeguards as pure evaluators: integers in, decisions and transitions out.

Each module does one job and takes its thresholds from a parameter struct
that a rulebook section fills (see :mod:`seawall.rulebooks`); none reads a
clock, does I/O or touches a float. The venue's state machine calls them
and turns their answers into events (ADR 0007).

- :mod:`~seawall.safeguards.calendar`: sessions, trading dates, day boundaries
- :mod:`~seawall.safeguards.nbbo`: the quote LULD and Rule 201 look at
- :mod:`~seawall.safeguards.luld`: LULD percentages, bands, reference price
- :mod:`~seawall.safeguards.limit_state`: LULD limit state, straddle, pause
- :mod:`~seawall.safeguards.mwcb`: market-wide circuit breakers
- :mod:`~seawall.safeguards.sscb`: the 2010 single-stock circuit breaker
- :mod:`~seawall.safeguards.short_sale`: Rule 201 and its price test
- :mod:`~seawall.safeguards.collars`: market-order collars, last-trade band
- :mod:`~seawall.safeguards.volatility`: price tolerances for volatility auctions
- :mod:`~seawall.safeguards.auctions`: call lengths, random uncross, auction collars
- :mod:`~seawall.safeguards.stop_logic`: CME-style reserved state
- :mod:`~seawall.safeguards.quoting`: market-maker obligations and stub quotes
- :mod:`~seawall.safeguards.states`: trading states and what each accepts
"""
