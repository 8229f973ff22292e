"""The agents engine (one mesa.Agent per migrant, the reference's rules) writes exactly the kernel engine's tables,
creates and removes its agents with the population, and the population view reads the same for both engines."""

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.config import load_scenario
from sim.model import RouteModel
from sim.network import load_network
from sim.population import kernel as k
from sim.population.agents import GUARD_SECONDS, Migrant, adopt, estimated_seconds
from sim.runner import simulate
from tests.conftest import ROOT, small_scenario

NET = load_network()


def in_force(name: str, seed: int, scale: float):
    """A shipped scenario moved to 30 recorded days from the day all its interventions are at full strength, after
    a 60-day spin-up: every actor acts, and the interventions are in force."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    start = max(item.start + dt.timedelta(days=item.ramp_up_days) for item in scenario.interventions.values())
    items = scenario.interventions.values()
    assert all(item.end is None or item.end >= start + dt.timedelta(days=30) for item in items)
    return scenario.model_copy(update={"start_date": start, "days": 30, "spin_up_days": 60, "scale": scale,
                                       "seed": seed})


@pytest.mark.parametrize(("name", "seed", "scale"), [("summit_package", 3, 25.0), ("coordinated", 11, 20.0),
                                                     ("uk_albania_returns", 5, 25.0)])
def test_both_engines_write_identical_tables(name: str, seed: int, scale: float) -> None:
    scenario = in_force(name, seed, scale)
    kernel_run = simulate(scenario, NET, engine="kernel")
    agents_run = simulate(scenario, NET, engine="agents")
    assert kernel_run.tables.keys() == agents_run.tables.keys()
    for table, frame in kernel_run.tables.items():
        assert frame.equals(agents_run.tables[table]), table
    entered = agents_run.manifest["people_entered"] / scale
    assert entered > 2000, "a few thousand simulated people at least"
    corridors = kernel_run.tables["daily_corridor"]
    assert (corridors.groupby("date")["departures"].sum() > 0).all() and corridors["deaths"].sum() > 0
    assert kernel_run.tables["daily_interventions"]["intensity"].min() == 1.0, "interventions in force every day"
    assert kernel_run.tables["daily_enforcement"]["operations"].sum() > 0, "enforcement units act"


def _run(engine: str, days: int = 25) -> RouteModel:
    model = RouteModel(small_scenario(0.05, days=days, spin_up_days=0, seed=4), NET, engine=engine)
    model.run()
    return model


def test_agents_are_the_active_population_and_leave_at_a_final_state() -> None:
    model = _run("agents")
    migrants = model.agents_by_type[Migrant]
    active = model.population.state < k.FIRST_FINAL
    assert 0 < len(migrants) == active.sum() < model.population.next_id, "some reached a final state and left"
    assert [m.person_id for m in migrants] == list(model.population.ids[active])
    assert all(not m.final for m in migrants)
    assert len(_run("kernel").agents_by_type.get(Migrant, [])) == 0, "the kernel engine makes no migrant agents"


def test_mesa_verbs_on_migrants_agree_with_the_frame() -> None:
    model = _run("agents")
    frame = model.migrants_frame()
    migrants = model.agents_by_type[Migrant]
    at_coast = migrants.select(lambda m: m.state_name == "at_coast")
    assert len(at_coast) == (frame["state"] == "at_coast").sum() > 0
    by_origin = migrants.groupby("origin_name").agg("budget", np.mean)
    expected = frame.groupby("origin")["budget_eur"].mean()
    assert by_origin.keys() == set(expected.index)
    for origin, mean in by_origin.items():
        assert mean == pytest.approx(expected[origin], rel=1e-12)


def test_frames_agree_between_engines_and_records_read_one_person() -> None:
    kernel_model, agents_model = _run("kernel"), _run("agents")
    frame = kernel_model.migrants_frame()
    assert frame.equals(agents_model.migrants_frame())
    assert set(frame["state"]) <= set(k.STATE_NAMES[: k.FIRST_FINAL]) and len(frame["state"].unique()) > 2
    assert frame["set_out"].min() == kernel_model.first_date and frame["set_out"].max() < kernel_model.date
    assert (frame["net_spent_eur"] > 0).any(), "people paid fares on the way"
    person = frame.iloc[len(frame) // 2]
    record = agents_model.migrant(int(person["id"]))
    assert dataclasses.asdict(record) == person.to_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.budget_eur = 0.0  # type: ignore[misc]
    gone = np.setdiff1d(np.arange(kernel_model.population.next_id), frame["id"])
    with pytest.raises(KeyError):
        kernel_model.migrant(int(gone[0]))


def test_starting_budget_is_the_budget_drawn_at_set_out() -> None:
    model = RouteModel(small_scenario(0.05, days=5), NET)
    model._spawn()  # people set out and have not moved yet
    frame = model.migrants_frame()
    assert len(frame) > 100 and (frame["set_out"] == model.first_date).all()
    np.testing.assert_array_equal(frame["budget_at_start_eur"], frame["budget_eur"])


def test_a_kernel_run_switched_to_agents_midway_goes_on_as_the_kernel_would() -> None:
    scenario = small_scenario(0.05, days=30, spin_up_days=0, seed=8)
    kernel_model, switched = RouteModel(scenario, NET), RouteModel(scenario, NET)
    for _ in range(15):
        kernel_model.step()
        switched.step()
    adopt(switched)
    assert switched.engine == "agents"
    assert len(switched.agents_by_type[Migrant]) == (switched.population.state < k.FIRST_FINAL).sum() > 100
    for _ in range(15):
        kernel_model.step()
        switched.step()
    mine, theirs = kernel_model.recorder.tables(), switched.recorder.tables()
    for table, frame in mine.items():
        assert frame.equals(theirs[table]), table


def test_cli_runs_the_agents_engine_and_writes_the_kernels_tables(tmp_path) -> None:
    flags = ["--scale", "400", "--days", "20", "--quiet", "--no-charts"]
    for engine in ("kernel", "agents"):
        result = CliRunner().invoke(app, ["run", str(ROOT / "scenarios" / "baseline.toml"), "--engine", engine,
                                          "--out", str(tmp_path / engine), *flags])
        assert result.exit_code == 0, result.output
    for table in (tmp_path / "kernel").glob("*.parquet"):
        assert pd.read_parquet(table).equals(pd.read_parquet(tmp_path / "agents" / table.name)), table.name
    manifest = json.loads((tmp_path / "agents" / "manifest.json").read_text())
    assert manifest["engine"] == "agents"


def test_cli_refuses_a_long_agents_run_without_force(tmp_path) -> None:
    scenario = ROOT / "scenarios" / "baseline.toml"
    assert estimated_seconds(load_scenario(scenario)) > GUARD_SECONDS
    result = CliRunner().invoke(app, ["run", str(scenario), "--engine", "agents", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert "--engine agents would take about" in result.output and "--force" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "run").exists()


def test_the_time_estimate_grows_with_the_people_simulated() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.toml")
    coarse = scenario.model_copy(update={"scale": 10.0})
    assert estimated_seconds(coarse) == pytest.approx(estimated_seconds(scenario) / 10, rel=1e-9)
