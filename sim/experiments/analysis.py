"""Analysis of a sweep folder written by `routesim sweep`: per-sample replicate means with t intervals, Sobol,
Morris or RBD-FAST sensitivity indices (SALib), response tables, and scenario discovery with PRIM (EMA Workbench).

Pure functions: a `Sweep` (the folder's tables, read once) in, tidy DataFrames out; nothing here writes or prints.
Only runs with status "ok" are analysed. Replicates are averaged per sample before any sensitivity analysis, as
SALib expects one output per row of its design. Replicate i of every sample shares its seed (common random
numbers), so per-replicate comparisons between samples, or against the base scenario, are paired.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.90  # every interval here: t intervals of means, SALib's bootstrap confidence intervals
MIN_REPLICATES = 3  # fewer replicates than this: no interval (a t interval on 2 runs says next to nothing)
SALIB_SEED = 20250401  # SALib's bootstrap of the confidence intervals, fixed so the same sweep gives the same table
SALIB_RESAMPLES = 500
RESPONSE_BINS = 10  # a parameter with more distinct values than this is binned at its deciles
PRIM_PEEL_ALPHA = 0.1
PRIM_MIN_COVERAGE = 0.8  # the box reported: the densest on the peeling trajectory that keeps 80% of the cases
SAMPLERS = ("grid", "lhs", "sobol", "morris")
METHODS = {"sobol": "sobol", "morris": "morris", "lhs": "rbd_fast"}  # the SALib analysis each design supports
IMPORTANCE = {"sobol": "ST", "morris": "mu_star", "rbd_fast": "S1"}  # what ranks the parameters
OPERATORS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
BASE_SAMPLE = -1
FILES = ("manifest.json", "samples.parquet", "runs.parquet", "outcomes.parquet")


class SweepError(ValueError):
    """A sweep folder that cannot be analysed, or a request it cannot answer; the message is one line."""


@dataclass(frozen=True)
class Sweep:
    """A sweep folder's tables. `values` holds the ok runs' scalar outcomes joined with their sample and
    replicate: run_id, sample_id, replicate, outcome, value."""

    folder: Path
    manifest: dict[str, Any]
    sampler: str
    parameters: tuple[str, ...]
    samples: pd.DataFrame
    runs: pd.DataFrame
    values: pd.DataFrame
    outcomes: tuple[str, ...]

    @property
    def n_failed(self) -> int:
        return int((self.runs["status"] != "ok").sum())

    @property
    def first_error(self) -> str | None:
        """The error text of the first failed run (what an analyst wants to see first), or None."""
        failed = self.runs[self.runs["status"] != "ok"]
        return None if failed.empty else str(failed["error"].iloc[0])


def _read_table(folder: Path, name: str, columns: Sequence[str]) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise SweepError(f"{path}: missing; a sweep folder holds {', '.join(FILES)}")
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise SweepError(f"{path}: not a readable parquet table ({type(err).__name__})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SweepError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def _read_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise SweepError(f"{folder}: no such folder (give the folder `routesim sweep` wrote)")
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise SweepError(f"{folder}: not a routesim sweep (no manifest.json)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise SweepError(f"{path}: not valid JSON") from None
    marker = manifest.get("routesim_output") if isinstance(manifest, dict) else None
    kind = marker.get("kind") if isinstance(marker, dict) else None
    if kind != "sweep":
        raise SweepError(f"{folder}: not a routesim sweep (manifest.json routesim_output.kind is {kind!r}, "
                         "not 'sweep')")
    sampler = manifest.get("sampler")
    if not isinstance(sampler, dict) or sampler.get("kind") not in SAMPLERS:
        raise SweepError(f"{path}: sampler.kind must be one of {', '.join(SAMPLERS)}")
    params = manifest.get("parameters")
    if not isinstance(params, list) or not params or not all(
            isinstance(p, dict) and isinstance(p.get("name"), str) for p in params):
        raise SweepError(f"{path}: parameters must be a non-empty list of objects with a name")
    return manifest


def load_sweep(folder: Path) -> Sweep:
    """Read and check a sweep folder (raising SweepError with one line); keep the ok runs' outcomes."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    sampler = manifest["sampler"]["kind"]
    names = tuple(p["name"] for p in manifest["parameters"])
    samples = _read_table(folder, "samples.parquet", ("sample_id", *names)).sort_values("sample_id")
    text = [n for n in names if not pd.api.types.is_numeric_dtype(samples[n])]
    if text:
        raise SweepError(f"{folder / 'samples.parquet'}: parameter column(s) {', '.join(text)} are not numbers; "
                         "the analysis needs numeric settings")
    runs = _read_table(folder, "runs.parquet", ("run_id", "sample_id", "replicate", "status", "error"))
    scalars = _read_table(folder, "outcomes.parquet", ("run_id", "outcome", "value"))
    ok = runs.loc[runs["status"] == "ok", ["run_id", "sample_id", "replicate"]]
    if ok.empty:
        raise SweepError(f"{folder}: no run finished ok ({len(runs)} runs recorded); nothing to analyse")
    values = scalars.merge(ok, on="run_id", how="inner")
    values = values[np.isfinite(values["value"].astype(float))]
    listed = [o for o in manifest.get("outcomes") or [] if isinstance(o, str)]
    found = list(dict.fromkeys(values["outcome"]))
    outcomes = tuple([o for o in listed if o in set(found)] + [o for o in found if o not in set(listed)])
    return Sweep(folder, manifest, sampler, names, samples.reset_index(drop=True), runs,
                 values[["run_id", "sample_id", "replicate", "outcome", "value"]].reset_index(drop=True), outcomes)


def check_outcomes(sweep: Sweep, requested: Sequence[str] | None) -> list[str]:
    """The outcomes to analyse: the requested ones (each must be in the sweep) or all of the sweep's."""
    if not requested:
        return list(sweep.outcomes)
    for name in requested:
        if name not in sweep.outcomes:
            raise SweepError(f"--outcome: unknown outcome {name!r}; this sweep has: {', '.join(sweep.outcomes)}")
    return list(dict.fromkeys(requested))


def _t_summary(frame: pd.DataFrame, keys: list[str], column: str = "value") -> pd.DataFrame:
    """n, mean, sd and the 90% t interval of the mean of `column` per group (NaN interval when n < 3)."""
    out = frame.groupby(keys, sort=False)[column].agg(n="count", mean="mean", sd="std").reset_index()
    n = out["n"].to_numpy()
    t = stats.t.ppf(0.5 + LEVEL / 2, np.maximum(n - 1, 1))
    half = np.where(n >= MIN_REPLICATES, t * out["sd"].to_numpy() / np.sqrt(n), np.nan)
    out["t90_low"] = out["mean"] - half
    out["t90_high"] = out["mean"] + half
    return out


def summarise_samples(sweep: Sweep, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per sample (the base scenario as sample -1) and outcome: replicates n, mean, sd, 90% t interval of the
    mean (run-to-run noise over the n replicates; none when n < 3) and, when the sweep has base runs, the same for
    the paired difference from the base scenario (replicate i against base replicate i: the same seed)."""
    values = sweep.values[sweep.values["outcome"].isin(outcomes)]
    summary = _t_summary(values, ["sample_id", "outcome"])
    base = values[values["sample_id"] == BASE_SAMPLE]
    if not base.empty:
        paired = values[values["sample_id"] != BASE_SAMPLE].merge(
            base[["outcome", "replicate", "value"]], on=["outcome", "replicate"], suffixes=("", "_base"))
        paired["value"] = paired["value"] - paired["value_base"]
        diff = _t_summary(paired, ["sample_id", "outcome"]).rename(columns=lambda c: c if c in (
            "sample_id", "outcome") else f"vs_base_{c}").drop(columns="vs_base_sd")
        summary = summary.merge(diff, on=["sample_id", "outcome"], how="left").astype({"vs_base_n": "Int64"})
    summary = sweep.samples.merge(summary, on="sample_id", how="right")
    order = {name: i for i, name in enumerate(outcomes)}
    return (summary.sort_values(["sample_id", "outcome"], key=lambda s: s.map(order) if s.name == "outcome" else s)
            .reset_index(drop=True))


def _sample_means(sweep: Sweep, outcome: str) -> pd.Series:
    """Mean over replicates per sample of the design (index sample_id 0..N-1; NaN where no run is ok)."""
    values = sweep.values[(sweep.values["outcome"] == outcome) & (sweep.values["sample_id"] != BASE_SAMPLE)]
    return values.groupby("sample_id")["value"].mean().reindex(sweep.samples["sample_id"])


def _problem(sweep: Sweep) -> dict[str, Any]:
    problem = sweep.manifest.get("problem")
    if not isinstance(problem, dict) or list(problem.get("names") or []) != list(sweep.parameters):
        raise SweepError(f"{sweep.folder / 'manifest.json'}: problem.names must list the parameters "
                         f"{', '.join(sweep.parameters)} in order for a {sweep.sampler} design")
    return {**problem, "num_vars": len(sweep.parameters)}


def _design_size_problem(sweep: Sweep) -> str | None:
    """Why the design's row count cannot be the sampler's, or None."""
    n, k = len(sweep.samples), len(sweep.parameters)
    if not sweep.samples["sample_id"].equals(pd.Series(range(n), name="sample_id")):
        return "samples.parquet sample_id must run 0..N-1 in the design's order"
    if sweep.sampler == "sobol":
        per = 2 * k + 2 if sweep.manifest["sampler"].get("calc_second_order", True) else k + 2
        if n % per:
            return f"{n} samples is not a multiple of {per} (a Sobol design of {k} parameters)"
    if sweep.sampler == "morris" and n % (k + 1):
        return f"{n} samples is not a multiple of {k + 1} (Morris trajectories of {k} parameters)"
    return None


def _indices(sweep: Sweep, problem: dict[str, Any], x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    from SALib.analyze import morris, rbd_fast, sobol

    common = {"num_resamples": SALIB_RESAMPLES, "conf_level": LEVEL, "seed": SALIB_SEED}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if sweep.sampler == "sobol":
            found = sobol.analyze(problem, y, calc_second_order=sweep.manifest["sampler"].get(
                "calc_second_order", True), **common)
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        elif sweep.sampler == "morris":
            found = morris.analyze(problem, x, y, num_levels=int(sweep.manifest["sampler"].get("num_levels", 4)),
                                   **common)
            keys = ("mu_star", "mu_star_conf", "sigma", "mu")
        else:
            found = rbd_fast.analyze(problem, x, y, **common)
            keys = ("S1", "S1_conf")
    return {key: np.asarray(found[key], dtype=float) for key in keys}


def sensitivity(sweep: Sweep, outcomes: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices per outcome and parameter from the per-sample replicate means: Sobol S1/ST (a Sobol
    design), Morris mu_star/sigma (a Morris design) or RBD-FAST S1 (a Latin hypercube), each with its 90%
    bootstrap confidence half-width (`*_conf`), and `importance` (ST, mu_star or S1) to rank by. Returns the table
    and one line per outcome (or design) that could not be analysed, saying why."""
    method = METHODS.get(sweep.sampler)
    if method is None:
        return pd.DataFrame(), [f"sensitivity: a {sweep.sampler} design gives no Sobol, Morris or RBD-FAST indices "
                                "(sweep a sobol, morris or lhs design for them); see the response tables"]
    reason = _design_size_problem(sweep)
    if reason is not None:
        return pd.DataFrame(), [f"sensitivity: the {sweep.sampler} design cannot be analysed: {reason}"]
    problem = _problem(sweep)
    x = sweep.samples[list(sweep.parameters)].to_numpy(dtype=float)
    frames, notes = [], []
    for outcome in outcomes:
        y = _sample_means(sweep, outcome)
        if y.isna().any():
            notes.append(f"sensitivity of {outcome}: {int(y.isna().sum())} of {len(y)} samples have no ok run; "
                         f"{method} needs every sample of the design")
            continue
        if np.ptp(y.to_numpy()) == 0:
            notes.append(f"sensitivity of {outcome}: the same ({y.iloc[0]:g}) in every sample; nothing to attribute")
            continue
        found = _indices(sweep, problem, x, y.to_numpy(dtype=float))
        frame = pd.DataFrame({"outcome": outcome, "method": method, "parameter": list(sweep.parameters), **found})
        frame["importance"] = frame[IMPORTANCE[method]]
        frames.append(frame)
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), notes


def most_influential(sweep: Sweep, table: pd.DataFrame, outcome: str, k: int = 2) -> list[str]:
    """The k parameters with the highest importance for `outcome`; for a grid (no indices), every parameter."""
    if table.empty or outcome not in set(table["outcome"]):
        return list(sweep.parameters) if sweep.sampler == "grid" else list(sweep.parameters[:k])
    rows = table[table["outcome"] == outcome].sort_values("importance", ascending=False, kind="stable")
    return list(rows["parameter"].head(k))


def response_table(sweep: Sweep, outcome: str, parameter: str, bins: int = RESPONSE_BINS) -> pd.DataFrame:
    """`outcome` against `parameter`: per distinct value (a grid, or few values) or decile bin, the mean over the
    samples there (other parameters averaged over the design) with its 90% t interval over the replicates (each
    replicate averaged over the samples first: run-to-run noise, paired by the shared seeds)."""
    values = sweep.values[(sweep.values["outcome"] == outcome) & (sweep.values["sample_id"] != BASE_SAMPLE)]
    frame = values.merge(sweep.samples[["sample_id", parameter]], on="sample_id")
    if sweep.sampler == "grid" or frame[parameter].nunique() <= bins:
        frame["low"] = frame["high"] = frame[parameter]
    else:
        cut = pd.qcut(frame[parameter], bins, duplicates="drop")
        frame["low"] = cut.map(lambda b: b.left).astype(float)
        frame["high"] = cut.map(lambda b: b.right).astype(float)
    per_rep = frame.groupby(["low", "high", "replicate"]).agg(value=("value", "mean"), x=(parameter, "mean"),
                                                               n_samples=("sample_id", "nunique")).reset_index()
    table = _t_summary(per_rep, ["low", "high"])
    extra = per_rep.groupby(["low", "high"]).agg(value_of=("x", "mean"), n_samples=("n_samples", "max"))
    table = table.merge(extra.reset_index(), on=["low", "high"])
    table = table.rename(columns={"n": "n_replicates", "value_of": "value"}).sort_values("low")
    table.insert(0, "parameter", parameter)
    table.insert(0, "outcome", outcome)
    return table[["outcome", "parameter", "value", "low", "high", "n_samples", "n_replicates", "mean", "sd",
                  "t90_low", "t90_high"]].reset_index(drop=True)


def grid_surface(sweep: Sweep, outcome: str, rows: str, columns: str) -> pd.DataFrame:
    """Mean of `outcome` over replicates (and any other parameters) for each pair of `rows` x `columns` values."""
    means = _sample_means(sweep, outcome).rename("mean").reset_index()
    frame = means.merge(sweep.samples[["sample_id", rows, columns]], on="sample_id")
    return frame.pivot_table(index=rows, columns=columns, values="mean", aggfunc="mean").sort_index()


@dataclass(frozen=True)
class Condition:
    """`OUTCOME OP VALUE` from --where; `value` None stands for the base scenario's mean ("baseline")."""

    outcome: str
    op: str
    value: float | None
    text: str

    def holds(self, values: np.ndarray, threshold: float) -> np.ndarray:
        return OPERATORS[self.op](np.asarray(values, dtype=float), threshold)


_FORM = "expected OUTCOME OP VALUE with OP one of <, <=, >, >= and VALUE a number or baseline"


def parse_where(text: str, outcomes: Sequence[str]) -> Condition:
    """Parse a --where condition against the sweep's outcome names (a small parser: nothing is evaluated)."""
    expr = text.strip()
    name = max((o for o in outcomes if expr.startswith(o) and re.match(r"[\s<>=!]", expr[len(o):] or "x")),
               key=len, default=None)
    if name is None:
        token = re.match(r"[^\s<>=!]*", expr).group()
        if re.fullmatch(r"[A-Za-z_][\w.\-]*", token) and expr[len(token):].strip()[:1] in ("<", ">", "=", "!"):
            raise SweepError(f"--where: unknown outcome {token!r}; this sweep has: {', '.join(outcomes)}")
        raise SweepError(f"--where: {_FORM} (e.g. \"deaths.total > baseline\"), got {text!r}")
    found = re.fullmatch(r"\s*([<>=!]+)\s*(\S+)\s*", expr[len(name):])
    if found is None:
        raise SweepError(f"--where: {_FORM}, got {text!r}")
    op, raw = found.groups()
    if op not in OPERATORS:
        raise SweepError(f"--where: operator {op!r} is not allowed; use one of {', '.join(OPERATORS)}")
    if raw == "baseline":
        return Condition(name, op, None, text.strip())
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise SweepError(f"--where: {raw!r} is not a finite number or the word baseline")
    return Condition(name, op, value, text.strip())


def threshold(sweep: Sweep, condition: Condition) -> float:
    """The condition's number: its VALUE, or the mean of the base scenario's ok runs for "baseline"."""
    if condition.value is not None:
        return condition.value
    base = sweep.values[(sweep.values["sample_id"] == BASE_SAMPLE) & (sweep.values["outcome"] == condition.outcome)]
    if base.empty:
        raise SweepError(f"--where: 'baseline' needs ok runs of the base scenario (sample_id -1) for "
                         f"{condition.outcome}; this sweep has none (include_base false?)")
    return float(base["value"].mean())


@dataclass(frozen=True)
class PrimResult:
    """PRIM's peeling trajectory as a table (one box a row: coverage, density, mass, n, cases, restricted
    dimensions, `{parameter}.low/.high`, `selected`), the selected box's row, and what it was asked."""

    boxes: pd.DataFrame
    selected: int
    threshold: float
    n_cases: int
    n_samples: int


def prim_boxes(sweep: Sweep, condition: Condition, min_coverage: float = PRIM_MIN_COVERAGE) -> PrimResult:
    """Scenario discovery: the boxes of parameter space where the per-sample mean of the outcome meets the
    condition (EMA Workbench PRIM, peel_alpha 0.1). The box selected is the densest that keeps `min_coverage`
    of the cases. Raises SweepError when the condition holds in no sample or in all (no box to find)."""
    level = threshold(sweep, condition)
    means = _sample_means(sweep, condition.outcome).dropna()
    x = sweep.samples.set_index("sample_id").loc[means.index, list(sweep.parameters)].astype(float)
    y = condition.holds(means.to_numpy(), level)
    if y.all() or not y.any():
        raise SweepError(f"--where: {condition.text} (threshold {level:,.6g}) holds in {int(y.sum())} of {len(y)} "
                         "samples; PRIM needs samples on both sides")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x.reset_index(drop=True), y, peel_alpha=PRIM_PEEL_ALPHA).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    initial = box.box_lims[0]
    rows = []
    for i, lims in enumerate(box.box_lims):
        row = {"box": i, "coverage": trajectory.loc[i, "coverage"], "density": trajectory.loc[i, "density"],
               "mass": trajectory.loc[i, "mass"], "n": int(trajectory.loc[i, "n"]),
               "cases": int(trajectory.loc[i, "k"]),
               "restricted": ", ".join(p for p in sweep.parameters if not lims[p].equals(initial[p]))}
        for p in sweep.parameters:
            row[f"{p}.low"], row[f"{p}.high"] = float(lims.loc[0, p]), float(lims.loc[1, p])
        rows.append(row)
    boxes = pd.DataFrame(rows)
    eligible = boxes[boxes["coverage"] >= min_coverage]
    chosen = int(eligible.sort_values(["density", "box"], ascending=[False, True]).iloc[0]["box"]) if len(
        eligible) else 0
    boxes["selected"] = boxes["box"] == chosen
    return PrimResult(boxes, chosen, level, int(y.sum()), len(y))
