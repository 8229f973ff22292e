"""The daily effect of each intervention kind: which lever it pulls, at today's intensity.

Each morning the levers return to neutral, then every intervention in force pulls its lever at today's intensity
(0 before the start and after the end, ramping up to 1). The actors read the levers (sim/interventions/levers.py);
no intervention moves people between corridors: displacement can only come from people's and groups' choices.
"""

import numpy as np

from sim.config.fields import DAYS_PER_MONTH
from sim.interventions.levers import Levers, Reference
from sim.interventions.schema import Funding, InterventionBase
from sim.interventions.targets import intervention_legs
from sim.network import CORRIDORS, MODE_LAND


def _combine(p: np.ndarray, idx: np.ndarray, add: float) -> None:
    """Independent chances: p <- 1 - (1 - p)(1 - add) on idx."""
    p[idx] = 1.0 - (1.0 - p[idx]) * (1.0 - add)


class Interventions:
    """The scenario's interventions, resolved once, applied each day."""

    def __init__(self, model) -> None:
        self.model = model
        net = model.net
        self.items: dict[str, InterventionBase] = dict(model.config.interventions)
        self.targets = {name: intervention_legs(net, item) for name, item in self.items.items()}
        self.units = [u.name for u in model.config.enforcement.units]
        self.unit_corridors = [[CORRIDORS.index(c) for c in u.corridors] for u in model.config.enforcement.units]
        self.levers = Levers(net.n_legs, net.n_origins, net.n_dests, len(self.units))
        self.reference = Reference(net)
        self.intensity = dict.fromkeys(self.items, 0.0)
        self._seizing: dict[str, tuple[np.ndarray, float]] = {}  # today's seizure rate per leg, by intervention

    def apply(self) -> None:
        """Reset the levers and the reference values, then apply every intervention at today's intensity (in the
        scenario's order: a reference change starts from the value the changes before it left)."""
        self.levers.reset()
        self.reference.reset()
        self._seizing = {}
        for name, item in self.items.items():
            self.intensity[name] = item.intensity(self.model.date)
            if self.intensity[name] > 0:
                getattr(self, item.kind)(name, item, self.intensity[name], self.targets[name])

    @property
    def seized(self) -> dict[str, float]:
        """Boats seized today by each intervention: each leg's seizures (made by its supply chain, which reads the
        lever) shared among the interventions on the leg in proportion to the rate each asked for."""
        out = dict.fromkeys(self.items, 0.0)
        done, asked = self.model.supply.seized_today, self.levers.supply_seized_per_day
        for name, (legs, rate) in self._seizing.items():
            out[name] = float(np.sum(done[legs] * rate / asked[legs]))
        return out

    # Helpers -------------------------------------------------------------------------------------------------
    def _people_from_money(self, item: Funding, per_year_gbp: float) -> float:
        """People a yearly budget pays for (unit-cost table): a rate, so the same whatever the run's length."""
        return item.gbp_per_year(self.model.config.gbp_to_eur) / per_year_gbp

    def _units_on(self, legs: np.ndarray) -> np.ndarray:
        corridors = set(self.model.net.leg_corridor[legs].tolist())
        return np.array([u for u, cs in enumerate(self.unit_corridors) if corridors & set(cs)], int)

    # Kinds ---------------------------------------------------------------------------------------------------
    def launch_prevention(self, name, item, x, legs) -> None:
        self.levers.prevent_units[legs] += x * item.officers_added / len(legs)

    def supply_chain_seizures(self, name, item, x, legs) -> None:
        rate = x * item.boats_per_month / DAYS_PER_MONTH / len(legs)
        self.levers.supply_seized_per_day[legs] += rate
        self._seizing[name] = (legs, rate)

    def border_closure(self, name, item, x, legs) -> None:
        _combine(self.levers.land_stopped_share, legs, x * item.share_stopped)

    def enforcement_funding(self, name, item, x, legs) -> None:
        units = self._units_on(legs)
        people = item.investigators_added or self._people_from_money(
            item, self.model.config.unit_costs.investigator_year_gbp)
        self.levers.investigators_added[units] += x * people / max(len(units), 1)

    def prosecution_capacity(self, name, item, x, legs) -> None:
        units = self._units_on(legs)
        people = item.prosecutors_added or self._people_from_money(
            item, self.model.config.unit_costs.prosecutor_year_gbp)
        self.levers.prosecutors_added[units] += x * people / max(len(units), 1)

    def financial_disruption(self, name, item, x, legs) -> None:
        _combine(self.levers.revenue_frozen_share, legs, x * item.revenue_frozen_share)
        daily = 1.0 - (1.0 - item.cash_seized_share_per_month) ** (1.0 / DAYS_PER_MONTH)
        _combine(self.levers.cash_seized_share_per_day, legs, x * daily)

    def facilitator_penalties(self, name, item, x, legs) -> None:
        self.levers.boat_cost_factor[legs] *= 1.0 + x * item.boat_cost_increase_share
        self.levers.member_cost_factor[legs] *= 1.0 + x * item.member_cost_increase_share

    def online_takedown(self, name, item, x, legs) -> None:
        kind, value = item.target.kind_and_value
        rows = [list(self.model.net.origins["origin"]).index(value)] if kind == "origin" else slice(None)
        self.levers.advert_factor[rows, legs] *= 1.0 - x * item.share_removed

    def maritime_surveillance(self, name, item, x, legs) -> None:
        # Boats seen at sea: detection (interception) and the rescue response; beach officers act on the shore.
        # A cut below -1/gain would make the factor negative: the patrol clamps its effective units at zero.
        factor = 1.0 + x * item.coverage * self.model.config.patrols.surveillance_gain
        self.levers.intercept_factor[legs] *= factor
        self.levers.rescue_factor[legs] *= factor

    def search_and_rescue(self, name, item, x, legs) -> None:
        self.levers.rescue_units[legs] += x * item.vessels_added / len(legs)
        if item.pull_factor_hypothesis:
            self.levers.perceived_risk_factor[legs] *= 1.0 - np.sign(item.vessels_added) * x * item.pull_factor_strength

    def removals(self, name, item, x, dest) -> None:
        origins = list(self.model.net.origins["origin"])
        rows = [origins.index(item.origin)] if item.origin else slice(None)
        removal = self.levers.removal
        removal[dest[0], rows] = 1.0 - (1.0 - removal[dest[0], rows]) * (1.0 - x * item.share_removed)
        penalty = x * item.share_removed * self.model.config.behaviour.removal_cost_eur
        self.levers.destination_penalty_eur[rows, dest[0]] += penalty

    def illegal_working_raids(self, name, item, x, dest) -> None:
        pull = self.model.config.behaviour.job_pull_eur
        self.levers.destination_penalty_eur[:, dest[0]] += x * item.raid_intensity * pull

    def return_agreement(self, name, item, x, legs) -> None:
        _combine(self.levers.p_return, legs, x * item.landed_return_share)
        self.levers.intercept_units[legs] += x * item.coastguard_units_added / len(legs)

    def port_security(self, name, item, x, legs) -> None:
        self.levers.intercept_units[legs] += x * item.officers_added / len(legs)

    def leg_capacity(self, name, item, x, legs) -> None:
        factor = 1.0 + x * (item.factor - 1.0)
        self.levers.places_factor[legs] *= factor
        land = legs[self.model.net.leg_mode[legs] == MODE_LAND]
        if factor < 1.0 and len(land):
            _combine(self.levers.land_stopped_share, land, 1.0 - factor)

    def intelligence_sharing(self, name, item, x, legs) -> None:
        # Shared intelligence says where and when launches are planned: every patrol role profits, beach included.
        for role in ("prevent", "intercept", "rescue"):
            getattr(self.levers, f"{role}_factor")[legs] *= 1.0 + x * item.strength
        self.levers.success_factor[self._units_on(legs)] *= 1.0 + x * item.strength

    def reference_change(self, name, item, x, legs) -> None:
        self.reference.change(item.attribute, legs, x, item.set, item.scale)
