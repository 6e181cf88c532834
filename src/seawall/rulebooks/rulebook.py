"""A rulebook: every threshold a venue runs under, loaded from TOML and validated on load.

Rulebooks ship inside the package (``seawall/rulebooks/data/*.toml``); a
user's own file works the same way. A rulebook may ``extends`` another:
tables merge key by key, anything else (numbers, strings, arrays) is
replaced whole, and ``drop`` lists the base's sections to remove first (to
take a safeguard out, or to restate a section from scratch), so a
historical regime can be stated as the difference from its predecessor.
Files whose names start with ``_`` are shared bases, not rulebooks on
their own, and are not listed.

Decoding is ``msgspec.convert`` into the typed sections, which refuses
unknown keys, missing keys, wrong types and out-of-range values; then every
section checks its own consistency. Any failure is a :class:`RulebookError`
naming the file the offending key came from, the key's path and the
problem. A safeguard section that is absent is not in force.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Protocol

import msgspec
from msgspec import inspect

from seawall.core.commands import RiskLimits
from seawall.core.types import BPS
from seawall.risk.limits import limits_problem
from seawall.rulebooks.sections import ClearlyErroneousParams, Settlement
from seawall.safeguards.auctions import AuctionParams
from seawall.safeguards.calendar import CalendarParams, TradingCalendar
from seawall.safeguards.collars import CollarParams
from seawall.safeguards.lrp import LrpParams
from seawall.safeguards.luld import LuldParams
from seawall.safeguards.mwcb import MwcbParams
from seawall.safeguards.quoting import QuotingParams
from seawall.safeguards.short_sale import ShortSaleParams
from seawall.safeguards.sscb import SscbParams
from seawall.safeguards.states import StateTable
from seawall.safeguards.stop_logic import StopLogicParams
from seawall.safeguards.volatility import VolatilityParams

_DATA = files("seawall.rulebooks") / "data"


class RulebookError(ValueError):
    """A rulebook that cannot be used: which file, which key, what is wrong."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem


class _Checked(Protocol):
    def problems(self) -> list[tuple[str, str]]: ...


class Rulebook(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One regime's rules. ``name`` is the file's name; ``risk`` is the pre-trade limits every
    account of a venue running it starts with (RULES.md §6)."""

    name: str
    description: str
    settlement: Settlement
    session: CalendarParams
    states: StateTable
    extends: str | None = None
    luld: LuldParams | None = None
    mwcb: MwcbParams | None = None
    sscb: SscbParams | None = None
    short_sale: ShortSaleParams | None = None
    collars: CollarParams | None = None
    volatility: VolatilityParams | None = None
    stop_logic: StopLogicParams | None = None
    liquidity_replenishment: LrpParams | None = None
    auctions: AuctionParams | None = None
    market_maker: QuotingParams | None = None
    clearly_erroneous: ClearlyErroneousParams | None = None
    risk: RiskLimits | None = None

    @classmethod
    def load(cls, name_or_path: str | Path) -> Rulebook:
        """A shipped rulebook by name (``"us-today"``), or a TOML file by path."""
        return load_rulebook(name_or_path)

    def calendar(self) -> TradingCalendar:
        """A session clock for this rulebook's ``[session]`` (each keeps its own day cache)."""
        return TradingCalendar(self.session)

    def in_force(self) -> list[str]:
        """The safeguard sections this rulebook sets, in schema order."""
        return [name for name, section in self._safeguards() if section is not None]

    def problems(self) -> list[tuple[str, str]]:
        """``(key, problem)`` for every inconsistency within and between sections."""
        sections: list[tuple[str, _Checked | None]] = [
            ("session", self.session),
            ("states", self.states),
            *self._safeguards(),
        ]
        found = [
            (f"{name}.{key}", problem)
            for name, section in sections
            if section is not None
            for key, problem in section.problems()
        ]
        if self.volatility is not None and self.auctions is None:
            found.append(("volatility", "volatility auctions need an [auctions] section"))
        if self.risk is not None:  # the venue's own ceiling is checked by VenueConfig
            problem = limits_problem(self.risk, BPS)
            if problem is not None:
                found.append(("risk", problem))
        return found

    def _safeguards(self) -> list[tuple[str, _Checked | None]]:
        return [
            ("luld", self.luld),
            ("mwcb", self.mwcb),
            ("sscb", self.sscb),
            ("short_sale", self.short_sale),
            ("collars", self.collars),
            ("volatility", self.volatility),
            ("stop_logic", self.stop_logic),
            ("liquidity_replenishment", self.liquidity_replenishment),
            ("auctions", self.auctions),
            ("market_maker", self.market_maker),
            ("clearly_erroneous", self.clearly_erroneous),
        ]


def list_rulebooks() -> list[str]:
    """The names of the shipped rulebooks."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _DATA.iterdir()
        if entry.name.endswith(".toml") and not entry.name.startswith("_")
    )


def load_rulebook(name_or_path: str | Path) -> Rulebook:
    """Merge, decode and check a rulebook; the first problem found is the error raised."""
    source = _locate(name_or_path)
    origins: dict[tuple[str, ...], str] = {}
    document = _document(source, origins, ())
    document["name"] = source.name
    try:
        rulebook = msgspec.convert(document, Rulebook)
    except msgspec.ValidationError as exc:
        key, problem = _explain(str(exc))
        raise RulebookError(_origin(origins, key, source.label), key, problem) from None
    for key, problem in rulebook.problems():
        raise RulebookError(_origin(origins, key, source.label), key, problem)
    return rulebook


class _Source:
    __slots__ = ("label", "name", "resource", "shipped")

    def __init__(self, name: str, label: str, resource: Traversable, shipped: bool) -> None:
        self.name = name
        self.label = label
        self.resource = resource
        self.shipped = shipped


def _locate(name_or_path: str | Path, within: _Source | None = None) -> _Source:
    """A shipped rulebook by name, or a file (relative to the extending file, if any)."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text:
        path = Path(text)
        if within is not None and not within.shipped and not path.is_absolute():
            path = Path(str(within.resource)).parent / path
        return _Source(path.stem, str(path), path, False)
    resource = _DATA / f"{text}.toml"
    if not resource.is_file():
        shipped = ", ".join(list_rulebooks())
        problem = f"no rulebook named {text!r} (shipped: {shipped})"
        if within is None:
            raise RulebookError(text, "", problem)
        raise RulebookError(within.label, "extends", problem)
    return _Source(text, f"{text}.toml", resource, True)


def _document(
    source: _Source, origins: dict[tuple[str, ...], str], chain: tuple[str, ...]
) -> dict[str, Any]:
    """The file's table merged over everything it extends; ``origins`` records who set what."""
    if source.label in chain:
        cycle = " → ".join((*chain, source.label))
        raise RulebookError(source.label, "extends", f"rulebooks extend each other: {cycle}")
    try:
        text = source.resource.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulebookError(source.label, "", f"cannot be read: {exc.strerror}") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(source.label, "", f"not valid TOML: {exc}") from None
    if "name" in table:
        raise RulebookError(source.label, "name", "unknown key (a rulebook is named by its file)")
    base = table.get("extends")
    drop = table.pop("drop", [])
    if base is None:
        document: dict[str, Any] = {}
    elif isinstance(base, str):
        document = _document(_locate(base, source), origins, (*chain, source.label))
    else:
        raise RulebookError(source.label, "extends", "wrong type: expected a rulebook name")
    if not isinstance(drop, list) or not all(isinstance(name, str) for name in drop):
        raise RulebookError(source.label, "drop", "wrong type: expected an array of section names")
    for name in drop:
        if name not in document:
            raise RulebookError(source.label, "drop", f"{name!r} is not set by the base rulebook")
        del document[name]
        _forget(origins, (name,))
    _merge(document, table, source.label, origins, ())
    return document


def _merge(
    target: dict[str, Any],
    table: dict[str, Any],
    label: str,
    origins: dict[tuple[str, ...], str],
    prefix: tuple[str, ...],
) -> None:
    for key, value in table.items():
        path = (*prefix, key)
        current = target.get(key)
        origins[path] = label
        if isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value, label, origins, path)
        else:
            target[key] = value
            _forget(origins, path)
            origins[path] = label
            _record(value, label, origins, path)


def _forget(origins: dict[tuple[str, ...], str], path: tuple[str, ...]) -> None:
    """Drop what is recorded at and under ``path`` (its value was replaced or dropped)."""
    for known in [known for known in origins if known[: len(path)] == path]:
        del origins[known]


def _record(
    value: object, label: str, origins: dict[tuple[str, ...], str], path: tuple[str, ...]
) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            origins[(*path, key)] = label
            _record(item, label, origins, (*path, key))


_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _origin(origins: dict[tuple[str, ...], str], key: str, default: str) -> str:
    """The file that set ``key`` (or the nearest table around it)."""
    names: list[str] = []
    for name, index in _TOKEN.findall("." + key if key else ""):
        if index:
            break
        names.append(name)
    while names:
        found = origins.get(tuple(names))
        if found is not None:
            return found
        names.pop()
    return default


_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "bool": "true or false",
    "time": "a local time such as 09:30:00",
    "date": "a local date such as 2025-12-25",
    "datetime": "a local date-time such as 2010-05-06T14:40:00",
    "object": "a table",
    "array": "an array",
}


def _explain(message: str) -> tuple[str, str]:
    """``(key, problem)`` from a msgspec validation message (``"... - at `$.a.b`"``)."""
    text, _, where = message.rpartition(" - at ")
    if not text:
        text, where = message, "`$`"
    key = where.strip("`").removeprefix("$").removeprefix(".")
    field = re.fullmatch(r"Object (contains unknown|missing required) field `([^`]+)`", text)
    if field:
        key = f"{key}.{field[2]}" if key else field[2]
        return key, "unknown key" if field[1] == "contains unknown" else "missing key"
    bound = re.fullmatch(r"Expected `(\w+)` ([<>]=?) (\S+)", text)
    if bound:
        return key, f"out of range: must be {bound[2]} {bound[3]}"
    wrong = re.fullmatch(r"Expected `([^`]+)`, got `(\w+)`", text)
    if wrong:
        expected = wrong[1].removesuffix(" | null")
        return key, f"wrong type: expected {_TYPE_NAMES.get(expected, expected)}"
    if text.startswith("Invalid RFC3339"):
        kind = text.split()[-1]
        return key, f"wrong type: expected {_TYPE_NAMES.get(kind, kind)}"
    choice = re.fullmatch(r"Invalid enum value (.+)", text)
    if choice:
        return key, f"{choice[1]} is not one of {', '.join(_allowed_values(key))}"
    return key, text


def _allowed_values(key: str) -> list[str]:
    """The values an enumerated key accepts, found by walking the schema along ``key``."""
    node = inspect.type_info(Rulebook)
    for name, _ in _TOKEN.findall("." + key):
        node = _unwrap(node)
        if not name:
            if isinstance(node, inspect.VarTupleType | inspect.FrozenSetType):
                node = node.item_type
            continue
        if isinstance(node, inspect.StructType):
            node = next(field.type for field in node.fields if field.encode_name == name)
    node = _unwrap(node)
    return [str(member.value) for member in node.cls] if isinstance(node, inspect.EnumType) else []


def _unwrap(node: inspect.Type) -> inspect.Type:
    """The type inside an optional (``X | None``)."""
    if isinstance(node, inspect.UnionType):
        return next(kind for kind in node.types if not isinstance(kind, inspect.NoneType))
    return node
