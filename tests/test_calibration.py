"""Calibration (sim/calibration): the distance and parameters, posterior draws paired across scenarios, bad input,
a killed calibration resumed from its database, and recovery of a known parameter from a synthetic target."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.calibration import abc_smc
from sim.calibration.outputs import WEIGHT, posterior_sample, posterior_summary
from sim.calibration.parameters import BY_ID, PARAMETERS, parameter_settings
from sim.calibration.use import NOISE, NOISE_AND_PARAMETERS, Calibration
from sim.cli import app
from sim.config import apply_overrides, load_scenario
from sim.validation.observed import read_observed

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "scenarios" / "history.toml"
OBSERVED = ROOT / "sim" / "data" / "observed_calibration.csv"
ENV = {**os.environ, "NUMBA_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}


def short_history(**changes):
    """The history's first four months after a month of spin-up: about a second a run."""
    return apply_overrides(load_scenario(HISTORY), {"scale": 50.0, "spin_up_days": 30, "days": 120, **changes}, "t")


def synthetic_observed(folder: Path, stats: dict[str, np.ndarray]) -> pd.DataFrame:
    """An observed file holding `stats` (series key -> four monthly values from 2014-01)."""
    rows = ["period,route,metric,value"]
    for key, values in stats.items():
        route, metric, _ = key.split("/")
        rows += [f"2014-{m + 1:02d},{route},{metric},{v}" for m, v in enumerate(values)]
    (folder / "obs.csv").write_text("\n".join(rows) + "\n")
    return read_observed(folder / "obs.csv")


def placeholder(folder: Path) -> pd.DataFrame:
    return synthetic_observed(folder, {"eastern_med/detections/month": np.ones(4),
                                       "western_balkans/detections/month": np.ones(4)})


def test_distance_weighs_every_series_alike():
    """A series of hundreds of thousands and one of tens, each off by the same factor, add the same distance."""
    observed = {"a": np.array([100_000.0, 200_000.0]), "b": np.array([10.0, 20.0])}
    big_off = {"a": observed["a"] * 2, "b": observed["b"]}
    small_off = {"a": observed["a"], "b": (observed["b"] + 1) * 2 - 1}
    assert abc_smc.distance(observed, observed) == 0
    assert abc_smc.distance(big_off, observed) == pytest.approx(abc_smc.distance(small_off, observed), rel=0.01)


def test_parameters_declared_with_priors_sources_and_valid_paths():
    scenario = load_scenario(HISTORY)
    assert len(PARAMETERS) <= 25 and len(BY_ID) == len(PARAMETERS)
    mid = {p.id: (p.low * p.high) ** 0.5 if p.log else (p.low + p.high) / 2 for p in PARAMETERS}
    changed = apply_overrides(scenario, parameter_settings(mid, scenario), "test")  # every path is a real setting
    assert all(p.low < p.high and p.source for p in PARAMETERS)
    factor = mid["inflow_eastern_med"]
    assert changed.inflow["syria"].people_per_day == pytest.approx(
        [v * factor for v in scenario.inflow["syria"].people_per_day])
    shared = parameter_settings(mid, scenario, history=False)
    assert not any(path.startswith("inflow.") for path in shared) and "behaviour.choice_scale_eur" in shared


def fake_posterior(path: Path, n: int = 50) -> Path:
    rng = np.random.default_rng(3)
    p = BY_ID["choice_scale_eur"]
    sample = pd.DataFrame({"choice_scale_eur": rng.uniform(p.low, p.high, n),
                           "max_overload": rng.uniform(1.5, 4.0, n), WEIGHT: rng.uniform(0.5, 1.5, n)})
    sample.to_parquet(path)
    return path


def test_posterior_draws_paired_across_scenarios(tmp_path):
    """Replicate i of every scenario takes the same draw (by base seed and i); another base seed, other draws."""
    from sim.experiments.executor import replicate_seeds, replicate_specs

    calibration = Calibration(None, fake_posterior(tmp_path / "post.parquet"))
    base, alt = short_history(), short_history(**{"patrols.max_probability": 0.8})
    draws = calibration.draws(base, 7, 6)
    assert draws == calibration.draws(alt, 7, 6)
    assert draws != calibration.draws(base, 8, 6)
    assert len({d["behaviour.choice_scale_eur"] for d in draws}) > 1  # replicates differ in their parameters
    specs = replicate_specs({"base": base, "alt": alt}, replicate_seeds(7, 6), draws)
    by_replicate = {}
    for spec in specs:
        by_replicate.setdefault(spec.replicate, []).append(
            (spec.seed, spec.scenario["behaviour"]["choice_scale_eur"], spec.scenario["smugglers"]["max_overload"]))
    assert all(len(set(v)) == 1 for v in by_replicate.values())
    assert calibration.interval(6)["kind"] == NOISE_AND_PARAMETERS
    assert Calibration(None, None).interval(6) == {"kind": NOISE, "replicates": 6}
    assert Calibration(None, None).manifest() == {"status": "uncalibrated", "overlay": None, "posterior": None}


@pytest.mark.parametrize("args, words", [
    (["--observed", "nope.csv"], "file not found"),
    (["--observed", str(OBSERVED), "--until", "2014-13"], "neither YYYY nor YYYY-MM"),
    (["--observed", str(OBSERVED), "--until", "2010"], "leaves no observed period"),
    (["--observed", str(OBSERVED), "--resume"], "holds no calibration"),
    (["--observed", str(OBSERVED), "--dask-local", "2", "--dask-scheduler", "tcp://x:1"], "not both"),
])
def test_calibrate_bad_input_is_one_line(tmp_path, args, words):
    result = CliRunner().invoke(app, ["calibrate", *args, "--out", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert words in result.output and len(result.output.strip().splitlines()) == 1


def test_bad_posterior_is_one_line(tmp_path):
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"nonsense": [1.0]}).to_parquet(bad)
    for command in (["compare", str(HISTORY), str(HISTORY)], ["run", str(HISTORY)]):
        result = CliRunner().invoke(app, [*command, "--posterior", str(bad)])
        assert result.exit_code == 2 and "not a posterior sample" in result.output


def generations(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM populations WHERE t >= 0").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_calibration_resumes_from_its_database(tmp_path):
    """SIGKILL after the first generation is stored; --resume keeps it and adds generations; no worker is left.
    The history with 30 days of spin-up, fitted to two months of a file of its own: about half a second a run."""
    out = tmp_path / "cal"
    synthetic_observed(tmp_path, {"eastern_med/detections/month": np.array([5000.0, 6000.0]),
                                  "western_balkans/detections/month": np.array([800.0, 4000.0])})
    short = tmp_path / "history_short.toml"
    text = HISTORY.read_text()
    assert text.count("spin_up_days = 365\n") == 1
    short.write_text(text.replace("spin_up_days = 365\n", "spin_up_days = 30\n"))
    command = [sys.executable, "-m", "sim", "calibrate", "--observed", str(tmp_path / "obs.csv"),
               "--scenario", str(short), "--scale", "1000", "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen([*command, "--budget", "28"], env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while generations(out / "calibration.db") < 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.5)
        assert generations(out / "calibration.db") >= 1
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    first = generations(out / "calibration.db")
    assert not (out / "posterior.parquet").exists()  # killed before it finished
    done = subprocess.run([*command, "--resume", "--budget", "40"], env=ENV, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "(resumed)" in done.stdout
    assert generations(out / "calibration.db") > first
    sample = pd.read_parquet(out / "posterior.parquet")
    assert set(sample.columns) == {p.id for p in PARAMETERS} | {WEIGHT}
    assert json.loads((out / "calibration.json").read_text())["population"] == abc_smc.population_size(28)
    assert (out / "overlay.toml").is_file() and (out / "fit.csv").is_file()


def test_synthetic_target_recovered_within_the_90_percent_interval(tmp_path):
    """A one-minute calibration: observed series made by the model at a known Eastern Med inflow factor (1.4), two
    months after ten days of spin-up (half a second a run); an ABC-SMC of 60 simulations on a single core puts 1.4
    inside its posterior's 90% interval, which is narrower than half the prior's range."""
    import pyabc

    known = 1.4
    parameter = (BY_ID["inflow_eastern_med"],)
    short = short_history(days=60, spin_up_days=10)
    truth = abc_smc.HistoryModel(short, placeholder(tmp_path), parameter)
    np.random.seed(11)
    target = truth({"inflow_eastern_med": np.log10(known)})
    observed = synthetic_observed(tmp_path, {key: values[:2] for key, values in target.items()})
    assert (observed["value"] > 0).all()  # every synthetic period has people in it
    model = abc_smc.HistoryModel(short, observed, parameter)
    abc = abc_smc.make_abc(model, 10, pyabc.SingleCoreSampler())
    abc.new(f"sqlite:///{tmp_path / 'syn.db'}", abc_smc.observed_stats(observed))
    abc_smc.run_generations(abc, abc_smc.Budget(60, 10, 5.0, generations=4), seed=5, log=lambda _: None)
    assert abc.history.max_t >= 2  # the threshold fell twice: a posterior, not the prior
    summary = posterior_summary(posterior_sample(abc.history)).set_index("parameter").loc["inflow_eastern_med"]
    assert summary["p05"] <= known <= summary["p95"]
    assert summary["p90_width_share_of_prior"] < 0.5


def test_compare_with_posterior_draws_gives_wider_intervals(tmp_path, network):
    """The same scenarios and seeds, replicates drawing behaviour and market parameters from a posterior: the
    5-95% ranges of the replicates' outcomes and paired differences are wider than with run-to-run noise alone."""
    from conftest import small_scenario

    from sim.experiments.compare import compare_scenarios

    base = small_scenario(days=45)
    alt = apply_overrides(base, {'patrols.beach_officers."northern_france_coast->kent"': 600.0}, "t")
    scenarios = {"base": base, "alt": alt}
    draws = Calibration(None, fake_posterior(tmp_path / "post.parquet")).draws(base, 3, 6)
    noise = compare_scenarios(scenarios, "base", 6, 3, workers=1, network=network)
    both = compare_scenarios(scenarios, "base", 6, 3, workers=1, network=network, draws=draws)

    def spread(comparison):
        runs = comparison.runs[comparison.runs["scenario"] == "base"]
        by_outcome = runs.groupby("outcome")["value"]
        width = (by_outcome.quantile(0.95) - by_outcome.quantile(0.05))
        diffs = comparison.differences.set_index("outcome")
        return width, diffs["p95"] - diffs["p05"]

    (runs_noise, diff_noise), (runs_both, diff_both) = spread(noise), spread(both)
    crossings = [o for o in runs_noise.index if o.startswith("crossings.") and runs_noise[o] > 0]
    assert crossings
    assert runs_both[crossings].sum() > runs_noise[crossings].sum()
    shared = diff_noise.index.intersection(diff_both.index)
    assert diff_both[shared].sum() > diff_noise[shared].sum()
