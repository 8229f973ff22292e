"""The daily effect of each intervention, through the actors' own mechanisms.

Each day, before the actors act, the levers are reset to their base values and every intervention in force adds
its effect at today's intensity (0 before the start and after the end, ramping up to 1):
- launch_prevention: officers added to the beach patrols of the target sea legs (the Patrol's units);
- supply_chain_seizures: boats and engines taken from the supply of the groups on the target legs, from orders
  in transit first, then from stock;
- border_closure: border guards stop and return a share of crossings of the target land legs.
"""

import numpy as np

from sim.actors.patrols import Patrol
from sim.actors.smugglers import SmugglingGroup
from sim.interventions.schema import InterventionBase
from sim.interventions.targets import legs_for
from sim.network import MODE_LAND


class Interventions:
    """The scenario's interventions, resolved to legs once, applied each day."""

    def __init__(self, model) -> None:
        self.model = model
        self.items: dict[str, InterventionBase] = dict(model.config.interventions)
        self.legs = {name: legs_for(model.net, item.kind, *item.target.kind_and_value)
                     for name, item in self.items.items()}
        self.land = np.flatnonzero(model.net.leg_mode == MODE_LAND)
        self.intensity = dict.fromkeys(self.items, 0.0)
        self.seized = dict.fromkeys(self.items, 0.0)   # boats seized today, by intervention
        self._carry = dict.fromkeys(self.items, 0.0)  # fractional seizures carried to the next day

    def apply(self) -> None:
        """Reset the levers, then apply every intervention at today's intensity."""
        model = self.model
        patrols = model.agents_by_type.get(Patrol)
        if patrols is not None:
            patrols.do(lambda p: setattr(p, "units", p.base_units))
        model.legs.p_intercept[self.land] = 0.0
        for name, item in self.items.items():
            self.intensity[name] = item.intensity(model.date)
            self.seized[name] = 0.0
            if self.intensity[name] > 0:
                getattr(self, item.kind)(name, item, self.intensity[name])

    def launch_prevention(self, name: str, item, intensity: float) -> None:
        legs = self.legs[name]
        self.model.agents_by_type[Patrol].select(
            lambda p: p.role == "prevent" and p.leg in legs).do(
            lambda p: setattr(p, "units", p.units + intensity * item.officers_added / len(legs)))

    def supply_chain_seizures(self, name: str, item, intensity: float) -> None:
        model = self.model
        self._carry[name] += intensity * item.boats_per_month * 12.0 / 365.0
        n = int(self._carry[name])
        self._carry[name] -= n
        groups = model.agents_by_type.get(SmugglingGroup)
        if not n or groups is None:
            return
        targets = list(groups.select(lambda g: g.leg in self.legs[name] and g.uses_boats))
        for _ in range(n):
            supply = np.array([g.boats + sum(k for _, k in g.on_order) for g in targets], float)
            if supply.sum() <= 0:
                break
            group = targets[model.rng.choice(len(targets), p=supply / supply.sum())]
            group.lose_supply(1)
            self.seized[name] += 1

    def border_closure(self, name: str, item, intensity: float) -> None:
        p = self.model.legs.p_intercept
        legs = self.legs[name]
        p[legs] = 1.0 - (1.0 - p[legs]) * (1.0 - intensity * item.share_stopped)
