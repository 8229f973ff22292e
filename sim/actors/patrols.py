"""Patrols on paid legs: beach police who stop launches, coastguards who intercept and return, rescuers.

A patrol's strength is its units (officers, vessels). Its success probability rises with units towards a
ceiling, calibrated so that at the reference strength it equals the leg's reference probability (today's: a dated
reference change recalibrates it); and it is swamped when more launches come in a day than it can attend to.
Interventions add or withdraw units and scale them; effective units never fall below zero.
"""

import mesa
import numpy as np

from sim.network import MODE_LORRY, MODE_SEA

ROLES = ("prevent", "intercept", "rescue")


class Patrol(mesa.Agent):
    """One role (prevent, intercept or rescue) on one leg."""

    def __init__(self, model: mesa.Model, leg: int, role: str, reference_launches: float) -> None:
        super().__init__(model)
        cfg = model.config.patrols
        self.leg, self.role = leg, role
        leg_id = model.net.legs["id"].iloc[leg]
        beach = role == "prevent"
        self.reference_units = (cfg.beach_officers_reference.get(leg_id, cfg.reference_units) if beach
                                else cfg.reference_units)
        self.scenario_units = cfg.beach_officers.get(leg_id, self.reference_units) if beach else self.reference_units
        self.launches_per_unit = cfg.swamping_headroom * max(reference_launches, 1.0) / self.reference_units
        self.calibrate(self._reference_probability())
        self.units = self.base_units
        self.probability = self.p_ref

    def _reference_probability(self) -> float:
        """Today's reference probability of the role on the leg (legs.csv, or a dated reference change)."""
        return float(getattr(self.model.reference, f"p_{self.role}")[self.leg])

    def calibrate(self, reference_probability: float) -> None:
        """Ceiling, base units and half-saturation constant for a reference probability: p(reference units)
        equals it; with none, no patrol until a scenario adds units."""
        self.p_ref = reference_probability
        cfg = self.model.config.patrols
        self.p_max = max(cfg.max_probability, reference_probability / cfg.reference_ceiling_share)
        if reference_probability > 0:
            self.base_units = self.scenario_units
            p_ref = min(reference_probability, cfg.reference_ceiling_share * self.p_max)
            self.half_units = self.reference_units * (self.p_max / p_ref - 1.0)
        else:
            self.base_units = 0.0
            self.half_units = self.reference_units

    def act(self, launches: np.ndarray) -> None:
        """Today's success probability given the planned launches on the leg, written into the leg arrays."""
        levers = self.model.policy
        if (p_ref := self._reference_probability()) != self.p_ref:  # a dated reference change moved it
            self.calibrate(p_ref)
        # Units withdrawn beyond what the leg has, or a factor cut below zero, leave no patrol, never negative ones.
        self.units = max(self.base_units + getattr(levers, f"{self.role}_units")[self.leg], 0.0)
        units = self.units * max(getattr(levers, f"{self.role}_factor")[self.leg], 0.0)
        p = self.p_max * units / (units + self.half_units) if units > 0 else 0.0
        can_attend = units * self.launches_per_unit
        if self.role != "rescue" and launches[self.leg] > can_attend:  # rescue services answer every call
            p *= can_attend / launches[self.leg]
        self.probability = p
        getattr(self.model.legs, f"p_{self.role}")[self.leg] = p


def create_patrols(model: mesa.Model) -> None:
    """One patrol per role on every sea or lorry leg (rescue: sea only); those with a reference probability
    of zero start with no units."""
    net = model.net
    for role in ROLES:
        modes = (MODE_SEA,) if role == "rescue" else (MODE_SEA, MODE_LORRY)
        for e in np.flatnonzero(np.isin(net.leg_mode, modes)):
            launches = net.capacity_people_per_day[e] / max(net.people_per_boat[e], 1.0)
            Patrol(model, int(e), role, launches)


def apply_patrols(model: mesa.Model, launches: np.ndarray) -> None:
    """Patrols act on the day's planned launches."""
    patrols = model.agents_by_type.get(Patrol)
    if patrols is not None:
        patrols.do("act", launches)
