"""The one place where many runs are executed: serially in-process, or in parallel worker processes.

Workers are started with the `spawn` method (Numba's threading layer is not fork-safe, see ENGINEERING.md) and
each runs its kernel on one thread, so the cores are shared between runs rather than inside one run. Scenarios
travel to workers as plain data and results come back as `RunResult`s, in job order whatever the completion
order; only the parent writes files.

Replicate seeds follow common random numbers: replicate i of every scenario gets the same seed, and since the
model keys its kernel draws and weather by seed, paired runs share their randomness and their differences
measure the scenarios, not the noise.

This module imports no Numba at import time, so that the worker initializer can limit the threads first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.network import Network
    from sim.runner import RunResult


@dataclass(frozen=True)
class Job:
    """One run to do: the scenario (seed already set) under a label, and its replicate number."""

    label: str
    scenario: Scenario
    replicate: int


def replicate_seeds(base_seed: int, n: int) -> list[int]:
    """n independent seeds (< 2**63) spawned from `base_seed`; the same list for every scenario of a comparison."""
    children = np.random.SeedSequence(base_seed).spawn(n)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def replicate_jobs(scenarios: dict[str, Scenario], seeds: Iterable[int]) -> list[Job]:
    """Every scenario (by label) times every seed: replicate i of each scenario runs with seeds[i]."""
    seeds = list(seeds)
    return [Job(label, scenario.model_copy(update={"seed": seed}), i)
            for label, scenario in scenarios.items() for i, seed in enumerate(seeds)]


def resolve_workers(workers: int, n_jobs: int) -> int:
    """Processes to use: 0 means all cores; never more than there are jobs; 1 means in-process serial."""
    if workers < 0:
        raise ValueError(f"workers must be >= 0 (0: all cores), got {workers}")
    wanted = workers or os.cpu_count() or 1
    return max(1, min(wanted, n_jobs))


_worker_network: Network | None = None


def _init_worker() -> None:
    """Runs first in each worker: one Numba thread per process (set before Numba is imported)."""
    os.environ["NUMBA_NUM_THREADS"] = "1"
    import numba

    numba.set_num_threads(1)


def _run_payload(payload: dict[str, Any], reduce: Callable[[RunResult], Any] | None) -> Any:
    """Worker side: rebuild the scenario from plain data, run it, optionally reduce the result."""
    global _worker_network
    from sim.config import Scenario
    from sim.network import load_network
    from sim.runner import simulate

    if _worker_network is None:
        _worker_network = load_network()
    result = simulate(Scenario.model_validate(payload), _worker_network)
    return reduce(result) if reduce is not None else result


def run_many(jobs: list[Job], workers: int = 0, progress: Callable[[int], None] | None = None,
             network: Network | None = None, reduce: Callable[[RunResult], Any] | None = None) -> list[Any]:
    """Run every job and return the results (`RunResult`s, or `reduce(result)`s) in job order.

    workers: 0 = all cores, 1 = serial in this process, n = n spawned processes with one Numba thread each.
    progress: called with the number of jobs done after each one finishes. network: used by serial runs (workers
    load their own). reduce: a module-level function applied to each result where it was made (in the worker),
    to keep only what is needed when runs are many.
    """
    if not jobs:
        return []
    n_procs = resolve_workers(workers, len(jobs))
    results: list[Any] = [None] * len(jobs)
    if n_procs == 1:
        from sim.network import load_network
        from sim.runner import simulate

        net = network if network is not None else load_network()
        for i, job in enumerate(jobs):
            result = simulate(job.scenario, net)
            results[i] = reduce(result) if reduce is not None else result
            if progress is not None:
                progress(i + 1)
        return results

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_procs, mp_context=context, initializer=_init_worker) as pool:
        futures = {pool.submit(_run_payload, job.scenario.model_dump(mode="python"), reduce): i
                   for i, job in enumerate(jobs)}
        pending = set(futures)
        done_count = 0
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results[futures[future]] = future.result()  # re-raises a worker's exception here
                    done_count += 1
                    if progress is not None:
                        progress(done_count)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results
