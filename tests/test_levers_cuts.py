"""Levers work both ways: each kind whose strength the world also cuts moves its mechanism down when cut, never below
none; maritime surveillance acts at sea (interception, rescue), not on beach officers."""

import datetime as dt

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.actors.patrols import Patrol, apply_patrols
from sim.interventions.schema import Intervention
from sim.model import RouteModel
from tests.conftest import small_scenario

CHANNEL_BOAT = "northern_france_coast->kent"
LIBYA = "libya_west_coast->lampedusa"
LORRY = "calais_ports->dover_port"


def patrolled(*fields: dict, **config) -> RouteModel:
    """A small model with the given interventions in force, after patrols and sea risks are set for today."""
    base = small_scenario(days=10, **config)
    items = {f"x{i}": TypeAdapter(Intervention).validate_python({"start": base.start_date, **f})
             for i, f in enumerate(fields)}
    model = RouteModel(base.model_copy(update={"interventions": items}))
    model.interventions.apply()
    apply_patrols(model, np.where(model.legs.load > 0, model.legs.places / model.legs.load, 0.0))
    model.legs.apply_load(model.net, model.config.boats, 1.0, model.reference.death_risk)
    return model


def leg(model: RouteModel, leg_id: str) -> int:
    return list(model.net.legs["id"]).index(leg_id)


def test_rescue_vessels_withdrawn_mean_fewer_rescues_and_more_deaths_at_sea() -> None:
    base = patrolled()
    e = leg(base, LIBYA)
    rescue = {"kind": "search_and_rescue", "target": {"leg": LIBYA}}
    cut = patrolled({**rescue, "vessels_added": -90.0})
    assert cut.legs.p_rescue[e] < base.legs.p_rescue[e]
    assert cut.legs.death_probability()[e] > base.legs.death_probability()[e]
    # Withdrawing more than the leg has is withdrawing all: no rescue, and no negative units.
    everything, more = patrolled({**rescue, "vessels_added": -100.0}), patrolled({**rescue, "vessels_added": -1e5})
    assert everything.legs.p_rescue[e] == more.legs.p_rescue[e] == 0.0
    assert everything.legs.death_probability()[e] == more.legs.death_probability()[e] > cut.legs.death_probability()[e]
    other = leg(base, "libya_west_coast->sicily")
    assert cut.legs.p_rescue[other] == base.legs.p_rescue[other]  # only the target


def test_beach_officers_withdrawn_prevent_fewer_launches() -> None:
    base = patrolled()
    e = leg(base, CHANNEL_BOAT)
    beach = {"kind": "launch_prevention", "target": {"corridor": "channel"}}
    fewer, none = patrolled({**beach, "officers_added": -100.0}), patrolled({**beach, "officers_added": -5000.0})
    assert base.legs.p_prevent[e] > fewer.legs.p_prevent[e] > none.legs.p_prevent[e] == 0.0
    assert min(p.units for p in none.agents_by_type[Patrol] if p.role == "prevent") == 0.0


def test_port_security_lowered_detects_fewer_lorries() -> None:
    base = patrolled()
    e = leg(base, LORRY)
    lowered = patrolled({"kind": "port_security", "target": {"corridor": "channel"}, "officers_added": -50.0})
    assert lowered.legs.p_intercept[e] < base.legs.p_intercept[e]


def test_coastguard_units_withdrawn_intercept_fewer_boats() -> None:
    base = patrolled()
    e = leg(base, LIBYA)
    fewer = patrolled({"kind": "return_agreement", "target": {"leg": LIBYA}, "coastguard_units_added": -60.0})
    assert fewer.legs.p_intercept[e] < base.legs.p_intercept[e]
    assert fewer.legs.p_prevent[e] == base.legs.p_prevent[e]


def test_maritime_surveillance_acts_at_sea_and_leaves_beach_officers_alone() -> None:
    base = patrolled()
    e = leg(base, CHANNEL_BOAT)
    watch = {"kind": "maritime_surveillance", "target": {"corridor": "channel"}}
    seen, cut = patrolled({**watch, "coverage": 1.0}), patrolled({**watch, "coverage": -0.5})
    assert seen.legs.p_rescue[e] > base.legs.p_rescue[e] > cut.legs.p_rescue[e]
    assert seen.legs.p_prevent[e] == base.legs.p_prevent[e] == cut.legs.p_prevent[e]
    libya = leg(base, LIBYA)  # where boats are intercepted at sea
    central = patrolled({**watch, "target": {"corridor": "central_med"}, "coverage": 1.0})
    assert central.legs.p_intercept[libya] > base.legs.p_intercept[libya]
    assert central.legs.p_prevent[libya] == base.legs.p_prevent[libya]


def test_a_surveillance_cut_beyond_what_exists_leaves_no_patrol_not_a_negative_one() -> None:
    gain = small_scenario().patrols.model_copy(update={"surveillance_gain": 5.0})
    cut = patrolled({"kind": "maritime_surveillance", "target": {"corridor": "central_med"}, "coverage": -1.0},
                    patrols=gain)
    e = leg(cut, LIBYA)
    assert cut.policy.rescue_factor[e] == pytest.approx(-4.0)  # the lever as pulled
    assert cut.legs.p_rescue[e] == 0.0 and cut.legs.p_intercept[e] == 0.0


def test_rescue_withdrawn_under_the_pull_hypothesis_makes_the_crossing_look_more_dangerous() -> None:
    model = patrolled({"kind": "search_and_rescue", "target": {"corridor": "central_med"}, "vessels_added": -100.0,
                       "pull_factor_hypothesis": True, "pull_factor_strength": 0.5})
    assert model.policy.perceived_risk_factor[leg(model, LIBYA)] == pytest.approx(1.5)


@pytest.mark.parametrize(("kind", "field"), [("search_and_rescue", "vessels_added"),
                                             ("launch_prevention", "officers_added"),
                                             ("port_security", "officers_added"),
                                             ("maritime_surveillance", "coverage")])
def test_a_strength_of_zero_is_an_error_and_cuts_have_finite_bounds(kind: str, field: str) -> None:
    adapter = TypeAdapter(Intervention)
    item = {"kind": kind, "start": dt.date(2025, 4, 1), "target": {"corridor": "channel"}}
    with pytest.raises(ValidationError, match="does nothing"):
        adapter.validate_python({**item, field: 0.0})
    with pytest.raises(ValidationError, match="greater than or equal"):
        adapter.validate_python({**item, field: -2e6})
    assert getattr(adapter.validate_python({**item, field: -0.5}), field) == -0.5
