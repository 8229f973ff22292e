"""Commands that look rather than run: the settings' reference, the shipped scenarios, one resolved scenario, legs,
outcomes."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli import app, fail
from sim.config import ConfigError, check_against_network, load_scenario
from sim.config.loader import load_sources
from sim.config.reference import intervention_rows, markdown, rows, values
from sim.network import CORRIDORS, MODES, NetworkError, load_network

SCENARIOS = Path("scenarios")


@app.command()
def parameters(
    as_markdown: Annotated[bool, typer.Option("--markdown", help="Print docs/parameters.md.")] = False,
) -> None:
    """The reference of every scenario setting: type, default, allowed range, description, source."""
    from sim.cli.report import console  # imports the model: only when a command prints
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
    """List the scenario files in a folder (default: scenarios/) with their names and interventions; a broken
    file is listed as broken with its error, and the others still shown."""
    from sim.cli.report import console  # imports the model: only when a command prints
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise fail(f"{folder}: no scenario files (*.toml) found")
    table = Table("file", "name", "dates", "interventions", "description", title=f"Scenarios in {folder}")
    for path in files:
        try:
            sc = load_scenario(path)
        except Exception as err:  # noqa: BLE001  (any failure of one file is that file's row, not the command's)
            table.add_row(path.name, "[red]invalid[/]", "", "", str(err) or type(err).__name__)
            continue
        kinds = ", ".join(f"{n} ({i.kind})" for n, i in sc.interventions.items()) or "none"
        table.add_row(path.name, sc.name, f"{sc.start_date} + {sc.days} d", kinds, sc.description)
    console.print(table)


@app.command()
def show(scenario_file: Annotated[Path, typer.Argument(help="Scenario file (TOML).")]) -> None:
    """Print a scenario resolved (after extends and defaults): every setting, tables entry by entry, with its
    value, unit, description, source, and the file that set it ("default" when no file did; * marks those)."""
    from sim.cli.report import console  # imports the model: only when a command prints
    try:
        sc = load_scenario(scenario_file)
        sources = load_sources(scenario_file)
        check_against_network(sc, scenario_file, load_network())
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    table = Table(title=f"{scenario_file} resolved (* set by a file; the others are defaults)")
    table.add_column("key", no_wrap=True, min_width=40)
    for column in ("value", "unit", "set by", "description", "source"):
        table.add_column(column, overflow="fold")
    for row in values(sc, sources):
        mark = "* " if row.set_by != "default" else "  "
        set_by = Path(row.set_by).name if row.set_by != "default" else row.set_by
        table.add_row(mark + row.key, row.value, row.unit, set_by, row.description, row.source)
    console.print(table)


@app.command()
def legs(corridor: Annotated[str | None, typer.Option(help="Only this corridor.")] = None) -> None:
    """List the route network's legs (ids to use as intervention targets) with their reference values."""
    from sim.cli.report import console  # imports the model: only when a command prints
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


@app.command()
def outcomes(
    every: Annotated[bool, typer.Option("--all", help="Also the detailed outcomes (not only the headline ones).")
                     ] = False,
) -> None:
    """The outcomes a run reports (names to use in experiments and `analyse`): label, unit, how it is computed and
    the published series it stands for."""
    from sim.cli.report import console
    from sim.outputs.outcomes import OUTCOMES

    table = Table("name", "label", "unit", "kind", "reduction", "observed as", title="Outcomes")
    for item in OUTCOMES:
        if every or not item.detail:
            table.add_row(item.name, item.label, item.unit, item.kind, item.reduction,
                          " ".join(item.observed) if item.observed else "")
    console.print(table)
