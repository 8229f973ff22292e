"""Sweeps: experiment files, designs, identical results on any executor, kill and resume, failed runs."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import sweep as sw
from sim.experiments.design import Experiment, load_design
from sim.experiments.executor import run_spec

ROOT = Path(__file__).resolve().parents[1]
TINY = {"days": 3, "spin_up_days": 0, "scale": 100.0}
PATH = 'patrols.beach_officers."northern_france_coast->kent"'


def write_experiment(folder: Path, body: str, name: str = "exp.toml") -> Path:
    """An experiment file on the shipped baseline, with a tiny horizon unless the body sets its own settings."""
    path = folder / name
    path.write_text(f'name = "tiny"\nscenario = "{ROOT / "scenarios" / "baseline.toml"}"\nroot_seed = 7\n' + body)
    return path


GRID = f"""replicates = 2
[settings]
days = 3
spin_up_days = 0
scale = 100.0
[sampler]
kind = "grid"
[[parameters]]
path = '{PATH}'
name = "officers"
values = [0.0, 600.0]
"""


def cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd)


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The sweep's tables, without wall times (the one thing that may differ between two equal sweeps)."""
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns="wall_time_s")
    return {"runs": runs, "outcomes": pd.read_parquet(folder / "outcomes.parquet"),
            "series": pd.read_parquet(folder / "series.parquet")}


def test_grid_over_a_range_and_common_seeds(tmp_path: Path) -> None:
    body = GRID.replace("values = [0.0, 600.0]", "low = 0\nhigh = 1000\nstep = 250")
    design = load_design(write_experiment(tmp_path, body))
    assert [s["officers"] for s in design.samples] == [0.0, 250.0, 500.0, 750.0, 1000.0]
    assert [sc.patrols.beach_officers["northern_france_coast->kent"] for sc in design.scenarios] == \
        [0.0, 250.0, 500.0, 750.0, 1000.0]
    specs = sw.build_specs(design)
    assert len(specs) == (5 + 1) * 2 and [s.run_id for s in specs] == list(range(12))
    by_replicate = {}
    for spec in specs:
        by_replicate.setdefault(spec.replicate, set()).add(spec.seed)
        assert spec.scenario["seed"] == spec.seed
    assert all(len(seeds) == 1 for seeds in by_replicate.values())  # replicate i shares its seed across points
    assert by_replicate[0] != by_replicate[1]


def test_designs_from_salib(tmp_path: Path) -> None:
    body = GRID.replace('kind = "grid"', 'kind = "sobol"\nn = 8').replace("values = [0.0, 600.0]",
                                                                       "low = 0\nhigh = 1000")
    body += '[[parameters]]\npath = "behaviour.detention_days"\nlow = 0\nhigh = 30\n'
    design = load_design(write_experiment(tmp_path, body))
    assert len(design.samples) == 8 * (2 + 2)  # N (k + 2) without second order
    assert all(isinstance(s["detention_days"], int) for s in design.samples)  # an int setting gets ints
    assert all(0 <= s["officers"] <= 1000 for s in design.samples)
    again = load_design(write_experiment(tmp_path, body))
    assert again.samples == design.samples  # the design is drawn from the root seed
    morris = load_design(write_experiment(tmp_path, body.replace('kind = "sobol"\nn = 8',
                                                                 'kind = "morris"\nn = 3')))
    assert len(morris.samples) == 3 * (2 + 1)


@pytest.mark.parametrize(("change", "key"), [
    (("path = '" + PATH + "'", 'path = "behaviour.no_such_setting"'), "no_such_setting"),
    (("values = [0.0, 600.0]", "values = [-5.0]"), "beach_officers"),
    (("values = [0.0, 600.0]", "low = 5\nhigh = 5\nstep = 1"), "parameters"),
    (('kind = "grid"', 'kind = "halton"'), "sampler.kind"),
    (("replicates = 2", "replicates = 0"), "replicates"),
    (('kind = "grid"', 'kind = "sobol"\nn = 10'), "sampler"),
    (('name = "officers"', 'name = "policy"'), "parameters"),
    (("[settings]", "[settings]\nbehaviour.no_such = 1"), "no_such"),
])
def test_bad_experiment_is_one_line_before_any_run(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    body = GRID.replace(*change)
    assert body != GRID
    path = write_experiment(tmp_path, body)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert key in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_experiment_through_the_real_process(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, GRID.replace("replicates = 2", "replicates = 0"))
    proc = cli("sweep", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "replicates" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def sweep_into(folder: Path, design, **how) -> sw.SweepSummary:
    return sw.run_sweep(design, sw.prepare(folder, design, resume=False), resume=False, **how)


def test_serial_two_workers_and_dask_give_identical_tables(tmp_path: Path) -> None:
    from sim.cli.sweep import dask_executor

    design = load_design(write_experiment(tmp_path, GRID))
    sweep_into(tmp_path / "serial", design, workers=1)
    sweep_into(tmp_path / "pool", design, workers=2)
    with dask_executor(2, None) as (executor, _):
        sweep_into(tmp_path / "dask", design, executor=executor)
    serial = tables(tmp_path / "serial")
    assert len(serial["runs"]) == 6 and (serial["runs"]["status"] == "ok").all()
    assert serial["outcomes"]["value"].abs().sum() > 0
    for label in ("pool", "dask"):
        other = tables(tmp_path / label)
        for name, table in serial.items():
            pd.testing.assert_frame_equal(table, other[name], obj=f"{label} {name}")
    manifest = json.loads((tmp_path / "serial" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["n_runs"] == 6 and manifest["routesim_output"]


def test_one_run_failing_is_recorded_and_the_rest_complete(tmp_path: Path, monkeypatch) -> None:
    design = load_design(write_experiment(tmp_path, GRID))
    specs = sw.build_specs(design)
    doomed = specs[3].run_id
    real = sw.reduce_for_sweep

    def sometimes(outcomes, resolution, result):
        if result.manifest["seed"] == specs[3].seed and result.manifest["scenario"]["patrols"]["beach_officers"][
                "northern_france_coast->kent"] == 0.0:
            raise RuntimeError("boom")
        return real(outcomes, resolution, result)

    monkeypatch.setattr(sw, "reduce_for_sweep", sometimes)
    folder = tmp_path / "out"
    summary = sweep_into(folder, design, workers=1)
    runs = pd.read_parquet(folder / "runs.parquet")
    assert summary.n_failed == 1 and len(runs) == 6
    bad = runs[runs["status"] == "failed"]
    assert list(bad["run_id"]) == [doomed] and "boom" in bad["error"].iloc[0]
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    assert set(outcomes["run_id"]) == set(range(6)) - {doomed}


def test_a_run_reruns_alone_from_its_row(tmp_path: Path) -> None:
    design = load_design(write_experiment(tmp_path, GRID))
    folder = tmp_path / "out"
    sweep_into(folder, design, workers=1)
    runs = pd.read_parquet(folder / "runs.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    row = runs[runs["run_id"] == 4].iloc[0]
    spec = sw.rerun_spec(manifest, row.to_dict())
    record = run_spec(spec, sw.reducer(design))
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    expected = outcomes[outcomes["run_id"] == 4].set_index("outcome")["value"].to_dict()
    assert record.status == "ok"
    pd.testing.assert_series_equal(pd.Series(record.outcomes).sort_index(), pd.Series(expected).sort_index())


def test_killed_sweep_resumes_to_the_same_tables(tmp_path: Path) -> None:
    # --uncalibrated: the library sweep it is checked against runs the scenario's own values
    # Runs long enough (60 days each) that the sweep is still going when the first part is written.
    body = GRID.replace("values = [0.0, 600.0]", "values = [0.0, 200.0, 400.0, 600.0, 800.0]").replace(
        "replicates = 2", "replicates = 3").replace("days = 3", "days = 60")
    path = write_experiment(tmp_path, body)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    sweep_into(whole, load_design(path), workers=1)
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(path), "--out", str(cut), "--workers", "2",
                             "--quiet", "--uncalibrated"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((cut / "parts").glob("part-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (cut / "runs.parquet").exists(), "the sweep finished before it could be killed"
    done_before = sw.SweepFolder(cut, load_design(path)).done_ids()
    assert 0 < len(done_before) < 18
    resumed = cli("sweep", str(path), "--out", str(cut), "--resume", "--workers", "2", "--quiet", "--uncalibrated")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{18 - len(done_before)} runs done" in resumed.stdout  # only the missing runs ran
    got, expected = tables(cut), tables(whole)
    assert list(got["runs"]["run_id"]) == list(range(18))  # every run exactly once
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=name)
    assert not list((cut / "parts").glob("*"))


def test_resume_refuses_a_changed_experiment(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, GRID)
    out = tmp_path / "out"
    sweep_into(out, load_design(path), workers=1)
    before = (out / "runs.parquet").read_bytes()
    path.write_text(path.read_text().replace("values = [0.0, 600.0]", "values = [0.0, 700.0]"))
    proc = cli("sweep", str(path), "--out", str(out), "--resume", "--workers", "1")
    assert proc.returncode == 2 and "experiment changed" in proc.stderr
    assert (out / "runs.parquet").read_bytes() == before


def test_shipped_experiments_are_valid() -> None:
    files = sorted((ROOT / "experiments").glob("*.toml"))
    assert len(files) >= 4
    for path in files:
        design = load_design(path, TINY)
        assert isinstance(design.experiment, Experiment) and design.samples


def test_a_finished_sweep_holds_only_its_outputs_and_can_be_replaced(tmp_path: Path) -> None:
    experiment, out = write_experiment(tmp_path, GRID), tmp_path / "sweep"
    first = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out), "--workers", "1", "--no-report"])
    assert first.exit_code == 0, first.output
    assert not (out / "parts").exists(), "the merged parts leave no empty folder behind"
    again = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out), "--workers", "1", "--no-report",
                                     "--overwrite"])
    assert again.exit_code == 0, again.output
    assert (out / "runs.parquet").exists()
