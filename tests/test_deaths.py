"""Deaths as rates and events: incidents drawn per person beside whole-boat losses, and expected deaths.

Direction tests run one kernel day on a crowd queueing at one coast, with leg conditions set through
`LegInputs.apply_load` as the model sets them, and the same seed for both sides (common random numbers), so a
difference comes from the mechanism and not from the draws.
"""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.config import load_scenario
from sim.model import RouteModel
from sim.population import kernel, reference
from sim.population.population import FIELDS
from tests.conftest import BASELINE, child_of_baseline, small_scenario

CHANNEL_LEG = "northern_france_coast->kent"
CROWD = 40_000


@pytest.fixture(scope="module")
def model() -> RouteModel:
    return RouteModel(small_scenario(days=5))


def _leg(model: RouteModel, leg_id: str) -> int:
    return int(np.flatnonzero(model.net.legs["id"].to_numpy() == leg_id)[0])


def _crowd_day(model: RouteModel, e: int, load: float = 1.0, roughness: float = 1.0, prevent: float | None = None,
               rescue: float | None = None, incident_share: float | None = None,
               check_reference: bool = False, crowd: int = CROWD) -> dict[str, float]:
    """One day of `crowd` people queueing for leg e with unlimited places under the given conditions.

    load is relative to the leg's reference load; prevent and rescue replace the patrols' probabilities.
    Returns, for leg e, people who departed, launched and died, and the expected deaths per launched person.
    """
    boats = model.config.boats
    if incident_share is not None:
        corridor = model.net.legs["corridor"].iloc[e]
        boats = boats.model_copy(update={"incident_share": {**boats.incident_share, corridor: incident_share}})
    legs = model.legs
    legs.places[:] = 0.0
    legs.places[e] = 10.0 * crowd
    legs.load[e] = model.net.people_per_boat[e] * load
    legs.p_prevent[e] = model.net.p_prevent[e] if prevent is None else prevent
    legs.p_rescue[e] = model.net.p_rescue[e] if rescue is None else rescue
    legs.apply_load(model.net, boats, roughness)
    inputs = model.kernel_inputs()
    a = {name: np.zeros(crowd, dtype) for name, dtype in FIELDS.items()}
    a["ids"][:] = np.arange(crowd)
    a["state"][:] = kernel.AT_COAST
    a["hub"][:] = model.net.leg_from[e]
    a["prev_hub"][:], a["paid_leg"][:] = -1, -1
    a["leg"][:] = e
    a["budget"][:] = 1e6
    a["risk_av"][:] = 1.0
    params = model.params.copy()
    params[kernel.P_GIVE_UP_BASE] = 0.0  # nobody leaves the queue
    inputs["params"] = params
    ref_a = {name: arr.copy() for name, arr in a.items()}
    n_legs = model.net.n_legs
    arrays = tuple(a[name] for name in FIELDS)
    # Phase C is parallel over chunks: 40,000 people are three chunks, so chunking is exercised as well.
    n_chunks = -(-crowd // kernel.CHUNK)
    leg = np.zeros((n_chunks, n_legs, kernel.N_LEG_COUNTERS), np.int64)
    expected = np.zeros((n_chunks, n_legs))
    kernel.step_serial(model.kernel_seed, 0, 1.0, crowd, *arrays, *inputs.values(), leg,
                       np.zeros((n_chunks, n_legs)), np.zeros((n_chunks, model.net.n_hubs, kernel.N_HUB_COUNTERS),
                                                              np.int64),
                       np.zeros((n_chunks, kernel.N_STATES), np.int64),
                       np.zeros((n_chunks, model.net.n_dests, model.net.n_origins), np.int64), np.zeros(n_legs),
                       expected)
    leg, expected = leg.sum(0), expected.sum(0)
    if check_reference:
        net = dict(inputs, arrivals_shape=(model.net.n_dests, model.net.n_origins))
        out = reference.step(model.kernel_seed, 0, 1.0, ref_a, net)
        for name in FIELDS:
            np.testing.assert_array_equal(a[name], ref_a[name], err_msg=name)
        np.testing.assert_array_equal(leg, out["leg"])
        np.testing.assert_allclose(expected, out["expected_deaths"], rtol=1e-9)
    launched = leg[e, kernel.C_DEPARTED] - leg[e, kernel.C_PREVENTED] - leg[e, kernel.C_INTERCEPTED]
    # Conservation: everyone who launched either died or is at sea; every person is in exactly one state.
    assert launched == leg[e, kernel.C_DIED] + leg[e, kernel.C_ON_LEG]
    assert (a["state"] == kernel.DEAD).sum() == leg[e, kernel.C_DIED] and leg[e, kernel.C_DEPARTED] == crowd
    launch_share = (1.0 - legs.p_prevent[e]) * (1.0 - legs.p_intercept[e])
    return {"departed": float(leg[e, kernel.C_DEPARTED]), "launched": float(launched),
            "died": float(leg[e, kernel.C_DIED]), "expected": float(expected[e]),
            "expected_per_launch": float(expected[e] / leg[e, kernel.C_DEPARTED] / launch_share)}


def test_reference_conditions_keep_the_published_death_risk(model: RouteModel) -> None:
    """At reference load, sea, patrols and rescue, a launched person dies with the leg's death_risk, whatever
    the split between incidents and whole-boat losses."""
    legs, net = model.legs, model.net
    sea = np.flatnonzero(net.leg_mode == 1)
    legs.load[:] = np.maximum(net.people_per_boat, 1.0)
    legs.p_prevent[:], legs.p_rescue[:] = net.p_prevent, net.p_rescue
    legs.apply_load(net, model.config.boats)
    np.testing.assert_allclose(legs.death_probability()[sea], net.death_risk[sea], rtol=1e-3)
    e = _leg(model, CHANNEL_LEG)
    assert legs.p_incident[e] > 5 * legs.p_distress[e] * (1 - legs.p_rescue[e])  # Channel: mostly incidents


def test_kernel_equals_reference_with_incidents_and_losses(model: RouteModel) -> None:
    """A day with frequent incidents and whole-boat losses: kernel and reference leave the same people."""
    e = _leg(model, CHANNEL_LEG)
    day = _crowd_day(model, e, load=2.5, roughness=3.0, rescue=0.3, incident_share=0.5, check_reference=True)
    assert day["died"] > 0 and day["launched"] > day["died"]


@pytest.mark.parametrize(("base", "change", "worse"), [
    ({}, {"load": 2.0}, True),                 # overloading
    ({}, {"roughness": 6.0}, True),            # rougher sea (both sides start at 3)
    ({"prevent": 0.2}, {"prevent": 0.8}, True),  # launches hurried under beach-police pressure
    ({}, {"rescue": 0.99}, False),             # more rescue
])
def test_direction_of_incident_deaths_per_launch(model: RouteModel, base: dict, change: dict, worse: bool) -> None:
    """Incident deaths only (incident share 1), rough sea: per launched person, each factor moves deaths the
    right way, realised and expected alike."""
    e = _leg(model, CHANNEL_LEG)
    before = _crowd_day(model, e, incident_share=1.0, crowd=200_000, **{"roughness": 3.0, **base})
    after = _crowd_day(model, e, incident_share=1.0, crowd=200_000, **{"roughness": 3.0, **base, **change})
    rate_before, rate_after = before["died"] / before["launched"], after["died"] / after["launched"]
    assert before["died"] > 100
    if worse:
        assert rate_after > rate_before and after["expected_per_launch"] > before["expected_per_launch"]
    else:
        assert rate_after < rate_before and after["expected_per_launch"] < before["expected_per_launch"]


def test_whole_boat_losses_kill_everyone_aboard(model: RouteModel) -> None:
    """With whole-boat losses only and no rescue, deaths come in boatloads (the day's last boat may be partial)."""
    e = _leg(model, CHANNEL_LEG)
    losses = _crowd_day(model, e, load=2.0, roughness=2.0, rescue=0.0, incident_share=0.0)
    boat = int(model.legs.load[e])
    assert losses["died"] >= boat and losses["died"] % boat in (0, CROWD % boat)


def test_expected_deaths_match_realised_deaths_on_average(model: RouteModel) -> None:
    """Expected deaths are each traveller's probability of dying summed: realised deaths (mostly small,
    near-independent incident deaths here) fall within four standard deviations of them."""
    e = _leg(model, CHANNEL_LEG)
    day = _crowd_day(model, e, load=1.5, roughness=1.5, incident_share=1.0)
    assert day["expected"] > 20
    assert abs(day["died"] - day["expected"]) < 4 * np.sqrt(day["expected"] * 3)  # incidents cluster by ~2-3


def test_tables_carry_expected_deaths_beside_deaths() -> None:
    """daily_corridor and monthly_leg hold expected_deaths; over a run they are of the size of realised deaths."""
    m = RouteModel(small_scenario(inflow_factor=0.3, days=60, spin_up_days=60))
    m.run()
    tables = m.recorder.tables()
    daily, monthly = tables["daily_corridor"], tables["monthly_leg"]
    assert (daily["expected_deaths"] >= 0).all() and daily["expected_deaths"].sum() > 0
    np.testing.assert_allclose(monthly["expected_deaths"].sum(), daily["expected_deaths"].sum(), rtol=1e-9)
    total, expected = daily["deaths"].sum(), daily["expected_deaths"].sum()
    assert 0.3 < total / expected < 3.0


@pytest.mark.slow
def test_channel_yearly_deaths_vary_little_across_seeds() -> None:
    """Ten seeds of the baseline year: the Channel's realised deaths have a coefficient of variation under 0.35
    (about 5 s a run; before incidents were drawn per person it was 0.93), expected deaths far less."""
    base = load_scenario(BASELINE)
    deaths, expected = [], []
    for s in range(10):
        m = RouteModel(base.model_copy(update={"seed": 1000 + s}))
        m.run()
        daily = m.recorder.daily_corridor()
        channel = daily[daily["corridor"] == "channel"]
        deaths.append(channel["deaths"].sum())
        expected.append(channel["expected_deaths"].sum())
    cv = np.std(deaths, ddof=1) / np.mean(deaths)
    cv_expected = np.std(expected, ddof=1) / np.mean(expected)
    assert cv < 0.35 and cv_expected < cv


def test_incident_share_of_an_unknown_corridor_is_one_clear_error(tmp_path: Path) -> None:
    bad = child_of_baseline(tmp_path, 'name = "bad"\n[boats.incident_share]\nnowhere = 0.5\n', "bad.toml")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(out), "--quiet", "--no-charts", "--days", "5"])
    assert result.exit_code == 2, result.output
    assert "boats.incident_share.nowhere" in result.output and "channel" in result.output
    assert "Traceback" not in result.output and not out.exists()
