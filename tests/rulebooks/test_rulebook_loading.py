"""Every shipped rulebook loads and says what RULES.md says; extends and drop compose them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from seawall.core.commands import RiskLimits
from seawall.rulebooks import Rulebook, list_rulebooks
from seawall.rulebooks.sections import Remedy, Settlement
from seawall.safeguards.collars import CollarCombine, MarketOrders

REQUIRED = [
    "us-2010",
    "us-2010-collars",
    "us-2010-nyse",
    "us-2013-luld",
    "us-today",
    "lse",
    "chix",
    "cme",
    "seawall-strict",
]


def test_the_required_rulebooks_ship_and_bases_are_not_listed() -> None:
    names = list_rulebooks()
    assert set(REQUIRED) <= set(names)
    assert not [name for name in names if name.startswith("_")]


@pytest.mark.parametrize("name", list_rulebooks())
def test_every_shipped_rulebook_loads_with_a_description_and_a_working_calendar(name: str) -> None:
    rulebook = Rulebook.load(name)
    assert rulebook.name == name and rulebook.description
    calendar = rulebook.calendar()
    assert calendar.next_trading_day(dt.date(2025, 12, 24)) > dt.date(2025, 12, 24)


def test_us_2010_has_no_bands_no_breakers_per_stock_no_quoting_rule_and_no_collars() -> None:
    rulebook = Rulebook.load("us-2010")
    assert rulebook.in_force() == ["mwcb", "auctions", "clearly_erroneous"]
    assert rulebook.mwcb is not None
    # Rule 80B: 10%, 20%, 30% of the Dow
    assert [level.decline_bps for level in rulebook.mwcb.levels] == [1_000, 2_000, 3_000]
    assert rulebook.settlement is Settlement.DEFERRED


def test_us_2010_collars_adds_the_5_percent_or_50_cent_market_order_collar() -> None:
    collars = Rulebook.load("us-2010-collars").collars
    assert collars is not None
    assert (collars.market_orders, collars.market_collar_bps, collars.market_collar_abs) == (
        MarketOrders.COLLAR,
        500,
        5_000,
    )
    assert collars.market_collar_combine is CollarCombine.LESSER


def test_luld_doubling_before_and_after_2020() -> None:
    before, now = Rulebook.load("us-2013-luld").luld, Rulebook.load("us-today").luld
    assert before is not None and now is not None
    assert (before.open_doubling_minutes, before.close_doubling_minutes) == (15, 25)
    assert before.double_tier2_above_upper
    assert (now.open_doubling_minutes, now.close_doubling_minutes) == (0, 25)
    assert not now.double_tier2_above_upper
    # everything else is inherited unchanged
    assert (now.tier1_bps, now.tier2_bps, now.limit_state_seconds) == (500, 1_000, 15)


def test_us_2013_drops_the_single_stock_breakers_and_the_collars_it_extends() -> None:
    pilot, luld = Rulebook.load("us-2010-pilot"), Rulebook.load("us-2013-luld")
    assert pilot.sscb is not None and pilot.collars is not None
    assert luld.sscb is None and luld.collars is None
    assert luld.mwcb is not None
    assert [level.decline_bps for level in luld.mwcb.levels] == [700, 1_300, 2_000]
    assert luld.clearly_erroneous is not None and pilot.clearly_erroneous is not None
    assert not luld.clearly_erroneous.inside_bands_eligible
    assert pilot.clearly_erroneous.late_filing_bps is None  # the 2008 flat 30% was dropped


def test_seawall_strict_is_rtgs_with_collars_luld_rejection_and_account_risk_limits() -> None:
    strict = Rulebook.load("seawall-strict")
    assert strict.settlement is Settlement.RTGS
    assert strict.collars is not None and strict.luld is not None
    assert strict.luld.outside_band.value == "reject"
    assert strict.risk == RiskLimits(
        warn_bps=7_500,
        kill_on_breach=True,
        collar_bps=1_000,
        extended_collar_bps=500,
        duplicate_window_ns=1_000_000_000,
    )


def test_london_chix_and_cme() -> None:
    lse, chix, cme = (Rulebook.load(name) for name in ("lse", "chix", "cme"))
    assert lse.volatility is not None and lse.auctions is not None
    assert (lse.volatility.dynamic_bps, lse.volatility.auction_seconds) == (500, 300)
    assert lse.auctions.random_uncross_seconds == 30
    assert chix.collars is not None and chix.collars.market_orders is MarketOrders.REJECT
    assert chix.collars.last_trade_bps == 2_000
    assert chix.session.pre_open == chix.session.open  # no auction call
    assert cme.stop_logic is not None and cme.clearly_erroneous is not None
    assert (cme.stop_logic.reserved_seconds, cme.stop_logic.extension_multiple) == (5, 2)
    assert cme.clearly_erroneous.remedy is Remedy.ADJUST
    assert cme.session.overnight


def test_a_file_of_ones_own_can_extend_a_shipped_rulebook_and_a_file_beside_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.toml").write_text(
        'extends = "us-today"\ndescription = "base"\n[luld]\nlimit_state_seconds = 10\n'
    )
    (tmp_path / "mine.toml").write_text(
        'extends = "base.toml"\ndescription = "mine"\ndrop = ["short_sale"]\n'
        "[luld]\npause_seconds = 600\n"
    )
    mine = Rulebook.load(tmp_path / "mine.toml")
    assert mine.name == "mine" and mine.extends == "base.toml"
    assert mine.luld is not None
    assert (mine.luld.limit_state_seconds, mine.luld.pause_seconds) == (10, 600)
    assert mine.short_sale is None
    assert Rulebook.load(str(tmp_path / "mine.toml")) == mine
