"""The per-leg arrays the kernel reads each day, and the perceived costs of legs that choices rest on.

They start at the network's reference values; each day the actors (smugglers, patrols) and the policy levers
set them. Nothing here loops over migrants.
"""

from dataclasses import dataclass

import numpy as np

from sim.config.schema import Behaviour, Boats
from sim.environment.information import Beliefs
from sim.network import MODE_LAND, MODE_LORRY, MODE_SEA, Network


@dataclass
class LegInputs:
    """One day's conditions on every leg (float64 arrays of length n_legs)."""

    price: np.ndarray          # EUR a place
    places: np.ndarray         # places offered today, people (paid sea/lorry legs)
    load: np.ndarray           # people per boat (or lorry) today
    p_prevent: np.ndarray      # a launch is stopped on the beach
    p_intercept: np.ndarray    # a launched boat is intercepted and returned (lorry: detected at the port)
    p_distress: np.ndarray     # a launched boat gets into distress
    p_rescue: np.ndarray       # a boat in distress is rescued and landed
    land_death: np.ndarray     # a person dies on one traversal of a land leg
    p_return: np.ndarray       # a person landed from a sea leg is returned to its departure country

    @classmethod
    def reference(cls, net: Network, boats: Boats) -> "LegInputs":
        """Conditions at the network's reference values (reference load, reference supply)."""
        paid = net.leg_mode != MODE_LAND
        sea = net.leg_mode == MODE_SEA
        inputs = cls(
            price=net.price_eur.astype(np.float64).copy(),
            places=np.where(paid, net.capacity_people_per_day, 0.0),
            load=np.where(paid, np.maximum(net.people_per_boat, 1.0), 1.0),
            p_prevent=np.where(paid, net.p_prevent, 0.0),
            p_intercept=np.where(paid, net.p_intercept, 0.0),
            # Everyone in a lorry shares its fate; sea distress is set from the load below.
            p_distress=np.where(net.leg_mode == MODE_LORRY, net.death_risk, 0.0),
            p_rescue=np.where(sea, net.p_rescue, 0.0),
            land_death=np.where(paid, 0.0, net.death_risk),
            p_return=np.zeros(net.n_legs),
        )
        inputs.apply_load(net, boats)
        return inputs

    def apply_load(self, net: Network, boats: Boats, roughness: np.ndarray | float = 1.0) -> None:
        """Scale sea distress with today's load relative to the reference load (overloading kills) and with
        today's sea (roughness, mean 1).

        A sea leg's death_risk is the share of boats lost after rescue at the reference load, so a boat's
        distress probability there is death_risk / (1 - reference rescue probability).
        """
        sea = net.leg_mode == MODE_SEA
        ref = np.maximum(net.people_per_boat, 1.0)
        base = np.where(sea, net.death_risk / np.maximum(1.0 - net.p_rescue, 1e-9), self.p_distress)
        factor = np.where(sea, (self.load / ref) ** boats.overload_exponent * roughness, 1.0)
        self.p_distress = np.minimum(base * factor, 1.0)

    def death_probability(self) -> np.ndarray:
        """Chance a person dies on one attempt at each leg."""
        return self.land_death + self.p_distress * (1.0 - self.p_rescue)

    def failure_probability(self) -> np.ndarray:
        """Chance an attempt at each leg ends stopped on the beach, intercepted, or returned after landing."""
        return 1.0 - (1.0 - self.p_prevent) * (1.0 - self.p_intercept) * (1.0 - self.p_return)


def perceived_costs(net: Network, legs: LegInputs, behaviour: Behaviour,
                    beliefs: Beliefs) -> tuple[np.ndarray, np.ndarray]:
    """Per origin and leg: the cost part every person shares, and the risk part scaled by risk aversion.

    Prices and travel times are known (adverts quote them); the chances of being stopped and of dying are
    what people at each origin believe.
    """
    base = (legs.price + behaviour.value_of_time_eur_per_day * net.travel_days
            + behaviour.failure_cost_eur * beliefs.failure)
    return base, behaviour.risk_value_eur * beliefs.risk


def sink_values(net: Network, behaviour: Behaviour, penalty_eur: np.ndarray) -> np.ndarray:
    """[origin, preference, hub]: minus the value of ending at each sink hub (+inf for other hubs).

    penalty_eur[origin, destination] lowers a destination's value (removals, raids on illegal working).
    """
    n_pref = len(net.preferred_dest)
    values = np.full((net.n_origins, n_pref, net.n_hubs), np.inf)
    values[:, :, net.dest_hubs] = penalty_eur[:, None, :]
    for p, d in enumerate(net.preferred_dest):
        values[:, p, net.dest_hubs[d]] -= behaviour.preferred_destination_bonus_eur
    return values
