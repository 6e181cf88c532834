"""The Gemini matching-engine exercise's sample input, replayed on Seawall.

The sample (``../shared/data/peers/gemini/sample_input.txt``) is seven limit
orders, ``order id, side, instrument, quantity, price``, with no expected
output attached. The trades below are what price-time priority implies,
derived by hand from the input; trades print at the resting order's price.

Input, in arrival order::

    1. 12345  BUY  BTCUSD 5 @ 10000
    2. zod42  SELL BTCUSD 2 @ 10001
    3. 13471  BUY  BTCUSD 6 @  9971
    4. 11431  BUY  ETHUSD 9 @   175
    5. abe14  SELL BTCUSD 7 @  9800
    6. plu401 SELL ETHUSD 5 @   170
    7. 45691  BUY  ETHUSD 3 @   180

Derivation:

1. 12345 finds no asks and rests: BTCUSD bids 5@10000.
2. zod42 sells at 10001, above the best bid 10000: no cross, rests: asks 2@10001.
3. 13471 bids 9971, below the best ask 10001: rests behind 12345 (lower price):
   bids 5@10000 (12345), 6@9971 (13471).
4. 11431 is the first ETHUSD order: rests, ETHUSD bids 9@175.
5. abe14 sells 7 at 9800. Every BTCUSD bid is at or above 9800, so it takes them
   best price first: 5 from 12345 at 10000 (12345 done, 2 left to sell), then 2
   from 13471 at 9971 (abe14 done, 13471 keeps 4). Trades: (abe14, 12345, 5,
   10000) and (abe14, 13471, 2, 9971).
6. plu401 sells 5 ETHUSD at 170; the best bid 175 (11431) is above it: 5 trade
   at 175, plu401 done, 11431 keeps 4. Trade: (plu401, 11431, 5, 175).
7. 45691 bids 180 for 3 ETHUSD; no ETHUSD asks are left, so it rests and
   becomes the best bid, ahead of 11431 on price.

Final books: BTCUSD bids 13471 4@9971, asks zod42 2@10001; ETHUSD bids 45691
3@180, then 11431 4@175; no ETHUSD asks.

Every order comes from its own account, funded with exactly what the order
needs (qty x price of cash for a buy, qty units for a sell), so Seawall's
funding checks accept all seven and the settled balances below follow from the
same three trades.
"""

from __future__ import annotations

import pytest
from peer_support import (
    GEMINI_CURRENCY,
    GEMINI_SAMPLE,
    Driver,
    GeminiOrder,
    missing_reason,
    read_gemini_orders,
    replay_gemini,
)

from seawall import Side
from seawall.core.events import OrderAccepted

BUY, SELL = Side.BUY, Side.SELL

EXPECTED_INPUT = [
    GeminiOrder("12345", BUY, "BTCUSD", 5, 10000),
    GeminiOrder("zod42", SELL, "BTCUSD", 2, 10001),
    GeminiOrder("13471", BUY, "BTCUSD", 6, 9971),
    GeminiOrder("11431", BUY, "ETHUSD", 9, 175),
    GeminiOrder("abe14", SELL, "BTCUSD", 7, 9800),
    GeminiOrder("plu401", SELL, "ETHUSD", 5, 170),
    GeminiOrder("45691", BUY, "ETHUSD", 3, 180),
]

# (instrument, aggressor, resting order, quantity, price), in the order they happen
EXPECTED_TRADES = [
    ("BTCUSD", "abe14", "12345", 5, 10000),
    ("BTCUSD", "abe14", "13471", 2, 9971),
    ("ETHUSD", "plu401", "11431", 5, 175),
]

# per instrument: (bids, asks), each [(order id, open quantity, price)] in priority order
EXPECTED_BOOKS = {
    "BTCUSD": ([("13471", 4, 9971)], [("zod42", 2, 10001)]),
    "ETHUSD": ([("45691", 3, 180), ("11431", 4, 175)], []),
}

# per account (named after its order): (cash available, cash reserved, units available,
# units reserved) after the replay; each account was funded with exactly its order's need
EXPECTED_BALANCES = {
    "12345": (0, 0, 5, 0),  # paid 5 x 10000 = 50000, all it had
    "zod42": (0, 0, 0, 2),  # resting: its 2 units stay reserved
    "13471": (0, 4 * 9971, 2, 0),  # paid 2 x 9971, 4 x 9971 still reserved
    "11431": (0, 4 * 175, 5, 0),  # paid 5 x 175, 4 x 175 still reserved
    "abe14": (5 * 10000 + 2 * 9971, 0, 0, 0),  # sold all 7: 69942
    "plu401": (5 * 175, 0, 0, 0),  # sold all 5 at 175 (not its limit 170)
    "45691": (0, 3 * 180, 0, 0),  # resting, fully reserved
}


@pytest.fixture
def sample() -> list[GeminiOrder]:
    reason = missing_reason(GEMINI_SAMPLE)
    if reason is not None:
        pytest.skip(reason)
    return read_gemini_orders(GEMINI_SAMPLE)


def test_sample_is_the_input_the_derivation_used(sample: list[GeminiOrder]) -> None:
    assert sample == EXPECTED_INPUT


def test_trades_follow_price_time_priority(sample: list[GeminiOrder]) -> None:
    assert replay_gemini(sample, Driver()) == EXPECTED_TRADES


def test_resting_books(sample: list[GeminiOrder]) -> None:
    driver = Driver()
    replay_gemini(sample, driver)
    names = {e.order_id: e.client_order_id for e in driver.history if isinstance(e, OrderAccepted)}
    books = {}
    for symbol, book in driver.venue.books.items():
        bids = [(names[o.order_id], o.leaves, o.price) for o in book.bids.orders_in_priority()]
        asks = [(names[o.order_id], o.leaves, o.price) for o in book.asks.orders_in_priority()]
        books[symbol] = (bids, asks)
    assert books == EXPECTED_BOOKS


def test_settled_balances(sample: list[GeminiOrder]) -> None:
    driver = Driver()
    replay_gemini(sample, driver)
    balances = {}
    for order in sample:
        account = driver.venue.accounts[order.order_id]
        cash = account.cash.get(GEMINI_CURRENCY)
        units = account.positions.get(order.instrument)
        balances[order.order_id] = (
            cash.available if cash else 0,
            cash.reserved if cash else 0,
            units.available if units else 0,
            units.reserved if units else 0,
        )
    assert balances == EXPECTED_BALANCES
