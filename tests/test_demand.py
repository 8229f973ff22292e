"""Demand: seasonal inflow, people already in Europe who head for the UK, Syria and Iraq as separate origins."""

import datetime as dt

import numpy as np
import pytest
from pydantic import ValidationError

from sim.config import load_scenario
from sim.config.schema import SEASONAL_PROFILE, InflowSeries
from sim.model import RouteModel
from sim.population import kernel
from sim.runner import simulate
from tests.conftest import BASELINE, small_scenario

FLAT = [1.0] * 12
YEAR = dt.date(2025, 1, 1), 365


def _series(**changes) -> InflowSeries:
    return InflowSeries(dates=[dt.date(2025, 1, 1), dt.date(2025, 7, 1)], people_per_day=[100.0, 160.0], **changes)


def test_seasonal_profile_moves_people_to_summer_and_keeps_the_year() -> None:
    constant = InflowSeries(dates=[dt.date(2025, 1, 1)], people_per_day=[100.0])
    days = constant.per_day(*YEAR, SEASONAL_PROFILE)
    months = np.array([(YEAR[0] + dt.timedelta(days=int(d))).month for d in range(365)])
    summer, winter = days[np.isin(months, (6, 7, 8))].mean(), days[np.isin(months, (12, 1, 2))].mean()
    assert summer > 1.25 * winter
    assert days.sum() == pytest.approx(365 * 100.0, rel=1e-12)
    # The series' own profile wins over the shared one.
    own = [2.0] + [1.0] * 10 + [0.0]
    january = InflowSeries(dates=[dt.date(2025, 1, 1)], people_per_day=[100.0], seasonal_profile=own)
    per_day = january.per_day(*YEAR, SEASONAL_PROFILE)
    assert per_day[:31].mean() > 1.9 * per_day[31:59].mean() and (per_day[-31:] == 0).all()
    assert per_day.sum() == pytest.approx(365 * 100.0, rel=1e-12)


def test_a_flat_profile_reproduces_the_linear_curve_exactly() -> None:
    series = _series()
    first, days = dt.date(2024, 11, 3), 500
    ordinals = first.toordinal() + np.arange(days)
    old = np.interp(ordinals, [d.toordinal() for d in series.dates], series.people_per_day)
    assert (series.per_day(first, days, FLAT) == old).all()
    assert (_series(seasonal_profile=FLAT).per_day(first, days, SEASONAL_PROFILE) == old).all()


@pytest.mark.parametrize("profile, message", [
    ([1.1] * 12, "mean 1"), ([1.0] * 11, "at least 12"), ([-1.0, 3.0] + [1.0] * 10, "greater than or equal"),
])
def test_a_profile_must_have_twelve_factors_of_mean_one(profile: list[float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _series(seasonal_profile=profile)
    with pytest.raises(ValidationError, match=message):
        small_scenario().model_validate({**small_scenario().model_dump(), "inflow_seasonal_profile": profile})


def test_the_models_inflow_table_is_the_seasonal_curve_plus_the_stock_on_the_first_day() -> None:
    scenario = small_scenario(inflow_factor=1.0, days=30, spin_up_days=20, scale=5.0)
    model = RouteModel(scenario)
    origins = list(model.net.origins["origin"])
    for key, series in scenario.inflow.items():
        expected = series.per_day(model.first_date, model.total_days, scenario.inflow_seasonal_profile) / 5.0
        expected[0] += series.initial_stock_people / 5.0
        assert np.array_equal(model.inflow_per_day[:, origins.index(key)], expected), key
    assert scenario.inflow["in_europe"].initial_stock_people > 0


def test_the_stock_in_europe_sets_out_on_the_first_day_and_is_conserved() -> None:
    """People already in Europe are present from day one, reach the Channel within days, and stay counted until
    they arrive, settle, go home or die."""
    base = load_scenario(BASELINE)
    only = {"in_europe": base.inflow["in_europe"].model_copy(update={"people_per_day": [0.0]})}
    model = RouteModel(small_scenario(days=20, inflow=only))
    stock = base.inflow["in_europe"].initial_stock_people
    model.step()
    assert model.population.n == pytest.approx(stock, abs=1)
    for _ in range(19):
        model.step()
    pop = model.population
    active = int((pop.state[:pop.n] < kernel.FIRST_FINAL).sum())
    assert active + int(model.finals.sum()) == pop.next_id
    tables = model.recorder.tables()
    channel = tables["daily_corridor"].query("corridor == 'channel'")
    assert channel["departures"].sum() > 0.2 * stock
    assert tables["daily_destination"].query("destination == 'uk'")["arrivals"].sum() > 0


def test_people_in_europe_raise_channel_crossings_and_no_other_corridor() -> None:
    with_stock = small_scenario(inflow_factor=1.0, days=90, scale=10.0)
    without = with_stock.model_copy(update={"inflow": {k: v for k, v in with_stock.inflow.items() if k != "in_europe"}})
    crossings = {name: simulate(s).tables["daily_corridor"].groupby("corridor")["crossings"].sum()
                 for name, s in (("with", with_stock), ("without", without))}
    # Half of them must first earn part of the fare (budget median about one fare), and the beaches stop many
    # launches: a fifth of the stock crossing within the 90 days is what a working route delivers.
    stock = with_stock.inflow["in_europe"].initial_stock_people
    assert crossings["with"]["channel"] > crossings["without"]["channel"] + 0.2 * stock
    # Nobody from Europe goes back to the Mediterranean: those corridors differ only by the draws' noise.
    for corridor in ("central_med", "eastern_med"):
        assert abs(crossings["with"][corridor] - crossings["without"][corridor]) < 0.1 * crossings["without"][corridor]


def test_syria_and_iraq_are_separate_origins_with_the_merged_flow(network) -> None:
    origins = network.origins.set_index("origin")
    assert {"syria", "iraq"} <= set(origins.index) and "syria_iraq" not in origins.index
    assert origins.at["iraq", "uk"] > origins.at["syria", "uk"]
    assert origins.at["syria", "germany"] > origins.at["iraq", "germany"]
    inflow = load_scenario(BASELINE).inflow
    assert inflow["syria"].people_per_day[0] + inflow["iraq"].people_per_day[0] == 130.0
    assert inflow["syria"].people_per_day[0] > inflow["iraq"].people_per_day[0]
    legs = network.legs
    for origin in ("syria", "iraq"):
        assert {"istanbul", "minsk", "europe_airports"} <= set(legs.loc[legs["from"] == origin, "to"]), origin
    minsk = legs[legs["to"] == "minsk"].set_index("from")["capacity_people_per_day"]
    assert minsk["syria"] + minsk["iraq"] == 30.0


def _drift(tables: dict) -> dict[str, float]:
    """Relative change from the first recorded quarter to the same quarter a year later (the seasons of inflow and
    weather cancel): groups and members over all legs, and people on the routes (active states)."""
    market = tables["daily_market"].groupby("date")[["groups", "members"]].sum()
    population = tables["daily_population"]
    active = population[~population["state"].isin(kernel.STATE_NAMES[kernel.FIRST_FINAL:])]
    market["active"] = active.groupby("date")["people"].sum()
    first, later = market.iloc[:91].mean(), market.iloc[365:456].mean()
    return ((later - first) / first).to_dict()


@pytest.mark.slow
def test_after_the_default_spin_up_the_market_and_the_routes_are_settled() -> None:
    """After the default spin-up the groups and the people on the routes change by under 15% (members, which
    groups recruit and shed in steps of half their size, by under 35%) from one year to the next; with no
    spin-up they change by far more: the test can fail."""
    scenario = load_scenario(BASELINE).model_copy(update={"scale": 10.0, "days": 456})
    assert scenario.spin_up_days == type(scenario).model_fields["spin_up_days"].default == 730
    settled = _drift(simulate(scenario).tables)
    cold = _drift(simulate(scenario.model_copy(update={"spin_up_days": 0})).tables)
    assert abs(settled["groups"]) < 0.15 and abs(settled["active"]) < 0.15 and abs(settled["members"]) < 0.35
    assert cold["groups"] > 0.3 and cold["active"] > 0.3
