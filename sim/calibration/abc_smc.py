"""ABC-SMC of the history against an observed file, with pyabc.

Summary statistics: one array per observed series (route, metric, resolution), its values in period order,
only the file's own periods (each route's cut-off is the file's last period for it). Distance: per series the
root mean square of log(1 + model) - log(1 + observed), averaged over series with equal weight, so a series of
hundreds of thousands (detections) weighs as much as one of tens (people per boat) and no single series
dominates. Noise: every simulation draws its own seed, so the likelihood ABC approximates includes run-to-run
noise; the overlay is the weighted posterior median, never the best particle, so a lucky seed cannot win.

The history of the inference is pyabc's SQLite database; each generation is written to it as it completes, so a
killed calibration resumes from its last generation (`ABCSMC.load`). Generations run one at a time under a budget
of simulations and of wall time: the next generation starts only if its expected cost (population over the last
acceptance rate) fits in what is left.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.parameters import PARAMETERS, FreeParameter, parameter_settings
from sim.config import Scenario, apply_overrides
from sim.validation.observed import observed_outcomes

SEED_LIMIT = 2**62


def series_key(route: str, metric: str, resolution: str) -> str:
    return f"{route}/{metric}/{resolution}"


def observed_stats(observed: pd.DataFrame) -> dict[str, np.ndarray]:
    """The observed file as pyabc's summary statistics: series key -> values in period order."""
    return {series_key(*key): one.sort_values("start")["value"].to_numpy(float)
            for key, one in observed.groupby(["route", "metric", "resolution"], sort=True)}


def model_stats(series: pd.DataFrame, observed: pd.DataFrame) -> dict[str, np.ndarray]:
    """A run's outcome series (reduce_series's frame) at the observed periods, keyed as `observed_stats`; an
    undefined model value (people per boat with no boat) counts as 0."""
    pairs = observed_outcomes()
    values = series.set_index(["outcome", "resolution", "date"])["value"]
    found = {}
    for (route, metric, resolution), one in observed.groupby(["route", "metric", "resolution"], sort=True):
        dates = one.sort_values("start")["start"].astype("datetime64[ms]")
        index = pd.MultiIndex.from_arrays([[pairs[(route, metric)]] * len(dates), [resolution] * len(dates), dates])
        found[series_key(route, metric, resolution)] = np.nan_to_num(values.reindex(index).to_numpy(float))
    return found


def series_distances(model: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> dict[str, float]:
    """Root mean square log error of each series."""
    return {key: float(np.sqrt(np.mean((np.log1p(model[key]) - np.log1p(obs)) ** 2))) for key, obs in observed.items()}


def distance(model: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> float:
    """The mean over series of their RMS log error (module level: pyabc's workers pickle it)."""
    return float(np.mean(list(series_distances(model, observed).values())))


def prior(parameters: tuple[FreeParameter, ...] = PARAMETERS):
    import pyabc

    return pyabc.Distribution(**{p.id: pyabc.RV("uniform", lo, hi - lo)
                                 for p in parameters for lo, hi in [p.prior_bounds()]})


def values_of(sampled: dict[str, float], parameters: tuple[FreeParameter, ...] = PARAMETERS) -> dict[str, float]:
    """pyabc's sampled numbers (log10 where a prior is on the log) -> parameter values."""
    return {p.id: p.value(sampled[p.id]) for p in parameters if p.id in sampled}


_armed = False


def _arm_worker() -> None:
    """In a worker process of pyabc's samplers: die with the parent (pyabc's daemon workers would otherwise finish
    their run after the parent is killed)."""
    global _armed
    if not _armed and os.getpid() != _MAIN_PID:
        import signal

        from sim.experiments.pool import _die_with_parent

        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # forked with the parent's handler: end quietly instead
        _die_with_parent(os.getppid())
    _armed = True


_MAIN_PID = os.getpid()


@dataclass
class HistoryModel:
    """pyabc's model: parameters -> one run of the (cut) history with a fresh seed -> summary statistics."""

    scenario: Scenario
    observed: pd.DataFrame
    parameters: tuple[FreeParameter, ...] = PARAMETERS
    names: tuple[str, ...] = field(init=False)
    resolutions: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        pairs = observed_outcomes()
        self.names = tuple(sorted({pairs[(r, m)] for r, m in zip(self.observed["route"], self.observed["metric"],
                                                                  strict=True)}))
        self.resolutions = tuple(sorted(set(self.observed["resolution"])))

    def scenario_for(self, values: dict[str, float], seed: int) -> Scenario:
        settings = parameter_settings(values, self.scenario) | {"seed": seed}
        return apply_overrides(self.scenario, settings, "calibration")

    def __call__(self, sampled: dict[str, float]) -> dict[str, np.ndarray]:
        from functools import partial

        from sim.experiments.executor import make_spec, run_spec
        from sim.validation.run import reduce_series

        _arm_worker()
        seed = int(np.random.randint(SEED_LIMIT))  # pyabc's own generator state: seeded by `calibrate --seed`
        scenario = self.scenario_for(values_of(dict(sampled), self.parameters), seed)
        record = run_spec(make_spec(0, "calibration", 0, 0, scenario, seed),
                          partial(reduce_series, names=self.names, resolutions=self.resolutions))
        if record.status != "ok":
            raise RuntimeError(f"calibration run failed: {record.error}")
        return model_stats(record.series, self.observed)


def make_sampler(workers: int, dask_local: int | None = None, dask_scheduler: str | None = None):
    """pyabc's sampler and what to close after: a single core (deterministic), processes, or a Dask cluster."""
    import pyabc

    if dask_local or dask_scheduler:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True) if dask_local else None
        client = Client(cluster if cluster is not None else dask_scheduler)
        closers = [client.close] + ([cluster.close] if cluster is not None else [])
        return pyabc.sampler.DaskDistributedSampler(dask_client=client), closers
    if workers <= 1:
        return pyabc.SingleCoreSampler(), []
    return pyabc.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True), []


@dataclass
class Budget:
    """When to stop: total simulations, wall time, generations, and the population size of each generation."""

    simulations: int
    population: int
    minutes: float
    generations: int = 20


def population_size(budget_simulations: int) -> int:
    """Particles per generation: enough generations (about 1 + 2 + 4 populations' worth) to fit in the budget."""
    return int(min(100, max(4, budget_simulations // 7)))


def run_generations(abc, budget: Budget, seed: int, log: Callable[[str], None] = print) -> None:
    """Run generation after generation while the next one's expected cost (the population over the last acceptance
    rate) fits in the simulations and minutes left, and stop one that overruns them; generation t
    draws from numpy's global state seeded with seed + t (pyabc draws from it), so a single-core run repeats."""
    started = time.perf_counter()
    history = abc.history
    first_done = None
    while True:
        pops = history.get_all_populations()
        pops = pops[pops["t"] >= 0]
        done = int(pops["samples"].sum()) if len(pops) else 0
        first_done = done if first_done is None else first_done
        if len(pops) >= budget.generations:
            log(f"stop: {len(pops)} generations (the most allowed)")
            return
        rate = float(pops["particles"].iloc[-1] / pops["samples"].iloc[-1]) if len(pops) else 1.0
        left = budget.simulations - done
        elapsed = (time.perf_counter() - started) / 60
        pace = (done - first_done) / elapsed if done > first_done else stored_pace(pops)  # simulations a minute
        if pace is not None:  # simulations the time left allows
            left = min(left, int((budget.minutes - elapsed) * pace))
        if len(pops) and budget.population / rate > left:
            log(f"stop: {done} simulations run in {elapsed:.1f} minutes; the next generation would need about "
                f"{budget.population / rate:.0f} more, the budget leaves {max(left, 0)} ({budget.simulations} "
                f"simulations, {budget.minutes:g} minutes)")
            return
        np.random.seed((seed + len(pops)) % 2**32)
        # a generation that would overrun what is left stops unfinished (pyabc keeps the generations before it)
        abc.run(max_nr_populations=1, min_acceptance_rate=min(1.0, budget.population / max(left, 1)))
        if history.max_t < len(pops):
            log(f"stop: generation {len(pops)} did not finish within the {left} simulations left")
            return
        last = history.get_all_populations().iloc[-1]
        log(f"generation {int(last['t'])}: epsilon {last['epsilon']:.4f}, {int(last['particles'])} accepted of "
            f"{int(last['samples'])} simulations ({last['particles'] / last['samples']:.0%}), "
            f"{(time.perf_counter() - started) / 60:.1f} minutes so far")


def stored_pace(pops: pd.DataFrame) -> float | None:
    """Simulations a minute of the last stored generation (from the end times of the last two), if known."""
    if len(pops) < 2:
        return None
    ends = pd.to_datetime(pops["population_end_time"])
    minutes = (ends.iloc[-1] - ends.iloc[-2]).total_seconds() / 60
    return float(pops["samples"].iloc[-1] / minutes) if minutes > 0 else None


INITIAL_EPSILON = 1e9  # generation 0 accepts every prior draw: no separate calibration sample


def make_abc(model: HistoryModel, population: int, sampler, resume: bool = False):
    """pyabc's ABCSMC for the history model: the declared priors, the series-balanced distance, a median
    (alpha 0.5) threshold schedule; resumed, the first threshold is the median of the stored last generation."""
    import pyabc

    initial = "from_sample" if resume else INITIAL_EPSILON
    return pyabc.ABCSMC(model, prior(model.parameters), distance, population_size=population, sampler=sampler,
                        eps=pyabc.QuantileEpsilon(initial_epsilon=initial, alpha=0.5))


def database_url(out: Path) -> str:
    return f"sqlite:///{Path(out).resolve() / DATABASE}"


DATABASE = "calibration.db"
