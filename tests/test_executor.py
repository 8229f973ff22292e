"""The run boundary: specs in, records out; serial = parallel = Dask; a failing run or a killed worker fails
only its own run; workers never outlive the command that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from sim.experiments import (
    RunRecord,
    comparison_outcomes,
    execute,
    make_spec,
    replicate_seeds,
    replicate_specs,
    run_spec,
)
from sim.experiments.pool import Terminated, sigterm_as_interrupt
from tests.conftest import child_of_baseline

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


def _raise_on_seed_13(result):
    """A reducer that fails for one run (module level, so that workers can unpickle it)."""
    if result.manifest["seed"] == 13:
        raise RuntimeError("boom\nat the second line")
    return comparison_outcomes(result)


def _slow_unless_seed_0(result):
    """A reducer that keeps every run but seed 0's busy for a second, so a kill surely lands mid-run."""
    if result.manifest["seed"] != 0:
        time.sleep(1.0)
    return comparison_outcomes(result)


def _collect(specs, reduce=comparison_outcomes, **kwargs) -> list[RunRecord]:
    records: list[RunRecord] = []
    execute(specs, reduce, records.append, **kwargs)
    return sorted(records, key=lambda r: r.run_id)


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first, then ppid), None if gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def _alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None and int(fields[1]) == pid \
                and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _workers(pid: int) -> list[int]:
    """The spawned pool workers among a process's children (not multiprocessing's resource tracker)."""
    def cmdline(child: int) -> bytes:
        try:
            return Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            return b""
    return [c for c in _children(pid) if b"spawn_main" in cmdline(c) and b"resource_tracker" not in cmdline(c)]


def _wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_specs_are_plain_validated_data_with_common_seeds():
    a, b = small_scenario(days=5), small_scenario(days=5, name="other")
    specs = replicate_specs({"a": a, "b": b}, [11, 22])
    assert [(s.run_id, s.label, s.sample_id, s.replicate, s.seed, s.scenario["seed"]) for s in specs] == [
        (0, "a", 0, 0, 11, 11), (1, "a", 0, 1, 22, 22), (2, "b", 1, 0, 11, 11), (3, "b", 1, 1, 22, 22)]
    assert specs[2].scenario["name"] == "other" and isinstance(specs[0].scenario["start_date"], str)
    with pytest.raises(ValueError, match="seed"):
        make_spec(0, "a", 0, 0, a, -1)  # validated by the scenario model, not copied in blindly


def test_a_run_that_raises_is_a_failed_record_and_never_raises():
    good = make_spec(0, "a", 0, 0, small_scenario(days=3), 7)
    broken = make_spec(1, "a", 0, 1, small_scenario(days=3), 8)
    broken.scenario["days"] = -5  # a spec built by hand can hold anything; the run re-validates it
    record = run_spec(broken, comparison_outcomes)
    assert (record.status, record.outcomes, record.series, record.manifest) == ("failed", {}, None, {})
    assert record.error.startswith("ValidationError: ") and "days" in record.error and "\n" not in record.error
    raising = make_spec(2, "b", 1, 0, small_scenario(days=3), 13)
    records = _collect([good, broken, raising], _raise_on_seed_13, workers=1)
    assert [r.status for r in records] == ["ok", "failed", "failed"]
    assert records[2].error == "RuntimeError: boom at the second line" and records[2].wall_time_s > 0
    assert records[0].outcomes["deaths.total"] >= 0 and records[0].manifest["kernel_seed"]
    assert "scenario" not in records[0].manifest  # the spec holds it


def test_serial_and_two_workers_give_identical_records():
    scenario = small_scenario(days=8)
    specs = replicate_specs({"a": scenario, "b": scenario.model_copy(update={"name": "b"})}, replicate_seeds(5, 2))
    specs.append(make_spec(4, "b", 1, 2, scenario, 13))  # one that fails in the worker too
    done: list[int] = []
    serial = _collect(specs, _raise_on_seed_13, workers=1)
    parallel = _collect(specs, _raise_on_seed_13, workers=2, progress=done.append)
    assert done == [1, 2, 3, 4, 5]
    assert [r.status for r in parallel] == ["ok"] * 4 + ["failed"] and parallel[4].error == serial[4].error
    for s, p in zip(serial, parallel, strict=True):
        assert (s.run_id, s.label, s.seed) == (p.run_id, p.label, p.seed)
        np.testing.assert_equal(p.outcomes, s.outcomes)  # NaN (e.g. no price paid) equal to NaN
        if s.series is not None:
            pd.testing.assert_frame_equal(s.series, p.series)
            assert s.manifest["kernel_seed"] == p.manifest["kernel_seed"] and p.manifest["numba_threads"] == 1
    assert serial[0].outcomes != serial[1].outcomes  # different seeds did differ


@needs_proc
def test_a_killed_worker_fails_only_its_own_run():
    specs = [make_spec(i, "a", 0, i, small_scenario(days=5), i) for i in range(3)]
    killed: list[int] = []

    def kill_one(done: int) -> None:
        if done == 1:  # seed 0's run is back; both workers are now in a run that lasts another second
            workers = _workers(os.getpid())
            assert len(workers) == 2, workers
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    records = _collect(specs, _slow_unless_seed_0, workers=2, progress=kill_one)
    assert killed and [r.run_id for r in records] == list(range(3))
    failed = [r for r in records if r.status == "failed"]
    assert len(failed) == 1 and failed[0].error == "worker process died (signal 9)", failed
    assert all(r.outcomes for r in records if r is not failed[0])
    assert _workers(os.getpid()) == []  # the replacement worker was stopped too


class _BrokenExecutor(Executor):
    """An executor whose every other future fails, as a Dask future does when its worker is lost."""

    def __init__(self) -> None:
        self.calls = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        self.calls += 1
        if self.calls % 2:
            future.set_result(fn(*args, **kwargs))
        else:
            future.set_exception(OSError("KilledWorker: the worker holding it died"))
        return future


def test_any_executor_is_used_and_a_failed_future_is_a_failed_record():
    specs = replicate_specs({"a": small_scenario(days=3)}, [1, 2, 3])
    records = _collect(specs, executor=_BrokenExecutor())
    assert [r.status for r in records] == ["ok", "failed", "ok"]
    assert records[1].error == "OSError: KilledWorker: the worker holding it died" and records[1].seed == 2
    assert records[0].manifest["numba_threads"] == 1


def test_a_dask_cluster_gives_the_same_records_as_serial():
    """Dask's executor through `execute` (its workers are threads here, to keep the test short; processes are
    what the local pool tests check)."""
    distributed = pytest.importorskip("distributed")
    specs = replicate_specs({"a": small_scenario(days=5)}, replicate_seeds(3, 2))
    serial = _collect(specs, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = _collect(specs, executor=client.get_executor())
    assert [r.status for r in on_dask] == ["ok", "ok"]
    np.testing.assert_equal([r.outcomes for r in on_dask], [r.outcomes for r in serial])


def test_sigterm_raises_terminated_and_the_old_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), sigterm_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this
    assert signal.getsignal(signal.SIGTERM) is before
    assert issubclass(Terminated, KeyboardInterrupt)


def _start_compare(tmp_path: Path, replicates: int) -> tuple[subprocess.Popen, Path]:
    """`python -m sim compare` of two short-spin-up scenarios on 2 workers, in its own process group."""
    scenario = child_of_baseline(tmp_path, 'name = "short"\nspin_up_days = 30\n', "short.toml")
    out = tmp_path / "cmp"
    command = [sys.executable, "-m", "sim", "compare", str(scenario), str(scenario), "--days", "3", "--scale",
               "100", "--replicates", str(replicates), "--workers", "2", "--quiet", "--no-charts", "--out", str(out)]
    # A runner started in the background (`cmd &`) ignores SIGINT, and an ignored signal stays ignored across exec:
    # give the child Python's own handler's disposition (reset to default at exec), as a terminal would.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, before)
    assert _wait_for(lambda: len(_workers(process.pid)) == 2, 120), process.communicate(timeout=60)
    return process, out


@needs_proc
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGINT to the group"])
def test_no_worker_outlives_a_killed_compare(tmp_path, how):
    process, out = _start_compare(tmp_path, replicates=40)  # 80 runs: far more than can finish before the signal
    time.sleep(0.5)
    children = _children(process.pid)  # the workers and multiprocessing's resource tracker
    assert len(children) >= 2
    if how == "SIGINT to the group":
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        process.send_signal(getattr(signal, how))
    _, stderr = process.communicate(timeout=30)
    assert _wait_for(lambda: not any(_alive(pid) for pid in children), 10), [p for p in children if _alive(p)]
    if how == "SIGKILL":
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == (143 if how == "SIGTERM" else 130), stderr
        assert b"workers stopped, nothing written" in stderr and b"Traceback" not in stderr
    assert not out.exists()


@needs_proc
def test_compare_reports_a_killed_worker_and_compares_the_rest(tmp_path):
    process, out = _start_compare(tmp_path, replicates=2)
    time.sleep(0.5)
    os.kill(_workers(process.pid)[0], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=300)
    text = stderr.decode()
    assert process.returncode == 1, text
    assert "worker process died (signal 9)" in text and "1 of 4 runs failed" in text and "Traceback" not in text
    runs = pd.read_parquet(out / "runs.parquet")
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 1 and failed["error"].iloc[0] == "worker process died (signal 9)"
    assert runs.loc[runs["status"] == "ok", ["scenario", "replicate"]].drop_duplicates().shape[0] == 3
    differences = pd.read_parquet(out / "differences.parquet")
    assert len(differences) > 0 and (differences["n"] == 1).all()  # the one complete pair
    assert b"manifest:" in stdout
