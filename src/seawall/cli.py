"""The `seawall` command."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console

from seawall import bench as benchmark
from seawall import demo as demo_session
from seawall.replay.feeds import FeedFormat
from seawall.rulebooks.cli import load_rulebook_or_exit, rulebooks_app

app = typer.Typer(
    help="Seawall: a trading venue engine in which every trade is real.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)


@app.command()
def demo() -> None:
    """Run a short scripted session: matching, settlement, a rejection for missing funds,
    a runaway seller stopped cold when its shares run out, and a credit limit's warning
    and kill switch."""
    demo_session.run(lambda line: console.print(line, highlight=False, markup=False))


@app.command()
def bench(
    count: Annotated[int, typer.Option(help="Commands in the timed workload.")] = 200_000,
    seed: Annotated[int, typer.Option(help="Seed of the workload generator.")] = 42,
    journal_count: Annotated[
        int, typer.Option(help="Records for the journal figure (0 skips it).")
    ] = 20_000,
    group_size: Annotated[int, typer.Option(help="Records per group commit.")] = 256,
    journal_dir: Annotated[
        Path | None, typer.Option(help="Where to write the journal (default: a temp dir).")
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Also write the JSON here.")] = None,
    rulebook: Annotated[
        str | None,
        typer.Option(help="Also run the flow under this rulebook (a name or a TOML file)."),
    ] = None,
    rounds: Annotated[
        int, typer.Option(min=1, help="Rounds of every configuration; throughput is the best.")
    ] = 3,
) -> None:
    """Measure throughput and latency of the core, and journal group-commit with fsync on.

    Prints JSON. The workload is documented in seawall.bench.
    """
    rules = load_rulebook_or_exit(rulebook) if rulebook is not None else None
    try:
        report = benchmark.run(count, seed, rulebook=rules, rounds=rounds)
    except benchmark.BenchmarkError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if journal_count:
        from seawall.runtime.bench import bench_journal

        with tempfile.TemporaryDirectory(dir=journal_dir) as tmp:
            commands = list(benchmark.order_flow(seed, journal_count))
            report["journal"] = bench_journal(Path(tmp) / "bench.journal", commands, group_size)
    text = json.dumps(report, indent=2)
    if output is not None:
        output.write_text(text + "\n")
    typer.echo(text)


@app.command()
def replay(
    path: Annotated[
        Path,
        typer.Argument(
            help="A LOBSTER zip or message CSV, an ITCH 5.0 file, "
            "or an exchange depth stream (.gz)."
        ),
    ],
    file_format: Annotated[
        FeedFormat | None, typer.Option("--format", help="What the file is (default: detect).")
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(help="Journal the replayed commands into this (new) data directory."),
    ] = None,
) -> None:
    """Push real market data through the engine and report what happened, as JSON.

    LOBSTER: Seawall's own matching rebuilds the book and every row of the
    order-book file is compared. ITCH: the order flow of every stock goes
    through the engine. Depth stream: the book is synchronised from its
    snapshot and diffs, gaps reported, and checked against best bid/offer.
    """
    from seawall.replay import binance, itch, itch_replay, lobster
    from seawall.replay.driver import REPLAY_CONFIG, ReplayVenue
    from seawall.replay.feeds import detect_format

    if not path.is_file():
        console.print(f"[red]{path} is not a file[/red]")
        raise typer.Exit(2)
    kind = file_format or detect_format(path)
    host = None
    if journal is not None:
        if kind is FeedFormat.DEPTH:
            console.print(
                "[red]a depth stream rebuilds a book only; there is nothing to journal[/red]"
            )
            raise typer.Exit(2)
        if journal.exists() and any(journal.iterdir()):
            console.print(
                f"[red]{journal} is not empty; a replay journals into a new directory[/red]"
            )
            raise typer.Exit(2)
        from seawall.runtime.recovery import open_data_dir

        opened = open_data_dir(journal, REPLAY_CONFIG)
        host = ReplayVenue(venue=opened.venue, journal=opened.writer)
    report: dict[str, object]
    if kind is FeedFormat.LOBSTER:
        report = lobster.replay_sample(path, host).to_dict()
    elif kind is FeedFormat.ITCH:
        report = itch_replay.ItchReplay(host).run(itch.read_messages(path)).to_dict()
    else:
        report = msgspec.to_builtins(binance.replay(path))
    if host is not None:
        host.close()
        report["journal"] = {"directory": str(journal), "commands": host.venue.seq,
                             "state_hash": host.venue.state_hash()}  # fmt: skip
    report = {"file": str(path), "format": kind.value, **report}
    typer.echo(json.dumps(report, indent=2))


app.add_typer(rulebooks_app, name="rulebooks")

risk_app = typer.Typer(help="Pre-trade risk limits (docs/risk.md).", no_args_is_help=True)
app.add_typer(risk_app, name="risk")


@risk_app.command("check")
def risk_check(
    path: Annotated[Path, typer.Argument(help="A TOML file of start-up limits.")],
) -> None:
    """Validate a start-up limits file and print the commands that would set its limits.

    Exits 0 when the file is valid, 1 (naming the file, key and problem) when not.
    """
    from seawall.risk.limits_file import LimitsFileError, limit_commands

    try:
        commands = limit_commands(path)
    except LimitsFileError as error:
        console.print(f"[red]{error}[/red]", highlight=False)
        raise typer.Exit(1) from None
    typer.echo(json.dumps(msgspec.to_builtins(commands), indent=2))


@app.command()
def verify(
    data_dir: Annotated[Path, typer.Argument(help="A venue data directory (journal + snapshots).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Inspect a journal and its snapshots without changing any file.

    Exits 0 when everything checks out, 1 when something is wrong.
    """
    from seawall.runtime.verify import verify as verify_dir

    if not data_dir.is_dir():
        console.print(f"[red]{data_dir} is not a directory[/red]")
        raise typer.Exit(2)
    report = verify_dir(data_dir)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in report.render():
            console.print(line, highlight=False, markup=False)
    raise typer.Exit(0 if report.ok else 1)


if __name__ == "__main__":
    app()
