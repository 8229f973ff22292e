"""The runs a validation scores: the scenario cut (or extended) to the observed file's last period, its
replicates through the project's executor, and the model's median and 90% band per observed period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Scenario, apply_overrides
from sim.config.loader import read_toml
from sim.experiments.executor import RunRecord, execute, make_spec, replicate_seeds
from sim.outputs.outcomes import series_outcomes
from sim.validation.observed import observed_outcomes

FITTED_OVERLAY = Path(__file__).resolve().parents[1] / "data" / "calibrated" / "overlay.toml"
BAND_MIN_REPLICATES = 10  # fewer replicates give no meaningful 5-95% range
BARE_KEY = "[A-Za-z0-9_-]+"


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for key, value in data.items():
        found += _leaves(value, (*prefix, key)) if isinstance(value, dict) and value else [((*prefix, key), value)]
    return found


def overlay_settings(path: Path) -> dict[str, Any]:
    """A parameter overlay (TOML of values, e.g. `[behaviour] choice_scale_eur = 600`) as the dotted paths
    `--set` takes, keys quoted where needed (leg ids); ConfigError for a missing or malformed file."""
    import re

    def dotted(parts: tuple[str, ...]) -> str:
        return ".".join(p if re.fullmatch(BARE_KEY, p) else f'"{p}"' for p in parts)

    return {dotted(parts): value for parts, value in _leaves(read_toml(Path(path)))}


def default_overlay() -> Path | None:
    """The fitted overlay committed in the package (the calibration's posterior medians), if there is one."""
    return FITTED_OVERLAY if FITTED_OVERLAY.is_file() else None


def default_history_inflow() -> Path | None:
    """The inflow knots of the history fitted by the calibration, committed beside the overlay, if there are."""
    path = FITTED_OVERLAY.with_name("history_inflow.toml")
    return path if path.is_file() else None


def cut_to(scenario: Scenario, last_day: dt.date, origin: str) -> tuple[Scenario, bool]:
    """The scenario recorded from its start to `last_day`, and whether that runs past its own end (inflows are
    then held at their last level, interventions without an end stay in force)."""
    days = (last_day - scenario.start_date).days + 1
    return apply_overrides(scenario, {"days": days}, origin), last_day > scenario.end_date()


def reduce_series(result, names: tuple[str, ...], resolutions: tuple[str, ...]
                  ) -> tuple[dict[str, float], pd.DataFrame]:
    """The scored outcomes per period of each resolution, in the worker (a module-level function: it pickles)."""
    parts = [series_outcomes(result.tables, res, list(names)).assign(resolution=res) for res in resolutions]
    return {}, pd.concat(parts, ignore_index=True)


@dataclass
class Replicates:
    """The runs of a validation: their seeds, every run's series, and those that failed."""

    seeds: list[int]
    series: pd.DataFrame  # replicate, outcome, resolution, date, days, value
    failed: list[RunRecord]
    manifests: list[dict]


def run_replicates(scenario: Scenario, observed: pd.DataFrame, replicates: int, workers: int,
                   progress: Callable[[int], None] | None = None) -> Replicates:
    """Run the scenario `replicates` times (seeds spawned from its seed) and keep the outcomes `observed` needs."""
    pairs = observed_outcomes()
    names = tuple(sorted({pairs[(r, m)] for r, m in zip(observed["route"], observed["metric"], strict=True)}))
    resolutions = tuple(sorted(set(observed["resolution"])))
    seeds = replicate_seeds(scenario.seed, replicates)
    specs = [make_spec(i, scenario.name, 0, i, scenario, seed) for i, seed in enumerate(seeds)]
    records: list[RunRecord] = []
    execute(specs, partial(reduce_series, names=names, resolutions=resolutions), records.append, workers=workers,
            progress=progress)
    ok = sorted((r for r in records if r.status == "ok"), key=lambda r: r.replicate)
    series = pd.concat([r.series.assign(replicate=r.replicate) for r in ok], ignore_index=True) if ok else None
    return Replicates(seeds, series, [r for r in records if r.status != "ok"], [r.manifest for r in ok])


def paired(observed: pd.DataFrame, series: pd.DataFrame, n_replicates: int) -> pd.DataFrame:
    """Each observed row beside the model's median (and 5% and 95% quantiles when there are enough replicates)
    over the replicates in the same period."""
    pairs = observed_outcomes()
    stats = series.groupby(["outcome", "resolution", "date"])["value"]
    model = stats.median().rename("model").to_frame()
    band = n_replicates >= BAND_MIN_REPLICATES
    model["p05"] = stats.quantile(0.05) if band else np.nan
    model["p95"] = stats.quantile(0.95) if band else np.nan
    table = observed.assign(outcome=[pairs[(r, m)] for r, m in zip(observed["route"], observed["metric"],
                                                                   strict=True)],
                            date=observed["start"].astype("datetime64[ms]")).rename(columns={"value": "observed"})
    joined = table.join(model, on=["outcome", "resolution", "date"])
    return joined[["route", "metric", "resolution", "period", "start", "outcome", "observed", "model", "p05",
                   "p95"]]
