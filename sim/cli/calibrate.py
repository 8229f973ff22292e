"""`routesim calibrate --observed FILE`: ABC-SMC of the history against FILE (sim/calibration), checkpointed in an
SQLite database in the output folder, resumable, and its posterior, overlays, fit and charts written there."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app, err_console, fail
from sim.config import ConfigError, check_against_network, load_with_warnings
from sim.network import NetworkError, load_network

HISTORY = Path("scenarios/history.toml")
# Measured (docs/calibration_scale.md): a 2014-2021 history run takes about the same time at scale 10 as at 200
# (the daily fixed cost dominates), and at scale 10 the fitted series' totals stay within 10% of scale 1 for 20 of 23
# series (14 of 23 at scale 200).
DEFAULT_SCALE = 10.0
DEFAULT_BUDGET = 400  # simulations; on 2 cores the 45 minutes bind first (about 5-7 simulations a minute)
DEFAULT_MINUTES = 45.0
SETTINGS_FILE = "calibration.json"
PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")


def _cut_observed(table, until: str | None):
    """The observed rows whose period ends by `until` (YYYY or YYYY-MM), ConfigError if none are left."""
    import pandas as pd

    if until is None:
        return table
    if not PERIOD.fullmatch(until):
        raise ConfigError("--until", until, "is neither YYYY nor YYYY-MM (e.g. 2019 or 2019-06)")
    end = pd.Timestamp(until + "-01") + (pd.offsets.MonthEnd(0) if "-" in until else pd.offsets.YearEnd(0))
    kept = table[table["end"] <= end]
    if kept.empty:
        raise ConfigError("--until", until, "leaves no observed period; give a later period")
    return kept.reset_index(drop=True)


@app.command()
def calibrate(
    observed: Annotated[Path, typer.Option(help="Observed series: CSV with period,route,metric,value[,source] "
                                           "(the format of sim/data/observed_calibration.csv).")],
    until: Annotated[str | None, typer.Option(help="Fit only periods ending by this one (YYYY or YYYY-MM); "
                                              "default: every row (each route up to its own last period).")
                     ] = None,
    budget: Annotated[int, typer.Option(min=4, help="Most simulations in all; the population of a generation is "
                                        "budget / 7 (4 to 100), so about three generations fit.")] = DEFAULT_BUDGET,
    minutes: Annotated[float, typer.Option(min=0.1, help="Most wall time; no generation starts that is expected "
                                           "to end after it.")] = DEFAULT_MINUTES,
    resume: Annotated[bool, typer.Option(help="Continue the calibration in --out from its database.")] = False,
    out: Annotated[Path, typer.Option(help="Calibration folder: calibration.db (pyabc's history), the posterior, "
                                      "overlays, fit and charts.")] = Path("runs/calibration"),
    scale: Annotated[float, typer.Option(help="People each simulated migrant stands for.")] = DEFAULT_SCALE,
    workers: Annotated[int, typer.Option(min=1, help="Processes (pyabc's multicore sampler; 1: single core, "
                                         "deterministic for a seed).")] = 2,
    dask_local: Annotated[int | None, typer.Option(min=1, help="Run on a local Dask cluster of N workers.")
                          ] = None,
    dask_scheduler: Annotated[str | None, typer.Option(help="Run on the Dask cluster at this scheduler address.")
                              ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of pyabc's draws (generation t uses seed + t).")] = 1,
    scenario_file: Annotated[Path, typer.Option("--scenario", help="Scenario calibrated.")] = HISTORY,
    charts: Annotated[bool, typer.Option(help="Draw the predictive charts and pair plots (PNG).")] = True,
    docs: Annotated[Path | None, typer.Option(help="Also write the calibration section of this Markdown page "
                                              "(e.g. docs/validation.md), replacing its previous one.")] = None,
) -> None:
    """Fit the free parameters (sim/calibration/parameters.py) to FILE by ABC-SMC; write the posterior sample
    (posterior.parquet), its summary, the posterior-median overlays, convergence, the fit table and charts."""
    from sim.calibration import abc_smc, outputs
    from sim.validation.observed import check_within, read_observed
    from sim.validation.run import cut_to

    if dask_local and dask_scheduler:
        raise fail("give --dask-local or --dask-scheduler, not both")
    db = out / abc_smc.DATABASE
    if resume:
        try:
            saved = json.loads((out / SETTINGS_FILE).read_text())
        except (OSError, ValueError):
            raise fail(f"--resume: {out} holds no calibration ({SETTINGS_FILE} missing or unreadable)") from None
        if not db.is_file():
            raise fail(f"--resume: {db} not found; run without --resume to start")
        observed, until, scale, seed = Path(saved["observed"]), saved["until"], saved["scale"], saved["seed"]
        scenario_file, population = Path(saved["scenario"]), saved["population"]
    else:
        if db.exists():
            raise fail(f"{db} exists: give --resume to continue it, or another --out")
        population = abc_smc.population_size(budget)
    try:
        table = _cut_observed(read_observed(observed), until)
        scenario, _ = load_with_warnings(scenario_file, {"--scale": {"scale": scale}})
        check_within(table, observed, scenario.start_date)
        scenario, _ = cut_to(scenario, table["end"].max().date(), f"--observed {observed}")
        check_against_network(scenario, scenario_file, load_network())
    except (ConfigError, NetworkError) as err:
        raise fail(str(err)) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise fail(f"--out {out}: {err.strerror}") from None
    settings = {"observed": str(observed), "until": until, "scale": scale, "seed": seed,
                "scenario": str(scenario_file), "population": population}
    if not resume:
        (out / SETTINGS_FILE).write_text(json.dumps(settings, indent=1) + "\n")
    model = abc_smc.HistoryModel(scenario, table)
    sampler, closers = abc_smc.make_sampler(workers, dask_local, dask_scheduler)
    abc = abc_smc.make_abc(model, population, sampler, resume)
    if resume:
        abc.load(abc_smc.database_url(out), 1)
    else:
        abc.new(abc_smc.database_url(out), abc_smc.observed_stats(table))
    print(f"calibrate: {len(model.parameters)} parameters, {table.groupby(['route', 'metric', 'resolution']).ngroups}"
          f" series, {scenario.start_date} to {scenario.end_date()} at scale {scale:g}; population {population}, "
          f"budget {budget} simulations, {minutes:g} minutes" + (" (resumed)" if resume else ""))
    started = time.perf_counter()
    from sim.experiments.pool import Terminated, sigterm_as_interrupt

    try:
        with sigterm_as_interrupt():
            abc_smc.run_generations(abc, abc_smc.Budget(budget, population, minutes), seed)
    except KeyboardInterrupt as stop:
        by = "SIGTERM" if isinstance(stop, Terminated) else "Ctrl-C"
        err_console.print(f"[bold red]stopped[/] by {by}: the generations done are in {db}; --resume continues",
                          highlight=False)
        raise typer.Exit(code=143 if isinstance(stop, Terminated) else 130) from None
    finally:
        for close in closers:
            close()
    history = abc.history
    if history.max_t < 0:
        raise fail("no generation completed; nothing written", code=1)
    note = f"{observed}, {history.total_nr_simulations} simulations, scale {scale:g}"
    summary = outputs.write_all(out, history, model, note, charts)
    from sim.validation.score import overall_line

    print(f"wall time {(time.perf_counter() - started) / 60:.1f} minutes; {history.max_t + 1} generations, "
          f"{history.total_nr_simulations} simulations in all")
    print("fit (posterior predictive median of the last generation): " + overall_line(summary))
    print(f"posterior: {out}/{outputs.POSTERIOR} (summary {out}/posterior_summary.csv)")
    print(f"overlays:  {out}/{outputs.OVERLAY} (every scenario), {out}/{outputs.HISTORY_INFLOW} (the history)")
    if docs is not None:
        from sim.calibration.docs import section, write_section

        write_section(docs, section(out, f"routesim calibrate --observed {observed} --budget {budget} --minutes "
                                         f"{minutes:g} --scale {scale:g} --seed {seed} (resumed {resume})"))
        print(f"docs:      {docs} (calibration section)")
    print(f"fit:       {out}/fit.csv, convergence {out}/convergence.csv" + (f", charts {out}/charts/" if charts
                                                                             else ""))
