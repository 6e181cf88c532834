"""docs/rulebooks.md documents every parameter, and its Python example runs as written."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from msgspec import inspect

from seawall.rulebooks import Rulebook, list_rulebooks

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rulebooks.md"


def keys(node: inspect.Type) -> set[str]:
    """Every key of the schema, at any depth."""
    if isinstance(node, inspect.UnionType):
        return set().union(*(keys(kind) for kind in node.types))
    if isinstance(node, inspect.VarTupleType | inspect.FrozenSetType | inspect.DictType):
        return keys(node.item_type if not isinstance(node, inspect.DictType) else node.value_type)
    if isinstance(node, inspect.StructType):
        found = {field.encode_name for field in node.fields}
        return found.union(*(keys(field.type) for field in node.fields))
    return set()


def test_every_key_of_the_schema_is_documented() -> None:
    text = DOCS.read_text()
    quoted = set(re.findall(r"`([^`\n]+)`", text))
    words = {word for phrase in quoted for word in re.findall(r"[a-z_0-9]+", phrase)}
    missing = sorted(keys(inspect.type_info(Rulebook)) - words)
    assert not missing


def test_every_shipped_rulebook_is_in_the_table() -> None:
    text = DOCS.read_text()
    for name in list_rulebooks():
        assert f"| `{name}` |" in text


def test_the_python_example_runs_and_prints_what_the_comments_say() -> None:
    example = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert len(example) == 4  # the others, venues under rulebooks: tests/cli/test_docs.py
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example[0], "rulebooks.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines == [
        str(list_rulebooks()),
        "Bands(lower=950000, upper=1050000)",
        "luld.tier1_bps - wrong type: expected an integer",
        "1000",
    ]


def test_the_toml_example_is_a_valid_rulebook(tmp_path: Path) -> None:
    example = re.findall(r"```toml\n(.*?)```", DOCS.read_text(), re.S)
    assert len(example) == 1
    (tmp_path / "example.toml").write_text(example[0])
    rulebook = Rulebook.load(tmp_path / "example.toml")
    assert rulebook.short_sale is None
    assert rulebook.luld is not None and rulebook.luld.limit_state_seconds == 10
