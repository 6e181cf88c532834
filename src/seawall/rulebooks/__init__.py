"""Rulebooks: the thresholds, timers and choices a venue runs under, as validated TOML data.

``Rulebook.load("us-today")`` loads a shipped rulebook, ``Rulebook.load(path)``
a file of your own; ``list_rulebooks()`` names the shipped ones. Every
parameter is documented in docs/rulebooks.md.
"""

from seawall.rulebooks.rulebook import Rulebook, RulebookError, list_rulebooks

__all__ = ["Rulebook", "RulebookError", "list_rulebooks"]
