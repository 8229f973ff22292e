"""The direction of each actor mechanism, checked on small controlled set-ups."""

import numpy as np
import pytest

from sim.actors.enforcement import EnforcementUnit
from sim.actors.market import Market
from sim.actors.patrols import Patrol
from sim.actors.smugglers import SmugglingGroup
from sim.config.actors import Information, SeaArea
from sim.environment.information import Beliefs
from sim.model import RouteModel
from sim.runner import simulate
from tests.conftest import small_scenario

CHANNEL_LEG = "northern_france_coast->kent"


@pytest.fixture()
def model() -> RouteModel:
    return RouteModel(small_scenario(days=5))


def leg_index(model: RouteModel, leg_id: str) -> int:
    return list(model.net.legs["id"]).index(leg_id)


def test_fewer_boats_in_stock_means_more_people_per_boat(model: RouteModel) -> None:
    e = leg_index(model, CHANNEL_LEG)
    loads = []
    for boats in (50, 3):
        group = SmugglingGroup(model, e, members=100, boats=boats, cash_eur=0.0, uses_boats=True)
        group.demand = 300.0
        group.plan_launches(reference_load=30.0, launch_ok=True)
        loads.append(group.load)
    assert loads[0] == 30.0 and loads[1] > 30.0
    assert loads[1] <= 30.0 * model.config.smugglers.max_overload


def test_overloading_raises_the_risk_of_death(model: RouteModel) -> None:
    e = leg_index(model, CHANNEL_LEG)
    before = (model.legs.p_distress[e], model.legs.p_incident[e], model.legs.death_probability()[e])
    model.legs.load[e] *= 2.0
    model.legs.apply_load(model.net, model.config.boats)
    after = (model.legs.p_distress[e], model.legs.p_incident[e], model.legs.death_probability()[e])
    assert all(a > b for a, b in zip(after, before, strict=True))


def test_more_patrol_units_prevent_more(model: RouteModel) -> None:
    e = leg_index(model, CHANNEL_LEG)
    patrol = next(p for p in model.agents_by_type[Patrol] if p.leg == e and p.role == "prevent")
    launches = np.zeros(model.net.n_legs)
    launches[e] = 5.0
    probabilities = []
    reference = model.config.patrols.beach_officers_reference[CHANNEL_LEG]
    for units in (reference / 4, reference, reference * 3):
        patrol.base_units = units
        patrol.act(launches)
        probabilities.append(model.legs.p_prevent[e])
    assert probabilities[0] < probabilities[1] < probabilities[2] <= model.config.patrols.max_probability
    assert probabilities[1] == pytest.approx(model.net.p_prevent[e])  # reference units give the reference value
    launches[e] = 1e4  # a swamped patrol stops a smaller share
    patrol.act(launches)
    assert model.legs.p_prevent[e] < probabilities[2]


def test_arrested_members_are_out_until_replaced(model: RouteModel) -> None:
    group = SmugglingGroup(model, leg_index(model, CHANNEL_LEG), members=10, boats=5, cash_eur=0.0,
                           uses_boats=True)
    group.lose_members(4, model.config.smugglers.replacement_days)
    assert group.members == 6
    model.day += model.config.smugglers.replacement_days - 1
    group.receive()
    assert group.members == 6
    model.day += 1
    group.receive()
    assert group.members == 10


def test_a_profitable_departure_point_attracts_a_new_group(model: RouteModel) -> None:
    e = leg_index(model, CHANNEL_LEG)
    market: Market = model.market
    market.groups.select(lambda g: g.leg == e).do("remove")
    assert len(market.groups.select(lambda g: g.leg == e)) == 0
    market.unmet[e] = 200.0  # people waiting every day with nobody to take them
    model.day = 0
    for _ in range(5):
        market.enter()
        model.day += model.config.smugglers.entry_check_days
    assert len(market.groups.select(lambda g: g.leg == e)) >= 1 and market.entries[e] >= 1


def test_worse_weather_means_fewer_launches() -> None:
    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=120)
    areas = dict(base.weather.areas)
    areas["channel"] = SeaArea(good_day_probability_by_month=[0.1] * 12)
    stormy = base.model_copy(update={"weather": base.weather.model_copy(update={"areas": areas})})
    boats = [simulate(s).tables["daily_corridor"].query("corridor == 'channel'")["boat_landings"].gt(0).sum()
             for s in (base, stormy)]
    assert boats[1] < 0.5 * boats[0]


def test_adverts_with_more_reach_raise_belief_in_the_route() -> None:
    price, risk, failure = np.array([1000.0, 1000.0]), np.array([0.02, 0.02]), np.array([0.4, 0.4])
    beliefs = Beliefs(Information(), ["syria"], price, risk, failure, [np.random.default_rng(1)])
    reach = np.array([[0.1, 0.9]])
    for day in range(30):
        beliefs.see_today(day, price, risk, failure, reach)
    # The widely advertised leg is believed safer and likelier to succeed.
    assert beliefs.risk[0, 1] < beliefs.risk[0, 0] < 0.02
    assert beliefs.failure[0, 1] < beliefs.failure[0, 0] < 0.4


def test_news_of_deaths_raises_believed_risk() -> None:
    from sim.population import kernel as k

    one = np.array([1.0])
    beliefs = Beliefs(Information(contact_lag_days_by_origin={"syria": 0}), ["syria"], 1000 * one,
                      0.01 * one, 0.1 * one, [np.random.default_rng(1)])
    counts = np.zeros((1, k.N_LEG_COUNTERS))
    counts[0, k.C_DEPARTED], counts[0, k.C_DIED] = 100, 20
    for day in range(20):
        beliefs.hear_outcomes(day, counts)
    assert beliefs.risk[0, 0] > 0.1


def test_a_higher_activity_floor_lets_operations_find_quiet_groups() -> None:
    chances = []
    for floor in (0.01, 10.0):
        model = RouteModel(small_scenario(days=5, enforcement=small_scenario().enforcement.model_copy(
            update={"target_activity_floor_launches_per_day": floor})))
        unit = next(u for u in model.agents_by_type[EnforcementUnit] if u.name == "uk_france_channel")
        targets = unit.targets()  # slots in the market's book
        for slot in targets:
            model.market.book.agents[slot].expected_launches = 0.0
        model.market.book.agents[targets[0]].expected_launches = 5.0
        chances.append(unit.target_chances(targets))
    assert all(c.sum() == pytest.approx(1.0) for c in chances)
    assert chances[1][1:].min() > chances[0][1:].max()  # each quiet group is likelier to be found
    assert chances[0][0] > chances[1][0]


def test_deterrence_smoothing_sets_how_fast_arrests_and_convictions_are_remembered() -> None:
    remembered = []
    for weight in (0.02, 0.5):
        model = RouteModel(small_scenario(days=5, enforcement=small_scenario().enforcement.model_copy(
            update={"deterrence_smoothing_per_day": weight})))
        unit = next(iter(model.agents_by_type[EnforcementUnit]))
        unit.today["arrests"] = 10.0
        unit.deter(convicted=4)
        remembered.append((unit.recent_arrests, unit.recent_convictions))
    assert remembered[0] == pytest.approx((0.2, 0.08)) and remembered[1] == pytest.approx((5.0, 2.0))


def test_a_reference_above_the_ceiling_keeps_headroom_set_by_the_ceiling_share() -> None:
    """A leg whose reference probability is above max_probability: the ceiling becomes reference / share, the
    reference units still give the reference probability, and added units can raise it more the lower the share."""
    e, found = None, []
    for share in (0.99, 0.95):
        model = RouteModel(small_scenario(days=5, patrols=small_scenario().patrols.model_copy(
            update={"reference_ceiling_share": share, "max_probability": 0.9})))
        e = leg_index(model, CHANNEL_LEG)
        model.reference.p_intercept[e] = 0.93  # the patrol calibrates to today's reference value
        patrol = Patrol(model, e, "intercept", reference_launches=5.0)
        launches = np.zeros(model.net.n_legs)
        at = []
        for units in (patrol.base_units, 3 * patrol.base_units):
            patrol.base_units = units
            patrol.act(launches)
            at.append(model.legs.p_intercept[e])
        found.append((patrol.p_max, *at))
    (ceiling_a, ref_a, more_a), (ceiling_b, ref_b, more_b) = found
    assert ceiling_a == pytest.approx(0.93 / 0.99) and ceiling_b == pytest.approx(0.93 / 0.95)
    assert ref_a == pytest.approx(0.93) and ref_b == pytest.approx(0.93)
    assert more_b - ref_b > more_a - ref_a > 0


def test_enforcement_arrests_and_prosecutes() -> None:
    run = simulate(small_scenario(inflow_factor=0.3, days=120, spin_up_days=60)).tables["daily_enforcement"]
    totals = run.sum(numeric_only=True)
    assert totals["operations"] > 0 and totals["arrests"] > 0
    assert 0 < totals["convictions"] <= totals["charges"] <= totals["arrests"]


def test_a_package_of_attempts_is_paid_once() -> None:
    """With three attempts per payment, people stopped on the beach try again without paying again."""
    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=150)
    fares = []
    for attempts in (1, 3):
        scenario = base.model_copy(update={"smugglers": base.smugglers.model_copy(
            update={"payment_attempts": attempts})})
        daily = simulate(scenario).tables["daily_corridor"].query("corridor == 'channel'")
        boat_departures = daily["departures"].sum() - daily["lorry_attempts"].sum()
        fares.append(daily["revenue_eur"].sum() / boat_departures)
    assert fares[1] < 0.85 * fares[0]


def test_people_do_not_shuttle_between_neighbouring_coasts() -> None:
    """A free one-day leg between two coasts is no treadmill: few cross it compared with the boats' departures."""
    run = simulate(small_scenario(inflow_factor=0.3, days=90, spin_up_days=200)).tables["monthly_leg"]
    moves = run.groupby("leg")["departures"].sum()
    shuttles = moves["northern_france_coast->calais_ports"] + moves["calais_ports->northern_france_coast"]
    assert shuttles < 0.2 * moves["northern_france_coast->kent"]
