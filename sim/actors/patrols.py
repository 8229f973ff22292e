"""Patrols on paid legs: beach police who stop launches, coastguards who intercept and return, rescuers.

A patrol's strength is its units (officers, vessels). Its success probability rises with units towards a
ceiling, calibrated so that at the reference strength it equals the leg's reference probability; and it is
swamped when more launches come in a day than it can attend to.
"""

import mesa
import numpy as np

from sim.network import MODE_LORRY, MODE_SEA

ROLES = ("prevent", "intercept", "rescue")


class Patrol(mesa.Agent):
    """One role (prevent, intercept or rescue) on one leg."""

    def __init__(self, model: mesa.Model, leg: int, role: str, reference_probability: float,
                 reference_launches: float) -> None:
        super().__init__(model)
        cfg = model.config.patrols
        self.leg, self.role = leg, role
        self.p_max = max(cfg.max_probability, reference_probability / cfg.reference_ceiling_share)
        leg_id = model.net.legs["id"].iloc[leg]
        beach = role == "prevent"
        reference = cfg.beach_officers_reference.get(leg_id, cfg.reference_units) if beach else cfg.reference_units
        if reference_probability > 0:
            # Half-saturation constant so that p(reference units) equals the reference probability.
            self.base_units = cfg.beach_officers.get(leg_id, reference) if beach else reference
            p_ref = min(reference_probability, cfg.reference_ceiling_share * self.p_max)
            self.half_units = reference * (self.p_max / p_ref - 1.0)
        else:
            # No such patrol at the reference: none until a scenario adds units.
            self.base_units = 0.0
            self.half_units = reference
        self.units = self.base_units
        self.launches_per_unit = cfg.swamping_headroom * max(reference_launches, 1.0) / reference
        self.probability = reference_probability

    def act(self, launches: np.ndarray) -> None:
        """Today's success probability given the planned launches on the leg, written into the leg arrays."""
        levers = self.model.policy
        self.units = self.base_units + getattr(levers, f"{self.role}_units")[self.leg]
        units = self.units * levers.patrol_factor[self.leg]
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
    reference = {"prevent": net.p_prevent, "intercept": net.p_intercept, "rescue": net.p_rescue}
    for role in ROLES:
        modes = (MODE_SEA,) if role == "rescue" else (MODE_SEA, MODE_LORRY)
        for e in np.flatnonzero(np.isin(net.leg_mode, modes)):
            launches = net.capacity_people_per_day[e] / max(net.people_per_boat[e], 1.0)
            Patrol(model, int(e), role, float(reference[role][e]), launches)


def apply_patrols(model: mesa.Model, launches: np.ndarray) -> None:
    """Patrols act on the day's planned launches."""
    patrols = model.agents_by_type.get(Patrol)
    if patrols is not None:
        patrols.do("act", launches)
