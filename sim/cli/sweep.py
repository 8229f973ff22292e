"""`routesim sweep experiments/FILE.toml`: every design point x replicate, on local processes or a Dask cluster,
streamed to a resumable folder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli import POSTERIOR_HELP, REPORT_HELP, UNCALIBRATED_HELP, app, calibration_for, err_console, fail
from sim.config import ConfigError
from sim.network import NetworkError

if TYPE_CHECKING:
    from concurrent.futures import Executor


@contextmanager
def dask_executor(local: int | None, scheduler: str | None) -> Iterator[tuple[Executor | None, str]]:
    """A Dask executor on a LocalCluster of `local` single-threaded worker processes, or on an existing scheduler;
    (None, '') when neither is asked for. The cluster started here is closed on the way out."""
    if local is None and scheduler is None:
        yield None, ""
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler, timeout="20s") as client:
            yield client.get_executor(pure=False), f"dask scheduler {scheduler}"
        return
    with LocalCluster(n_workers=local, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", env={"NUMBA_NUM_THREADS": "1"}) as cluster, Client(cluster) as client:
        yield client.get_executor(pure=False), f"dask LocalCluster of {local} workers"


@app.command()
def sweep(
    experiment_file: Annotated[Path, typer.Argument(
        help="Experiment file (TOML), e.g. experiments/officers_curve.toml.")],
    workers: Annotated[int, typer.Option(min=0, help="Local worker processes (0: all cores; 1: serial).")] = 0,
    dask_local: Annotated[int | None, typer.Option(min=1, help="Run on a Dask LocalCluster of N worker processes.")
                          ] = None,
    dask_scheduler: Annotated[str | None, typer.Option(help="Run on an existing Dask scheduler (tcp://HOST:PORT).")
                              ] = None,
    out: Annotated[Path | None, typer.Option(help="Sweep folder (default runs/sweep-NAME). An existing folder is "
                                             "refused unless it is a previous routesim sweep and --overwrite (or "
                                             "--resume) is given.")] = None,
    resume: Annotated[bool, typer.Option(help="Continue a killed sweep in --out: run only the missing runs.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace an earlier routesim sweep in --out.")] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help="PATH=VALUE applied to the base scenario "
                                                   "(repeatable), e.g. --set days=30.")] = None,
    report: Annotated[bool, typer.Option(help=REPORT_HELP)] = True,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
    uncalibrated: Annotated[bool, typer.Option(help=UNCALIBRATED_HELP)] = False,
    posterior: Annotated[Path | None, typer.Option(help=POSTERIOR_HELP + " Default: the committed posterior "
                                                   "sim/data/calibrated/posterior.parquet. Settings the sweep "
                                                   "varies keep their design values.")] = None,
    noise_only: Annotated[bool, typer.Option(help="Draw no parameters: replicates differ by seed only.")] = False,
) -> None:
    """Sweep an experiment: every design point x replicate (common seeds across points), written as long tables
    (runs, outcomes, series) that `routesim analyse` reads; resumable after a kill."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sim.config.overrides import parse_assignment
    from sim.experiments.design import load_design
    from sim.experiments.sweep import SweepError, prepare, run_sweep
    from sim.outputs.folders import OutputError, claim_output, default_output

    if dask_local is not None and dask_scheduler is not None:
        raise fail("--dask-local and --dask-scheduler: give one of them, not both")
    if resume and overwrite:
        raise fail("--resume and --overwrite: give one of them, not both")
    if noise_only and posterior is not None:
        raise fail("--noise-only and --posterior: give one of them, not both")
    calibration = calibration_for(uncalibrated, posterior, draws=not noise_only)
    try:
        overrides = calibration.settings() | dict(parse_assignment(text) for text in set_ or [])
        design = load_design(experiment_file, overrides)
        draws = calibration.draws(design.base, design.experiment.root_seed, design.experiment.replicates)
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    import dataclasses

    design = dataclasses.replace(design, draws=tuple(draws or ()), calibration=calibration.manifest())
    interval = calibration.interval(design.experiment.replicates)
    err_console.print(f"{calibration.line()}; intervals: {interval['kind']}", highlight=False, soft_wrap=True)
    folder = out if out is not None else default_output("sweep", [design.experiment.name], {})
    try:
        if not resume:
            folder = claim_output(folder, "sweep", overwrite)
        prepared = prepare(folder, design, resume)
    except (OutputError, SweepError) as err:
        raise fail(str(err)) from None
    n_points = len(design.samples) + (1 if design.experiment.include_base else 0)
    if not quiet:
        err_console.print(f"{design.experiment.name}: {len(design.samples)} design points"
                          f"{' + the base scenario' if design.experiment.include_base else ''} x "
                          f"{design.experiment.replicates} replicates = {n_points * design.experiment.replicates} "
                          f"runs ({design.experiment.sampler.kind})", highlight=False)
    try:
        with dask_executor(dask_local, dask_scheduler) as (executor, label), \
                Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                         TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), disable=quiet,
                         transient=True) as bar:
            task = bar.add_task("sweep", total=None)
            summary = run_sweep(design, prepared, resume, workers=workers, executor=executor,
                                workers_label=label or f"{workers or 'all'} local processes",
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
    except SweepError as err:
        raise fail(str(err)) from None
    print(f"{summary.n_ran} runs done in {summary.wall_time_s:.1f} s ({summary.n_runs} in the sweep)")
    print(f"tables:   {folder}/{{runs,outcomes,series,samples}}.parquet")
    if report and summary.n_failed < summary.n_runs:
        from sim.experiments.analysis import SweepError as AnalysisError
        from sim.report import ReportError, add_report

        try:
            print(f"report:   {add_report(folder)} (its tables as CSV in {folder}/tables/)")
        except (ReportError, AnalysisError) as err:
            err_console.print(f"[bold yellow]warning:[/] no report: {err}", highlight=False, soft_wrap=True)
    print(f"manifest: {folder}/manifest.json")
    if summary.n_failed:
        err_console.print(f"[bold red]error:[/] {summary.n_failed} of {summary.n_runs} runs failed (status in "
                          f"{folder}/runs.parquet); first: {'; '.join(summary.first_errors)}", highlight=False,
                          soft_wrap=True)
        raise typer.Exit(code=1)
