"""Every shipped scenario runs; each intervention kind moves the mechanism it acts through (not a policy verdict)."""

from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter

from sim.config import check_against_network, load_scenario
from sim.interventions.schema import Intervention
from sim.model import RouteModel
from sim.network import load_network
from sim.runner import simulate
from tests.conftest import ROOT, small_scenario

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
CHANNEL_BOAT = "northern_france_coast->kent"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_runs(path: Path) -> None:
    scenario = load_scenario(path, {"test": {"days": 45, "scale": 40.0}})
    check_against_network(scenario, path, load_network())
    scenario = scenario.model_copy(update={"spin_up_days": 60})
    tables = simulate(scenario).tables
    assert tables["daily_corridor"]["crossings"].sum() > 0
    assert len(tables["daily_interventions"]) == 45 * len(scenario.interventions)


def model_with(spin_up_days: int = 0, **fields) -> RouteModel:
    """A small model with one intervention in force from its first recorded day."""
    base = small_scenario(days=30, spin_up_days=spin_up_days)
    item = TypeAdapter(Intervention).validate_python({"start": base.start_date, **fields})
    model = RouteModel(base.model_copy(update={"interventions": {"x": item}}))
    model.interventions.apply()
    return model


def baseline_model() -> RouteModel:
    model = RouteModel(small_scenario(days=30))
    model.interventions.apply()
    return model


def leg(model: RouteModel, leg_id: str) -> int:
    return list(model.net.legs["id"]).index(leg_id)


def unit(model: RouteModel, name: str):
    from sim.model import units_of

    return next(u for u in units_of(model) if u.name == name)


def test_enforcement_funding_buys_investigators_at_the_unit_cost() -> None:
    model = model_with(kind="enforcement_funding", target={"corridor": "channel"}, amount_gbp_per_year=3_000_000.0)
    expected = 3_000_000.0 / 100_000.0
    assert model.policy.investigators_added[0] == pytest.approx(expected)
    channel = unit(model, "uk_france_channel")
    channel.investigate()
    assert channel.investigators == pytest.approx(channel.base_investigators + expected)
    assert model.policy.investigators_added[1:].sum() == 0  # other corridors' units untouched


def test_prosecution_capacity_clears_more_cases() -> None:
    decided = []
    for model in (baseline_model(), model_with(kind="prosecution_capacity", target={"corridor": "channel"},
                                               prosecutors_added=50.0)):
        channel = unit(model, "uk_france_channel")
        channel.queued = 1000
        channel.investigate()  # reads today's levers
        for _ in range(30):
            channel.prosecute()
        decided.append(1000 - channel.queued)
    assert decided[1] > decided[0]


def test_financial_disruption_drains_groups_cash() -> None:
    cash = []
    for model in (baseline_model(), model_with(kind="financial_disruption", target={"corridor": "channel"},
                                               revenue_frozen_share=0.5, cash_seized_share_per_month=0.5)):
        group = next(g for g in model.market.groups if g.leg == leg(model, CHANNEL_BOAT))
        group.cash_eur = 1e5
        group.settle(revenue_eur=1e5, launches_used=0, sailing_day=False)
        cash.append(group.cash_eur + group.profit_taken_eur)
    assert cash[1] < cash[0]


def test_facilitator_penalties_make_boats_dearer() -> None:
    model = model_with(kind="facilitator_penalties", target={"corridor": "channel"}, boat_cost_increase_share=0.5)
    group = next(g for g in model.market.groups if g.leg == leg(model, CHANNEL_BOAT))
    assert group.boat_cost() == pytest.approx(1.5 * model.config.supply.boat_and_engine_price_eur)


def test_online_takedown_cuts_advert_reach_and_so_belief() -> None:
    base, cut = baseline_model(), model_with(kind="online_takedown", target={"corridor": "channel"},
                                             share_removed=0.8)
    e = leg(base, CHANNEL_BOAT)
    assert cut.market.advert_reach()[0, e] == pytest.approx(0.2 * base.market.advert_reach()[0, e])
    for model in (base, cut):
        for day in range(60):
            model.beliefs.see_today(day, model.legs.price, model.legs.death_probability(),
                                    model.legs.failure_probability(), model.market.advert_reach())
    assert cut.beliefs.failure[0, e] > base.beliefs.failure[0, e]  # fewer adverts: less rosy


def _patrolled(model: RouteModel) -> RouteModel:
    launches = np.where(model.legs.load > 0, model.legs.places / model.legs.load, 0.0)
    from sim.actors.patrols import apply_patrols

    apply_patrols(model, launches)
    return model


def test_maritime_surveillance_raises_interception_and_rescue() -> None:
    base = _patrolled(baseline_model())
    seen = _patrolled(model_with(kind="maritime_surveillance", target={"corridor": "central_med"}, coverage=1.0))
    e = leg(base, "libya_west_coast->lampedusa")
    assert seen.legs.p_intercept[e] > base.legs.p_intercept[e]
    assert seen.legs.p_rescue[e] > base.legs.p_rescue[e]


def test_search_and_rescue_raises_rescue_and_pull_only_as_a_hypothesis() -> None:
    base = _patrolled(baseline_model())
    off = _patrolled(model_with(kind="search_and_rescue", target={"corridor": "central_med"}, vessels_added=200.0))
    on = model_with(kind="search_and_rescue", target={"corridor": "central_med"}, vessels_added=200.0,
                    pull_factor_hypothesis=True, pull_factor_strength=0.5)
    e = leg(base, "libya_west_coast->lampedusa")
    assert off.legs.p_rescue[e] > base.legs.p_rescue[e]
    assert off.policy.perceived_risk_factor[e] == 1.0
    assert on.policy.perceived_risk_factor[e] == pytest.approx(0.5)


def test_removals_remove_arrivals_of_one_origin_and_lower_the_pull() -> None:
    model = model_with(kind="removals", target={"hub": "uk"}, origin="albania", share_removed=0.5)
    net = model.net
    d = net.hub_dest[list(net.hubs["id"]).index("uk")]
    o = list(net.origins["origin"]).index("albania")
    assert model.policy.removal[d, o] == pytest.approx(0.5)
    assert model.policy.removal[d, :o].sum() == 0
    base_togo = baseline_model()._costs_to_go()[2]
    togo = model._costs_to_go()[2]
    kent = list(net.hubs["id"]).index("kent")
    assert togo[o, 0, kent] > base_togo[o, 0, kent]  # the UK is worth less to Albanians preferring it


def test_illegal_working_raids_lower_a_destinations_pull() -> None:
    model = model_with(kind="illegal_working_raids", target={"hub": "uk"}, raid_intensity=1.0)
    d = model.net.hub_dest[list(model.net.hubs["id"]).index("uk")]
    assert (model.policy.destination_penalty_eur[:, d] == model.config.behaviour.job_pull_eur).all()


def test_return_agreement_returns_landed_people() -> None:
    model = model_with(kind="return_agreement", target={"leg": "turkey_aegean_coast->greek_islands"},
                       landed_return_share=0.9, spin_up_days=120)
    model.run()
    legs = model.recorder.tables()["daily_corridor"].groupby("corridor")["returned"].sum()
    assert legs["eastern_med"] > 0 and legs.drop("eastern_med").sum() == 0


def test_port_security_raises_lorry_detection() -> None:
    base = _patrolled(baseline_model())
    secured = _patrolled(model_with(kind="port_security", target={"corridor": "channel"}, officers_added=300.0))
    e = leg(base, "calais_ports->dover_port")
    assert secured.legs.p_intercept[e] > base.legs.p_intercept[e]


def test_leg_capacity_scales_places_and_turns_back_land_travel() -> None:
    model = model_with(kind="leg_capacity", target={"leg": "calais_ports->dover_port"}, factor=0.25)
    e = leg(model, "calais_ports->dover_port")
    assert model.policy.places_factor[e] == 0.25
    land = model_with(kind="leg_capacity", target={"leg": "belgrade->budapest"}, factor=0.25)
    assert land.policy.land_stopped_share[leg(land, "belgrade->budapest")] == pytest.approx(0.75)


def test_intelligence_sharing_is_a_named_multiplier() -> None:
    model = model_with(kind="intelligence_sharing", target={"corridor": "channel"}, strength=0.5)
    assert model.policy.success_factor[0] == pytest.approx(1.5) and (model.policy.success_factor[1:] == 1).all()
    for role in ("prevent", "intercept", "rescue"):  # every patrol role profits, beach officers included
        assert getattr(model.policy, f"{role}_factor")[leg(model, CHANNEL_BOAT)] == pytest.approx(1.5)
