"""`routesim analyse`: sensitivity indices of known value (Ishigami through a synthetic Sobol sweep), Morris
ranking, PRIM on a known threshold, grid response tables, the --where parser, bad folders and the files written.

The sweep folders here are synthetic, written in the format `routesim sweep` writes, so the analysis is tested
against functions whose answers are known rather than against the simulator."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import latin, morris, sobol
from SALib.test_functions import Ishigami
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments.analysis import (
    Condition,
    SweepError,
    grid_surface,
    load_sweep,
    most_influential,
    parse_where,
    prim_boxes,
    response_table,
    sensitivity,
    summarise_samples,
)

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# Analytic first-order and total indices of Ishigami (a=7, b=0.1)
S1_TRUE = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST_TRUE = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
SEED = 20250401


def write_sweep(folder: Path, sampler: dict, problem: dict, x: np.ndarray,
                outcomes: dict[str, Callable[[np.ndarray], np.ndarray]], replicates: int = 2, noise: float = 0.01,
                base: dict[str, float] | None = None, failed: frozenset[int] = frozenset()) -> Path:
    """Write a sweep folder: every sample run `replicates` times, outcome = f(x) + replicate noise (the same draw
    for replicate i of every sample: common random numbers); `base` adds base-scenario runs (sample -1) with those
    means; runs in `failed` (run ids) are recorded as failed with no outcomes."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(SEED)
    names = problem["names"]
    samples = pd.DataFrame(x, columns=names)
    samples.insert(0, "sample_id", np.arange(len(x), dtype=np.int64))
    rep_noise = {name: rng.normal(0.0, noise, replicates) for name in outcomes}
    runs, values = [], []
    ids = [(-1, r) for r in range(replicates)] if base else []
    ids += [(s, r) for s in range(len(x)) for r in range(replicates)]
    for run_id, (sample, rep) in enumerate(ids):
        ok = run_id not in failed
        params = dict.fromkeys(names, np.nan) if sample < 0 else dict(zip(names, x[sample], strict=True))
        runs.append({"run_id": run_id, "sample_id": sample, "replicate": rep, "seed": 1000 + rep,
                     "status": "ok" if ok else "failed", "error": "" if ok else "RuntimeError: boom",
                     "wall_time_s": 0.1, **params})
        if ok:
            for name, f in outcomes.items():
                mean = base[name] if sample < 0 else float(f(x[sample:sample + 1])[0])
                values.append({"run_id": run_id, "outcome": name, "value": mean + rep_noise[name][rep]})
    parameters = [{"path": f"behaviour.{n}", "name": n, "low": lo, "high": hi, "values": None,
                   "distribution": "uniform"} for n, (lo, hi) in zip(names, problem["bounds"], strict=True)]
    manifest = {"routesim_output": {"kind": "sweep", "version": 1}, "experiment": {"name": folder.name},
                "sampler": sampler, "parameters": parameters,
                "problem": None if sampler["kind"] == "grid" else problem, "replicates": replicates,
                "root_seed": SEED, "include_base": bool(base), "outcomes": list(outcomes)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    samples.to_parquet(folder / "samples.parquet", index=False)
    pd.DataFrame(runs).to_parquet(folder / "runs.parquet", index=False)
    pd.DataFrame(values, columns=["run_id", "outcome", "value"]).to_parquet(folder / "outcomes.parquet", index=False)
    pd.DataFrame({"run_id": pd.Series(dtype="int64"), "outcome": pd.Series(dtype=str),
                  "date": pd.Series(dtype="datetime64[ms]"), "value": pd.Series(dtype=float)}).to_parquet(
        folder / "series.parquet", index=False)
    return folder


def ishigami(x: np.ndarray) -> np.ndarray:
    return Ishigami.evaluate(x)


UNIT = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}


def _lhs_sweep(folder: Path, **kwargs) -> Path:
    """400 Latin-hypercube samples of three settings in [0, 1]; outcome y = x1, z = x1 + 2 x2."""
    x = latin.sample(UNIT, 400, seed=SEED)
    return write_sweep(folder, {"kind": "lhs", "n": 400}, UNIT, x,
                       {"y": lambda a: a[:, 0], "z": lambda a: a[:, 0] + 2 * a[:, 1]}, **kwargs)


def _grid_sweep(folder: Path, replicates: int = 4, base: dict[str, float] | None = None) -> Path:
    """A 6 x 3 grid of officers (0..10) and a share (0, 0.5, 1); y = 3 officers + share, noise sd 0.5."""
    grid = {"num_vars": 2, "names": ["officers", "share"], "bounds": [[0.0, 10.0], [0.0, 1.0]]}
    x = np.array(list(itertools.product(range(0, 11, 2), (0.0, 0.5, 1.0))), dtype=float)
    return write_sweep(folder, {"kind": "grid", "n": len(x)}, grid, x, {"y": lambda a: 3 * a[:, 0] + a[:, 1]},
                       replicates=replicates, noise=0.5, base=base)


def _invoke(*args: str):
    return CliRunner().invoke(app, ["analyse", *args])


def test_sobol_indices_of_ishigami_match_the_analytic_values(tmp_path):
    x = sobol.sample(ISHIGAMI, 256, calc_second_order=False, seed=SEED)
    folder = write_sweep(tmp_path / "sobol", {"kind": "sobol", "n": 256, "calc_second_order": False}, ISHIGAMI, x,
                         {"y": ishigami}, replicates=2, noise=0.05)
    sweep = load_sweep(folder)
    table, notes = sensitivity(sweep, ["y"])
    assert notes == []
    rows = table.set_index("parameter")
    for name in ISHIGAMI["names"]:
        # the 90% bootstrap half-widths are ~0.05-0.1 at N=256: the analytic value must lie within two of them,
        # and the intervals must be tight enough for that to mean something
        assert rows.loc[name, "S1_conf"] < 0.15 and rows.loc[name, "ST_conf"] < 0.15
        assert abs(rows.loc[name, "S1"] - S1_TRUE[name]) <= 2 * rows.loc[name, "S1_conf"], name
        assert abs(rows.loc[name, "ST"] - ST_TRUE[name]) <= 2 * rows.loc[name, "ST_conf"], name
    assert most_influential(sweep, table, "y") == ["x1", "x2"]
    again, _ = sensitivity(load_sweep(folder), ["y"])
    pd.testing.assert_frame_equal(table, again)  # the bootstrap is seeded: the same sweep, the same table


def test_morris_ranks_x1_and_x2_above_x3(tmp_path):
    x = morris.sample(ISHIGAMI, 50, num_levels=4, seed=SEED)
    folder = write_sweep(tmp_path / "morris", {"kind": "morris", "n": 50, "num_levels": 4}, ISHIGAMI, x,
                         {"y": ishigami})
    table, notes = sensitivity(load_sweep(folder), ["y"])
    assert notes == [] and set(table["method"]) == {"morris"}
    mu_star = table.set_index("parameter")["mu_star"]
    assert min(mu_star["x1"], mu_star["x2"]) > mu_star["x3"]
    assert (table["mu_star_conf"] > 0).all() and (table["sigma"] > 0).all()


def test_a_design_the_method_cannot_use_is_one_note(tmp_path):
    x = sobol.sample(ISHIGAMI, 16, calc_second_order=False, seed=SEED)[:-3]  # a Sobol design cut short
    folder = write_sweep(tmp_path / "cut", {"kind": "sobol", "n": 16, "calc_second_order": False}, ISHIGAMI, x,
                         {"y": ishigami})
    table, notes = sensitivity(load_sweep(folder), ["y"])
    assert table.empty and len(notes) == 1 and "not a multiple of 5" in notes[0]
    x = sobol.sample(ISHIGAMI, 16, calc_second_order=False, seed=SEED)
    folder = write_sweep(tmp_path / "partial", {"kind": "sobol", "n": 16, "calc_second_order": False}, ISHIGAMI,
                         x, {"y": ishigami}, failed=frozenset({6, 7}))  # both replicates of sample 3 failed
    table, notes = sensitivity(load_sweep(folder), ["y"])
    assert table.empty and notes == ["sensitivity of y: 1 of 80 samples have no ok run; sobol needs every sample "
                                     "of the design"]
    table, notes = sensitivity(load_sweep(_grid_sweep(tmp_path / "grid")), ["y"])
    assert table.empty and len(notes) == 1 and "grid design gives no" in notes[0]


def test_prim_finds_the_box_of_a_known_threshold(tmp_path):
    sweep = load_sweep(_lhs_sweep(tmp_path / "lhs", replicates=3, noise=0.001))
    result = prim_boxes(sweep, parse_where("y > 0.7", sweep.outcomes))
    box = result.boxes[result.boxes["selected"]].iloc[0]
    assert box["restricted"] == "x1"  # only x1 decides y
    assert 0.65 < box["x1.low"] < 0.75 and box["x1.high"] >= sweep.samples["x1"].max()
    assert box["coverage"] >= 0.8 and box["density"] >= 0.9
    lows = result.boxes["x1.low"]
    assert (lows <= 0.7).any() and (lows >= 0.7).any()  # the peeling steps bracket the threshold
    assert result.n_cases == int((sweep.samples["x1"] > 0.7).sum())


def test_grid_response_is_monotone_in_a_monotone_setting(tmp_path):
    sweep = load_sweep(_grid_sweep(tmp_path / "grid"))
    table = response_table(sweep, "y", "officers")
    assert list(table["value"]) == [0, 2, 4, 6, 8, 10]
    assert (table["mean"].diff().dropna() > 0).all()
    assert (table["n_samples"] == 3).all() and (table["n_replicates"] == 4).all()
    assert ((table["t90_low"] < table["mean"]) & (table["mean"] < table["t90_high"])).all()
    surface = grid_surface(sweep, "y", "share", "officers")
    assert surface.shape == (3, 6) and (np.diff(surface.to_numpy(), axis=1) > 0).all()


def test_sample_intervals_need_three_replicates_and_pair_with_the_base(tmp_path):
    two = load_sweep(_lhs_sweep(tmp_path / "two", replicates=2, base={"y": 0.5, "z": 1.0}))
    summary = summarise_samples(two, ["y"])
    assert (summary["n"] == 2).all() and summary["t90_low"].isna().all()
    three = load_sweep(_lhs_sweep(tmp_path / "three", replicates=3, noise=0.05, base={"y": 0.5, "z": 1.0}))
    summary = summarise_samples(three, ["y"]).set_index("sample_id")
    half = stats.t.ppf(0.95, 2) * summary["sd"] / np.sqrt(3)
    np.testing.assert_allclose(summary["t90_high"] - summary["mean"], half)
    # replicate i of a sample and of the base share their noise (the same seed): the paired difference is exact
    np.testing.assert_allclose(summary.loc[0:, "vs_base_mean"], summary.loc[0:, "x1"] - 0.5, atol=1e-9)
    assert summary.loc[-1, "n"] == 3 and np.isnan(summary.loc[-1, "x1"])


def test_where_parser_reads_names_operators_and_baseline():
    names = ["deaths.total", "crossings.channel", "crossings.northern_france_coast->kent"]
    assert parse_where("deaths.total > baseline", names) == Condition("deaths.total", ">", None,
                                                                        "deaths.total > baseline")
    assert parse_where(" crossings.channel<=20_000 ", names).value == 20000.0
    assert parse_where("crossings.northern_france_coast->kent >= 1e3", names).op == ">="
    for text in ("deaths.total = 1", "deaths.totals > 1", "deaths.total > inf", "1 > deaths.total",
                 "deaths.total > 1 or 1", "__import__('os').system('true')"):
        with pytest.raises(SweepError):
            parse_where(text, names)


@pytest.mark.parametrize(("where", "expected"), [
    ("__import__('os')", "expected OUTCOME OP VALUE"),
    ("deaths.total > 1", "unknown outcome 'deaths.total'"),
    ("y == 1", "operator '==' is not allowed"),
    ("y > baseline", "'baseline' needs ok runs of the base scenario"),
])
def test_cli_rejects_a_bad_where_with_one_line(tmp_path, where, expected):
    folder = _lhs_sweep(tmp_path / "lhs")
    result = _invoke(str(folder), "--where", where)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output and not (folder / "analysis").exists()


def test_cli_rejects_a_bad_sweep_folder_with_one_line(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "manifest.json").write_text(json.dumps({"routesim_output": {"kind": "run"}}))
    failed = _lhs_sweep(tmp_path / "failed", failed=frozenset(range(800)))
    cases = {tmp_path / "missing": "no such folder", tmp_path / "run": "not a routesim sweep",
             tmp_path: "no manifest.json", failed: "no run finished ok"}
    for folder, expected in cases.items():
        result = _invoke(str(folder))
        assert result.exit_code == 2 and expected in result.stderr, result.output
        assert len(result.stderr.strip().splitlines()) == 1 and not (folder / "analysis").exists()
    result = _invoke(str(_lhs_sweep(tmp_path / "ok")), "--outcome", "nope")
    assert result.exit_code == 2 and "unknown outcome 'nope'" in result.stderr


def test_cli_writes_the_analysis_and_refuses_a_folder_it_did_not_make(tmp_path):
    folder = _lhs_sweep(tmp_path / "lhs", replicates=3, failed=frozenset({4, 9}))
    result = _invoke(str(folder), "--where", "z > 1.5")
    assert result.exit_code == 0, result.output
    out = folder / "analysis"
    for name in ("samples_summary.csv", "samples_summary.parquet", "sensitivity.csv", "response.csv", "prim.csv",
                 "manifest.json", "charts/sensitivity-y.png", "charts/response-z.png", "charts/prim-tradeoff.png"):
        assert (out / name).is_file(), name
    assert "2 of 1200 runs failed" in result.stderr and "PRIM: where z > 1.5" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["routesim_output"]["kind"] == "analysis" and manifest["runs_failed"] == 2
    summary = pd.read_csv(out / "samples_summary.csv")
    assert set(summary["outcome"]) == {"y", "z"} and len(summary) == 2 * 400
    assert set(pd.read_csv(out / "sensitivity.csv")["method"]) == {"rbd_fast"}
    prim = pd.read_csv(out / "prim.csv")
    assert prim["selected"].sum() == 1 and {"coverage", "density", "n", "x2.low", "x2.high"} <= set(prim.columns)

    kept = _invoke(str(folder), "--outcome", "y", "--no-charts", "--quiet")  # a previous analysis: only on request
    assert kept.exit_code == 2 and "--overwrite" in kept.stderr
    again = _invoke(str(folder), "--outcome", "y", "--no-charts", "--quiet", "--overwrite")
    assert again.exit_code == 0 and set(pd.read_csv(out / "samples_summary.csv")["outcome"]) == {"y"}
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    refused = _invoke(str(folder), "--out", str(mine))
    assert refused.exit_code == 2 and "not a routesim output folder" in refused.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]


def test_cli_grid_draws_a_heatmap_and_a_response_per_setting(tmp_path):
    folder = _grid_sweep(tmp_path / "grid", replicates=2, base={"y": 10.0})
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))  # a sweep still going
    result = _invoke(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "charts" / "heatmap-y.png").is_file()
    assert not (tmp_path / "out" / "sensitivity.csv").exists() and "grid design gives no" in result.stderr
    assert "the sweep is not complete (status running)" in result.stderr
    response = pd.read_csv(tmp_path / "out" / "response.csv")
    assert set(response["parameter"]) == {"officers", "share"} and response["t90_low"].isna().all()
    assert "no interval (n < 3)" in result.output and "minus base (paired)" in result.output
    summary = pd.read_csv(tmp_path / "out" / "samples_summary.csv")
    top = summary[(summary["officers"] == 10) & (summary["share"] == 1)].iloc[0]
    assert top["vs_base_mean"] == pytest.approx(31.0 - 10.0)  # shared replicate noise cancels in the pairing


def test_intervals_name_what_the_replicates_vary_by(tmp_path):
    """A sweep whose replicates drew parameters from a posterior: the analysis says its intervals cover noise and
    parameter uncertainty; one without (or written before manifests said so): run-to-run noise."""
    from sim.calibration.use import NOISE, NOISE_AND_PARAMETERS

    folder = _lhs_sweep(tmp_path / "lhs", replicates=3)
    plain = _invoke(str(folder), "--no-charts", "--quiet", "--out", str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.output
    note = json.loads((tmp_path / "plain" / "manifest.json").read_text())["methods"]["interval"]
    assert NOISE in note and NOISE_AND_PARAMETERS not in note
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["interval"] = {"kind": NOISE_AND_PARAMETERS, "replicates": 3}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    drawn = _invoke(str(folder), "--no-charts", "--quiet", "--out", str(tmp_path / "drawn"))
    assert drawn.exit_code == 0, drawn.output
    assert NOISE_AND_PARAMETERS in json.loads((tmp_path / "drawn" / "manifest.json").read_text())["methods"]["interval"]
