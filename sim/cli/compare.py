"""`routesim compare BASE.toml ALT.toml [...]`: replicated runs with common random numbers, paired differences,
displacement and cost-effectiveness, written to a comparison folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import (
    POSTERIOR_HELP,
    REPORT_HELP,
    SET_HELP,
    UNCALIBRATED_HELP,
    app,
    calibration_for,
    err_console,
    fail,
    flag_overrides,
)
from sim.cli.fit import fitted_table
from sim.config import ConfigError, check_against_network, load_with_warnings
from sim.network import NetworkError, load_network

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import Scenario
    from sim.experiments.compare import Comparison

# When piped (CI, logs), rich assumes 80 columns and squeezes the tables; give them room.
console = Console(width=None if sys.stdout.isatty() else 150)
SAME = ("start_date", "days", "spin_up_days", "scale")  # what every scenario of a comparison must share


def _load(files: list[Path], overrides: dict[str, dict[str, Any]],
          network) -> tuple[dict[str, Scenario], dict[str, str], list[str]]:
    """Validate every file (raising ConfigError) and label the scenarios by name, made unique."""
    scenarios: dict[str, Scenario] = {}
    paths: dict[str, str] = {}
    warnings: list[str] = []
    for path in files:
        scenario, found = load_with_warnings(path, overrides)
        check_against_network(scenario, path, network)
        warnings.extend(found)
        if scenarios:
            base = next(iter(scenarios.values()))
            for key in SAME:
                if getattr(scenario, key) != getattr(base, key):
                    raise ConfigError(path, key, f"{getattr(scenario, key)} differs from the baseline's "
                                      f"{getattr(base, key)} ({files[0]}); scenarios compared must share "
                                      f"{', '.join(SAME)}")
        label, k = scenario.name, 2
        while label in scenarios:
            label, k = f"{scenario.name}_{k}", k + 1
        scenarios[label] = scenario
        paths[label] = str(path)
    return scenarios, paths, warnings


def _claim_folder(out: Path | None, overwrite: bool, scenarios: dict[str, Scenario], seed: int | None,
                  replicates: int) -> Path:
    """The comparison folder, checked before any run: --out, or a short default named by the scenarios and
    settings and made unique (raises OutputError)."""
    from sim.outputs.folders import claim_output, default_output

    base = next(iter(scenarios.values()))
    settings = {"seed": seed if seed is not None else base.seed, "days": base.days, "scale": base.scale,
                "replicates": replicates}
    default = default_output("comparison", list(scenarios), settings)
    return claim_output(out or default, "comparison", overwrite, unique=out is None)


def _num(value: float, unit: str, signed: bool = False) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits = 1 if unit == "people/boat" else 0
    if value == 0:
        return "0"
    return f"{value:{'+' if signed else ''},.{digits}f}"


MIN_REPLICATES = 3  # fewer: no interval printed, nothing starred


def _ci(low: float, high: float, unit: str, n: int) -> str:
    if n < MIN_REPLICATES:
        return f"none ({n} replicate{'s' if n != 1 else ''})"
    return f"{_num(low, unit, True)} to {_num(high, unit, True)}"


def _difference_table(diffs: pd.DataFrame, alt: str, base: str, n_reps: int, kind: str) -> Table:
    """Each outcome (in words) of `alt` against `base`; an interval and a star only from 3 replicates or more."""
    rows = diffs[diffs["scenario"] == alt]
    idle = (rows["base_mean"] == 0) & (rows["alt_mean"] == 0) & (rows["p05"] == 0) & (rows["p95"] == 0)
    sure = n_reps >= MIN_REPLICATES
    headers = ["outcome", "unit", f"{base} mean", "difference", "90% CI of the mean", "5-95% of replicates",
               "change"]
    cells, styles = [], []
    for row in rows[~idle].itertuples():
        unit, star = row.unit, sure and bool(row.ci_excludes_zero)
        change = f"{row.mean / row.base_mean:+.1%}" if row.base_mean else "–"
        cells.append([row.label, unit, _num(row.base_mean, unit), _num(row.mean, unit, True) + (" *" if star else ""),
                      _ci(row.ci_low, row.ci_high, unit, n_reps), _ci(row.p05, row.p95, unit, n_reps), change])
        styles.append("bold" if star else None)
    title = (f"{alt} minus {base}: mean of paired differences over {n_reps} replicates, 90% bootstrap CI of the "
             f"mean, 5-95% of the replicates' differences (intervals of {kind})"
             + (f"; {int(idle.sum())} outcomes zero in both not shown" if idle.any() else ""))
    table = fitted_table(title, headers, cells, console.width, droppable=("5-95% of replicates", "change", "unit"),
                         right=headers[2:], full="differences.csv", styles=styles)
    note = ("* and bold: the 90% CI of the mean difference excludes 0" if sure else
            f"no interval and no star from fewer than {MIN_REPLICATES} replicates (--replicates)")
    table.caption = f"{note}; {table.caption}" if table.caption else note
    table.caption_justify = "left"
    return table


def _place(name: str) -> str:
    """A displacement row in words: the place for corridors and destinations, what happened for fates."""
    from sim.outputs.outcomes import outcome

    declared = outcome(name)
    return declared.measure_label if declared.group == "fate" else declared.place


def _displacement_table(disp: pd.DataFrame, base: str, n_reps: int) -> Table:
    """Where the people went, by corridor, destination and fate; intervals only from 3 replicates or more."""
    alts = list(dict.fromkeys(disp["scenario"]))
    sure = n_reps >= MIN_REPLICATES
    headers = ["kind", "corridor / destination"]
    for alt in alts:
        headers += [f"{alt}: change", f"{alt}: 90% CI"]
    keys = list(dict.fromkeys(zip(disp["group"], disp["name"], strict=True)))
    indexed = disp.set_index(["scenario", "group", "name"])
    cells = []
    for group, name in keys:
        row = [group, _place(indexed.loc[(alts[0], group, name), "outcome"]) if (alts[0], group, name) in indexed.index
               else name]
        for alt in alts:
            if (alt, group, name) not in indexed.index:
                row += ["–", "–"]
                continue
            r = indexed.loc[(alt, group, name)]
            star = " *" if sure and r["ci_excludes_zero"] else ""
            row += [f"{_num(r['mean'], 'people', True)}{star}", _ci(r["ci_low"], r["ci_high"], "people", n_reps)]
        cells.append(row)
    table = fitted_table(f"Where did the people go? Change against {base} (people; mean, 90% CI)", headers, cells,
                         console.width, droppable=[h for h in headers if h.endswith("90% CI")][::-1],
                         right=headers[2:], full="displacement.csv")
    note = ("* : the 90% CI excludes 0" if sure else
            f"no interval and no star from fewer than {MIN_REPLICATES} replicates")
    table.caption = f"{note}; {table.caption}" if table.caption else note
    table.caption_justify = "left"
    return table


def _print(comparison: Comparison, uncosted: dict[str, list[str]], kind: str) -> None:
    n_reps = len(comparison.seeds)
    for alt in comparison.alternatives:
        if alt not in set(comparison.differences["scenario"]):
            console.print(f"{alt}: no pair of runs with {comparison.baseline} completed; no differences")
            continue
        console.print(_difference_table(comparison.differences, alt, comparison.baseline, n_reps, kind))
    console.print(_displacement_table(comparison.displacement, comparison.baseline, n_reps))
    ce = comparison.cost_effectiveness
    if not comparison.costs:
        console.print("Cost-effectiveness: no alternative adds an intervention with a cost (cost_gbp/cost_eur).")
    for cost in comparison.costs:
        console.print(f"[bold]Cost-effectiveness of {cost.scenario}[/]: {', '.join(cost.interventions)} cost "
                      f"EUR {cost.cost_eur:,.0f} (GBP {cost.cost_gbp:,.0f}); target corridors: "
                      f"{', '.join(cost.corridors) or 'none'} (crossings and deaths counted there)", highlight=False)
        for row in ce[ce["scenario"] == cost.scenario].itertuples():
            console.print(f"  cost per {row.per}: {row.text}", highlight=False)
    for alt, names in uncosted.items():
        if names:
            console.print(f"{alt}: no cost stated for {', '.join(names)}: left out of its cost, so any cost per unit "
                          "above is a lower bound", highlight=False)
    failed = len(comparison.failed_runs)
    console.print(f"wall time {comparison.wall_time_s:.1f} s for {len(comparison.run_manifests)} runs"
                  + (f" ({failed} failed)" if failed else ""), highlight=False)


@app.command()
def compare(
    scenario_files: Annotated[list[Path], typer.Argument(
        help="BASE.toml then one or more ALT.toml: each alternative is compared with the first.")],
    replicates: Annotated[int, typer.Option(min=1, help="Runs per scenario (common seeds across scenarios).")] = 10,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores; 1: serial).")] = 0,
    days: Annotated[int | None, typer.Option(help="Override the number of recorded days.")] = None,
    scale: Annotated[float | None, typer.Option(help="People each simulated migrant stands for (>= 1).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed the replicate seeds come from (default: BASE's seed).")
                    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=SET_HELP + " Applies to every scenario.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Comparison folder (default runs/compare-BASE-vs-ALTS-..., made unique). An existing folder is refused "
             "unless it is a previous routesim comparison and --overwrite is given.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it holds a previous routesim comparison.")
                         ] = False,
    charts: Annotated[bool, typer.Option(help="Draw the fan and displacement charts (PNG).")] = True,
    report: Annotated[bool, typer.Option(help=REPORT_HELP)] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar or tables.")] = False,
    uncalibrated: Annotated[bool, typer.Option(help=UNCALIBRATED_HELP)] = False,
    posterior: Annotated[Path | None, typer.Option(help=POSTERIOR_HELP + " Default: the committed posterior "
                                                   "sim/data/calibrated/posterior.parquet.")] = None,
    noise_only: Annotated[bool, typer.Option(help="Draw no parameters: intervals of run-to-run noise only (the "
                                             "overlay's medians for every replicate).")] = False,
) -> None:
    """Compare scenarios: replicated runs with common random numbers; paired differences with 90% CIs, where the
    people went, and cost per crossing prevented and death averted on the interventions' target corridors and per
    arrival prevented. Exit status 1 if any run failed (the rest are compared and written)."""
    if len(scenario_files) < 2:
        raise fail("give a baseline and at least one alternative scenario file (BASE.toml ALT.toml ...)")
    if noise_only and posterior is not None:
        raise fail("--noise-only and --posterior: give one of them, not both")
    calibration = calibration_for(uncalibrated, posterior, draws=not noise_only)
    try:
        network = load_network()
        overrides = {"calibration": calibration.settings(),
                     **flag_overrides(seed=seed, days=days, scale=scale, assignments=set_)}
        scenarios, files, warnings = _load(scenario_files, overrides, network)
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    from sim.outputs.folders import OutputError

    try:
        folder = _claim_folder(out, overwrite, scenarios, seed, replicates)
    except OutputError as err:
        raise fail(str(err)) from None
    for warning in warnings:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sim.experiments.compare import compare_scenarios, comparison_manifest, write_comparison
    from sim.experiments.executor import resolve_workers
    from sim.experiments.pool import Terminated

    labels = list(scenarios)
    base = labels[0]
    base_seed = scenarios[base].seed  # --seed, if given, is the seed of every scenario
    n_runs = replicates * len(labels)
    n_procs = resolve_workers(workers, n_runs)
    try:
        draws = calibration.draws(scenarios[base], base_seed, replicates)
    except ConfigError as err:
        raise fail(str(err)) from None
    interval = calibration.interval(replicates)
    print(calibration.line())
    print(f"intervals: {interval['kind']}")
    if not quiet:
        console.print(f"{n_runs} runs ({len(labels)} scenarios x {replicates} replicates) on {n_procs} "
                      f"process{'es' if n_procs > 1 else ''}", highlight=False)
    try:
        with Progress(TextColumn("compare"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                      TimeElapsedColumn(), disable=quiet, transient=True) as bar:
            task = bar.add_task("compare", total=n_runs)
            comparison = compare_scenarios(scenarios, base, replicates, base_seed, workers=n_procs,
                                           network=network, progress=lambda done: bar.update(task, completed=done),
                                           draws=draws)
    except KeyboardInterrupt as stop:
        by = "SIGTERM" if isinstance(stop, Terminated) else "Ctrl-C"
        err_console.print(f"[bold red]stopped[/] by {by}: workers stopped, nothing written", highlight=False)
        raise typer.Exit(code=143 if isinstance(stop, Terminated) else 130) from None
    manifest = comparison_manifest(comparison, scenarios, files, n_procs, base_seed)
    manifest |= {"calibration": calibration.manifest(), "interval": interval}
    try:
        write_comparison(folder, comparison, manifest, charts=charts, overwrite=overwrite, report=report)
    except OutputError as err:
        raise fail(str(err), code=1) from None
    if not quiet:
        _print(comparison, manifest["uncosted"], interval["kind"])
    print(f"tables:   {folder}/{{runs,differences,displacement,cost_effectiveness,series,legs}}.{{parquet,csv}}")
    if charts:
        print(f"charts:   {folder}/charts/*.png")
    if report:
        print(f"report:   {folder}/report.html (its tables as CSV in {folder}/tables/)")
    print(f"manifest: {folder}/manifest.json")
    failed = comparison.failed_runs
    for row in failed.itertuples():
        err_console.print(f"[bold red]failed:[/] {row.scenario} replicate {row.replicate} (seed {row.seed}): "
                          f"{row.error}", highlight=False, soft_wrap=True)
    if len(failed):
        err_console.print(f"{len(failed)} of {n_runs} runs failed; their pairs are left out of the comparison",
                          highlight=False)
        raise typer.Exit(code=1)
