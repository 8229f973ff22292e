"""Commands that look rather than run: the settings' reference, the shipped scenarios, one resolved scenario, legs."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli import app, fail
from sim.cli.report import console
from sim.config import ConfigError, check_against_network, load_scenario
from sim.config.reference import intervention_rows, markdown, rows
from sim.network import CORRIDORS, MODES, NetworkError, load_network

SCENARIOS = Path("scenarios")


@app.command()
def parameters(
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/parameters.md.")] = False,
) -> None:
    """The reference of every scenario setting: type, default, allowed range, description, source."""
    if as_markdown:
        print(markdown(), end="")
        return
    table = Table("key", "default", "allowed", "description", "source", title="Scenario settings")
    for row in rows() + intervention_rows():
        table.add_row(row.key, row.default, row.allowed, row.description, row.source)
    console.print(table)


@app.command()
def scenarios(
    folder: Annotated[Path, typer.Option(help="Folder of scenario files.")] = SCENARIOS,
) -> None:
    """List the scenario files in a folder (default: scenarios/) with their names and interventions."""
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise fail(f"{folder}: no scenario files (*.toml) found")
    table = Table("file", "name", "dates", "interventions", "description", title=f"Scenarios in {folder}")
    for path in files:
        try:
            sc = load_scenario(path)
        except ConfigError as err:
            table.add_row(path.name, "[red]invalid[/]", "", "", str(err))
            continue
        kinds = ", ".join(f"{n} ({i.kind})" for n, i in sc.interventions.items()) or "none"
        table.add_row(path.name, sc.name, f"{sc.start_date} + {sc.days} d", kinds, sc.description)
    console.print(table)


@app.command()
def show(scenario_file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")]) -> None:
    """Print a scenario resolved: every setting with its value (defaults filled in), description and source."""
    try:
        sc = load_scenario(scenario_file)
        check_against_network(sc, scenario_file, load_network())
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    table = Table(title=f"{scenario_file} resolved")
    table.add_column("key", no_wrap=True, min_width=55)
    for column in ("value", "description", "source"):
        table.add_column(column, overflow="fold")
    for row in rows(values=sc):
        table.add_row(row.key, row.default, row.description, row.source)
    for origin, series in sc.inflow.items():
        points = ", ".join(f"{d}: {v:g}" for d, v in zip(series.dates, series.people_per_day, strict=True))
        table.add_row(f"inflow.{origin}", points, "people per day, linear between dates", "")
    for name, item in sc.interventions.items():
        for key, value in item.model_dump(exclude_none=True).items():
            table.add_row(f"interventions.{name}.{key}", str(value), "", "")
    console.print(table)


@app.command()
def legs(corridor: Annotated[str | None, typer.Option(help="Only this corridor.")] = None) -> None:
    """List the route network's legs (ids to use as intervention targets) with their reference values."""
    net = load_network()
    if corridor is not None and corridor not in CORRIDORS:
        raise fail(f"--corridor: unknown corridor {corridor!r}; allowed: {', '.join(CORRIDORS)}")
    table = Table("leg", "mode", "corridor", "days", "price EUR", "death risk", title="Legs")
    for e, leg in net.legs.iterrows():
        name = CORRIDORS[net.leg_corridor[e]]
        if corridor is None or name == corridor:
            table.add_row(leg["id"], MODES[net.leg_mode[e]], name, str(net.travel_days[e]),
                          f"{net.price_eur[e]:,.0f}", f"{net.death_risk[e]:.2g}")
    console.print(table)
