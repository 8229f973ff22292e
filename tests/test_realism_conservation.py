"""Every realism mechanism on at once: the supply chain with seizures, taxi boats, the guides' land market, late and
noisy news by origin, people already in Europe with an initial stock, a seasonal inflow, cuts and a dated
reference change, border closures, and the observation model. Nobody appears or vanishes: everyone who set out is
in exactly one state every day, and every departure on a corridor ends as a landing, a stop, a death or a person
still on the leg."""

import datetime as dt

import pandas as pd
import pytest

from sim.config import load_scenario
from sim.interventions.schema import ReferenceChange
from sim.runner import simulate
from tests.conftest import ROOT, small_scenario

PACKAGES = ("summit_package", "serbia_hungary_closure", "mare_nostrum_end", "french_mobile_unit")
START = dt.date(2025, 4, 1)


def everything_on():
    interventions = {}
    for name in PACKAGES:
        for key, item in load_scenario(ROOT / "scenarios" / f"{name}.toml").interventions.items():
            shift = START - item.start  # in force from the first day, for as long as written
            interventions[f"{name}.{key}"] = item.model_copy(update={
                "start": START, "ramp_up_days": 0, "end": item.end and item.end + shift})
    interventions["aegean_coastguard"] = ReferenceChange(
        kind="reference_change", start=START, ramp_up_days=10, target={"corridor": "eastern_med"},
        attribute="p_intercept", scale=1.5)
    return small_scenario(inflow_factor=0.5, days=90, scale=5.0, interventions=interventions)


@pytest.fixture(scope="module")
def result():
    return simulate(everything_on())


def test_everyone_is_in_one_state_every_day(result) -> None:
    population = result.tables["daily_population"]
    per_day = population.groupby("date")["people"].sum()
    assert per_day.is_monotonic_increasing  # people only enter
    assert per_day.iloc[-1] == result.manifest["people_entered"]


def test_every_departure_ends_somewhere(result) -> None:
    """No spin-up, so nobody is on a leg before the first day: departures = ends + people still on the leg."""
    daily = result.tables["daily_corridor"]
    last = daily[daily["date"] == daily["date"].max()].set_index("corridor")["on_leg"]
    totals = daily.groupby("corridor")[["departures", "landings", "intercepted", "prevented", "deaths"]].sum()
    ends = totals["landings"] + totals["intercepted"] + totals["prevented"] + totals["deaths"] + last
    pd.testing.assert_series_equal(totals["departures"], ends, check_names=False)


def test_all_mechanisms_were_active(result) -> None:
    tables = result.tables
    assert tables["daily_interventions"].groupby("intervention")["intensity"].max().min() == 1.0
    assert tables["daily_supply"]["seized"].sum() > 0
    assert tables["daily_supply"]["taxi_share"].max() > 0
    assert tables["daily_destination"].groupby("destination")["arrivals"].sum()["uk"] > 0
