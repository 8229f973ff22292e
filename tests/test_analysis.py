"""`routesim analyse`: sensitivity indices of known value (Ishigami through a synthetic Sobol sweep), Morris
ranking, PRIM on a known threshold, grid response tables, the --where parser, bad folders and the files written.

The sweep folders here are synthetic, written in the format `routesim sweep` writes, so the analysis is tested
against functions whose answers are known rather than against the simulator."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import latin, morris, sobol
from SALib.test_functions import Ishigami
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.analysis import (
    SweepError,
    load_sweep,
    most_influential,
    parse_where,
    prim_boxes,
    response_table,
    sensitivity,
    summarise_samples,
)

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# Analytic first-order and total indices of Ishigami (a=7, b=0.1)
S1_TRUE = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST_TRUE = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
SEED = 20250401


def write_sweep(folder: Path, sampler: dict, problem: dict, x: np.ndarray,
                outcomes: dict[str, Callable[[np.ndarray], np.ndarray]], replicates: int = 2, noise: float = 0.01,
                base: dict[str, float] | None = None, failed: frozenset[int] = frozenset()) -> Path:
    """Write a sweep folder: every sample run `replicates` times, outcome = f(x) + replicate noise (the same draw
    for replicate i of every sample: common random numbers); `base` adds base-scenario runs (sample -1) with those
    means; runs in `failed` (run ids) are recorded as failed with no outcomes."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(SEED)
    names = problem["names"]
    samples = pd.DataFrame(x, columns=names)
    samples.insert(0, "sample_id", np.arange(len(x), dtype=np.int64))
    rep_noise = {name: rng.normal(0.0, noise, replicates) for name in outcomes}
    runs, values = [], []
    ids = [(-1, r) for r in range(replicates)] if base else []
    ids += [(s, r) for s in range(len(x)) for r in range(replicates)]
    for run_id, (sample, rep) in enumerate(ids):
        ok = run_id not in failed
        params = dict.fromkeys(names, np.nan) if sample < 0 else dict(zip(names, x[sample], strict=True))
        runs.append({"run_id": run_id, "sample_id": sample, "replicate": rep, "seed": 1000 + rep,
                     "status": "ok" if ok else "failed", "error": "" if ok else "RuntimeError: boom",
                     "wall_time_s": 0.1, **params})
        if ok:
            for name, f in outcomes.items():
                mean = base[name] if sample < 0 else float(f(x[sample:sample + 1])[0])
                values.append({"run_id": run_id, "outcome": name, "value": mean + rep_noise[name][rep]})
    parameters = [{"path": f"behaviour.{n}", "name": n, "low": lo, "high": hi, "values": None,
                   "distribution": "uniform"} for n, (lo, hi) in zip(names, problem["bounds"], strict=True)]
    manifest = {"routesim_output": {"kind": "sweep", "version": 1}, "experiment": {"name": folder.name},
                "sampler": sampler, "parameters": parameters,
                "problem": None if sampler["kind"] == "grid" else problem, "replicates": replicates,
                "root_seed": SEED, "include_base": bool(base), "outcomes": list(outcomes)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    samples.to_parquet(folder / "samples.parquet", index=False)
    pd.DataFrame(runs).to_parquet(folder / "runs.parquet", index=False)
    pd.DataFrame(values).to_parquet(folder / "outcomes.parquet", index=False)
    pd.DataFrame({"run_id": pd.Series(dtype="int64"), "outcome": pd.Series(dtype=str),
                  "date": pd.Series(dtype="datetime64[ms]"), "value": pd.Series(dtype=float)}).to_parquet(
        folder / "series.parquet", index=False)
    return folder


def ishigami(x: np.ndarray) -> np.ndarray:
    return Ishigami.evaluate(x)
