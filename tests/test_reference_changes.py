"""Dated reference changes: a leg's reference value set or scaled from a date, ramped, ended; the actors read it
through `model.reference`; bad entries are one clear error."""

import datetime as dt
import typing
from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter

from sim.actors.patrols import Patrol, apply_patrols
from sim.config import ConfigError, check_against_network, load_scenario
from sim.interventions.schema import REFERENCE_ATTRIBUTES, Intervention, ReferenceChange
from sim.interventions.targets import REFERENCE_LEGS
from sim.model import RouteModel
from tests.conftest import child_of_baseline, small_scenario

AEGEAN = "turkey_aegean_coast->greek_islands"
CHANNEL_BOAT = "northern_france_coast->kent"
START = dt.date(2025, 4, 1)


def model_with(*changes: dict, days: int = 10) -> RouteModel:
    base = small_scenario(days=days)
    items = {f"r{i}": TypeAdapter(Intervention).validate_python({"kind": "reference_change", "start": START, **c})
             for i, c in enumerate(changes)}
    return RouteModel(base.model_copy(update={"interventions": items}))


def leg(model: RouteModel, leg_id: str) -> int:
    return list(model.net.legs["id"]).index(leg_id)


def step_to(model: RouteModel, date: dt.date) -> None:
    """Run days until `date` is the model's date (spin-up days included), then apply today's interventions."""
    while model.date < date:
        model.step()
    model.interventions.apply()


def intercept_today(model: RouteModel, e: int) -> float:
    apply_patrols(model, np.zeros(model.net.n_legs))
    return float(model.legs.p_intercept[e])


def test_the_reference_holds_every_attribute_at_the_networks_values() -> None:
    model = model_with()
    model.interventions.apply()
    for name in REFERENCE_ATTRIBUTES:
        np.testing.assert_array_equal(getattr(model.reference, name), getattr(model.net, name))
    assert model.reference.travel_days.dtype == model.net.travel_days.dtype
    allowed = typing.get_args(ReferenceChange.model_fields["attribute"].annotation)
    assert set(allowed) == set(REFERENCE_ATTRIBUTES) == set(REFERENCE_LEGS)  # one list, said three times


def test_a_set_interception_recalibrates_the_patrol_ramps_and_ends() -> None:
    """'From 2025-04-01 the Aegean's reference interception is 0.5': at reference units the coastguard
    intercepts with 0.5, reached linearly over the ramp-up, and the network's value returns after the end."""
    day = dt.timedelta(days=1)
    model = model_with({"target": {"leg": AEGEAN}, "attribute": "p_intercept", "set": 0.5, "ramp_up_days": 4,
                        "start": START + day, "end": START + 6 * day})
    e = leg(model, AEGEAN)
    before = model.net.p_intercept[e]
    model.interventions.apply()
    assert intercept_today(model, e) == pytest.approx(before)
    step_to(model, START + 2 * day)  # day 2 of a 4-day ramp: half way
    assert model.reference.p_intercept[e] == pytest.approx(before + 0.5 * (0.5 - before))
    assert intercept_today(model, e) == pytest.approx(before + 0.5 * (0.5 - before))
    step_to(model, START + 4 * day)
    assert intercept_today(model, e) == pytest.approx(0.5)
    patrol = next(p for p in model.agents_by_type[Patrol] if p.leg == e and p.role == "intercept")
    assert patrol.units == patrol.reference_units  # the same coastguard, calibrated to the new reference
    step_to(model, START + 7 * day)
    assert intercept_today(model, e) == pytest.approx(before)
    other = leg(model, "tunisia_sfax->lampedusa")
    assert intercept_today(model, other) == pytest.approx(model.net.p_intercept[other])


def test_a_scaled_price_raises_the_market_prices_and_a_fixed_land_fare_follows_at_once() -> None:
    balkan, fixed = "belgrade->budapest", "benghazi->tripoli"  # a guides' market leg; a fare nobody sets
    base = model_with(days=30)
    dearer = model_with({"target": {"corridor": "channel"}, "attribute": "price_eur", "scale": 2.0},
                        {"target": {"leg": balkan}, "attribute": "price_eur", "set": 1234.0},
                        {"target": {"leg": fixed}, "attribute": "price_eur", "set": 777.0}, days=30)
    for model in (base, dearer):
        step_to(model, START + dt.timedelta(days=25))
    e, guided, land = leg(base, CHANNEL_BOAT), leg(base, balkan), leg(base, fixed)
    assert dearer.legs.price[e] > 1.5 * base.legs.price[e]  # sticky prices close the gap over days
    assert dearer.legs.price[guided] > 2.0 * base.legs.price[guided]  # the guides follow their new reference
    assert dearer.legs.price[land] == 777.0 != base.legs.price[land]


def test_a_new_reference_load_fills_boats_to_it() -> None:
    model = model_with({"target": {"leg": CHANNEL_BOAT}, "attribute": "people_per_boat", "set": 50.0})
    model.interventions.apply()
    e = leg(model, CHANNEL_BOAT)
    group = next(g for g in model.market.groups if g.leg == e)
    group.boats = group.engines = group.members = 1000  # boats and hands enough: the load is the reference load
    group.demand = 200.0
    group.plan_launches(model.reference.people_per_boat[e], launch_ok=True)
    assert group.load == 50.0 and group.launches == 4
    assert group.launches_wanted() == pytest.approx(min(group.capacity, 200.0 / 50.0))


def test_death_risk_and_travel_days_reach_the_risks_and_the_kernel() -> None:
    base = model_with()
    changed = model_with({"target": {"leg": CHANNEL_BOAT}, "attribute": "death_risk", "scale": 3.0},
                         {"target": {"corridor": "western_balkans"}, "attribute": "death_risk", "set": 0.01},
                         {"target": {"leg": CHANNEL_BOAT}, "attribute": "travel_days", "scale": 2.6})
    e, land = leg(base, CHANNEL_BOAT), leg(base, "belgrade->budapest")
    for model in (base, changed):
        model.step()
    # At reference conditions (reference load, calm sea, reference patrols) a crossing kills with death_risk.
    for model in (base, changed):
        model.legs.load[e] = model.net.people_per_boat[e]
        model.legs.p_prevent[e], model.legs.p_rescue[e] = model.net.p_prevent[e], model.net.p_rescue[e]
        model.legs.apply_load(model.net, model.config.boats, 1.0, model.reference.death_risk)
    assert changed.legs.death_probability()[e] == pytest.approx(3.0 * base.legs.death_probability()[e])
    assert base.legs.death_probability()[e] == pytest.approx(base.net.death_risk[e])
    assert changed.legs.land_death[land] == 0.01 != base.legs.land_death[land]
    inputs = changed.kernel_inputs()
    assert inputs["travel_days"][e] == 3 and inputs["travel_days"].dtype == base.net.travel_days.dtype  # rint(2.6)


def test_an_air_legs_visa_refusal_follows_its_reference() -> None:
    minsk = "iraq->minsk"
    model = model_with({"target": {"leg": minsk}, "attribute": "p_prevent", "set": 0.05})
    model.step()
    assert model.legs.p_prevent[leg(model, minsk)] == 0.05


def test_changes_compose_in_order_and_stay_in_range() -> None:
    model = model_with({"target": {"leg": AEGEAN}, "attribute": "p_intercept", "set": 0.4},
                       {"target": {"leg": AEGEAN}, "attribute": "p_intercept", "scale": 5.0})
    model.interventions.apply()
    assert model.reference.p_intercept[leg(model, AEGEAN)] == 1.0  # 0.4 x 5, kept within 0-1


def test_the_same_seed_gives_the_same_run_with_a_reference_change() -> None:
    from sim.runner import simulate

    change = {"kind": "reference_change", "start": START, "target": {"corridor": "central_med"},
              "attribute": "p_rescue", "scale": 0.5}
    scenario = small_scenario(days=15)
    scenario = scenario.model_copy(update={"interventions": {"r": TypeAdapter(Intervention).validate_python(change)}})
    first, second = simulate(scenario).tables, simulate(scenario).tables
    for name in ("daily_corridor", "monthly_leg"):
        assert first[name].equals(second[name]), name


BAD = [
    ("unknown attribute", 'attribute = "boat_colour"\nset = 1.0', "attribute", "'price_eur'"),
    ("both set and scale", 'attribute = "p_rescue"\nset = 0.5\nscale = 0.5', "interventions.r", "exactly one of set"),
    ("neither", 'attribute = "p_rescue"', "interventions.r", "exactly one of set"),
    ("negative price", 'attribute = "price_eur"\nset = -5.0', "set", "greater than or equal to 0"),
    ("probability above 1", 'attribute = "p_intercept"\nset = 1.5', "interventions.r", "outside the range of "
     "p_intercept: 0 to 1"),
    ("no people per boat", 'attribute = "people_per_boat"\nset = 0.0', "interventions.r", "outside the range"),
    ("negative scale", 'attribute = "p_rescue"\nscale = -1.0', "scale", "greater than or equal to 0"),
]


@pytest.mark.parametrize(("label", "body", "key", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_reference_changes_are_one_clear_error(tmp_path: Path, label: str, body: str, key: str,
                                                    message: str) -> None:
    path = child_of_baseline(tmp_path, f'name = "bad"\n[interventions.r]\nkind = "reference_change"\n'
                             f'start = 2025-04-01\ntarget = {{ corridor = "central_med" }}\n{body}\n')
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert key in str(err.value) and message in str(err.value) and "child.toml" in str(err.value)


def test_an_attribute_the_targets_legs_do_not_read_is_an_error(tmp_path: Path, network) -> None:
    path = child_of_baseline(tmp_path, 'name = "bad"\n[interventions.r]\nkind = "reference_change"\n'
                             'start = 2025-04-01\ntarget = { corridor = "western_balkans" }\n'
                             'attribute = "p_rescue"\nscale = 0.5\n')
    scenario = load_scenario(path)
    assert isinstance(scenario.interventions["r"], ReferenceChange)
    with pytest.raises(ConfigError, match="p_rescue is read on sea legs"):
        check_against_network(scenario, path, network)


def test_people_are_conserved_with_cuts_and_reference_changes_in_force() -> None:
    from sim.population import kernel

    model = model_with({"target": {"corridor": "channel"}, "attribute": "travel_days", "scale": 3.0},
                       {"target": {"corridor": "central_med"}, "attribute": "death_risk", "scale": 4.0},
                       {"target": {"corridor": "eastern_med"}, "attribute": "p_intercept", "set": 0.6},
                       {"target": {"corridor": "western_balkans"}, "attribute": "price_eur", "scale": 2.0},
                       days=40)
    cuts = {"c0": {"kind": "search_and_rescue", "target": {"corridor": "central_med"}, "vessels_added": -1e4},
            "c1": {"kind": "launch_prevention", "target": {"corridor": "channel"}, "officers_added": -250.0},
            "c2": {"kind": "maritime_surveillance", "target": {"corridor": "channel"}, "coverage": -1.0}}
    items = {**model.config.interventions, **{k: TypeAdapter(Intervention).validate_python({"start": START, **v})
                                              for k, v in cuts.items()}}
    model = RouteModel(model.config.model_copy(update={"interventions": items}))
    for _ in range(model.total_days):
        model.step()
        assert model.recorder.states[model.day - 1].sum() == model.population.next_id
    leg_counts = model.recorder.leg.sum(0)
    assert leg_counts[:, kernel.C_DIED].sum() > 0 and leg_counts[:, kernel.C_LANDED].sum() > 0
