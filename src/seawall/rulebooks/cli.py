"""``seawall rulebooks``: list the shipped rulebooks, show one, check a file of your own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import typer

from seawall.rulebooks.rulebook import Rulebook, RulebookError, list_rulebooks

rulebooks_app = typer.Typer(
    help="Rulebooks: the thresholds and timers a venue runs under, as data.",
    no_args_is_help=True,
    add_completion=False,
)


@rulebooks_app.command("list")
def list_command() -> None:
    """Name and describe every shipped rulebook."""
    for name in list_rulebooks():
        typer.echo(f"{name:<16} {Rulebook.load(name).description}")


@rulebooks_app.command()
def show(
    name: Annotated[str, typer.Argument(help="A shipped rulebook's name, or a TOML file.")],
) -> None:
    """Print a rulebook as JSON, with everything it extends merged in.

    A safeguard that is null is not in force under this rulebook.
    """
    rulebook = load_rulebook_or_exit(name)
    encoded = msgspec.json.encode(rulebook, order="deterministic")
    typer.echo(msgspec.json.format(encoded, indent=2))


@rulebooks_app.command()
def check(
    file: Annotated[Path, typer.Argument(help="The TOML file to validate.")],
) -> None:
    """Validate a rulebook file; exit code 1 with the file, key and problem if it is bad."""
    rulebook = load_rulebook_or_exit(file)
    in_force = ", ".join(rulebook.in_force()) or "none"
    typer.echo(f"{file}: ok (rulebook {rulebook.name!r}; safeguards in force: {in_force})")


def load_rulebook_or_exit(name_or_path: str | Path) -> Rulebook:
    """The rulebook, or exit code 1 with the file, key and problem (for every CLI command)."""
    try:
        return Rulebook.load(name_or_path)
    except RulebookError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
