"""The `routesim` command: run a scenario, print its summary, write its run folder.

Bad input (a missing or malformed scenario file, an unknown key or place) prints one line naming the file, the
key and what is allowed, and exits with status 2 before anything is written.
"""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sim.config import ConfigError, check_against_network, load_with_warnings, parse_assignment
from sim.network import NetworkError, load_network

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate people-smuggling routes into Europe and the UK.")
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear error line and return the exit to raise (status 2: bad input; 1: writing failed)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=code)


UNCALIBRATED_HELP = ("Use the scenario's own parameter values, not the fitted overlay sim/data/calibrated/overlay.toml "
                     "(the calibration's posterior medians).")
POSTERIOR_HELP = ("Posterior sample (calibrate's posterior.parquet) replicate i draws its parameters from, the same "
                  "draw for replicate i of every scenario.")


def calibration_for(uncalibrated: bool, posterior: Path | None, draws: bool):
    """The calibration a command uses (sim/calibration/use.py), or the one-line error for a bad --posterior."""
    from sim.calibration.use import choose

    try:
        return choose(uncalibrated, posterior, draws)
    except ConfigError as err:
        raise fail(str(err)) from None


SET_HELP = ('Change a setting: PATH=VALUE, e.g. --set behaviour.value_of_time_eur_per_day=30 or --set '
            'patrols.beach_officers.\'"northern_france_coast->kent"\'=600 (repeatable).')


def flag_overrides(seed: int | None = None, days: int | None = None, scale: float | None = None,
                   assignments: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The command line's overrides by origin (the flag named in any error): --set, then --seed/--days/--scale."""
    found: dict[str, dict[str, Any]] = {"--set": dict(parse_assignment(text) for text in assignments or [])}
    for flag, key, value in (("--seed", "seed", seed), ("--days", "days", days), ("--scale", "scale", scale)):
        if value is not None:
            found[flag] = {key: value}
    return found


@app.callback()
def main() -> None:
    """Simulate people-smuggling routes into Europe and the UK."""


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario file (TOML), e.g. scenarios/baseline.toml.")],
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    scale: Annotated[float | None, typer.Option(help="People each simulated migrant stands for (>= 1).")] = None,
    days: Annotated[int | None, typer.Option(help="Override the number of recorded days.")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP)] = None,
    out: Annotated[Path | None, typer.Option(
        help="Run folder (default runs/NAME-seedSEED-daysDAYS-scaleSCALE, made unique). An existing folder is "
             "refused unless it is a previous routesim run and --overwrite is given.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it holds a previous routesim run.")] = False,
    charts: Annotated[bool, typer.Option(help="Draw the charts (PNG) into the run folder.")] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
    uncalibrated: Annotated[bool, typer.Option(help=UNCALIBRATED_HELP)] = False,
    posterior: Annotated[Path | None, typer.Option(help="Posterior sample (calibrate's posterior.parquet) to draw "
                                                   "this run's parameters from, by its seed (default: no draw, the "
                                                   "overlay's medians).")] = None,
) -> None:
    """Run one scenario; write its tables (parquet), charts (PNG) and manifest into a run folder."""
    from sim.cli.report import print_summary, progress_bar
    from sim.outputs.folders import OutputError, claim_output, default_output
    from sim.outputs.run_folder import write_run
    from sim.runner import simulate

    calibration = calibration_for(uncalibrated, posterior, draws=False)
    try:
        scenario, warnings = load_with_warnings(scenario_file, {
            "calibration": calibration.settings(),
            **flag_overrides(seed=seed, days=days, scale=scale, assignments=set_)})
        draws = calibration.draws(scenario, scenario.seed, 1)
        if draws is not None:
            from sim.config import apply_overrides

            scenario = apply_overrides(scenario, draws[0], f"--posterior {posterior}")
        network = load_network()
        check_against_network(scenario, scenario_file, network)
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    default = default_output("run", [scenario.name], {"seed": scenario.seed, "days": scenario.days,
                                                      "scale": scenario.scale})
    try:
        folder = claim_output(out or default, "run", overwrite, unique=out is None)
    except OutputError as err:
        raise fail(str(err)) from None
    for warning in warnings:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    total = scenario.spin_up_days + scenario.days
    with progress_bar(total, f"{scenario.name}", disable=quiet) as advance:
        result = simulate(scenario, network, progress=advance)

    def draw(tmp: Path) -> None:
        if charts:
            from sim.outputs.charts import save_all
            save_all(result.tables, tmp)

    try:
        manifest = result.manifest | {"calibration": calibration.manifest(), "interval": calibration.interval(1)}
        write_run(folder, result.tables, manifest, extra=draw, overwrite=overwrite)
    except OutputError as err:
        raise fail(str(err), code=1) from None
    if not quiet:
        print_summary(result.tables, result.manifest)
    print(calibration.line())
    print(f"tables:   {folder}/*.parquet")
    if charts:
        print(f"charts:   {folder}/charts/*.png")
    print(f"manifest: {folder}/manifest.json")

from sim.cli import analyse as _analyse  # noqa: E402,F401  (registers the command)
from sim.cli import bench as _bench  # noqa: E402,F401  (registers the command)
from sim.cli import calibrate as _calibrate  # noqa: E402,F401  (registers the command)
from sim.cli import compare as _compare  # noqa: E402,F401  (registers the command)
from sim.cli import inspect as _inspect  # noqa: E402,F401  (registers its commands)
from sim.cli import sweep as _sweep  # noqa: E402,F401  (registers the command)
from sim.cli import validate as _validate  # noqa: E402,F401  (registers the command)
