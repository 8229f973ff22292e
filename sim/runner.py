"""Run one scenario end to end and summarise it: the one place the CLI (and later sweeps) run a model."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd

from sim.config import Scenario, resolved, scenario_hash
from sim.model import RouteModel
from sim.network import CORRIDORS, Network, load_network
from sim.outputs.outcomes import OUTCOMES, scalar_outcomes
from sim.outputs.run_folder import git_revision, versions
from sim.population.population import BYTES_PER_MIGRANT

OUTCOME_NAMES = frozenset(o.name for o in OUTCOMES)


@dataclass
class RunResult:
    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any]


def simulate(scenario: Scenario, network: Network | None = None,
             progress: Callable[[int], None] | None = None, engine: str = "kernel") -> RunResult:
    """Build the model, run every day, and return its tables with a provenance manifest. `engine`: "kernel" (the
    fast path) or "agents" (one Mesa agent per migrant, same rules, same tables)."""
    started = time.perf_counter()
    model = RouteModel(scenario, network if network is not None else load_network(), engine=engine)
    model.run(progress)
    tables = model.recorder.tables()
    manifest = {
        "scenario": resolved(scenario),
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.seed,
        "engine": engine,
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


SUMMARY_MEASURES = ("crossings", "departures", "landings", "prevented", "intercepted", "rescued", "deaths", "boats",
                    "people_per_boat", "boats_landed", "people_per_boat_landed", "price", "revenue_eur",
                    "crossing_days", "settled", "gone_home")


def corridor_totals(tables: dict[str, pd.DataFrame], measures: tuple[str, ...] = SUMMARY_MEASURES) -> pd.DataFrame:
    """corridor x measure table of the registry's outcomes `measure.corridor` over the run, for the terminal
    summary (NaN where the registry declares no such outcome, e.g. boats on a land corridor)."""
    names = [f"{m}.{c}" for c in CORRIDORS for m in measures if f"{m}.{c}" in OUTCOME_NAMES]
    values = scalar_outcomes(tables, names)
    table = pd.DataFrame(np.nan, index=pd.Index(CORRIDORS, name="corridor"), columns=list(measures))
    for name, value in values.items():
        measure, _, corridor = name.partition(".")
        table.at[corridor, measure] = value
    return table
