"""What the model's speed rests on, checked without timing anything.

Identical results for 1 and 2 threads are checked in test_kernel.py. Here: the per-migrant state is small and
numeric; people are rows, not Python objects (neither Mesa agents nor anything else the garbage collector tracks
grows with the number of migrants); every compiled kernel function is cached under its own entry, keyed to the
content of kernel.py (so an edit to the kernel recompiles it); and the benchmark's machinery runs.
"""

import gc
import hashlib
from pathlib import Path

import numpy as np
from numba.core.registry import CPUDispatcher
from typer.testing import CliRunner

from sim.cli import app
from sim.model import RouteModel
from sim.population import kernel
from sim.population.population import BYTES_PER_MIGRANT, FIELDS
from tests.conftest import small_scenario


def test_persistent_state_is_small_and_numeric() -> None:
    assert BYTES_PER_MIGRANT <= 32
    assert all(np.issubdtype(np.dtype(t), np.number) for t in FIELDS.values())
    model = RouteModel(small_scenario(days=3))
    model.run()
    arrays = model.population.arrays
    assert set(arrays) == set(FIELDS)
    assert all(isinstance(a, np.ndarray) and a.dtype == np.dtype(FIELDS[name]) for name, a in arrays.items())
    assert sum(a.itemsize for a in arrays.values()) == BYTES_PER_MIGRANT


def _objects_after_run(inflow_factor: float) -> tuple[int, int, int]:
    """(people who entered, Mesa agents, objects tracked by the garbage collector) with the model alive."""
    model = RouteModel(small_scenario(inflow_factor=inflow_factor, days=30))
    model.run()
    gc.collect()
    return model.population.next_id, len(model.agents), len(gc.get_objects())


def test_no_python_object_per_migrant() -> None:
    """Ten times the inflow: ten times the migrants, but (almost) no more agents or other Python objects."""
    _objects_after_run(0.05)  # warm up caches that would otherwise count as growth
    small = _objects_after_run(0.05)
    large = _objects_after_run(0.5)
    more_people = large[0] - small[0]
    assert more_people > 5_000
    assert large[1] - small[1] < 0.01 * more_people, "Mesa agents grow with migrants"
    assert large[2] - small[2] < 0.01 * more_people, "Python objects grow with migrants"


def _dispatchers() -> dict[str, CPUDispatcher]:
    return {name: obj for name, obj in vars(kernel).items() if isinstance(obj, CPUDispatcher)}


def test_kernel_functions_are_cached_and_keyed_to_the_kernel_file() -> None:
    dispatchers = _dispatchers()
    assert {"step_serial", "step_parallel", "spawn", "compact", "costs_to_go"} <= set(dispatchers)
    source = Path(kernel.__file__).resolve()
    stamp = hashlib.sha256(source.read_bytes()).digest()
    index_names = set()
    for name, d in dispatchers.items():
        cache = d._cache
        assert cache._enabled, f"{name} is not compiled with cache=True"
        assert Path(cache._impl._locator._py_file).resolve() == source, name
        assert cache._cache_file._source_stamp == stamp, f"{name}'s cache is not keyed to kernel.py's content"
        index_names.add(cache._cache_file._index_name)
    # Numba keys a cache entry by name and signature, not by options (numba#6845): the serial and the parallel
    # step must have entries of their own, or one of them silently runs the other's code.
    assert len(index_names) == len(dispatchers)
    assert kernel.step_parallel.targetoptions.get("parallel") and not kernel.step_serial.targetoptions.get("parallel")


def test_kernel_calls_only_compiled_functions_of_its_own_file() -> None:
    """The cache tracks only the compiled function's own file: a helper elsewhere could change unnoticed."""
    seen: set[str] = set()
    todo = [kernel.step_serial.py_func, kernel.step_parallel.py_func, kernel.spawn.py_func]
    while todo:
        func = todo.pop()
        for name in func.__code__.co_names:
            obj = func.__globals__.get(name)
            if isinstance(obj, CPUDispatcher) and name not in seen:
                seen.add(name)
                assert obj.py_func.__module__ == kernel.__name__, f"{name} is compiled from another file"
                todo.append(obj.py_func)
    assert {"draw", "_cheapest_prices"} <= seen


def test_bench_machinery_runs_on_tiny_sizes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "--tiny", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = (tmp_path / "performance.md").read_text()
    assert (tmp_path / "performance_scaling.png").stat().st_size > 1_000
    rows = [line for line in doc.splitlines() if line.startswith("| ")]
    assert not [r for r in rows if "| error |" in r], doc
    for figure in ("agents / kernel", "speed-up 2 threads / 1 thread", "kernel / floor", "one year",
                   "persistent state per migrant", "import sim.model", "history 2014-01-01"):
        assert any(figure in r for r in rows), figure
    same = [r for r in rows if "same results" in r]
    assert same and all(r.rstrip().endswith("| yes |") for r in same), same
