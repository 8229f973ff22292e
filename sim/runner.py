"""Run one scenario end to end and summarise it: the one place the CLI (and later sweeps) run a model."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import pandas as pd

from sim.config import Scenario, resolved, scenario_hash
from sim.model import RouteModel
from sim.network import Network, load_network
from sim.outputs.run_folder import git_revision, versions
from sim.population.population import BYTES_PER_MIGRANT


@dataclass
class RunResult:
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]


def simulate(scenario: Scenario, network: Network | None = None,
             progress: Callable[[int], None] | None = None) -> RunResult:
    """Build the model, run every day, and return its tables with a provenance manifest."""
    started = time.perf_counter()
    model = RouteModel(scenario, network if network is not None else load_network())
    model.run(progress)
    tables = model.recorder.tables()
    manifest = {
        "scenario": resolved(scenario),
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "kernel_seed": model.kernel_seed,
        "scale": scenario.scale,
        "versions": versions(),
        "git_revision": git_revision(),
        "numba_threads": numba.get_num_threads(),
        "wall_time_s": round(time.perf_counter() - started, 3),
        "people_entered": int(model.population.next_id * scenario.scale),
        "bytes_per_migrant": BYTES_PER_MIGRANT,
    }
    return RunResult(tables, manifest)


def corridor_totals(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Totals over the run per corridor, for the terminal summary."""
    daily = tables["daily_corridor"]
    sums = daily.groupby("corridor", sort=False)[
        ["crossings", "departures", "landings", "prevented", "intercepted", "rescued", "deaths", "boats",
         "revenue_eur", "settled", "gone_home"]].sum()
    price = daily.groupby("corridor", sort=False)["mean_price_eur"].mean()
    aboard = (daily["people_per_boat"] * daily["boats"]).groupby(daily["corridor"], sort=False).sum()
    sums["people_per_boat"] = aboard / sums["boats"].where(sums["boats"] > 0)
    sums["mean_price_eur"] = price
    sums["crossing_days"] = daily[daily["boat_landings"] > 0].groupby("corridor")["date"].nunique()
    return sums.fillna({"crossing_days": 0})
