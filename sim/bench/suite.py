"""What `routesim bench` measures, in which order, and at which sizes (`--quick`, `--full`, or tiny for tests)."""

import datetime as dt
import gc
import math
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from sim.bench import kernel_bench as kb
from sim.bench import model_bench as mb
from sim.bench import report as rp
from sim.bench import startup
from sim.bench.sweep_bench import sweep_section
from sim.model import PARALLEL_FROM
from sim.population import agents
from sim.population.population import FIELDS


@dataclass(frozen=True)
class Plan:
    mode: str
    repeats: int = 5  # kernel, Mesa at the smaller size, start-up
    model_repeats: int = 3  # whole-model runs
    mesa_sizes: tuple[int, ...] = (10_000, 100_000)
    mesa_repeats: tuple[int, ...] = (5, 1)  # Mesa is slow: one day at 1e5
    base_size: int = 1_000_000  # the realistic state that kernel sizes are cut from or tiled up to
    thread_size: int = 1_000_000
    floor_size: int = 10_000_000
    kernel_sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000, 10_000_000)
    model_sizes: tuple[int, ...] = (1_000, 10_000, 100_000, 1_000_000)
    grow_days: int = mb.GROW_DAYS
    year_target: float = 1e6
    year_days: int = 365
    calibration_factors: tuple[float, float] = (1.0, 4.0)
    startup: bool = True
    cold_repeats: int = 1
    memory: bool = True
    # 4b. the history scenario (scale, runs): its whole length, or its first history_days days (tiny)
    history_runs: tuple[tuple[float, int], ...] = ((50.0, 1),)
    history_days: int = 0
    sweep_runs: int = 16  # 8. a fixed small sweep through each executor
    sweep_days: int = 90
    sweep_dask: bool = True
    sweep_repeats: int = 3


PLANS = {
    "quick": Plan("quick"),
    "full": Plan("full", model_sizes=(1_000, 10_000, 100_000, 1_000_000, 10_000_000), cold_repeats=3,
                 history_runs=((50.0, 3), (1.0, 3))),
    "tiny": Plan("tiny", repeats=2, model_repeats=1, mesa_sizes=(300, 1_000), mesa_repeats=(2, 1), base_size=20_000,
                 thread_size=20_000, floor_size=50_000, kernel_sizes=(1_000, 5_000, 20_000, 50_000),
                 model_sizes=(1_000, 5_000), grow_days=30, year_target=5_000, year_days=20,
                 calibration_factors=(0.05, 0.2), startup=False, memory=False, sweep_runs=4, sweep_days=3,
                 sweep_dask=False, sweep_repeats=1, history_runs=((500.0, 1),), history_days=30),
}


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _ns(seconds: float, n: int) -> float:
    return seconds / n * 1e9


def _section(report: rp.Report, section: str, run: Callable[[], None]) -> None:
    """Run one group of measurements; a failure becomes a row (and a traceback), not the end of the benchmark."""
    started = time.perf_counter()
    try:
        run()
    except Exception as err:  # noqa: BLE001 - a benchmark reports what it could not measure and goes on
        traceback.print_exc()
        report.add(section, "error", f"{type(err).__name__}: {err}"[:200], "", False)
    _say(f"section {section} done in {time.perf_counter() - started:.1f} s")


def run(mode: str = "quick", out_dir: Path | None = None) -> rp.Report:
    """Measure everything the plan asks for, print the table, and write docs (if `out_dir`)."""
    plan = PLANS[mode]
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    report = rp.Report(mode, machine=rp.machine())
    started = time.perf_counter()
    states: dict[int, kb.KernelState] = {}
    report.scaling = {"kernel (as the model picks it)": [], "whole model step": []}

    def grow() -> None:
        """Grow a model to each size, time whole-model steps, keep its kernel state."""
        for size in sorted(set(plan.model_sizes) | set(plan.mesa_sizes) | {plan.base_size}):
            _say(f"growing a model to about {size:,} active people ({plan.grow_days} days)")
            model = mb.grown_model(size, plan.grow_days)
            if size in plan.model_sizes:
                n_active = mb.active(model)
                times = mb.time_model_steps(model, 1 + plan.repeats)[1:]
                report.scaling["whole model step"].append((n_active, mb.median(times)))
            states[size] = kb.state_from_model(model)
            del model
            gc.collect()

    _section(report, "0", grow)
    _section(report, "1", lambda: _mesa(report, plan))
    base = states.get(plan.base_size)
    _section(report, "2", lambda: _threads(report, plan, base))
    _section(report, "3", lambda: _floor(report, plan, base))
    _section(report, "7", lambda: _kernel_scaling(report, plan, base))
    year: dict[str, float] = {}
    _section(report, "4", lambda: _year(report, plan, year))
    _section(report, "4", lambda: _history(report, plan))
    _section(report, "5", lambda: _memory(report, plan, year))
    _section(report, "6", lambda: _startup(report, plan, year))
    _section(report, "7", lambda: _slopes(report))
    _section(report, "8", lambda: sweep_section(report, plan.sweep_days, plan.sweep_runs, plan.sweep_dask,
                                                plan.sweep_repeats))
    report.notes.append(f"benchmark took {time.perf_counter() - started:.0f} s; load average at end "
                        + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    rp.print_table(report)
    if out_dir is not None:
        chart = out_dir / "performance_scaling.png"
        rp.scaling_chart(report, chart)
        rp.write_markdown(report, out_dir / "performance.md", chart.name)
        _say(f"wrote {out_dir / 'performance.md'} and {chart}")
    return report


def _same_state(one, other) -> bool:
    """Whether two models stand in the same place: the same people in the same states, the same tables so far."""
    a, b = one.population, other.population
    if a.n != b.n or not all(np.array_equal(a.arrays[f][: a.n], b.arrays[f][: b.n]) for f in FIELDS):
        return False
    mine, theirs = one.recorder.tables(), other.recorder.tables()
    return mine.keys() == theirs.keys() and all(mine[t].equals(theirs[t]) for t in mine)


def _mesa(report: rp.Report, plan: Plan) -> None:
    """1. The kernel engine against the agents engine (one mesa.Agent per migrant, sim/population/agents.py): two
    models grown alike, one switched to agents, stepped side by side; the migrants' step timed in each."""
    for size, repeats in zip(plan.mesa_sizes, plan.mesa_repeats, strict=True):
        _say(f"agents engine: growing two models to about {size:,} active people")
        kernel_model, agents_model = mb.grown_model(size, plan.grow_days), mb.grown_model(size, plan.grow_days)
        n = mb.active(kernel_model)
        built = time.perf_counter()
        agents.adopt(agents_model)
        built = time.perf_counter() - built
        days = repeats + (1 if repeats > 1 else 0)  # a warm-up day where more than one is timed
        with mb.timed_kernel() as kernel_times, mb.timed_calls(agents, ("step_agents",)) as agent_times:
            for _ in range(days):
                kernel_model.step()
                agents_model.step()
        kernel_times, agent_times = kernel_times[days - repeats:], agent_times[days - repeats:]
        migrants = agents.migrants_of(agents_model)
        schedule = []
        for _ in range(max(repeats, 3)):
            t = time.perf_counter()
            migrants.do(_idle)
            migrants.do(_idle)
            schedule.append(time.perf_counter() - t)
        same = _same_state(kernel_model, agents_model)
        k_ns, m_ns = _ns(mb.median(kernel_times), n), _ns(mb.median(agent_times), n)
        label = f"{n:,} migrants"
        kind = "parallel" if n >= PARALLEL_FROM and numba.get_num_threads() > 1 else "serial"
        report.add("1", f"kernel engine ({kind}, {numba.get_num_threads()} threads), {label}",
                   f"{k_ns:.1f} ns/migrant-day")
        report.add("1", f"agents engine (mesa.Agent per migrant, AgentSet.do), {label}",
                   f"{m_ns:,.0f} ns/migrant-day ({len(agent_times)} day{'s' if len(agent_times) > 1 else ''})")
        report.add("1", f"agents / kernel, {label}", f"{m_ns / k_ns:,.0f}x", ">= 100x", m_ns / k_ns >= 100)
        s_ns = _ns(mb.median(schedule), n)
        report.add("1", f"Mesa scheduling alone (2 AgentSet.do, no rules) / kernel, {label}",
                   f"{s_ns:,.0f} ns/migrant-day, {s_ns / k_ns:,.0f}x")
        report.add("1", f"same results (kernel engine = agents engine), {label}", "yes" if same else "NO",
                   "identical", same)
        report.notes.append(f"creating {n:,} migrant agents took {built:.2f} s (not in the per-day figure)")
        del kernel_model, agents_model, migrants
        gc.collect()


def _idle(agent) -> None:
    """Nothing: timing it over every agent measures Mesa's scheduling and dispatch alone."""


def _threads(report: rp.Report, plan: Plan, base: kb.KernelState) -> None:
    """2. The parallel kernel on 1 thread and on 2, and the serial kernel, side by side."""
    state = kb.resized(base, plan.thread_size)
    runs = {
        "serial": kb.with_threads(1, lambda: kb.run_kernel(state, kb.kernel.step_serial)[0]),
        "parallel, 1 thread": kb.with_threads(1, lambda: kb.run_kernel(state, kb.kernel.step_parallel)[0]),
        "parallel, 2 threads": kb.with_threads(2, lambda: kb.run_kernel(state, kb.kernel.step_parallel)[0]),
    }
    times = {k: mb.median(v) for k, v in kb.interleaved(runs, plan.repeats).items()}
    for name, seconds in times.items():
        report.add("2", f"kernel {name}, {state.n:,} migrants", f"{_ns(seconds, state.n):.2f} ns/migrant-day")
    speedup = times["parallel, 1 thread"] / times["parallel, 2 threads"]
    report.add("2", "speed-up 2 threads / 1 thread", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8)


def _floor(report: rp.Report, plan: Plan, base: kb.KernelState) -> None:
    """3. The kernel against a floor kernel touching the same arrays trivially."""
    state = kb.resized(base, plan.floor_size)
    step, kind = kb.auto_kernel(state.n)
    runs = {"kernel": lambda: kb.run_kernel(state, step)[0], "floor": lambda: kb.run_floor(state)}
    times = {k: mb.median(v) for k, v in kb.interleaved(runs, plan.repeats).items()}
    k_ns, f_ns = _ns(times["kernel"], state.n), _ns(times["floor"], state.n)
    gbs = kb.bytes_touched() * state.n / times["floor"] / 1e9
    report.add("3", f"kernel ({kind}, {numba.get_num_threads()} threads), {state.n:,} migrants",
               f"{k_ns:.2f} ns/migrant-day")
    report.add("3", f"floor kernel (same arrays, trivial arithmetic), {state.n:,}",
               f"{f_ns:.2f} ns/migrant-day ({gbs:.1f} GB/s read)")
    report.add("3", "kernel / floor", f"{k_ns / f_ns:.1f}x", "<= 20x", k_ns / f_ns <= 20)


def _kernel_scaling(report: rp.Report, plan: Plan, base: kb.KernelState) -> None:
    """7. The kernel's wall time per day from 1e3 to 1e7 people (cut from, or tiled up from, one real state)."""
    series = report.scaling["kernel (as the model picks it)"]
    for size in plan.kernel_sizes:
        state = kb.resized(base, size)
        step, _ = kb.auto_kernel(state.n)
        series.append((state.n, mb.median(kb.time_kernel(state, step, plan.repeats))))
        del state
        gc.collect()


def _year(report: rp.Report, plan: Plan, year: dict[str, float]) -> None:
    """4. One simulated year with about 1e6 people active on an average day, as `routesim run` runs it."""
    _say(f"calibrating the inflow factor for a mean of {plan.year_target:,.0f} active people")
    found = mb.calibrate_factor(plan.year_target, plan.year_days, plan.calibration_factors)
    factor = found["factor"]
    year["factor"] = factor
    runs = []
    for rep in range(plan.model_repeats):
        _say(f"whole-model run {rep + 1}/{plan.model_repeats} (inflow x{factor:.2f}, {plan.year_days} days)")
        runs.append(mb.run_year(mb.scaled_scenario(factor, days=plan.year_days)))
    seconds = mb.median([r.seconds for r in runs])
    year["seconds"] = seconds
    mean_active = runs[0].mean_active
    kernel_s = mb.median([r.kernel_seconds for r in runs])
    tables_s = mb.median([r.tables_seconds for r in runs])
    report.add("4", f"one year ({plan.year_days} days), inflow x{factor:.2f} baseline",
               f"{seconds:.2f} s (median of {len(runs)}; {seconds / 5.0:.2f} of the target)", "<= 5 s", seconds <= 5.0)
    report.add("4", "mean active migrants per day (measured)", f"{mean_active:,.0f}", f"about {plan.year_target:,.0f}")
    report.add("4", "of which kernel / tables / rest",
               f"{kernel_s:.2f} s / {tables_s:.2f} s / {seconds - kernel_s - tables_s:.2f} s")
    days = runs[0].days
    report.add("4", "per simulated day: kernel, everything else",
               f"{kernel_s / days * 1e3:.1f} ms, {(seconds - kernel_s) / days * 1e3:.1f} ms")
    report.add("4", "whole model, ns per active migrant-day", f"{_ns(seconds, int(mean_active * days)):.1f}")
    trials = ", ".join(f"x{f:g}: {m:,.0f}" for f, m in found["trials"].items())
    report.notes.append(f"inflow factor from two trial years (mean active {trials}; "
                        f"mean ~ factor^{found['exponent']:.2f})")


def _history(report: rp.Report, plan: Plan) -> None:
    """4b. The history scenario (2014-2025 and its spin-up) as `routesim run` runs it, at 1:1 scale against 60 s, and
    at the scale calibration uses (its per-day fixed cost)."""
    for scale, repeats in plan.history_runs:
        scenario = mb.history(scale, plan.history_days)
        runs = []
        for rep in range(repeats):
            _say(f"history at scale {scale:g}, run {rep + 1}/{repeats}")
            runs.append(mb.run_year(scenario))
        seconds = mb.median([r.seconds for r in runs])
        kernel_s = mb.median([r.kernel_seconds for r in runs])
        days = runs[0].days
        end = scenario.start_date + dt.timedelta(days=scenario.days - 1)
        label = f"history {scenario.start_date} to {end} ({days:,} days with spin-up) at scale {scale:g}"
        if scale == 1.0:
            report.add("4", label, f"{seconds:.1f} s (median of {len(runs)}; {seconds / 60.0:.2f} of the target)",
                       "<= 60 s", seconds <= 60.0)
        else:
            report.add("4", label, f"{seconds:.1f} s (median of {len(runs)})")
        report.add("4", f"... per simulated day: kernel, everything else (scale {scale:g})",
                   f"{kernel_s / days * 1e3:.2f} ms, {(seconds - kernel_s) / days * 1e3:.2f} ms; mean active simulated "
                   f"{runs[0].mean_active:,.0f}")


def _memory(report: rp.Report, plan: Plan, year: dict[str, float]) -> None:
    """5. Persistent bytes per migrant and the peak memory of the run in 4."""
    from sim.population.population import BYTES_PER_MIGRANT

    report.add("5", "persistent state per migrant", f"{BYTES_PER_MIGRANT} bytes", "<= 32 bytes",
               BYTES_PER_MIGRANT <= 32)
    if not plan.memory or "factor" not in year:
        return
    _say("peak memory of the year in a fresh process")
    peak = startup.peak_memory(year["factor"], plan.year_days)
    report.add("5", "peak RSS of run 4 (fresh process)",
               f"{peak['peak_kib'] / 1024:,.0f} MiB ({peak['after_imports_kib'] / 1024:,.0f} MiB after imports)")
    report.notes.append(f"the fresh-process run in 5 took {peak['seconds']:.2f} s (mean active "
                        f"{peak['mean_active']:,.0f})")


def _startup(report: rp.Report, plan: Plan, year: dict[str, float]) -> None:
    """6. Import time, start-up with a warm cache, and a cold compile, each in a fresh process."""
    imports = [startup.import_time() for _ in range(plan.repeats if plan.startup else 1)]
    heavy = sorted({m for r in imports for m in r["heavy"]})
    report.add("6", "import sim.model (fresh process)", f"{mb.median([r['seconds'] for r in imports]):.2f} s")
    report.add("6", "heavy modules imported by `import sim.model`", ", ".join(heavy) or "none",
               "none of matplotlib, pyarrow, dask, SALib",
               not {"matplotlib", "pyarrow", "dask", "SALib"} & set(heavy))
    if not plan.startup:
        return
    breakdown = startup.import_breakdown()
    report.notes.append("import sim.model spends (cumulative): "
                        + ", ".join(f"{name} {sec:.2f} s" for name, sec in breakdown["direct"]))
    for name, chain in breakdown["chains"].items():
        report.notes.append(f"{name} is imported by: {chain}")
    factor = year.get("factor", 20.0)
    warm = [startup.first_day(factor) for _ in range(plan.repeats)]
    first = mb.median([w["first_day"] for w in warm])
    report.add("6", "end of imports -> end of first day (warm cache)", f"{first:.2f} s", "<= 1 s", first <= 1.0)
    report.add("6", "... -> end of first parallel day (all kernels loaded)",
               f"{mb.median([w['all_kernels'] for w in warm]):.2f} s")
    _say(f"cold compile ({plan.cold_repeats}x, empty NUMBA_CACHE_DIR)")
    cold = [startup.cold_first_day(factor) for _ in range(plan.cold_repeats)]
    seconds = mb.median([c["all_kernels"] for c in cold])
    report.add("6", "cold start: compile every kernel and run 2 days (empty cache)", f"{seconds:.1f} s", "<= 20 s",
               seconds <= 20.0)


def _slopes(report: rp.Report) -> None:
    """7. Slopes of log(time per day) against log(active people) above 1e5."""
    for name, series in report.scaling.items():
        value = rp.slope(series, 1e5)
        if math.isnan(value):
            report.add("7", f"scaling slope, {name}", "not enough sizes >= 1e5")
            continue
        report.add("7", f"scaling slope above 1e5, {name}", f"{value:.2f}", "~1 (linear), <= 1.1", value <= 1.1)
