"""The per-leg arrays the kernel reads each day (the choice model that reads beliefs is sim/environment/choice.py).

They start at the network's reference values; each day the actors (smugglers, patrols) and the policy levers
set them, and what no actor sets follows today's reference values (`follow_reference`). Nothing here loops over
migrants.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.config.schema import Boats
from sim.network import CORRIDORS, MODE_AIR, MODE_LAND, MODE_LORRY, MODE_SEA, Network

if TYPE_CHECKING:
    from sim.interventions.levers import Reference


@dataclass
class LegInputs:
    """One day's conditions on every leg (float64 arrays of length n_legs; travel_days int16)."""

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
    travel_days: np.ndarray    # days a traversal started today takes

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
            travel_days=net.travel_days.copy(),
        )
        inputs.apply_load(net, boats)
        return inputs

    def follow_reference(self, net: Network, ref: "Reference", market_legs: np.ndarray) -> None:
        """What no actor sets takes today's reference values: travel times, the fares of legs without a market
        (land legs), and the visa refusals and document checks of air legs (no patrol there)."""
        self.travel_days[:] = ref.travel_days
        fixed = np.ones(net.n_legs, bool)
        fixed[market_legs] = False
        self.price[fixed] = ref.price_eur[fixed]
        air = net.leg_mode == MODE_AIR
        self.p_prevent[air], self.p_intercept[air] = ref.p_prevent[air], ref.p_intercept[air]

    def apply_load(self, net: Network, boats: Boats, roughness: np.ndarray | float = 1.0,
                   death_risk: np.ndarray | None = None) -> None:
        """Set today's sea risks from the load relative to the reference load (overloading kills), the sea
        (roughness, mean 1), the beach police (hurried launches) and the rescue services.

        A sea leg's death_risk is the chance a person dies on a crossing at reference conditions. A share of it
        (boats.incident_share, by corridor) comes from small incidents, whose deaths are drawn per person; the rest
        from whole-boat losses after rescue. So at reference conditions a boat's distress probability is
        death_risk x (1 - share) / (1 - reference rescue) and its incident probability is death_risk x share /
        (incident_death_share x (1 - death_risk x (1 - share))). The lorry leg keeps its distress probability
        (death in the lorry), a land leg its chance of death per traversal.

        death_risk: today's reference values (a dated reference change), the network's by default. The load,
        prevention and rescue it is anchored at stay the network's: a reference change of those acts through the
        groups and patrols, and the risk of a crossing follows.
        """
        risk = net.death_risk if death_risk is None else death_risk
        sea, lorry = net.leg_mode == MODE_SEA, net.leg_mode == MODE_LORRY
        self.land_death = np.where(net.leg_mode == MODE_LAND, risk, 0.0)
        share_of = [boats.incident_share.get(name, boats.incident_share_other) for name in CORRIDORS]
        share = np.asarray(share_of)[net.leg_corridor]
        ref = np.maximum(net.people_per_boat, 1.0)
        worse = (self.load / ref) ** boats.overload_exponent * roughness
        lost_ref = risk * (1.0 - share) / np.maximum(1.0 - net.p_rescue, 1e-9)
        self.p_distress = np.where(sea, np.minimum(lost_ref * worse, 1.0), np.where(lorry, risk, self.p_distress))
        hurried = (1.0 + boats.hurry_factor * self.p_prevent) / (1.0 + boats.hurry_factor * net.p_prevent)
        # Incidents are drawn on boats not lost: divide by (1 - lost) so the two parts add up to death_risk.
        incident_ref = risk * share / (boats.incident_death_share * (1.0 - risk * (1.0 - share)))
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
