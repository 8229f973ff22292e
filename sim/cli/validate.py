"""`routesim validate --observed FILE`: run the history as far as FILE goes, replicated, and score every series
FILE holds in the fixed table validation.csv (sim/validation/score.py), with a chart per series."""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import app, err_console, fail, flag_overrides
from sim.config import ConfigError, check_against_network, load_with_warnings, resolved, scenario_hash
from sim.network import NetworkError, load_network

console = Console(width=None if sys.stdout.isatty() else 150)
HISTORY = Path("scenarios/history.toml")
DEFAULT_REPLICATES = 10
DEFAULT_SCALE = 50.0  # measured: the 2014-2021 history at this scale, 10 replicates, within 10 minutes on 2 cores


def _table(table) -> Table:
    shown = Table(title="validation.csv: model (median of replicates; bands: run-to-run noise) against observed",
                  title_justify="left")
    for column in table.columns:
        shown.add_column(column, justify="left" if column in ("route", "metric", "resolution") else "right")
    for row in table.itertuples(index=False):
        shown.add_row(*(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    return shown


@app.command()
def validate(
    observed: Annotated[Path, typer.Option(help="Observed series: CSV with period,route,metric,value[,source] "
                                           "(the format of sim/data/observed_calibration.csv).")],
    scenario_file: Annotated[Path, typer.Option("--scenario", help="Scenario run and scored.")] = HISTORY,
    params: Annotated[Path | None, typer.Option(
        help="Parameter overlay: a TOML file of scenario values applied like --set (default: the package's "
             "fitted overlay sim/data/calibrated/overlay.toml if there is one, and on the history its fitted "
             "inflow sim/data/calibrated/history_inflow.toml; else the scenario's own values).")
                      ] = None,
    replicates: Annotated[int, typer.Option(min=1, help="Runs (seeds spawned from the scenario's seed); the "
                                            "model value is their median. A 90% band needs at least 10.")
                          ] = DEFAULT_REPLICATES,
    scale: Annotated[float, typer.Option(help="People each simulated migrant stands for (>= 1).")] = DEFAULT_SCALE,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: all cores; 1: serial).")] = 0,
    out: Annotated[Path | None, typer.Option(
        help="Validation folder (default runs/validate-NAME-..., made unique). An existing folder is refused unless "
             "it is a previous routesim validation and --overwrite is given.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it holds a previous routesim validation.")
                         ] = False,
    charts: Annotated[bool, typer.Option(help="Draw one chart per series (PNG).")] = True,
    docs: Annotated[Path | None, typer.Option(
        help="Also write this Markdown page (e.g. docs/validation.md) with the method, table and charts; its "
             "charts go in the folder of the same name beside it.")] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar or table.")] = False,
    uncalibrated: Annotated[bool, typer.Option(help="The scenario's own values: no --params and not the package's "
                                               "fitted overlay.")] = False,
) -> None:
    """Score the model against published series: ARD, MAPE, MASE against the naive forecast and direction hits
    per (route, metric, resolution), in validation.csv. Exit status 1 if any run failed."""
    from sim.config.overrides import apply_overrides
    from sim.outputs.folders import OutputError, claim_output, default_output
    from sim.validation.observed import check_within, read_observed
    from sim.validation.run import cut_to, default_history_inflow, default_overlay, overlay_settings

    if uncalibrated and params is not None:
        raise fail("--uncalibrated and --params: give one of them, not both")
    overlay = None if uncalibrated else params if params is not None else default_overlay()
    overlays = [overlay] if overlay is not None else []
    try:
        table_in = read_observed(observed)
        network = load_network()
        scenario, warnings = load_with_warnings(scenario_file, flag_overrides(scale=scale))
        if overlay is not None and params is None and scenario.name == "history" and default_history_inflow():
            overlays.append(default_history_inflow())  # the fitted inflow belongs to the history's own origins
        for path in overlays:
            scenario = apply_overrides(scenario, overlay_settings(path), str(path))
        check_within(table_in, observed, scenario.start_date)
        scenario, extended = cut_to(scenario, table_in["end"].max().date(), f"--observed {observed}")
        check_against_network(scenario, scenario_file, network)
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    settings = {"scale": scenario.scale, "replicates": replicates}
    try:
        folder = claim_output(out or default_output("validation", [scenario.name], settings), "validation",
                              overwrite, unique=out is None)
    except OutputError as err:
        raise fail(str(err)) from None
    held = [w for w in warnings if ": inflow." in w]  # curves held past their last knot: the history's rule
    for warning in warnings:
        if warning not in held:
            err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    if held:
        print(f"inflow: {len(held)} first or last dates of curves fall inside the run's days; levels are held "
              "beyond them")
    used = ("parameter overlay " + " and ".join(map(str, overlays)) + (" (fitted)" if params is None else "")
            if overlays else "the scenario's own values (uncalibrated"
            + (")" if uncalibrated else ": no --params, and the package has no fitted overlay)"))
    print(f"parameters: {used}")
    print(f"runs {scenario.start_date} to {scenario.end_date()} (the observed file's last period)"
          + (", past the scenario's own end: inflows held at their last level" if extended else "")
          + f"; {replicates} replicate{'s' if replicates > 1 else ''} at scale {scenario.scale:g}")

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sim.experiments.executor import resolve_workers
    from sim.experiments.pool import Terminated
    from sim.outputs.run_folder import git_revision, versions
    from sim.validation import report, score
    from sim.validation.run import paired, run_replicates

    n_procs = resolve_workers(workers, replicates)
    revision, load = git_revision(), os.getloadavg()[0]  # the code that ran, and how busy the machine was
    started = time.perf_counter()
    try:
        with Progress(TextColumn("validate"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                      TimeElapsedColumn(), disable=quiet, transient=True) as bar:
            task = bar.add_task("validate", total=replicates)
            runs = run_replicates(scenario, table_in, replicates, n_procs,
                                  progress=lambda done: bar.update(task, completed=done))
    except KeyboardInterrupt as stop:
        by = "SIGTERM" if isinstance(stop, Terminated) else "Ctrl-C"
        err_console.print(f"[bold red]stopped[/] by {by}: workers stopped, nothing written", highlight=False)
        raise typer.Exit(code=143 if isinstance(stop, Terminated) else 130) from None
    wall = time.perf_counter() - started
    for record in runs.failed:
        err_console.print(f"[bold red]failed:[/] replicate {record.replicate} (seed {record.seed}): {record.error}",
                          highlight=False, soft_wrap=True)
    if runs.series is None:
        raise fail(f"all {replicates} runs failed; nothing written", code=1)
    n_ok = replicates - len(runs.failed)
    both = paired(table_in, runs.series, n_ok)
    table = score.score_table(both)
    summary = score.overall(table)
    command = (f"routesim validate --observed {observed} --scenario {scenario_file}"
               + (f" --params {params}" if params is not None else "") + (" --uncalibrated" if uncalibrated else "")
               + f" --replicates {replicates} --scale {scale:g}")
    context = {
        "command": command, "scenario_file": str(scenario_file), "scenario_name": scenario.name,
        "start_date": str(scenario.start_date), "end_date": str(scenario.end_date()), "extended": extended,
        "params": used, "scale": scenario.scale, "seed": scenario.seed, "wall_time_s": wall, "workers": n_procs,
        "observed_file": str(observed), "git_revision": revision, "load_average_at_start": round(load, 2),
        "run_seconds_total": round(sum(m.get("wall_time_s", 0.0) for m in runs.manifests), 1),
    }
    manifest = {
        **context, "scenario": resolved(scenario), "scenario_hash": scenario_hash(scenario),
        "observed_sha256": hashlib.sha256(Path(observed).read_bytes()).hexdigest(), "replicates": replicates,
        "replicates_ok": n_ok, "seeds": runs.seeds, "overall": summary, "versions": versions(),
        "runs": runs.manifests,
        "calibration": {"status": "fitted" if overlays else "uncalibrated",
                        "overlay": " ".join(map(str, overlays)) or None, "posterior": None},
        "interval": {"kind": "run-to-run noise", "replicates": replicates},
    }
    try:
        report.write_folder(folder, both, table, manifest, n_ok, charts, overwrite)
    except OutputError as err:
        raise fail(str(err), code=1) from None
    if docs is not None:
        report.write_docs(docs, both, table, summary, context, n_ok)
    if not quiet:
        console.print(_table(table))
    print(score.overall_line(summary))
    print(f"wall time {wall:.1f} s for {replicates} runs on {n_procs} process{'es' if n_procs > 1 else ''}")
    print(f"table:    {folder}/validation.csv (series: {folder}/series.csv)")
    if charts:
        print(f"charts:   {folder}/charts/*.png")
    if docs is not None:
        print(f"docs:     {docs} (charts in {docs.with_suffix('')}/)")
    print(f"manifest: {folder}/manifest.json")
    if runs.failed:
        err_console.print(f"{len(runs.failed)} of {replicates} runs failed; scored on the other {n_ok}",
                          highlight=False)
        raise typer.Exit(code=1)
