"""The deterministic core: types, commands and events, book, auction, ledger, venue."""
