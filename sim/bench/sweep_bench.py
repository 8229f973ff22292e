"""8. Sweeps: runs per minute of one fixed small experiment in one process, through the executor serially, in 1
and 2 local worker processes and on a 2-worker Dask LocalCluster, measured side by side in one benchmark run.

The experiment is the officers curve cut to `runs` runs of a short horizon, so each figure is a few seconds and
process start-up (imports, the Numba cache) is part of what is measured, as it is for a user's sweep.
"""

from __future__ import annotations

import statistics
import time
from functools import partial
from pathlib import Path

from sim.bench import report as rp

EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "officers_curve.toml"


def _specs(days: int, runs: int) -> tuple[list, object]:
    from sim.experiments.design import load_design
    from sim.experiments.sweep import build_specs, reducer

    design = load_design(EXPERIMENT, {"days": days, "spin_up_days": days, "scale": 20.0})
    return build_specs(design)[:runs], reducer(design)


def _timed(run, repeats: int) -> float:
    """The median wall time of `repeats` calls of `run` (the machine is noisy: medians, not single runs)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sweep_section(report: rp.Report, days: int, runs: int, dask: bool = True, repeats: int = 3) -> None:
    """Runs per minute and the executor's overhead per run; the 2-worker speed-up over 1 worker (target 1.8x)."""
    from sim.cli.sweep import dask_executor
    from sim.experiments.executor import WORKER_ENV, execute, run_spec
    from sim.experiments.pool import run_in_processes

    specs, reduce = _specs(days, runs)
    records: list = []
    for spec in specs[:1]:  # warm this process (imports, network, kernel cache) before timing it
        run_spec(spec, reduce)
    plain = _timed(lambda: [run_spec(spec, reduce) for spec in specs], repeats)
    serial = _timed(lambda: execute(specs, reduce, records.append, workers=1), repeats)

    def pool(n: int) -> float:
        return _timed(lambda: run_in_processes(partial(run_spec, reduce=reduce), specs, n, lambda i, r: None,
                                               lambda i, m, s: None, env=WORKER_ENV), repeats)

    one, two = pool(1), pool(2)
    label = f"{runs} runs of {days} days (+{days} spin-up) at scale 20, median of {repeats}"
    per_min = {"one process, plain loop": plain, "executor, serial in-process": serial,
               "executor, 1 worker process": one, "executor, 2 worker processes": two}
    if dask:
        def on_dask() -> None:
            with dask_executor(2, None) as (executor, _):
                execute(specs, reduce, records.append, executor=executor)

        per_min["Dask LocalCluster, 2 workers (incl. start-up)"] = _timed(on_dask, repeats)
    for name, seconds in per_min.items():
        report.add("8", f"sweep: {name}, {label}", f"{runs / seconds * 60:.1f} runs/min ({seconds:.1f} s)")
    report.add("8", "executor overhead per run (serial executor vs plain loop)",
               f"{(serial - plain) / runs * 1e3:.1f} ms")
    report.add("8", "executor overhead per run (1 worker process vs plain loop, incl. its start-up)",
               f"{(one - plain) / runs * 1e3:.0f} ms")
    speedup = one / two
    report.add("8", "2 worker processes / 1 worker process", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8)
