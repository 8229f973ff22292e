"""Kernel states taken from a running model, resized copies of them, and timings of one kernel day.

A `KernelState` is everything one call of the daily step needs: the population's arrays (active rows only) and the
day's network and leg inputs. Every timing starts from fresh copies of the same state, so the implementations
compared see the same people on the same day.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numba
import numpy as np
from numba import njit, prange

from sim.population import kernel
from sim.population.population import FIELDS

ARRAY_NAMES = tuple(FIELDS)  # the step's argument order


@dataclass
class KernelState:
    """One day's input to the kernel: population arrays (in `ARRAY_NAMES` order) and named network inputs."""

    seed: int
    day: int
    scale: float
    arrays: tuple[np.ndarray, ...]
    inputs: dict[str, np.ndarray]
    n_legs: int
    n_hubs: int
    n_dests: int
    n_origins: int

    @property
    def n(self) -> int:
        return len(self.arrays[0])

    def fresh_arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(a.copy() for a in self.arrays)

    def fresh_counters(self) -> tuple[np.ndarray, ...]:
        """Zeroed per-chunk counters, as the model allocates them: leg, revenue, hub, states, arrivals, boats,
        expected deaths."""
        chunks = max(1, -(-self.n // kernel.CHUNK))
        return (np.zeros((chunks, self.n_legs, kernel.N_LEG_COUNTERS), np.int64), np.zeros((chunks, self.n_legs)),
                np.zeros((chunks, self.n_hubs, kernel.N_HUB_COUNTERS), np.int64),
                np.zeros((chunks, kernel.N_STATES), np.int64),
                np.zeros((chunks, self.n_dests, self.n_origins), np.int64), np.zeros(self.n_legs),
                np.zeros((chunks, self.n_legs)))

    def reference_net(self) -> dict:
        """The inputs as the plain-Python reference takes them."""
        return dict(self.inputs, arrivals_shape=(self.n_dests, self.n_origins))

    def named_arrays(self, arrays: tuple[np.ndarray, ...] | None = None) -> dict[str, np.ndarray]:
        return dict(zip(ARRAY_NAMES, arrays if arrays is not None else self.fresh_arrays(), strict=True))


def state_from_model(model) -> KernelState:
    """The state the model's next day starts from: today's people set out, finals compacted away.

    This spawns the day's people in the model, so the model must not be stepped afterwards.
    """
    model._spawn()
    model.population.compact()
    net = model.net
    return KernelState(model.kernel_seed, model.day, float(model.config.scale),
                       tuple(a.copy() for a in model.population.kernel_arrays()),
                       {k: np.array(v, copy=True) for k, v in model.kernel_inputs().items()},
                       net.n_legs, net.n_hubs, net.n_dests, net.n_origins)


def resized(state: KernelState, n: int) -> KernelState:
    """The same mix of people at another size: evenly spaced rows (smaller) or copies with new ids (larger).

    Each row then stands for state.n / n times as many people (the scale), so boat places per person stay as they
    were. Rows stay in ascending id order, as in the model.
    """
    if n <= state.n:
        rows = np.linspace(0, state.n - 1, n).astype(np.int64)
        arrays = tuple(a[rows].copy() for a in state.arrays)
    else:
        rows = np.arange(n) % state.n
        copy = np.arange(n) // state.n
        arrays = tuple(a[rows] for a in state.arrays)
        ids = state.arrays[0]
        stride = int(ids.max()) + 1
        if stride * (int(copy[-1]) + 1) >= np.iinfo(np.int32).max:
            raise ValueError(f"cannot make {n} distinct int32 ids from {state.n} people")
        new_ids = (ids[rows].astype(np.int64) + copy * stride).astype(np.int32)  # ascending, as ids were
        arrays = (new_ids, *arrays[1:])
    return replace(state, arrays=arrays, scale=state.scale * state.n / n)


def same_day(arrays: tuple[np.ndarray, ...], counters: tuple[np.ndarray, ...], ref_arrays: dict[str, np.ndarray],
             ref_out: dict[str, np.ndarray]) -> bool:
    """Whether a kernel day (arrays, per-chunk counters) left exactly what a reference-rules day left."""
    leg, revenue, hub, states, arrivals, boats, expected_deaths = counters
    return (all(np.array_equal(a, ref_arrays[name]) for a, name in zip(arrays, ARRAY_NAMES, strict=True))
            and np.array_equal(leg.sum(0), ref_out["leg"]) and np.array_equal(hub.sum(0), ref_out["hub"])
            and np.array_equal(states.sum(0), ref_out["states"])
            and np.array_equal(arrivals.sum(0), ref_out["arrivals"]) and np.array_equal(boats, ref_out["boats"])
            and bool(np.allclose(revenue.sum(0), ref_out["revenue"], rtol=1e-9))
            and bool(np.allclose(expected_deaths.sum(0), ref_out["expected_deaths"], rtol=1e-9, atol=1e-12)))


def auto_kernel(n: int) -> tuple[Callable, str]:
    """The kernel the model picks for n active people (see RouteModel.step)."""
    from sim.model import PARALLEL_FROM

    if n >= PARALLEL_FROM and numba.get_num_threads() > 1:
        return kernel.step_parallel, "parallel"
    return kernel.step_serial, "serial"


def run_kernel(state: KernelState, step: Callable) -> tuple[float, tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """One day of `step` on fresh copies of the state: (seconds, arrays after, counters after)."""
    arrays, counters = state.fresh_arrays(), state.fresh_counters()
    started = time.perf_counter()
    step(state.seed, state.day, state.scale, state.n, *arrays, *state.inputs.values(), *counters)
    return time.perf_counter() - started, arrays, counters


def time_kernel(state: KernelState, step: Callable, repeats: int, warmup: int = 1) -> list[float]:
    """Seconds for one day, `repeats` times after `warmup` untimed runs."""
    for _ in range(warmup):
        run_kernel(state, step)
    return [run_kernel(state, step)[0] for _ in range(repeats)]


def interleaved(runs: dict[str, Callable[[], float]], repeats: int, warmup: int = 1) -> dict[str, list[float]]:
    """Time several variants in turn (ABAB..), so that drift in the machine's speed hits all of them alike."""
    for _ in range(warmup):
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(run())
    return times


def with_threads(count: int, run: Callable[[], float]) -> Callable[[], float]:
    def wrapped() -> float:
        before = numba.get_num_threads()
        numba.set_num_threads(count)
        try:
            return run()
        finally:
            numba.set_num_threads(before)
    return wrapped


@njit(parallel=True, cache=True)
def floor_step(n, ids, origin, pref, state, attempts, paid_left, hub, prev_hub, leg, paid_leg, days_left, days_waiting,
               budget, risk_av):
    """The machine's floor for a day: read every state array and write those the kernel writes, trivially.

    Same chunking as the kernel; no branches, no random numbers. The writes flip a low bit (so they cannot be
    optimised away) and leave every value in range.
    """
    n_chunks = (n + kernel.CHUNK - 1) // kernel.CHUNK
    for c in prange(n_chunks):
        for i in range(c * kernel.CHUNK, min(n, (c + 1) * kernel.CHUNK)):
            x = (ids[i] + origin[i] + pref[i] + attempts[i] + paid_left[i] + hub[i] + prev_hub[i] + leg[i]
                 + paid_leg[i] + days_left[i] + days_waiting[i]) & 1
            state[i] = state[i] ^ np.int8(x)
            attempts[i] = attempts[i] ^ np.int8(1)
            paid_left[i] = paid_left[i] ^ np.int8(1)
            hub[i] = hub[i] ^ np.int16(1)
            prev_hub[i] = prev_hub[i] ^ np.int16(1)
            leg[i] = leg[i] ^ np.int16(1)
            paid_leg[i] = paid_leg[i] ^ np.int16(1)
            days_left[i] = days_left[i] ^ np.int16(1)
            days_waiting[i] = days_waiting[i] ^ np.int16(1)
            budget[i] = budget[i] * np.float32(0.5) + risk_av[i] * np.float32(x)


def run_floor(state: KernelState) -> float:
    arrays = state.fresh_arrays()
    started = time.perf_counter()
    floor_step(state.n, *arrays)
    return time.perf_counter() - started


def bytes_touched() -> int:
    """Bytes of persistent state the step reads per person."""
    return sum(np.dtype(FIELDS[name]).itemsize for name in ARRAY_NAMES)
