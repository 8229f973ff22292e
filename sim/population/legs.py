"""The per-leg arrays the kernel reads each day, and the perceived costs of legs that choices rest on.

They start at the network's reference values; each day the actors (smugglers, patrols) and the policy levers
set them. Nothing here loops over migrants.
"""

from dataclasses import dataclass

import numpy as np

from sim.config.schema import Behaviour, Boats
from sim.environment.information import Beliefs
from sim.network import CORRIDORS, MODE_LAND, MODE_LORRY, MODE_SEA, Network


@dataclass
class LegInputs:
    """One day's conditions on every leg (float64 arrays of length n_legs)."""

    price: np.ndarray          # EUR a place
    places: np.ndarray         # places offered today, people (paid sea/lorry legs)
    load: np.ndarray           # people per boat (or lorry) today
    p_prevent: np.ndarray      # a launch is stopped on the beach (taxi boats included: apply_taxi_boats)
    p_beach: np.ndarray        # the beach police's probability of stopping a launch from a beach
    taxi_share: np.ndarray     # share of the day's launches made as taxi boats (the groups' choice)
    p_intercept: np.ndarray    # a launched boat is intercepted and returned (lorry: detected at the port)
    p_distress: np.ndarray     # a launched boat gets into distress (lost with everyone aboard unless rescued)
    p_rescue: np.ndarray       # a boat in distress is rescued and landed
    p_incident: np.ndarray     # a launched boat that is not lost has an incident (crush, embarkation, cold)
    p_incident_death: np.ndarray  # a person aboard a boat with an incident dies in it
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
            p_beach=np.where(paid, net.p_prevent, 0.0),
            taxi_share=np.zeros(net.n_legs),
            p_intercept=np.where(paid, net.p_intercept, 0.0),
            # Everyone in a lorry shares its fate; sea distress is set from the load below.
            p_distress=np.where(net.leg_mode == MODE_LORRY, net.death_risk, 0.0),
            p_rescue=np.where(sea, net.p_rescue, 0.0),
            p_incident=np.zeros(net.n_legs),
            p_incident_death=np.zeros(net.n_legs),
            land_death=np.where(paid, 0.0, net.death_risk),
            p_return=np.zeros(net.n_legs),
        )
        inputs.apply_load(net, boats)
        return inputs

    def apply_load(self, net: Network, boats: Boats, roughness: np.ndarray | float = 1.0) -> None:
        """Set today's sea risks from the load relative to the reference load (overloading kills), the sea
        (roughness, mean 1), the beach police (hurried launches) and the rescue services.

        A sea leg's death_risk is the chance a person dies on a crossing at reference conditions. A share of it
        (boats.incident_share, by corridor) comes from small incidents, whose deaths are drawn per person; the rest
        from whole-boat losses after rescue. So at reference conditions a boat's distress probability is
        death_risk x (1 - share) / (1 - reference rescue) and its incident probability is death_risk x share /
        (incident_death_share x (1 - death_risk x (1 - share))). The lorry leg keeps its distress probability
        (death in the lorry).
        """
        sea = net.leg_mode == MODE_SEA
        share_of = [boats.incident_share.get(name, boats.incident_share_other) for name in CORRIDORS]
        share = np.asarray(share_of)[net.leg_corridor]
        ref = np.maximum(net.people_per_boat, 1.0)
        worse = (self.load / ref) ** boats.overload_exponent * roughness
        lost_ref = net.death_risk * (1.0 - share) / np.maximum(1.0 - net.p_rescue, 1e-9)
        self.p_distress = np.where(sea, np.minimum(lost_ref * worse, 1.0), self.p_distress)
        hurried = (1.0 + boats.hurry_factor * self.p_prevent) / (1.0 + boats.hurry_factor * net.p_prevent)
        # Incidents are drawn on boats not lost: divide by (1 - lost) so the two parts add up to death_risk.
        incident_ref = net.death_risk * share / (boats.incident_death_share * (1.0 - net.death_risk * (1.0 - share)))
        self.p_incident = np.where(sea, np.minimum(incident_ref * worse * hurried, 1.0), 0.0)
        w = boats.incident_rescue_reach
        rescued = (1.0 - w * self.p_rescue) / (1.0 - w * net.p_rescue)
        self.p_incident_death = np.where(sea, np.minimum(boats.incident_death_share * rescued, 1.0), 0.0)

    def apply_taxi_boats(self, escape_share: float, incident_factor: float) -> None:
        """A share of launches are taxi boats, launched empty from rivers and canals and boarded in the water:
        beach police, who do not act at sea, stop them less (escape_share of their probability is escaped), but
        boarding in the water is more dangerous (incident_factor times the incident probability). Called once a
        day after the patrols have set p_prevent (the beach probability) and apply_load has set p_incident."""
        self.p_beach = self.p_prevent.copy()
        self.p_prevent = self.p_beach * (1.0 - self.taxi_share * escape_share)
        self.p_incident = np.minimum(self.p_incident * (1.0 + self.taxi_share * (incident_factor - 1.0)), 1.0)

    def death_probability(self) -> np.ndarray:
        """Chance a person dies on one launched attempt at each leg: the boat lost, or an incident aboard."""
        lost = self.p_distress * (1.0 - self.p_rescue)
        return self.land_death + lost + (1.0 - lost) * self.p_incident * self.p_incident_death

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
