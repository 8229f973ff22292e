"""The market for places: groups' offers summed per leg, revenue shared back, new groups entering.

Every paid sea, lorry or air leg (price > 0) is a market. Its demand is the number of people who asked for a place
yesterday. Groups share it in proportion to their capacity; their launches, loads and prices become the leg's
places, load and price for the kernel. Where profits are high, or people wait with nobody to take them, new
groups enter: that is how small-boat supply grows on a route, never by a script.

The groups' state lives in arrays (`GroupBook`), so planning and settling are array arithmetic over every group,
and sums per leg are taken over each leg's groups in market order (sim/actors/group_book.py).
"""

import numpy as np

from sim.actors.group_book import GroupBook
from sim.actors.smugglers import GroupRules, SmugglingGroup
from sim.config.fields import DAYS_PER_MONTH
from sim.network import CORRIDORS, MODE_LAND, MODE_SEA
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
        self.book = GroupBook()
        self.rules = GroupRules(model, self.book)

    @property
    def groups(self):
        return self.model.agents_by_type.get(SmugglingGroup, self.model.agents.select(lambda a: False))

    @property
    def by_leg(self) -> dict[int, list[SmugglingGroup]]:
        """Today's groups by leg, in market order (for inspection; the daily arithmetic works on the book)."""
        order, legs, starts, _ = self.book.segments()
        ends = np.append(starts[1:], self.book.n)
        return {int(e): [self.book.agents[i] for i in order[a:b]] for e, a, b in zip(legs, starts, ends, strict=True)}

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

    def _add_group(self, leg: int, members: int, boats: int, cash: float) -> SmugglingGroup:
        uses_boats = self.model.net.leg_mode[leg] == MODE_SEA  # lorries and flights need no boats
        group = SmugglingGroup(self.model, int(leg), members, boats if uses_boats else 0, cash, uses_boats)
        group.price_eur = float(self.model.reference.price_eur[leg])
        return group

    def _receive(self) -> None:
        """Replacement members due today join their groups."""
        book = self.book
        for slot in np.flatnonzero(book.next_return[: book.n] <= self.model.day).tolist():
            book.agents[slot].receive()

    def _draws(self) -> np.ndarray:
        """One uniform draw a group from its leg's market stream, the leg's groups in market order."""
        order, legs, starts, _ = self.book.segments()
        draws = np.empty(self.book.n)
        for e, a, n in zip(legs.tolist(), starts.tolist(), self.book.leg_count().tolist(), strict=True):
            draws[order[a: a + n]] = self.model.stream("market", e).random(n)
        return draws

    def plan(self, launch_ok: np.ndarray) -> None:
        """Groups share demand, set prices and plan launches; offers are written into the model's leg arrays."""
        ref, legs, book, rules = self.model.reference, self.model.legs, self.book, self.rules
        legs.places[self.paid] = 0.0
        n = book.n
        if not n:
            return
        s = slice(0, n)
        _, on, _, of_slot = book.segments()
        count = book.leg_count()
        leg = book.leg[s]
        capacity = rules.capacity(s)
        total = book.leg_sum(capacity)
        share = np.where(total[of_slot] > 0, capacity / np.where(total > 0, total, 1.0)[of_slot], 1.0 / count[of_slot])
        self._receive()
        book.demand[s] = self.demand[leg] * share
        rules.set_price(s, ref.price_eur[leg], ref.people_per_boat[leg])
        rules.plan_launches(s, ref.people_per_boat[leg], launch_ok[leg], self._draws())
        launches = book.launches[s].astype(float)
        places = launches * book.load[s]
        placed, launched = book.leg_sum(places), book.leg_sum(launches)
        sailing = launched > 0
        some = np.where(sailing, launched, 1.0)
        legs.places[on] = placed * self.model.policy.places_factor[on]
        legs.load[on] = np.where(sailing, placed / some, ref.people_per_boat[on])
        taxi = rules.taxi_share(s)
        legs.taxi_share[on] = np.where(sailing, book.leg_sum(taxi * launches) / some, book.leg_sum(taxi) / count)
        weights = np.maximum(capacity, 1e-9)
        legs.price[on] = book.leg_sum(book.price_eur[s] * weights) / book.leg_sum(weights)

    def settle(self, leg_counts: np.ndarray, revenue: np.ndarray, boats: np.ndarray, scale: float,
               launch_ok: np.ndarray) -> None:
        """Share each leg's revenue and boats used among its groups; record demand; dissolve failed groups."""
        wanted = (leg_counts[:, k.C_WAITING] + leg_counts[:, k.C_DEPARTED]) * scale
        self.demand[:] = wanted
        weight = self.model.config.smugglers.unmet_weight_per_day
        self.unmet += weight * (leg_counts[:, k.C_WAITING] * scale - self.unmet)
        book = self.book
        n = book.n
        if not n:
            return
        s = slice(0, n)
        order, _, _, of_slot = book.segments()
        leg = book.leg[s]
        launches = book.launches[s].astype(float)
        places = launches * book.load[s]
        total, launched = book.leg_sum(places)[of_slot], book.leg_sum(launches)[of_slot]
        share = np.divide(places, total, out=np.zeros(n), where=total > 0)
        used = np.rint(np.divide(boats[leg] * launches, launched, out=np.zeros(n), where=launched > 0))
        self.rules.settle(s, revenue[leg] * scale * share, np.minimum(used, launches).astype(np.int64),
                          launch_ok[leg])
        leaving = [book.agents[slot] for slot in order[self.rules.should_exit(s)[order]].tolist()]
        for group in leaving:
            self.model.supply.cancel(group)
            group.remove()

    def enter(self) -> None:
        """Every few weeks groups resize, and new groups may enter a paid leg: more likely the more profit is
        on the table."""
        model, cfg, book = self.model, self.model.config.smugglers, self.book
        if model.day % cfg.entry_check_days:
            return
        self.rules.adjust_size(slice(0, book.n))
        mean_profit = np.full(model.net.n_legs, np.nan)  # NaN: a leg nobody serves
        if book.n:
            mean_profit[book.segments()[1]] = book.leg_sum(book.profit_eur[: book.n]) / book.leg_count()
        for e in self.paid:
            # A newcomer expects what the incumbents make, or, on a leg nobody serves, a share of the fares of the
            # people left waiting (newcomer_fare_share); it enters when that beats what it needs to start.
            if not np.isnan(mean_profit[e]):
                prospect = float(mean_profit[e]) * DAYS_PER_MONTH
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
        n = np.bincount(self.book.leg[: self.book.n], minlength=self.model.net.n_legs)
        per_leg = 1.0 - (1.0 - reach) ** n
        return per_leg * self.model.policy.advert_factor

    def by_corridor(self) -> np.ndarray:
        """[corridor, MARKET_COLUMNS]: groups, members, boats and engines in stock, boats on order and cash."""
        book, n = self.book, self.book.n
        columns = (np.ones(n), book.members[:n], np.maximum(book.boats[:n], 0), np.maximum(book.engines[:n], 0),
                   book.on_order[:n], book.cash_eur[:n])
        corridor = self.model.net.leg_corridor[book.leg[:n]]
        return np.stack([np.bincount(corridor, weights=c, minlength=len(CORRIDORS)) for c in columns], axis=1)
