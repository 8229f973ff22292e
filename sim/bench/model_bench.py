"""Whole-model runs: the baseline scenario with its inflow scaled, grown to a size, stepped and timed."""

import contextlib
import gc
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.population import kernel

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.toml"
# Active people per unit of inflow factor after GROW_DAYS days from empty (measured on the baseline): a first guess
# that `grown_model` corrects once.
ACTIVE_PER_FACTOR = 52_000
GROW_DAYS = 120


def baseline():
    from sim.config import load_scenario

    path = BASELINE if BASELINE.exists() else Path("scenarios") / "baseline.toml"
    return load_scenario(path)


def history(scale: float, days: int = 0):
    """The shipped history scenario at a scale, whole or cut to its first `days` recorded days (spin-up kept)."""
    from sim.config import load_scenario

    path = ROOT / "scenarios" / "history.toml"
    scenario = load_scenario(path if path.exists() else Path("scenarios") / "history.toml")
    return scenario.model_copy(update={"scale": scale, **({"days": days} if days else {})})


def scaled_scenario(factor: float, days: int, spin_up_days: int = 0, **changes):
    """The baseline with every origin's inflow multiplied by `factor`."""
    base = baseline()
    inflow = {key: series.model_copy(update={"people_per_day": [v * factor for v in series.people_per_day]})
              for key, series in base.inflow.items()}
    return base.model_copy(update={"inflow": inflow, "days": days, "spin_up_days": spin_up_days, **changes})


def active(model) -> int:
    return int(model.population.active_state_counts().sum())


def grown_model(target_active: int, days: int = GROW_DAYS, correct: bool = True):
    """A model stepped `days` days from empty with inflow scaled so that about `target_active` people are active.

    The factor is first guessed from ACTIVE_PER_FACTOR; if the grown model is more than 10% off, the model is grown
    again with the factor corrected in proportion.
    """
    from sim.model import RouteModel

    factor = target_active / ACTIVE_PER_FACTOR
    model = RouteModel(scaled_scenario(factor, days=days + 30))
    for _ in range(days):
        model.step()
    got = active(model)
    if correct and got > 0 and not 0.9 < got / target_active < 1.1:
        model = RouteModel(scaled_scenario(factor * target_active / got, days=days + 30))
        for _ in range(days):
            model.step()
    return model


def time_model_steps(model, steps: int) -> list[float]:
    """Seconds per whole-model step (spawn, actors, kernel, recording), `steps` times."""
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    return times


@contextlib.contextmanager
def timed_calls(module, names: tuple[str, ...]) -> Iterator[list[float]]:
    """Record the seconds of every call the model makes to `module.<name>` for each name (the model looks them up
    on the module each day, so wrapping them there times them)."""
    spent: list[float] = []
    originals = {name: getattr(module, name) for name in names}

    def timing(function):
        def call(*args):
            started = time.perf_counter()
            function(*args)
            spent.append(time.perf_counter() - started)
        return call

    for name, function in originals.items():
        setattr(module, name, timing(function))
    try:
        yield spent
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def timed_kernel() -> contextlib.AbstractContextManager[list[float]]:
    """Record the seconds of every kernel call the model makes."""
    return timed_calls(kernel, ("step_serial", "step_parallel"))


@dataclass
class YearRun:
    seconds: float  # build the model, run every day, build the tables
    kernel_seconds: float
    tables_seconds: float
    mean_active: float
    days: int


def mean_active(tables: dict, scale: float) -> float:
    """Mean people per day in states that are not final, from the daily population table."""
    pop = tables["daily_population"]
    names = kernel.STATE_NAMES[: kernel.FIRST_FINAL]
    per_day = pop[pop["state"].isin(names)].groupby("date")["people"].sum() / scale
    return float(per_day.mean())


def run_year(scenario) -> YearRun:
    """One run as `routesim run` does it (without writing files): build, run, tables; with data collection."""
    from sim.model import RouteModel

    gc.collect()
    with timed_kernel() as spent:
        started = time.perf_counter()
        model = RouteModel(scenario)
        model.run()
        tables_started = time.perf_counter()
        tables = model.recorder.tables()
        done = time.perf_counter()
    return YearRun(done - started, sum(spent), done - tables_started, mean_active(tables, scenario.scale),
                   scenario.spin_up_days + scenario.days)


def calibrate_factor(target_mean: float, days: int, factors: tuple[float, float] = (1.0, 4.0)) -> dict:
    """The inflow factor for a mean of `target_mean` active people over `days` days from empty.

    Two short trials at small factors give a power law mean = a * factor**b (b is slightly above 1: at a fixed
    number of boat places, queues grow faster than inflow), solved for the target.
    """
    means = [run_year(scaled_scenario(f, days=days)).mean_active for f in factors]
    b = math.log(means[1] / means[0]) / math.log(factors[1] / factors[0])
    factor = factors[1] * (target_mean / means[1]) ** (1.0 / b)
    return {"factor": factor, "exponent": b, "trials": dict(zip(factors, means, strict=True))}


def median(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan
