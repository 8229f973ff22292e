"""`routesim analyse SWEEP_DIR`: per-sample replicate means with 90% intervals, sensitivity indices, response
tables and charts, and scenario discovery with PRIM for a condition the analyst names (--where), written
atomically to SWEEP_DIR/analysis (or --out)."""

from __future__ import annotations

import math
import sys
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.cli import app, err_console, fail
from sim.outputs.folders import safe_name

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.analysis import PrimResult, Sweep

# When piped (CI, logs), rich assumes 80 columns and squeezes the tables; give them room.
console = Console(width=None if sys.stdout.isatty() else 200)


def interval_note(sweep: Sweep) -> str:
    """What the printed intervals are, with what the sweep's replicates vary by (its manifest says)."""
    from sim.calibration.use import interval_kind

    return f"90% t interval of the mean over the sample's n replicates ({interval_kind(sweep.manifest)}); none " \
           "where n < 3"
MAX_PRINTED_ROWS = 60  # more sample x outcome rows than this: the table is in samples_summary.csv, not printed
MAX_PRINTED_RESPONSES = 4  # outcomes whose response tables are printed (all are in response.csv)


def _fmt(value: float, digits: int = 3) -> str:
    """A number for a table: `digits` significant figures, whole numbers with thousands separators, never cut."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 10 ** digits:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}"


def _interval(low: float, high: float) -> str:
    return "no interval (n < 3)" if math.isnan(low) else f"{_fmt(low)} to {_fmt(high)}"


def _summary_table(summary: pd.DataFrame, sweep: Sweep) -> Table:
    table = Table(title=f"Per sample: replicate mean and {interval_note(sweep)}", title_justify="left")
    paired = "vs_base_mean" in summary
    for name in ("sample", *sweep.parameters, "outcome", "n", "mean", "90% t interval",
                 *(("minus base (paired)", "90% t interval ") if paired else ())):
        table.add_column(name, justify="left" if name == "outcome" else "right", no_wrap=True)
    for row in summary.to_dict("records"):
        sample = "base" if row["sample_id"] < 0 else str(row["sample_id"])
        cells = [sample, *(_fmt(row[p]) for p in sweep.parameters), row["outcome"], str(row["n"]), _fmt(row["mean"]),
                 _interval(row["t90_low"], row["t90_high"])]
        if paired:
            cells += ["–", "–"] if row["sample_id"] < 0 else [
                _fmt(row["vs_base_mean"]), _interval(row["vs_base_t90_low"], row["vs_base_t90_high"])]
        table.add_row(*cells)
    return table


def _sensitivity_table(indices: pd.DataFrame) -> Table:
    method = str(indices["method"].iloc[0])
    columns = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma"), "rbd_fast": ("S1",)}[method]
    table = Table(title=f"Sensitivity ({method}) of the per-sample replicate means; +- is SALib's 90% bootstrap "
                  "confidence half-width", title_justify="left")
    table.add_column("outcome", no_wrap=True)
    table.add_column("parameter", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right", no_wrap=True)
    order = {name: i for i, name in enumerate(dict.fromkeys(indices["outcome"]))}
    ranked = indices.assign(order=indices["outcome"].map(order)).sort_values(
        ["order", "importance"], ascending=[True, False], kind="stable")
    for row in ranked.itertuples():
        cells = []
        for column in columns:
            conf = getattr(row, f"{column}_conf", None)
            cells.append(_fmt(getattr(row, column)) + ("" if conf is None else f" +- {_fmt(conf, 2)}"))
        table.add_row(row.outcome, row.parameter, *cells)
    return table


def _response_table(response: pd.DataFrame) -> Table:
    outcome, parameter = response["outcome"].iloc[0], response["parameter"].iloc[0]
    binned = not (response["low"] == response["high"]).all()
    where = "in each decile bin" if binned else "at each value"
    table = Table(title=f"{outcome} against {parameter}: mean over the samples {where}, 90% t interval over "
                  "replicates", title_justify="left")
    for name in (parameter, *(["bin"] if binned else []), "samples", "replicates", "mean", "90% t interval"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in response.itertuples():
        table.add_row(_fmt(row.value), *([f"{_fmt(row.low)} to {_fmt(row.high)}"] if binned else []),
                      str(row.n_samples), str(row.n_replicates), _fmt(row.mean), _interval(row.t90_low, row.t90_high))
    return table


def _prim_table(result: PrimResult, text: str) -> Table | str:
    box = result.boxes[result.boxes["selected"]].iloc[0]
    if not box["restricted"]:
        return (f"PRIM: where {text} (threshold {_fmt(result.threshold, 6)}; {result.n_cases} of {result.n_samples} "
                "samples): no box restricts a setting; the cases are not concentrated in one part of the sweep")
    table = Table(title=f"PRIM: where {text} (threshold {_fmt(result.threshold, 6)}; {result.n_cases} of "
                  f"{result.n_samples} samples): box {int(box['box'])}, coverage {box['coverage']:.2f}, density "
                  f"{box['density']:.2f}, {int(box['n'])} samples", title_justify="left")
    for name in ("parameter", "box low", "box high", "samples' low", "samples' high"):
        table.add_column(name, justify="left" if name == "parameter" else "right", no_wrap=True)
    first = result.boxes.iloc[0]
    for parameter in [p for p in box["restricted"].split(", ") if p]:
        table.add_row(parameter, _fmt(box[f"{parameter}.low"], 4), _fmt(box[f"{parameter}.high"], 4),
                      _fmt(first[f"{parameter}.low"], 4), _fmt(first[f"{parameter}.high"], 4))
    table.caption = (f"the densest box keeping >= 80% of the cases; all {len(result.boxes)} boxes of the peeling "
                     "trajectory are in prim.csv")
    table.caption_justify = "left"
    return table


def _manifest(sweep: Sweep, outcomes: list[str], where: str | None, prim: PrimResult | None,
              notes: list[str], files: list[str]) -> dict[str, Any]:
    from sim.experiments import analysis

    packages = {}
    for name in ("SALib", "ema_workbench", "scipy", "pandas", "numpy"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    return {"sweep": str(sweep.folder.resolve()),
            "sampler": sweep.sampler, "outcomes": outcomes, "runs_ok": int(len(sweep.runs) - sweep.n_failed),
            "runs_failed": sweep.n_failed, "where": where, "threshold": None if prim is None else prim.threshold,
            "methods": {"interval": interval_note(sweep),
                        "sensitivity": f"SALib {analysis.METHODS.get(sweep.sampler, 'none')} on the per-sample "
                                       f"replicate means, {analysis.SALIB_RESAMPLES} bootstrap resamples, "
                                       f"90% confidence, seed {analysis.SALIB_SEED}",
                        "prim": f"EMA Workbench PRIM, peel_alpha {analysis.PRIM_PEEL_ALPHA}, on per-sample "
                                f"replicate means; selected: the densest box with coverage >= "
                                f"{analysis.PRIM_MIN_COVERAGE}"},
            "notes": notes, "files": files, "versions": packages}


@app.command()
def analyse(
    sweep_dir: Annotated[Path, typer.Argument(help="A folder written by `routesim sweep`.")],
    outcome: Annotated[list[str] | None, typer.Option(
        "--outcome", help="Outcome to analyse (repeatable; default: every outcome of the sweep).")] = None,
    where: Annotated[str | None, typer.Option(
        help='Scenario discovery (PRIM) for "OUTCOME OP VALUE", OP one of < <= > >=, VALUE a number or '
             'baseline (the base runs\' mean), e.g. "deaths.total > baseline".')] = None,
    out: Annotated[Path | None, typer.Option(help="Analysis folder (default SWEEP_DIR/analysis).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it holds a previous routesim analysis.")] = False,
    charts: Annotated[bool, typer.Option(help="Draw the charts (PNG).")] = True,
    quiet: Annotated[bool, typer.Option(help="No tables, only where the files are.")] = False,
) -> None:
    """Analyse a sweep: replicate means with 90% intervals per sample, sensitivity indices (Sobol, Morris or
    RBD-FAST), responses to the most influential settings, and PRIM boxes where a condition holds."""
    from sim.experiments import analysis as an
    from sim.outputs.folders import OutputError, claim_output
    from sim.outputs.run_folder import write_run

    folder = out if out is not None else sweep_dir / "analysis"
    try:
        sweep = an.load_sweep(sweep_dir)
        outcomes = an.check_outcomes(sweep, outcome)
        condition = an.parse_where(where, sweep.outcomes) if where is not None else None
        if condition is not None:
            an.threshold(sweep, condition)
    except an.SweepError as err:
        raise fail(str(err)) from None
    try:
        folder = claim_output(folder, "analysis", overwrite)
    except OutputError as err:
        raise fail(str(err)) from None

    notes: list[str] = []
    status = sweep.manifest.get("status", "complete")
    if status != "complete":
        notes.append(f"the sweep is not complete (status {status}): analysing the {len(sweep.runs)} runs merged so far")
    if sweep.n_failed:
        notes.append(f"{sweep.n_failed} of {len(sweep.runs)} runs failed and are left out (first error: "
                     f"{sweep.first_error})")
    summary = an.summarise_samples(sweep, outcomes)
    try:
        indices, found = an.sensitivity(sweep, outcomes)
    except an.SweepError as err:  # a manifest whose SALib problem does not match its parameters
        raise fail(str(err)) from None
    notes.extend(found)
    top = {o: an.most_influential(sweep, indices, o) for o in outcomes}
    responses = {o: [an.response_table(sweep, o, p) for p in top[o]] for o in outcomes}
    surface = len(sweep.parameters) == 2 and sweep.sampler == "grid"
    prim = None
    if condition is not None:
        try:
            prim = an.prim_boxes(sweep, condition)
        except an.SweepError as err:
            notes.append(str(err))

    def extra(tmp: Path) -> None:
        import pandas as pd

        summary.to_csv(tmp / "samples_summary.csv", index=False)
        pd.concat([t for ts in responses.values() for t in ts], ignore_index=True).to_csv(
            tmp / "response.csv", index=False)
        if not indices.empty:
            indices.to_csv(tmp / "sensitivity.csv", index=False)
        if prim is not None:
            prim.boxes.to_csv(tmp / "prim.csv", index=False)
        if charts:
            _draw(tmp / "charts", sweep, summary, indices, responses, surface, prim, where)

    files = ["samples_summary.parquet", "samples_summary.csv", "response.csv"]
    files += ["sensitivity.csv"] if not indices.empty else []
    files += ["prim.csv"] if prim is not None else []
    try:
        write_run(folder, {"samples_summary": summary}, _manifest(sweep, outcomes, where, prim, notes, files),
                  extra=extra, overwrite=overwrite, kind="analysis")
    except OutputError as err:
        raise fail(str(err), code=1) from None
    if not quiet:
        _print(sweep, summary, indices, responses, prim, where, outcomes)
    for note in notes:
        err_console.print(f"[bold yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    print(f"tables:   {folder}/{{{','.join(files)}}}")
    if charts:
        print(f"charts:   {folder}/charts/*.png")
    print(f"manifest: {folder}/manifest.json")


def _draw(charts: Path, sweep: Sweep, summary: pd.DataFrame, indices: pd.DataFrame,
          responses: dict[str, list[pd.DataFrame]], surface: bool, prim: PrimResult | None,
          where: str | None) -> None:
    """Write every chart of the analysis into `charts` (PNG)."""
    from sim.calibration.use import interval_kind
    from sim.experiments.analysis import grid_surface
    from sim.outputs import sweep_charts as sc

    charts.mkdir()
    figures = {}
    for outcome, tables in responses.items():
        if not indices.empty and outcome in set(indices["outcome"]):
            figures[f"sensitivity-{safe_name(outcome, 120)}"] = sc.sensitivity_chart(indices, outcome)
        figures[f"response-{safe_name(outcome, 120)}"] = sc.response_chart(summary, tables, outcome,
                                                                           interval_kind(sweep.manifest))
        if surface:
            figures[f"heatmap-{safe_name(outcome, 120)}"] = sc.heatmap_chart(
                grid_surface(sweep, outcome, rows=sweep.parameters[1], columns=sweep.parameters[0]), outcome)
    if prim is not None:
        figures["prim-tradeoff"] = sc.prim_tradeoff_chart(prim.boxes, str(where))
    for name, figure in figures.items():
        figure.savefig(charts / f"{name}.png", dpi=sc.DPI)


def _print(sweep: Sweep, summary: pd.DataFrame, indices: pd.DataFrame, responses: dict[str, list[pd.DataFrame]],
           prim: PrimResult | None, where: str | None, outcomes: list[str]) -> None:
    n_samples, n_ok = len(sweep.samples), len(sweep.runs) - sweep.n_failed
    console.print(f"{sweep.folder}: {sweep.sampler} design of {len(sweep.parameters)} parameters, {n_samples} "
                  f"samples x {sweep.manifest.get('replicates', '?')} replicates; {n_ok} runs ok, {sweep.n_failed} "
                  "failed", highlight=False)
    if len(summary) <= MAX_PRINTED_ROWS:
        console.print(_summary_table(summary, sweep))
    else:
        console.print(f"{len(summary)} sample x outcome rows ({interval_note(sweep)}): see samples_summary.csv",
                      highlight=False)
    if not indices.empty:
        console.print(_sensitivity_table(indices))
    for outcome in outcomes[:MAX_PRINTED_RESPONSES]:
        for table in responses[outcome]:
            console.print(_response_table(table))
    if len(outcomes) > MAX_PRINTED_RESPONSES:
        console.print(f"response tables of the other {len(outcomes) - MAX_PRINTED_RESPONSES} outcomes: see "
                      "response.csv", highlight=False)
    if prim is not None:
        console.print(_prim_table(prim, str(where)), highlight=False)
