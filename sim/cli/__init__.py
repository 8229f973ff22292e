"""The `routesim` command: run a scenario, print its summary, write its run folder.

Bad input (a missing or malformed scenario file, an unknown key or place) prints one line naming the file, the
key and what is allowed, and exits with status 2 before anything is written.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.config import ConfigError, check_against_network, load_with_warnings
from sim.network import NetworkError, load_network

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate people-smuggling routes into Europe and the UK.")
err_console = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print one clear error line and return the exit to raise (status 2: bad input)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.callback()
def main() -> None:
    """Simulate people-smuggling routes into Europe and the UK."""


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario file (TOML), e.g. scenarios/baseline.toml.")],
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    scale: Annotated[float | None, typer.Option(help="People each simulated migrant stands for (>= 1).")] = None,
    days: Annotated[int | None, typer.Option(help="Override the number of recorded days.")] = None,
    out: Annotated[Path | None, typer.Option(help="Run folder (default runs/NAME-seedSEED).")] = None,
    charts: Annotated[bool, typer.Option(help="Draw the charts (PNG) into the run folder.")] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
) -> None:
    """Run one scenario; write its tables (parquet), charts (PNG) and manifest into a run folder."""
    from sim.cli.report import print_summary, progress_bar
    from sim.outputs.run_folder import write_run
    from sim.runner import simulate

    try:
        scenario, warnings = load_with_warnings(scenario_file, seed=seed, scale=scale, days=days)
        network = load_network()
        check_against_network(scenario, scenario_file, network)
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    for warning in warnings:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    folder = out if out is not None else Path("runs") / f"{scenario.name}-seed{scenario.seed}"
    total = scenario.spin_up_days + scenario.days
    with progress_bar(total, f"{scenario.name}", disable=quiet) as advance:
        result = simulate(scenario, network, progress=advance)

    def draw(tmp: Path) -> None:
        if charts:
            from sim.outputs.charts import save_all
            save_all(result.tables, tmp)

    write_run(folder, result.tables, result.manifest, extra=draw)
    if not quiet:
        print_summary(result.tables, result.manifest)
    print(f"tables:   {folder}/*.parquet")
    if charts:
        print(f"charts:   {folder}/charts/*.png")
    print(f"manifest: {folder}/manifest.json")

from sim.cli import analyse as _analyse  # noqa: E402,F401  (registers the command)
from sim.cli import bench as _bench  # noqa: E402,F401  (registers the command)
from sim.cli import compare as _compare  # noqa: E402,F401  (registers the command)
from sim.cli import inspect as _inspect  # noqa: E402,F401  (registers its commands)
