"""Whole-model properties: conservation every day, determinism for a seed, and the run folder end to end."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model import RouteModel
from sim.population import kernel
from sim.runner import simulate
from tests.conftest import BASELINE, small_scenario


def test_people_are_conserved_every_day() -> None:
    """Everyone who entered is in exactly one state, every day; per corridor every departure is accounted for."""
    model = RouteModel(small_scenario(inflow_factor=0.2, days=90))
    on_leg_before = None
    for _ in range(model.total_days):
        model.step()
        day = model.day - 1
        states = model.recorder.states[day]
        assert states.sum() == model.population.next_id
        leg = model.recorder.leg[day]
        on_leg = leg[:, kernel.C_ON_LEG]
        accounted = (leg[:, kernel.C_LANDED] + leg[:, kernel.C_INTERCEPTED] + leg[:, kernel.C_PREVENTED]
                     + leg[:, kernel.C_DIED] + on_leg - (0 if on_leg_before is None else on_leg_before))
        np.testing.assert_array_equal(leg[:, kernel.C_DEPARTED], accounted)
        on_leg_before = on_leg
    # The same identity over the whole run, from the corridor table.
    daily = model.recorder.tables()["daily_corridor"]
    last = daily[daily["date"] == daily["date"].max()].set_index("corridor")["on_leg"]
    totals = daily.groupby("corridor")[["departures", "landings", "intercepted", "prevented", "deaths"]].sum()
    rhs = totals["landings"] + totals["intercepted"] + totals["prevented"] + totals["deaths"] + last
    pd.testing.assert_series_equal(totals["departures"], rhs, check_names=False)
    assert totals.loc["channel", "departures"] > 0 and totals["deaths"].sum() > 0


def test_scale_keeps_outputs_in_people() -> None:
    """At scale K each simulated person stands for K: totals stay of the same size in people."""
    one = simulate(small_scenario(inflow_factor=0.2, days=60, spin_up_days=60)).tables["daily_corridor"]
    four = simulate(small_scenario(inflow_factor=0.2, days=60, spin_up_days=60, scale=4.0)).tables["daily_corridor"]
    a, b = one["landings"].sum(), four["landings"].sum()
    assert abs(a - b) / a < 0.1
    assert (four["landings"] % 4 == 0).all()


def test_same_seed_same_tables_other_seed_different() -> None:
    scenario = small_scenario(inflow_factor=0.1, days=30, spin_up_days=30)
    first, again = simulate(scenario).tables, simulate(scenario).tables
    for name in first:
        assert first[name].equals(again[name]), name
    other = simulate(scenario.model_copy(update={"seed": scenario.seed + 1})).tables
    assert not first["daily_corridor"].equals(other["daily_corridor"])


def test_run_command_writes_a_complete_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", str(BASELINE), "--days", "20", "--scale", "20", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"daily_corridor.parquet", "daily_destination.parquet", "daily_population.parquet",
            "daily_observed.parquet", "monthly_leg.parquet", "manifest.json", "charts"} <= names
    assert sorted(p.name for p in (out / "charts").iterdir()) == sorted(
        f"{n}.png" for n in ("arrivals_by_corridor", "deaths_by_corridor", "people_per_boat", "price", "give_ups",
                             "arrivals_by_destination", "channel", "market", "enforcement"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["days"] == 20 and manifest["scale"] == 20
    assert {"scenario_hash", "seed", "versions", "git_revision", "wall_time_s"} <= manifest.keys()
    daily = pd.read_parquet(out / "daily_corridor.parquet")
    assert len(daily) == 20 * daily["corridor"].nunique()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
    # A second run into the same folder replaces it (asked with --overwrite) with identical tables.
    first = pd.read_parquet(out / "monthly_leg.parquet")
    assert CliRunner().invoke(app, [*args, "--overwrite"]).exit_code == 0
    assert first.equals(pd.read_parquet(out / "monthly_leg.parquet"))


@pytest.mark.slow
def test_baseline_runs_at_full_scale(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(tmp_path / "b"), "--quiet"])
    assert result.exit_code == 0, result.output


def test_actors_streams_are_independent_and_seeded() -> None:
    """Draws by one actor's stream do not shift another's; the same seed gives the same streams."""
    a, b = RouteModel(small_scenario(days=2)), RouteModel(small_scenario(days=2))
    a.stream("unit", 0).random(100)  # one actor draws a lot in one model only
    assert a.stream("unit", 1).random() == b.stream("unit", 1).random()
    assert a.stream("market", 5).random() == b.stream("market", 5).random()
    assert a.stream("unit", 0).random() != b.stream("unit", 0).random()
    other = RouteModel(small_scenario(days=2, seed=7))
    assert other.stream("unit", 1).random() != RouteModel(small_scenario(days=2)).stream("unit", 1).random()
