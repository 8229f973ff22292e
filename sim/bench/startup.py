"""Measurements that need a fresh Python process: import time, start-up with a warm or cold Numba cache, peak memory.

Each runs a small script in a subprocess (the same interpreter) that prints one JSON line.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HEAVY = ("matplotlib", "pyarrow", "dask", "SALib", "scipy", "ema_workbench")

_IMPORT = """
import json, sys, time
t = time.perf_counter()
import sim.model
took = time.perf_counter() - t
print(json.dumps({"seconds": took, "heavy": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))

# From the end of imports to the end of the first simulated day (and of the first day on the parallel kernel).
_FIRST_DAY = """
import json, time
import numba
import sim.config, sim.model
from sim.bench.model_bench import scaled_scenario
t = time.perf_counter()
model = sim.model.RouteModel(scaled_scenario(FACTOR, days=30))
model.step()
first = time.perf_counter() - t
model.kernel_mode = "parallel"
model.step()
model.population.compact()
print(json.dumps({"first_day": first, "all_kernels": time.perf_counter() - t, "threads": numba.get_num_threads()}))
"""

# Peak resident memory from /proc/self/status (VmHWM): ru_maxrss would also count the parent's peak, which Linux
# carries over fork and exec into the child.
_PEAK = """
import json, resource, time

def peak_kib():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

import sim.model
from sim.bench.model_bench import run_year, scaled_scenario
before = peak_kib()
run = run_year(scaled_scenario(FACTOR, days=DAYS))
print(json.dumps({"peak_kib": peak_kib(), "after_imports_kib": before, "seconds": run.seconds,
                  "mean_active": run.mean_active}))
"""


def _run(script: str, env: dict[str, str] | None = None, timeout: float = 900) -> dict:
    """Run `script` in a fresh interpreter from the repository root; return its last JSON line."""
    root = Path(__file__).resolve().parents[2]
    full_env = dict(os.environ, **(env or {}))
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def import_time() -> dict:
    """Seconds to `import sim.model` in a fresh process, and which heavy modules that import pulled in."""
    return _run(_IMPORT)


def _import_tree(report: str) -> list[tuple[int, str, float, int | None]]:
    """Parse `python -X importtime` output: (depth, module, cumulative seconds, index of the importer)."""
    entries: list[tuple[int, str, float]] = []
    for line in report.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        entries.append(((len(name) - len(name.lstrip())) // 2, name.strip(), int(parts[1]) / 1e6))
    parent: dict[int, int] = {}
    pending: list[int] = []  # importtime prints a module after everything it imported
    for i, (depth, _, _) in enumerate(entries):
        children = [j for j in pending if entries[j][0] == depth + 1]
        for j in children:
            parent[j] = i
        pending = [j for j in pending if j not in children] + [i]
    return [(d, name, cum, parent.get(i)) for i, (d, name, cum) in enumerate(entries)]


def import_breakdown(top: int = 6) -> dict:
    """What `import sim.model` spends its time on (python -X importtime): the slowest modules it imports directly,
    and for each heavy module that gets imported, the chain of imports that brought it in."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import sim.model"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    tree = _import_tree(done.stderr)
    direct = sorted(((name, cum) for depth, name, cum, _ in tree if depth == 1), key=lambda kv: -kv[1])[:top]
    chains = {}
    for i, (_, name, _, _) in enumerate(tree):
        if name in HEAVY and name not in chains:
            path, j = [], i
            while j is not None:
                path.append(tree[j][1])
                j = tree[j][3]
            chains[name] = " <- ".join(path)
    return {"direct": direct, "chains": chains}


def first_day(factor: float, cache_dir: str | None = None) -> dict:
    """Seconds from the end of imports to the end of the first day (and to the first parallel day), fresh process.

    With `cache_dir` an empty directory, Numba compiles every kernel (a cold start); without, it loads them from the
    cache the benchmark process has already filled (a warm start).
    """
    env = {"NUMBA_CACHE_DIR": cache_dir} if cache_dir is not None else None
    return _run(_FIRST_DAY.replace("FACTOR", repr(float(factor))), env=env)


def cold_first_day(factor: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="routesim-numba-cache-") as cache_dir:
        return first_day(factor, cache_dir)


def peak_memory(factor: float, days: int) -> dict:
    """Peak resident memory (ru_maxrss) of one whole-model run in a fresh process."""
    return _run(_PEAK.replace("FACTOR", repr(float(factor))).replace("DAYS", str(int(days))))
