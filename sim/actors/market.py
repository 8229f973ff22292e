"""The market for places: groups' offers summed per leg, revenue shared back, new groups entering.

Every paid sea, lorry or air leg (price > 0) is a market. Its demand is the number of people who asked for a place
yesterday. Groups share it in proportion to their capacity; their launches, loads and prices become the leg's
places, load and price for the kernel. Where profits are high, or people wait with nobody to take them, new
groups enter: that is how small-boat supply grows on a route, never by a script.
"""

import numpy as np

from sim.actors.smugglers import SmugglingGroup
from sim.config.fields import DAYS_PER_MONTH
from sim.network import MODE_LAND, MODE_SEA
from sim.population import kernel as k


class Market:
    """All smuggling groups of a model, and the per-leg market state."""

    def __init__(self, model) -> None:
        self.model = model
        net = model.net
        self.paid = np.flatnonzero((net.leg_mode != MODE_LAND) & (net.price_eur > 0))
        self.demand = np.zeros(net.n_legs)      # people asking for a place yesterday
        self.unmet = np.zeros(net.n_legs)       # smoothed people a day left waiting
        self.entries = np.zeros(net.n_legs, np.int64)

    @property
    def groups(self):
        return self.model.agents_by_type.get(SmugglingGroup, self.model.agents.select(lambda a: False))

    def populate(self) -> None:
        """Initial groups on every paid leg, sized to the leg's reference capacity."""
        cfg, net = self.model.config.smugglers, self.model.net
        for e in self.paid:
            launches = net.capacity_people_per_day[e] / max(net.people_per_boat[e], 1.0)
            n_groups = max(1, int(round(launches / cfg.initial_launches_per_group_per_day)))
            members = max(1, int(np.ceil(launches / n_groups / cfg.launches_per_member_per_day)))
            stock = int(np.ceil(cfg.initial_launches_per_group_per_day * cfg.stock_cover_days))
            for _ in range(n_groups):
                group = self._add_group(e, members, stock, cash=0.0)
                group.expected_launches = launches / n_groups
                group.cash_eur = group.working_capital(members * group.member_cost())
        self.refresh()

    def _add_group(self, leg: int, members: int, boats: int, cash: float) -> SmugglingGroup:
        uses_boats = self.model.net.leg_mode[leg] == MODE_SEA  # lorries and flights need no boats
        group = SmugglingGroup(self.model, int(leg), members, boats if uses_boats else 0, cash, uses_boats)
        group.price_eur = float(self.model.reference.price_eur[leg])
        return group

    def refresh(self) -> None:
        """Today's groups by leg (plain lists, in the groups' order of creation): built once a day, before anyone
        acts, and shared by enforcement, planning, settling and adverts."""
        self.by_leg: dict[int, list[SmugglingGroup]] = {}
        for group in self.groups:
            self.by_leg.setdefault(group.leg, []).append(group)

    def plan(self, launch_ok: np.ndarray) -> None:
        """Groups share demand, set prices and plan launches; offers are written into the model's leg arrays."""
        ref, legs = self.model.reference, self.model.legs
        legs.places[self.paid] = 0.0
        for leg, members in self.by_leg.items():
            capacity = np.array([g.capacity for g in members])
            share = capacity / capacity.sum() if capacity.sum() > 0 else np.full(len(members), 1.0 / len(members))
            for group, s in zip(members, share, strict=True):
                group.receive()
                group.demand = self.demand[leg] * s
                group.set_price(ref.price_eur[leg], ref.people_per_boat[leg])
                group.plan_launches(ref.people_per_boat[leg], bool(launch_ok[leg]))
            launches = np.array([g.launches for g in members], float)
            places = launches * np.array([g.load for g in members])
            legs.places[leg] = places.sum() * self.model.policy.places_factor[leg]
            legs.load[leg] = places.sum() / launches.sum() if launches.sum() > 0 else ref.people_per_boat[leg]
            taxi = np.array([g.taxi_share() for g in members])
            legs.taxi_share[leg] = float(np.average(taxi, weights=launches)) if launches.sum() > 0 else taxi.mean()
            prices = np.array([g.price_eur for g in members])
            legs.price[leg] = float(np.average(prices, weights=np.maximum(capacity, 1e-9)))

    def settle(self, leg_counts: np.ndarray, revenue: np.ndarray, boats: np.ndarray, scale: float,
               launch_ok: np.ndarray) -> None:
        """Share each leg's revenue and boats used among its groups; record demand; dissolve failed groups."""
        wanted = (leg_counts[:, k.C_WAITING] + leg_counts[:, k.C_DEPARTED]) * scale
        self.demand[:] = wanted
        weight = self.model.config.smugglers.unmet_weight_per_day
        self.unmet += weight * (leg_counts[:, k.C_WAITING] * scale - self.unmet)
        leaving = []
        for leg, members in self.by_leg.items():
            launches = np.array([g.launches for g in members], float)
            places = launches * np.array([g.load for g in members])
            total, launched = places.sum(), launches.sum()
            for group, lau, pl in zip(members, launches, places, strict=True):
                share = pl / total if total > 0 else 0.0
                used = int(round(boats[leg] * lau / launched)) if launched > 0 else 0
                group.settle(revenue[leg] * scale * share, min(used, int(lau)), bool(launch_ok[leg]))
                if group.should_exit():
                    leaving.append(group)
        for group in leaving:
            self.model.supply.cancel(group)
            group.remove()

    def enter(self) -> None:
        """Every few weeks groups resize, and new groups may enter a paid leg: more likely the more profit is
        on the table."""
        model, cfg = self.model, self.model.config.smugglers
        if model.day % cfg.entry_check_days:
            return
        self.groups.shuffle_do("adjust_size")
        self.refresh()
        for e in self.paid:
            members = self.by_leg.get(int(e))
            # A newcomer expects what the incumbents make, or, on a leg nobody serves, a share of the fares of the
            # people left waiting (newcomer_fare_share); it enters when that beats what it needs to start.
            if members:
                prospect = float(np.mean([g.profit_eur for g in members])) * DAYS_PER_MONTH
            else:
                prospect = self.unmet[e] * model.legs.price[e] * DAYS_PER_MONTH * cfg.newcomer_fare_share
            excess = prospect - cfg.entry_profit_eur_per_month
            draw = model.stream("market", int(e)).random()
            if excess > 0 and draw < 1.0 - np.exp(-excess / cfg.entry_profit_eur_per_month):
                self._add_group(e, cfg.entry_members, 0, cfg.entry_cash_eur)
                self.entries[e] += 1

    def advert_reach(self) -> np.ndarray:
        """[origin, leg]: share of each origin's people who see adverts for each leg today."""
        reach = self.model.config.smugglers.advert_reach
        n = np.zeros(self.model.net.n_legs)
        for leg, members in self.by_leg.items():
            n[leg] = len(members)
        per_leg = 1.0 - (1.0 - reach) ** n
        return per_leg * self.model.policy.advert_factor
