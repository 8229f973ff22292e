"""`routesim validate`: the fixed score table on hand-made series, the observed file's checks, the model's median
and band, and the command end to end on a small file of its own (monthly and yearly rows, a one-period pair)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASELINE, ROOT

from sim.config import ConfigError, load_scenario
from sim.validation import score
from sim.validation.observed import check_within, observed_outcomes, read_observed
from sim.validation.run import BAND_MIN_REPLICATES, cut_to, overlay_settings, paired

HEADER = "period,route,metric,value,source\n"


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "sim", "validate", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


# --- the metrics, by hand -------------------------------------------------------------------------------------

def test_metrics_on_a_hand_made_series_with_an_observed_zero() -> None:
    model, observed = np.array([10.0, 20.0, 30.0]), np.array([12.0, 0.0, 27.0])
    got = score.score(model, observed)
    assert got["n"] == 3
    assert got["ard"] == pytest.approx((2 + 20 + 3) / 39)  # sum |m - o| / sum o
    assert got["mape"] == pytest.approx((2 / 12 + 3 / 27) / 2)  # the zero period skipped
    # model MAE over periods 2..3: (20 + 3) / 2; naive "same as last period": (|0 - 12| + |27 - 0|) / 2
    assert got["mase"] == pytest.approx(11.5 / 19.5)
    # observed goes down then up; the model goes up twice: the second change only
    assert (got["direction_hits"], got["direction_n"]) == (1, 2)


def test_one_period_has_no_mase_and_no_direction() -> None:
    got = score.score(np.array([5.0]), np.array([4.0]))
    assert got["n"] == 1 and got["ard"] == pytest.approx(0.25) and got["mape"] == pytest.approx(0.25)
    assert math.isnan(got["mase"]) and (got["direction_hits"], got["direction_n"]) == (0, 0)


def test_directions_skip_unchanged_periods_and_a_flat_model_misses() -> None:
    observed = np.array([5.0, 5.0, 8.0, 6.0])  # changes: none, up, down
    assert score.direction(np.array([1.0, 2.0, 3.0, 2.0]), observed) == (2, 2)
    assert score.direction(np.array([1.0, 1.0, 1.0, 1.0]), observed) == (0, 2)
    assert score.direction(np.array([1.0, 0.0, np.nan, 2.0]), observed) == (0, 2)  # undefined: a miss


def test_undefined_metrics_are_nan() -> None:
    zeros = np.zeros(3)
    assert math.isnan(score.ard(np.ones(3), zeros)) and math.isnan(score.mape(np.ones(3), zeros))
    assert math.isnan(score.mase(np.ones(3), np.full(3, 7.0)))  # the naive forecast is exact: no scale


def test_score_table_and_overall_line() -> None:
    rows = [("channel", "arrivals", "month", "2025-01", 100.0, 110.0), ("channel", "arrivals", "month", "2025-02",
            200.0, 190.0), ("channel", "arrivals", "month", "2025-03", 150.0, 160.0),
            ("central_med", "detections", "year", "2025", 1000.0, 1500.0)]
    table = pd.DataFrame(rows, columns=["route", "metric", "resolution", "period", "observed", "model"])
    table["start"] = pd.to_datetime(table["period"], format="mixed")
    scored = score.score_table(table.iloc[::-1])  # the order of rows does not matter
    assert list(scored.columns) == score.SCORE_COLUMNS
    channel = scored.set_index("route").loc["channel"]
    assert channel["n"] == 3 and channel["ard"] == pytest.approx(30 / 450)
    assert channel["mase"] == pytest.approx(10 / 75) and channel["direction_hits"] == 2
    summary = score.overall(scored)
    assert summary["median_ard"] == pytest.approx((30 / 450 + 0.5) / 2)
    assert summary["mase_below_1_share"] == 1.0 and summary["series_with_mase"] == 1
    assert summary["direction_hit_rate"] == 1.0
    assert "median ARD 0.28" in score.overall_line(summary)


# --- the observed file ------------------------------------------------------------------------------------------

def test_the_package_calibration_file_is_read_whole() -> None:
    path = ROOT / "sim" / "data" / "observed_calibration.csv"
    table = read_observed(path)
    assert len(table) == len(pd.read_csv(path))
    assert set(table["resolution"]) == {"year", "month"}
    assert set(zip(table["route"], table["metric"], strict=True)) <= set(observed_outcomes())
    month = table[table["period"] == "2016-02"].iloc[0]
    assert month["start"] == pd.Timestamp("2016-02-01") and month["end"] == pd.Timestamp("2016-02-29")


def test_observed_rows_before_the_run_and_twice_given_are_refused(tmp_path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(HEADER + "2013,channel,arrivals,5,x\n2014,channel,arrivals,6,x\n")
    with pytest.raises(ConfigError, match=r"line 2: period: 2013 begins before the scenario's first"):
        check_within(read_observed(path), path, pd.Timestamp("2014-01-01").date())
    path.write_text(HEADER + "2014,channel,arrivals,5,x\n2014,channel,arrivals,6,x\n")
    with pytest.raises(ConfigError, match="given twice"):
        read_observed(path)


BAD_FILES = {
    "missing columns": ("period,route,value\n2014,channel,5\n", "header: missing column metric"),
    "unknown route": (HEADER + "2014,atlantis,arrivals,5,x\n", "line 2: route: unknown route 'atlantis'; allowed:"),
    "unknown metric": (HEADER + "2014,channel,arivals,5,x\n", "line 2: metric: unknown metric 'arivals' for route "
                       "channel; allowed: arrivals"),
    "bad period": (HEADER + "2014-13,channel,arrivals,5,x\n", "line 2: period: '2014-13' is neither YYYY nor "
                   "YYYY-MM"),
    "non-numeric value": (HEADER + "2014,channel,arrivals,many,x\n", "line 2: value: 'many' is not a number"),
    "missing file": (None, "file not found"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_observed_file_is_one_line_exit_2_and_nothing_written(tmp_path, case) -> None:
    text, expected = BAD_FILES[case]
    path = tmp_path / "obs.csv"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "out"
    done = _run_cli("--observed", str(path), "--out", str(out), cwd=tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {path}: ") and expected in lines[0], lines[0]
    assert "Traceback" not in done.stderr + done.stdout
    assert not out.exists() and not (tmp_path / "runs").exists()


# --- the model side ---------------------------------------------------------------------------------------------

def test_model_median_and_band_per_period() -> None:
    observed = pd.DataFrame({"route": ["channel"] * 2, "metric": ["arrivals"] * 2, "resolution": ["month"] * 2,
                             "period": ["2025-01", "2025-02"], "start": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                             "value": [10.0, 20.0]})

    def runs(n: int) -> pd.DataFrame:
        return pd.DataFrame({"replicate": np.repeat(np.arange(n), 2), "outcome": "recorded.ho_small_boat",
                             "resolution": "month", "days": 31,
                             "date": np.tile(pd.to_datetime(["2025-01-01", "2025-02-01"]).astype("datetime64[ms]"), n),
                             "value": np.column_stack([np.arange(n), 100 + np.arange(n)]).ravel().astype(float)})

    few = paired(observed, runs(3), 3)
    assert list(few["model"]) == [1.0, 101.0] and few["p05"].isna().all() and few["p95"].isna().all()
    many = paired(observed, runs(BAND_MIN_REPLICATES), BAND_MIN_REPLICATES)
    assert list(many["model"]) == [4.5, 104.5]
    assert many["p05"].iloc[0] == pytest.approx(0.45) and many["p95"].iloc[1] == pytest.approx(108.55)
    assert list(many["observed"]) == [10.0, 20.0] and set(many["outcome"]) == {"recorded.ho_small_boat"}


def test_the_run_is_cut_or_extended_to_the_last_period() -> None:
    base = load_scenario(BASELINE)
    cut, extended = cut_to(base, pd.Timestamp("2025-06-30").date(), "--observed x")
    assert cut.end_date() == pd.Timestamp("2025-06-30").date() and not extended
    longer, extended = cut_to(base, pd.Timestamp("2026-12-31").date(), "--observed x")
    assert longer.days == (pd.Timestamp("2026-12-31") - pd.Timestamp("2025-04-01")).days + 1 and extended


def test_an_overlay_is_applied_like_set(tmp_path) -> None:
    path = tmp_path / "overlay.toml"
    path.write_text('[behaviour]\nchoice_scale_eur = 600.0\n[patrols.beach_officers]\n'
                    '"northern_france_coast->kent" = 250.0\n')
    settings = overlay_settings(path)
    assert settings == {"behaviour.choice_scale_eur": 600.0,
                        'patrols.beach_officers."northern_france_coast->kent"': 250.0}
    scenario = load_scenario(BASELINE, {str(path): settings})
    assert scenario.behaviour.choice_scale_eur == 600.0
    assert scenario.patrols.beach_officers["northern_france_coast->kent"] == 250.0
    path.write_text("[behaviour]\nchoise_scale_eur = 600.0\n")
    with pytest.raises(ConfigError, match="unknown key 'choise_scale_eur'"):
        load_scenario(BASELINE, {str(path): overlay_settings(path)})


# --- end to end ---------------------------------------------------------------------------------------------------

OBSERVED = HEADER + """2025-01,channel,arrivals,3000,test
2025-02,channel,arrivals,4000,test
2025-03,channel,arrivals,3500,test
2025-01,channel,boats,100,test
2025-02,channel,boats,120,test
2025-03,channel,boats,110,test
2025,channel,people_per_boat,50,test
2025,central_med,detections,60000,test
2025,central_med,deaths,900,test
"""


def test_validate_scores_a_small_file_end_to_end(tmp_path) -> None:
    shutil.copy(BASELINE, tmp_path / "baseline.toml")
    (tmp_path / "short.toml").write_text('extends = "baseline.toml"\nname = "short"\nstart_date = 2025-01-01\n'
                                         "days = 30\nspin_up_days = 0\n")
    (tmp_path / "obs.csv").write_text(OBSERVED)
    (tmp_path / "overlay.toml").write_text("[behaviour]\nchoice_scale_eur = 700.0\n")
    args = ("--observed", "obs.csv", "--scenario", "short.toml", "--params", "overlay.toml", "--replicates", "2",
            "--scale", "50", "--workers", "1", "--quiet")
    first = _run_cli(*args, "--out", "a", "--docs", "docs/validation.md", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "parameters: parameter overlay overlay.toml" in first.stdout
    assert "past the scenario's own end: inflows held at their last level" in first.stdout
    table = pd.read_csv(tmp_path / "a" / "validation.csv")
    assert list(table.columns) == ["route", "metric", "resolution", "n", "ard", "mape", "mase", "direction_hits",
                                   "direction_n"]
    rows = {(r.route, r.metric, r.resolution): r for r in table.itertuples()}
    assert set(rows) == {("channel", "arrivals", "month"), ("channel", "boats", "month"),
                         ("channel", "people_per_boat", "year"), ("central_med", "detections", "year"),
                         ("central_med", "deaths", "year")}
    assert rows[("channel", "arrivals", "month")].n == 3 and rows[("channel", "arrivals", "month")].direction_n == 2
    one = rows[("central_med", "detections", "year")]
    assert one.n == 1 and math.isnan(one.mase) and one.direction_n == 0 and one.ard >= 0
    series = pd.read_csv(tmp_path / "a" / "series.csv")
    assert len(series) == 9 and series["model"].notna().all() and series["p05"].isna().all()
    deaths = series[series["metric"] == "deaths"].iloc[0]
    assert deaths["outcome"] == "recorded_deaths.central_med"
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["scenario"]["behaviour"]["choice_scale_eur"] == 700.0
    assert manifest["end_date"] == "2025-12-31" and len(manifest["seeds"]) == 2
    assert manifest["routesim_output"]["kind"] == "validation"
    charts = sorted(p.name for p in (tmp_path / "a" / "charts").glob("*.png"))
    assert len(charts) == 5 and "central_med-detections-year.png" in charts
    page = (tmp_path / "docs" / "validation.md").read_text()
    assert "## Method" in page and "| central_med | detections | year | 1 |" in page
    assert "![validation/channel-arrivals-month.png](validation/channel-arrivals-month.png)" in page
    assert (tmp_path / "docs" / "validation" / "channel-arrivals-month.png").is_file()
    refused = _run_cli(*args, "--out", "a", cwd=tmp_path)
    assert refused.returncode == 2 and "--overwrite" in refused.stderr


@pytest.mark.slow
def test_the_history_runs_against_the_calibration_file(tmp_path) -> None:
    done = _run_cli("--observed", str(ROOT / "sim" / "data" / "observed_calibration.csv"), "--scenario",
                    str(ROOT / "scenarios" / "history.toml"), "--replicates", "2", "--scale", "200", "--out",
                    str(tmp_path / "v"), "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "v" / "validation.csv")
    calibration = read_observed(ROOT / "sim" / "data" / "observed_calibration.csv")
    assert len(table) == len(calibration.groupby(["route", "metric", "resolution"]))
    assert table["ard"].notna().all()


def test_charts_draw_a_band_only_with_enough_replicates() -> None:
    from sim.validation.charts import model_against_observed

    one = pd.DataFrame({"route": "channel", "metric": "arrivals", "resolution": "month",
                        "period": ["2025-01", "2025-02"],
                        "start": pd.to_datetime(["2025-01-01", "2025-02-01"]), "outcome": "recorded.ho_small_boat",
                        "observed": [10.0, 20.0], "model": [12.0, 18.0], "p05": [8.0, 15.0], "p95": [15.0, 22.0]})
    banded = model_against_observed(one, BAND_MIN_REPLICATES)
    bare = model_against_observed(one.assign(p05=np.nan, p95=np.nan), 3)
    assert banded._suptitle.get_text() == "English Channel: arrivals, by month: model against observed"
    assert len(banded.axes[0].collections) == 1 and not bare.axes[0].collections
    notes = [t.get_text() for t in bare.axes[0].texts]
    assert notes == ["no 90% band: 3 replicates, a band needs at least 10"]
    assert [t.get_text() for t in banded.axes[0].get_xticklabels()][:2] == ["2025-01", "2025-02"]
