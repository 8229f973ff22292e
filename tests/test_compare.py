"""Scenario comparison: common random numbers, exact self-comparison, serial = parallel, bootstrap CIs,
cost-effectiveness wording, bad input and the files the command writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from typer.testing import CliRunner

from sim.cli import app
from sim.experiments import (
    CROSSING_CORRIDORS,
    NOT_DISTINGUISHABLE,
    InterventionCost,
    RunRecord,
    bootstrap_ci,
    cost_effectiveness,
    differences,
    replicate_seeds,
    runs_table,
    summarise,
)
from sim.experiments.compare import compare_scenarios
from tests.conftest import child_of_baseline

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
TINY = ["--days", "20", "--scale", "50", "--set", "spin_up_days=365"]  # a year of spin-up is enough for file checks


def _prevention_file(folder: Path, name: str = "strong_prevention", extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    shutil.copy(BASELINE, folder / "baseline.toml")  # extends stays inside the file's folder
    path.write_text(f'''extends = "baseline.toml"
name = "{name}"
{extra}
[interventions.beach]
kind = "launch_prevention"
start = 2025-04-01
target = {{ corridor = "channel" }}
officers_added = 2000.0
cost_gbp = 50000000.0
''')
    return path


def test_replicate_seeds_are_fixed_distinct_and_in_range():
    seeds = replicate_seeds(20250401, 5)
    assert seeds == replicate_seeds(20250401, 5)
    assert seeds[:3] == replicate_seeds(20250401, 3)  # adding replicates keeps the first ones
    assert len(set(seeds)) == 5 and all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)
    assert seeds != replicate_seeds(1, 5)


def test_bootstrap_ci_contains_the_mean_and_is_reproducible():
    values = np.random.default_rng(3).normal(50.0, 20.0, size=20)
    low, high = bootstrap_ci(values)
    assert low < values.mean() < high
    assert (low, high) == bootstrap_ci(values)  # fixed seed: same interval every time
    assert bootstrap_ci(values, seed=99) != (low, high)
    wide_low, wide_high = bootstrap_ci(values, level=0.99)
    assert wide_low < low and wide_high > high
    stats = summarise(values)
    assert stats["n"] == 20 and stats["ci_excludes_zero"]
    assert stats["p05"] < stats["ci_low"] and stats["p95"] > stats["ci_high"]
    assert summarise(np.zeros(7)) == {"n": 7, "mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p05": 0.0, "p95": 0.0,
                                      "ci_excludes_zero": False}


def _diff_row(outcome: str, mean: float, low: float, high: float) -> dict:
    return {"scenario": "alt", "baseline": "base", "outcome": outcome, "unit": "people", "n": 10, "base_mean": 1e4,
            "alt_mean": 1e4 + mean, "mean": mean, "ci_low": low, "ci_high": high, "p05": low * 2, "p95": high * 2,
            "ci_excludes_zero": low > 0 or high < 0}


def test_cost_effectiveness_only_gives_numbers_for_distinguishable_reductions():
    diffs = pd.DataFrame([
        _diff_row("crossings.channel", -1000.0, -1500.0, -500.0),  # a clear reduction
        _diff_row("arrivals.total", -200.0, -600.0, 150.0),  # CI includes 0
        _diff_row("deaths.channel", 5.0, 1.0, 9.0),  # clearly up on the target corridor: the wrong sign
    ])
    cost = InterventionCost("alt", ("beach",), 1.15e6, 1e6, ("channel",))
    ce = cost_effectiveness(diffs, [cost]).set_index("measure")
    crossings = ce.loc["crossings_prevented"]
    assert crossings["cost_per_eur"] == pytest.approx(1150.0) and crossings["cost_per_gbp"] == pytest.approx(1000.0)
    assert crossings["cost_per_eur_low"] == pytest.approx(1.15e6 / 1500) and crossings["cost_per_eur_high"] == \
        pytest.approx(1.15e6 / 500)
    assert "EUR 1,150" in crossings["text"] and "GBP 1,000" in crossings["text"]
    arrivals = ce.loc["arrivals_prevented"]
    assert arrivals["text"] == NOT_DISTINGUISHABLE and pd.isna(arrivals["cost_per_eur"])
    deaths = ce.loc["deaths_averted"]
    assert not deaths["text"][0].isdigit() and pd.isna(deaths["cost_per_eur"]) and "rose" in deaths["text"]


def test_cost_per_death_averted_counts_the_deaths_of_the_target_corridors(network) -> None:
    """An intervention on the Channel is charged for the Channel's deaths averted, not for deaths elsewhere."""
    from pydantic import TypeAdapter

    from sim.experiments.compare import intervention_cost
    from sim.interventions.schema import Intervention

    base = small_scenario(days=10)
    item = TypeAdapter(Intervention).validate_python(
        {"kind": "launch_prevention", "start": base.start_date, "target": {"corridor": "channel"},
         "officers_added": 100.0, "cost_eur": 1e6})
    cost = intervention_cost("alt", base.model_copy(update={"interventions": {"beach": item}}), base, network)
    assert cost.corridors == ("channel",)
    diffs = pd.DataFrame([_diff_row("deaths.total", -100.0, -150.0, -50.0),  # mostly deaths elsewhere
                          _diff_row("deaths.channel", -10.0, -15.0, -5.0)])
    deaths = cost_effectiveness(diffs, [cost]).set_index("measure").loc["deaths_averted"]
    assert deaths["outcome"] == "deaths.channel" and deaths["per"] == "death averted on channel (target corridors)"
    assert deaths["cost_per_eur"] == pytest.approx(1e6 / 10.0)  # not 1e6 / 100


def test_self_comparison_gives_exactly_zero_differences(network):
    scenario = small_scenario(days=30)
    result = compare_scenarios({"base": scenario, "same": scenario}, "base", replicates=2, base_seed=7, workers=1,
                               network=network)
    runs = result.runs
    base = runs[runs["scenario"] == "base"].drop(columns="scenario").reset_index(drop=True)
    same = runs[runs["scenario"] == "same"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(base, same)
    diffs = result.differences
    assert len(diffs) > 25 and diffs["n"].between(1, 2).all()
    for column in ("mean", "ci_low", "ci_high", "p05", "p95"):
        assert (diffs[column] == 0.0).all(), column
    assert not diffs["ci_excludes_zero"].any()
    assert base["value"].abs().sum() > 0  # the runs did something
    assert (result.displacement["mean"] == 0.0).all()


def _record(label: str, replicate: int, crossings: float | None) -> RunRecord:
    """A record made by hand: `crossings` None makes it a failed run."""
    if crossings is None:
        return RunRecord(0, label, 0, replicate, 100 + replicate, "failed", "worker process died (signal 9)", 1.0,
                         {}, None, {})
    outcomes = {f"{m}.{c}": crossings if c == "channel" else 0.0 for m in ("crossings", "deaths")
                for c in CROSSING_CORRIDORS}
    return RunRecord(0, label, 0, replicate, 100 + replicate, "ok", None, 1.0, outcomes, None, {"kernel_seed": 1})


def test_a_failed_run_is_a_row_of_the_runs_table_and_drops_only_its_pair():
    records = [_record("base", 0, 10.0), _record("base", 1, 20.0), _record("base", 2, 30.0),
               _record("alt", 0, 4.0), _record("alt", 1, None), _record("alt", 2, 33.0)]
    runs = runs_table(records, extra_corridors=[("channel", "central_med")])
    failed = runs[runs["status"] == "failed"]
    assert failed[["scenario", "replicate", "seed", "error"]].values.tolist() == [
        ["alt", 1, 101, "worker process died (signal 9)"]]
    assert failed["outcome"].isna().all() and failed["value"].isna().all()
    assert (runs.loc[runs["status"] == "ok", "error"].isna()).all()
    for measure in ("crossings", "deaths"):  # the target corridors' sums that cost-effectiveness reads
        assert runs.loc[runs["outcome"] == f"{measure}.central_med+channel", "value"].tolist() == [10, 20, 30, 4, 33]
    d = differences(runs, "base").set_index("outcome").loc["crossings.channel"]
    assert (d["n"], d["mean"], d["base_mean"], d["alt_mean"]) == (2, (-6.0 + 3.0) / 2, 20.0, 18.5)


def test_differences_pair_replicates_and_refuse_unpaired_runs():
    runs = pd.DataFrame({"scenario": ["b", "b", "a", "a"], "replicate": [0, 1, 0, 1], "seed": [1, 2, 1, 2],
                         "outcome": "crossings.channel", "value": [10.0, 20.0, 4.0, 16.0], "status": "ok",
                         "error": None})
    d = differences(runs, "b").iloc[0]
    assert (d["scenario"], d["mean"], d["base_mean"], d["alt_mean"]) == ("a", -5.0, 15.0, 10.0)
    runs.loc[3, "seed"] = 3
    with pytest.raises(ValueError, match="not paired"):
        differences(runs, "b")


def test_bad_file_exits_2_and_writes_nothing(tmp_path):
    bad = child_of_baseline(tmp_path, 'name = "bad"\n[interventions.x]\nkind = "launch_prevention"\n'
                            'start = 2025-04-01\ntarget = { corridor = "nowhere" }\nofficers_added = 10.0\n',
                            "bad.toml")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(BASELINE), str(bad), *TINY, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "bad.toml" in result.output and "nowhere" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["compare", str(BASELINE), str(tmp_path / "missing.toml"), "--out", str(out)])
    assert result.exit_code == 2 and "file not found" in result.output
    shorter = _prevention_file(tmp_path, "shorter", extra="days = 100")
    result = runner.invoke(app, ["compare", str(BASELINE), str(shorter), "--out", str(out)])
    assert result.exit_code == 2 and "days" in result.output
    result = runner.invoke(app, ["compare", str(BASELINE), "--out", str(out)])
    assert result.exit_code == 2
    assert sorted(tmp_path.iterdir()) == sorted([bad, shorter, tmp_path / "baseline.toml"])  # no output folder


def test_command_writes_every_file(tmp_path):
    alt = _prevention_file(tmp_path)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(BASELINE), str(alt), *TINY, "--replicates", "2",
                                      "--workers", "1", "--seed", "11", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("runs", "differences", "displacement", "cost_effectiveness"):
        parquet = pd.read_parquet(out / f"{name}.parquet")
        assert len(parquet) > 0 and len(pd.read_csv(out / f"{name}.csv")) == len(parquet), name
    series = pd.read_parquet(out / "series.parquet")
    assert list(series.columns) == ["scenario", "replicate", "outcome", "date", "days", "value"]
    assert set(series["outcome"]) == {f"crossings.{c}" for c in CROSSING_CORRIDORS} | {"deaths.total"}
    totals = pd.read_parquet(out / "runs.parquet")
    weekly = series.groupby(["scenario", "replicate", "outcome"])["value"].sum()  # part weeks kept: totals agree
    whole = totals.set_index(["scenario", "replicate", "outcome"])["value"].reindex(weekly.index)
    np.testing.assert_allclose(weekly.to_numpy(), whole.to_numpy())
    assert series.groupby(["scenario", "replicate", "outcome"])["days"].sum().eq(20).all()
    charts = {p.name for p in (out / "charts").glob("*.png")}
    assert charts == {f"fan_crossings_{c}.png" for c in CROSSING_CORRIDORS} | {"fan_deaths_total.png",
                                                                                 "displacement.png"}
    diffs = pd.read_parquet(out / "differences.parquet").set_index("outcome")
    assert diffs.at["crossings.channel", "label"] == "Crossings: English Channel"
    assert diffs.at["price.channel", "unit"] == "EUR/place" and diffs.at["deaths.total", "unit"] == "deaths"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["baseline"] == "baseline" and manifest["alternatives"] == ["strong_prevention"]
    assert manifest["replicate_seeds"] == replicate_seeds(11, 2) and manifest["replicates"] == 2
    assert set(manifest["scenarios"]) == {"baseline", "strong_prevention"} and manifest["git_revision"]
    assert manifest["scenario_files"]["strong_prevention"] == str(alt)
    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["seed"].unique()) == sorted(replicate_seeds(11, 2))
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    assert [(r["status"], r["error"]) for r in manifest["runs"]] == [("ok", None)] * 4
    ce = pd.read_parquet(out / "cost_effectiveness.parquet")
    assert ce["cost_gbp"].eq(50e6).all() and ce["cost_eur"].eq(50e6 * 1.15).all()
    assert {"crossing prevented on channel (target corridors)", "death averted on channel (target corridors)"} <= \
        set(ce["per"])
    assert set(ce.loc[ce["measure"] == "deaths_averted", "outcome"]) == {"deaths.channel"}
    displacement = pd.read_parquet(out / "displacement.parquet")
    assert {f"crossings.{c}" for c in CROSSING_CORRIDORS} <= set(displacement["outcome"])
    assert {"arrivals.uk", "arrivals.total", "give_ups.total"} <= set(displacement["outcome"])
    assert "Cost-effectiveness of strong_prevention" in result.output and "Where did the people go" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


@pytest.mark.slow
def test_strong_prevention_cuts_channel_crossings(tmp_path):
    alt = _prevention_file(tmp_path)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(BASELINE), str(alt), "--scale", "20", "--days", "120",
                                      "--replicates", "6", "--workers", "0", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    diffs = pd.read_parquet(out / "differences.parquet").set_index("outcome")
    assert diffs.at["crossings.channel", "ci_high"] < 0


def test_cost_is_net_of_what_the_baseline_scenario_spends() -> None:
    """Two policies of equal cost have no cost per unit between them; a dearer one is charged the difference."""
    from pydantic import TypeAdapter

    from sim.experiments.compare import intervention_cost
    from sim.interventions.schema import Intervention
    from sim.network import load_network
    from tests.conftest import small_scenario

    base = small_scenario(days=10)

    def funded(name: str, corridor: str, gbp: float):
        item = TypeAdapter(Intervention).validate_python(
            {"kind": "enforcement_funding", "start": base.start_date, "target": {"corridor": corridor},
             "amount_gbp": gbp, "end": base.end_date()})
        return base.model_copy(update={"interventions": {name: item}})

    net = load_network()
    one, other, dearer = funded("a", "channel", 1e6), funded("b", "central_med", 1e6), funded("b", "central_med", 3e6)
    assert intervention_cost("b", other, one, net) is None
    cost = intervention_cost("b", dearer, one, net)
    assert cost is not None and cost.cost_gbp == pytest.approx(2e6)
    assert intervention_cost("a", one, base, net).cost_gbp == pytest.approx(1e6)


def test_strong_prevention_cuts_channel_crossings_at_small_scale(tmp_path):
    """The fast-suite version of the test above: a small compare (4 paired replicates, 45 days at 1/40 scale)
    in which 2,000 more beach officers cut the Channel's crossings, the paired interval below zero."""
    alt = _prevention_file(tmp_path)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(BASELINE), str(alt), "--scale", "40", "--days", "45",
                                      "--set", "spin_up_days=60", "--replicates", "4", "--workers", "1",
                                      "--no-charts", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    diffs = pd.read_parquet(out / "differences.parquet").set_index("outcome")
    assert diffs.at["crossings.channel", "ci_high"] < 0
