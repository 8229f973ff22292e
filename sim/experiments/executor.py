"""The run boundary every multi-run command stands on: a run spec goes in, a run record comes out.

A `RunSpec` is plain data (the resolved scenario as a JSON-mode dict, its seed, replicate and sample id), so it
pickles to any process or cluster. `run_spec` turns one into a `RunRecord` (status, one-line error, wall time,
scalar outcomes, series, the run's manifest) and never raises: a run that fails is a failed record.
`execute` runs many specs serially in this process, in spawned worker processes (one Numba thread each, see
ENGINEERING.md; a worker that dies fails only the run it held, `sim.experiments.pool`), or on any
`concurrent.futures.Executor`, such as a Dask `Client(...).get_executor()`. Records reach the caller's sink in
the parent as they finish, so only the parent writes.

Replicate seeds follow common random numbers: replicate i of every scenario or sample gets the same seed, and
since the model keys its draws by seed, paired runs share their randomness and their differences measure the
scenarios, not the noise.

This module imports neither Numba nor the model at import time: workers import them once, on their first run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Executor, as_completed
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.experiments.pool import run_in_processes, sigterm_as_interrupt

if TYPE_CHECKING:
    import pandas as pd

    from sim.config import Scenario
    from sim.network import Network
    from sim.runner import RunResult

ERROR_CHARS = 500  # a failed record's error is one line, at most this long
WORKER_ENV = {"NUMBA_NUM_THREADS": "1"}  # read by Numba when a worker imports it: one thread per run


@dataclass(frozen=True)
class RunSpec:
    """One run to do, as plain data: `scenario` is a JSON-mode dump of the resolved scenario, `seed` set in it."""

    run_id: int  # unique within an experiment or comparison
    label: str  # the scenario's label (comparison) or the experiment's name
    sample_id: int  # the design point (a comparison: the scenario's index)
    replicate: int
    seed: int
    scenario: dict


@dataclass
class RunRecord:
    """What one run gave: status "ok" or "failed" (with a one-line `error`), outcomes, series and manifest."""

    run_id: int
    label: str
    sample_id: int
    replicate: int
    seed: int
    status: str
    error: str | None
    wall_time_s: float
    outcomes: dict[str, float]
    series: pd.DataFrame | None  # long format, whatever the reducer returns
    manifest: dict  # the run's manifest without the scenario (the spec has it); {} when failed


Reducer = Callable[["RunResult"], tuple[dict[str, float], "pd.DataFrame | None"]]
"""Keeps what is wanted of a run where it was made (in the worker); a module-level function, so it pickles."""


def replicate_seeds(base_seed: int, n: int) -> list[int]:
    """n independent seeds (< 2**63) spawned from `base_seed`; the same list for every scenario of a comparison."""
    children = np.random.SeedSequence(base_seed).spawn(n)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def resolve_workers(workers: int, n_runs: int) -> int:
    """Processes to use: 0 means all cores; never more than there are runs; 1 means in-process serial."""
    if workers < 0:
        raise ValueError(f"workers must be >= 0 (0: all cores), got {workers}")
    wanted = workers or os.cpu_count() or 1
    return max(1, min(wanted, n_runs))


def spec_scenario(spec: RunSpec) -> Scenario:
    """The spec's scenario, validated again by the pydantic models.

    The dict is a JSON-mode dump (dates as text), which the strict models accept only as JSON; going through
    JSON also refuses anything a sweep may have put in the dict that a scenario file could not hold."""
    from sim.config import Scenario

    return Scenario.model_validate_json(json.dumps(spec.scenario))


def make_spec(run_id: int, label: str, sample_id: int, replicate: int, scenario: Scenario, seed: int) -> RunSpec:
    """A spec running `scenario` with `seed`, validated here (a bad seed fails now, not in a worker)."""
    data = scenario.model_dump(mode="json")
    data["seed"] = seed
    spec = RunSpec(run_id, label, sample_id, replicate, seed, data)
    spec_scenario(spec)
    return spec


def replicate_specs(scenarios: dict[str, Scenario], seeds: Sequence[int],
                    draws: Sequence[Mapping[str, Any]] | None = None) -> list[RunSpec]:
    """Every scenario (by label, sample id = its index) times every seed: replicate i of each runs with seeds[i],
    and with the settings draws[i] (a posterior draw of parameters) when given: the same for every scenario."""
    from sim.config import apply_overrides

    def scenario_of(scenario: Scenario, replicate: int) -> Scenario:
        return scenario if draws is None else apply_overrides(scenario, draws[replicate],
                                                              f"posterior draw {replicate}")

    return [make_spec(sample_id * len(seeds) + replicate, label, sample_id, replicate,
                      scenario_of(scenario, replicate), seed)
            for sample_id, (label, scenario) in enumerate(scenarios.items())
            for replicate, seed in enumerate(seeds)]


_network: Network | None = None


def process_network() -> Network:
    """The route network, loaded once per process (each worker's first run) rather than once per run."""
    global _network
    if _network is None:
        from sim.network import load_network

        _network = load_network()
    return _network


def error_line(err: BaseException) -> str:
    """An exception as one line: its type and its message with line breaks folded, at most ERROR_CHARS long."""
    message = " ".join(str(err).split())
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS - 1] + "…"


def failed_record(spec: RunSpec, error: str, wall_time_s: float) -> RunRecord:
    """The record of a run that did not complete."""
    return RunRecord(spec.run_id, spec.label, spec.sample_id, spec.replicate, spec.seed, "failed", error,
                     round(wall_time_s, 3), {}, None, {})


def run_spec(spec: RunSpec, reduce: Reducer) -> RunRecord:
    """Run one spec and reduce its result where it was made; never raises (an exception is a failed record)."""
    started = time.perf_counter()
    try:
        from sim.runner import simulate

        scenario = spec_scenario(spec)
        if scenario.seed != spec.seed:
            raise ValueError(f"the spec's seed {spec.seed} is not its scenario's seed {scenario.seed}")
        result = simulate(scenario, process_network())
        outcomes, series = reduce(result)
        manifest = {key: value for key, value in result.manifest.items() if key != "scenario"}
        return RunRecord(spec.run_id, spec.label, spec.sample_id, spec.replicate, spec.seed, "ok", None,
                         round(time.perf_counter() - started, 3), {k: float(v) for k, v in outcomes.items()},
                         series, manifest)
    except Exception as err:
        return failed_record(spec, error_line(err), time.perf_counter() - started)


def _run_on_executor_worker(spec: RunSpec, reduce: Reducer) -> RunRecord:
    """`run_spec` where an outside executor put it: one Numba thread, as in our own workers (one run per core)."""
    import numba

    numba.set_num_threads(1)
    return run_spec(spec, reduce)


def _execute_on(executor: Executor, specs: Sequence[RunSpec], reduce: Reducer,
                deliver: Callable[[RunRecord], None]) -> None:
    submitted = time.perf_counter()
    futures = {executor.submit(_run_on_executor_worker, spec, reduce): spec for spec in specs}
    try:
        for future in as_completed(futures):
            try:
                record = future.result()
            except (Exception, CancelledError) as err:  # e.g. Dask's KilledWorker: the run's own failure
                record = failed_record(futures[future], error_line(err), time.perf_counter() - submitted)
            deliver(record)
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def execute(specs: Sequence[RunSpec], reduce: Reducer, sink: Callable[[RunRecord], None], *, workers: int = 0,
            executor: Executor | None = None, progress: Callable[[int], None] | None = None) -> None:
    """Run every spec and hand each record to `sink` in this process as it finishes (completion order).

    workers: 0 = all cores, 1 = serial in this process, n = n spawned worker processes (one Numba thread each).
    executor: any `concurrent.futures.Executor` (e.g. a Dask client's) used instead; a future that raises
    becomes a failed record. progress: called with the number of records delivered so far. Ctrl-C or SIGTERM
    stops the workers and raises KeyboardInterrupt (`pool.Terminated` for SIGTERM); no worker outlives it."""
    done = 0

    def deliver(record: RunRecord) -> None:
        nonlocal done
        sink(record)
        done += 1
        if progress is not None:
            progress(done)

    if not specs:
        return
    with sigterm_as_interrupt():
        if executor is not None:
            _execute_on(executor, specs, reduce, deliver)
        elif resolve_workers(workers, len(specs)) == 1:
            for spec in specs:
                deliver(run_spec(spec, reduce))
        else:
            run_in_processes(partial(run_spec, reduce=reduce), specs, resolve_workers(workers, len(specs)),
                             on_result=lambda _, record: deliver(record),
                             on_failed=lambda i, message, seconds: deliver(failed_record(specs[i], message, seconds)),
                             env=WORKER_ENV)
