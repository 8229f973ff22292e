"""Supply chains of boats and engines: one per sea corridor, with a limited throughput, a delay and a price.

Boats and engines for small boats are bought far from the coast (Germany, Bulgaria, Turkey) and driven to it
(DOMAIN.md). The groups of each sea corridor order from one chain (a Mesa agent): one per corridor because a
corridor's groups share suppliers and routes to their coast, while corridors do not share boats. A chain dispatches
at most its throughput a day, first come first served; orders beyond it wait in a backlog, and the price of a boat
rises with the wait. Dispatched boats travel for the delivery delay, and upstream seizures (the policy lever
`supply_seized_per_day`) take boats from this pipeline: the buyer has paid for them, so a boat that reaches the
coast costs the price over the share not seized (`delivered_cost_eur`). Seizures and a cut in throughput thus
make boats scarce and dear at the coast, and groups answer by loading each boat more (`SmugglingGroup.boat_load`):
nothing here decides a load or a crossing.
"""

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.network import CORRIDORS, MODE_SEA

if TYPE_CHECKING:
    from sim.actors.smugglers import SmugglingGroup

COLUMNS = ("throughput_boats_per_day", "boat_price_eur", "delivered_cost_eur", "seized_share", "dispatched",
           "delivered", "seized", "backlog_boats", "in_transit_boats", "taxi_share")


@dataclass
class Shipment:
    """Boats with engines for one group: waiting in the backlog, or on the road until `due_day`."""

    group: "SmugglingGroup"
    leg: int
    boats: int
    due_day: int = -1


class SupplyChain(mesa.Agent):
    """The suppliers and drivers who bring boats and engines to one corridor's coasts."""

    def __init__(self, model: mesa.Model, corridor: int, legs: np.ndarray, throughput: float, index: int) -> None:
        super().__init__(model)
        self.corridor = corridor
        self.legs = legs                # the corridor's paid sea legs, which its groups serve
        self.index = index              # the chain's random stream
        self.throughput = throughput    # boats a day it can dispatch
        self.backlog: deque[Shipment] = deque()
        self.transit: deque[Shipment] = deque()   # in order of due day (one delay for all)
        self.price_eur = model.config.supply.boat_and_engine_price_eur
        self._recent = {"seized": 0.0, "off_road": 0.0}  # boats a day seized and leaving the road, smoothed
        self._dispatch_carry = 0.0
        self._seize_carry = dict.fromkeys(legs.tolist(), 0.0)
        self.today = dict.fromkeys(("dispatched", "delivered", "seized"), 0)
        self.seized_by_leg = dict.fromkeys(legs.tolist(), 0)
        self.backlog_boats = 0   # boats waiting in the backlog
        self.transit_boats = 0   # boats on the road

    @property
    def seized_share(self) -> float:
        """Share of the boats leaving the road lately that were seized (a memory of about one journey)."""
        off_road = self._recent["off_road"]
        return self._recent["seized"] / off_road if off_road > 0 else 0.0

    @property
    def delivered_cost_eur(self) -> float:
        """What a boat that reaches the coast costs its buyer: the price, over the share of boats not seized."""
        return self.price_eur / max(1.0 - self.seized_share, 0.01)

    def order(self, group: "SmugglingGroup", boats: int) -> None:
        """A group's paid order joins the back of the queue."""
        self.backlog.append(Shipment(group, int(group.leg), boats))
        self.backlog_boats += boats

    def cancel(self, group: "SmugglingGroup") -> None:
        """A dissolved group's orders are dropped, waiting or on the road."""
        self.backlog = deque(s for s in self.backlog if s.group is not group)
        self.transit = deque(s for s in self.transit if s.group is not group)
        self.backlog_boats = sum(s.boats for s in self.backlog)
        self.transit_boats = sum(s.boats for s in self.transit)

    def step_day(self) -> None:
        """Seizures on the road, then today's dispatches and deliveries, then the price for today's orders."""
        self.today = dict.fromkeys(self.today, 0)
        for leg in self.legs.tolist():
            self.seize(leg, self.model.policy.supply_seized_per_day[leg])
        self.dispatch()
        self.deliver()
        cfg = self.model.config.supply
        weight = 1.0 / max(cfg.delivery_delay_days, 1)
        seized, off_road = self.today["seized"], self.today["seized"] + self.today["delivered"]
        for key, today in (("seized", seized), ("off_road", off_road)):
            self._recent[key] += weight * (today - self._recent[key])
        wait_days = self.backlog_boats / self.throughput
        self.price_eur = cfg.boat_and_engine_price_eur * min(1.0 + cfg.price_rise_per_wait_day * wait_days,
                                                             cfg.price_cap_share)

    def seize(self, leg: int, per_day: float) -> None:
        """Take today's seizures for one leg's groups from the boats on the road to them, each boat from a shipment
        drawn in proportion to its size; boats not yet dispatched cannot be seized, and a seizure that finds
        nothing on the road is not carried over."""
        self._seize_carry[leg] += per_day
        n = int(self._seize_carry[leg])
        self._seize_carry[leg] -= n
        taken = 0
        if not n:
            self.seized_by_leg[leg] = 0
            return
        on_road = [s for s in self.transit if s.leg == leg]
        rng = self.model.stream("supply", self.index)
        while taken < n and on_road:
            sizes = np.array([s.boats for s in on_road], float)
            shipment = on_road[rng.choice(len(on_road), p=sizes / sizes.sum())]
            shipment.boats -= 1
            shipment.group.lose_order(1)
            self.transit_boats -= 1
            taken += 1
            if not shipment.boats:
                on_road.remove(shipment)
                self.transit.remove(shipment)
        self.seized_by_leg[leg] = taken
        self.today["seized"] += taken

    def dispatch(self) -> None:
        """Up to the day's throughput (fractions carried over), oldest orders first; an order may leave in part."""
        self._dispatch_carry += self.throughput
        due = self.model.day + self.model.config.supply.delivery_delay_days
        while self.backlog and self._dispatch_carry >= 1.0:
            head = self.backlog[0]
            n = min(head.boats, int(self._dispatch_carry))
            self._dispatch_carry -= n
            self.today["dispatched"] += n
            self.transit.append(Shipment(head.group, head.leg, n, due))
            self.backlog_boats -= n
            self.transit_boats += n
            head.boats -= n
            if not head.boats:
                self.backlog.popleft()
        if not self.backlog:
            self._dispatch_carry = min(self._dispatch_carry, 1.0)  # idle capacity is not banked

    def deliver(self) -> None:
        while self.transit and self.transit[0].due_day <= self.model.day:
            shipment = self.transit.popleft()
            shipment.group.take_delivery(shipment.boats)
            self.transit_boats -= shipment.boats
            self.today["delivered"] += shipment.boats

    def row(self) -> list[float]:
        """Today's state for the recorder (COLUMNS); the taxi-boat share is that of the day's planned launches."""
        legs = self.model.legs
        launches = np.where(legs.load[self.legs] > 0, legs.places[self.legs] / legs.load[self.legs], 0.0)
        taxi = legs.taxi_share[self.legs]
        taxi_share = float(np.average(taxi, weights=launches)) if launches.sum() > 0 else float(taxi.mean())
        return [self.throughput, self.price_eur, self.delivered_cost_eur, self.seized_share,
                *(self.today[k] for k in ("dispatched", "delivered", "seized")), self.backlog_boats,
                self.transit_boats, taxi_share]


class SupplyChains:
    """The model's supply chains: one for each corridor with paid sea legs."""

    def __init__(self, model: mesa.Model) -> None:
        self.model = model
        net, cfg = model.net, model.config.supply
        boat_legs = np.flatnonzero((net.leg_mode == MODE_SEA) & (net.price_eur > 0))
        self.chains: list[SupplyChain] = []
        self.chain_of_leg: dict[int, SupplyChain] = {}
        for corridor in sorted(set(net.leg_corridor[boat_legs].tolist())):
            legs = boat_legs[net.leg_corridor[boat_legs] == corridor]
            name = CORRIDORS[corridor]
            if name in cfg.throughput_boats_per_day:
                throughput = cfg.throughput_boats_per_day[name]
            else:
                launches = net.capacity_people_per_day[legs] / np.maximum(net.people_per_boat[legs], 1.0)
                throughput = cfg.throughput_headroom * float(launches.sum())
            chain = SupplyChain(model, corridor, legs, max(throughput, 1e-9), len(self.chains))
            self.chains.append(chain)
            self.chain_of_leg.update(dict.fromkeys(legs.tolist(), chain))
        self.seized_today = np.zeros(net.n_legs)

    def step_day(self) -> None:
        """Every chain's day, in a fixed order (each draws only from its own stream)."""
        self.seized_today[:] = 0.0
        for chain in self.chains:
            chain.step_day()
            for leg, n in chain.seized_by_leg.items():
                self.seized_today[leg] = n

    def per_leg(self, attribute: str) -> np.ndarray:
        """A chain attribute (price_eur, delivered_cost_eur) on each leg its groups serve (0 on other legs)."""
        values = np.zeros(self.model.net.n_legs)
        for chain in self.chains:
            values[chain.legs] = getattr(chain, attribute)
        return values

    def cancel(self, group: "SmugglingGroup") -> None:
        chain = self.chain_of_leg.get(int(group.leg))
        if chain is not None:
            chain.cancel(group)
