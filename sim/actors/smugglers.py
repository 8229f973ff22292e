"""Smuggling groups: businesses that sell places on a paid sea or lorry leg.

A group holds boats and engines (ordered from its corridor's supply chain, sim/actors/supply.py, at the chain's
price and delay), members who organise launches, and cash. Each day it sets a price from demand, capacity and
enforcement risk, chooses how many people to put in each boat (more when beach police stop more launches, when
boats are dear, and when boats are too few for the demand), what share of its launches to make as taxi boats
(more under beach policing) and how many launches to make. Groups never touch migrants: the model sums their
offers into the per-leg arrays the kernel reads.

The rules (`GroupRules`) apply to many groups at once: `s` selects slots of the model's `GroupBook` (a slice or an
index array), so the market's daily arithmetic is array arithmetic over every group, while a `SmugglingGroup`
agent applies the same rules to its own slot alone.
"""

from collections import deque

import mesa
import numpy as np

from sim.actors.group_book import NEVER, GroupBook
from sim.config.actors import Smugglers
from sim.config.fields import DAYS_PER_MONTH
from sim.network import CORRIDORS


class GroupRules:
    """The groups' daily decisions and books, vectorised over slots `s` of a GroupBook."""

    def __init__(self, model: mesa.Model, book: GroupBook) -> None:
        self.model, self.book = model, book

    @property
    def config(self) -> Smugglers:
        return self.model.config.smugglers

    def capacity(self, s) -> np.ndarray:
        """Launches a day the members can organise."""
        return self.book.members[s] * self.config.launches_per_member_per_day

    def set_price(self, s, reference_price: np.ndarray, reference_load: np.ndarray) -> None:
        """Price rises with demand over places offered and with the risk of arrest."""
        cfg, b = self.config, self.book
        offered = np.maximum(self.capacity(s) * reference_load, 1.0)
        ratio = np.maximum(b.demand[s], 1.0) / offered
        factor = np.minimum(np.maximum(ratio ** cfg.price_demand_elasticity, cfg.price_floor_share),
                            cfg.price_cap_share)
        premium = 1.0 + cfg.risk_premium_per_arrest_rate * b.arrest_rate[s]
        target = reference_price * np.minimum(factor * premium, cfg.price_cap_share)
        b.price_eur[s] += cfg.price_adjustment_per_day * (target - b.price_eur[s])  # prices are sticky

    def plan_launches(self, s, reference_load: np.ndarray, launch_ok: np.ndarray, draws: np.ndarray) -> None:
        """How many launches today, and how many people in each (boat_load); `draws` (uniform, one a group, from
        its leg's market stream) round the capacity up or down."""
        b = self.book
        capacity = self.capacity(s)
        whole = np.floor(capacity)
        available = (whole + (draws < capacity - whole)).astype(np.int64)
        boats = b.uses_boats[s]
        available = np.where(boats, np.minimum(available, np.minimum(b.boats[s], b.engines[s])), available)
        demand = b.demand[s]
        go = launch_ok & (available > 0) & (demand > 0)
        load = np.broadcast_to(reference_load, capacity.shape).astype(np.float64)
        sail = np.flatnonzero(go & boats)
        if len(sail):
            slots = np.arange(b.n)[s][sail]
            load[sail] = self.boat_load(slots, load[sail], available[sail])
        b.load[s] = load
        wanted = np.ceil(np.divide(demand, load, out=np.zeros_like(load), where=go))
        b.launches[s] = np.where(go, np.minimum(available, wanted), 0)

    def boat_load(self, s, reference_load: np.ndarray, available: np.ndarray) -> np.ndarray:
        """People per boat, chosen against enforcement and supply: when beach police stop more launches, each
        launch that gets through must carry more; a dear boat (the cost of a boat that reaches the coast, seizures
        included) is filled more; and when boats are too few for the demand, each is loaded more again. At most
        max_overload times the reference (bigger boats, then crowding)."""
        cfg, model = self.config, self.model
        leg, demand = self.book.leg[s], self.book.demand[s]
        p_reference = model.reference.p_prevent[leg]
        p_beach = np.minimum(model.legs.p_beach[leg], 0.999)  # yesterday's beach police
        policing = ((1.0 - p_reference) / (1.0 - p_beach)) ** cfg.prevention_load_response
        dear = (model.supply.per_leg("delivered_cost_eur")[leg] / model.config.supply.boat_and_engine_price_eur) \
            ** cfg.boat_price_load_response
        planned = reference_load * policing * dear
        short = available * planned < demand
        planned = np.where(short, planned * (demand / (available * planned)) ** cfg.overload_response, planned)
        return np.minimum(planned, reference_load * cfg.max_overload)

    def taxi_share(self, s) -> np.ndarray:
        """Share of launches made as taxi boats (launched empty from rivers and canals, boarded in the water):
        the group's answer to beach police stronger yesterday than at the leg's reference, bounded."""
        cfg, leg = self.config, self.book.leg[s]
        above = np.maximum(self.model.legs.p_beach[leg] - self.model.reference.p_prevent[leg], 0.0)
        return np.where(self.book.taxi[s], np.minimum(cfg.taxi_share_per_prevent * above, cfg.taxi_max_share), 0.0)

    def settle(self, s, revenue_eur: np.ndarray, launches_used: np.ndarray, sailing_day: np.ndarray) -> None:
        """Book the day: revenue in (less what is frozen), running costs out, boats used up, cash seized, profit
        taken out, and restock."""
        cfg, b, levers = self.config, self.book, self.model.policy
        leg = b.leg[s]
        revenue_eur = revenue_eur * (1.0 - levers.revenue_frozen_share[leg])
        costs = b.members[s] * self.member_cost(s)
        b.cash_eur[s] += revenue_eur - costs
        b.cash_eur[s] -= np.maximum(b.cash_eur[s], 0.0) * levers.cash_seized_share_per_day[leg]
        b.profit_eur[s] += cfg.profit_weight_per_day * (revenue_eur - costs - b.profit_eur[s])
        used = np.where(b.uses_boats[s], launches_used, 0)
        b.boats[s] -= used
        b.engines[s] -= used
        step = np.where(sailing_day, cfg.launches_weight_per_sailing_day * (self.launches_wanted(s)
                                                                           - b.expected_launches[s]), 0.0)
        b.expected_launches[s] += step
        b.arrest_rate[s] *= 1.0 - 1.0 / cfg.arrest_memory_days
        self.restock(s)
        self.take_profit(s, costs)

    def launches_wanted(self, s) -> np.ndarray:
        """Launches the group would make today with boats enough: demand at the reference load, up to capacity."""
        people_per_boat = self.model.reference.people_per_boat[self.book.leg[s]]
        return np.minimum(self.capacity(s), self.book.demand[s] / np.maximum(people_per_boat, 1.0))

    def member_cost(self, s) -> np.ndarray:
        """Running cost of one member a day (raised by tougher penalties on facilitators)."""
        return self.config.member_cost_eur_per_day * self.model.policy.member_cost_factor[self.book.leg[s]]

    def boat_cost(self, s) -> np.ndarray:
        """Cost of a boat with engine: the supply chain's price, raised by tougher penalties where boats are stored
        and moved (zero for groups that use no boats)."""
        leg = self.book.leg[s]
        price = self.model.supply.per_leg("price_eur")[leg] * self.model.policy.boat_cost_factor[leg]
        return np.where(self.book.uses_boats[s], price, 0.0)

    def working_capital(self, s, daily_costs: np.ndarray) -> np.ndarray:
        """Cash a group keeps: its running costs and boat purchases over the reserve period."""
        cfg = self.config
        boats = self.book.expected_launches[s] * self.boat_cost(s)
        return np.maximum(cfg.entry_cash_eur, cfg.cash_reserve_days * (daily_costs + boats))

    def take_profit(self, s, daily_costs: np.ndarray) -> None:
        """Cash beyond working capital leaves the business (to the bosses, through hawala): it is not reinvested."""
        b = self.book
        excess = np.maximum(b.cash_eur[s] - self.working_capital(s, daily_costs), 0.0)
        b.cash_eur[s] -= excess
        b.profit_taken_eur[s] += excess

    def restock(self, s) -> None:
        """Order boats and engines from the supply chain to cover the expected launches over the cover period, as
        cash allows, at the chain's price today (boat groups only; orders are placed in market order)."""
        cfg, b = self.config, self.book
        target = np.ceil(b.expected_launches[s] * cfg.stock_cover_days).astype(np.int64)
        wanted = target - np.minimum(b.boats[s], b.engines[s]) - b.on_order[s]
        cost = self.boat_cost(s)
        affordable = np.where(cost > 0, np.maximum(b.cash_eur[s], 0.0) // np.where(cost > 0, cost, 1.0), wanted)
        n = np.where(b.uses_boats[s] & (wanted > 0), np.minimum(wanted, affordable), 0).astype(np.int64)
        b.cash_eur[s] -= n * cost
        b.on_order[s] += n
        if n.any():
            ordered = np.zeros(b.n, np.int64)
            ordered[s] = n
            order = b.segments()[0]
            for slot in order[ordered[order] > 0].tolist():
                group = b.agents[slot]
                group.chain.order(group, int(ordered[slot]))

    def adjust_size(self, s) -> None:
        """Reinvest: recruit when demand outruns capacity and cash allows; shed members when idle."""
        cfg, b = self.config, self.book
        people_per_boat = self.model.reference.people_per_boat[b.leg[s]]
        wanted = b.demand[s] / np.maximum(people_per_boat, 1.0)
        members = b.members[s]
        step = np.maximum(1, np.rint(cfg.growth_share * members)).astype(np.int64)
        capacity = self.capacity(s)
        daily_costs = members * self.member_cost(s)
        recruit = ((wanted > cfg.recruit_demand_capacity_ratio * capacity)
                   & (b.cash_eur[s] > cfg.recruit_cash_share * self.working_capital(s, daily_costs)))
        shed = ~recruit & (wanted < cfg.shed_demand_capacity_ratio * capacity) & (members > step)
        b.members[s] += np.where(recruit, step, np.where(shed, -step, 0))

    def should_exit(self, s) -> np.ndarray:
        """A group that can no longer pay its people, or has no members left, or (after a start-up period) has
        long lost money, dissolves."""
        b = self.book
        broke = (b.cash_eur[s] < 0) | ((b.members[s] == 0) & (b.next_return[s] == NEVER))
        settled_in = self.model.day - b.founded[s] >= self.config.startup_grace_days
        month_of_costs = DAYS_PER_MONTH * b.members[s] * self.member_cost(s)
        return broke | (settled_in & (b.profit_eur[s] < 0) & (b.cash_eur[s] < month_of_costs))


class _Field:
    """A group's state field, kept in its slot of the model's GroupBook."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, group: "SmugglingGroup | None", owner: type | None = None):
        if group is None:
            return self
        return getattr(group.rules.book, self.name)[group.slot]

    def __set__(self, group: "SmugglingGroup", value) -> None:
        getattr(group.rules.book, self.name)[group.slot] = value


class SmugglingGroup(mesa.Agent):
    """One group on one leg: its identity and events; its state lives in the market's GroupBook."""

    cash_eur, price_eur, load, demand = _Field(), _Field(), _Field(), _Field()
    expected_launches, profit_taken_eur, arrest_rate, profit_eur = _Field(), _Field(), _Field(), _Field()
    leg, members, boats, engines, on_order = _Field(), _Field(), _Field(), _Field(), _Field()
    launches, founded, next_return, uses_boats, taxi = _Field(), _Field(), _Field(), _Field(), _Field()

    def __init__(self, model: mesa.Model, leg: int, members: int, boats: int, cash_eur: float,
                 uses_boats: bool) -> None:
        super().__init__(model)
        self.rules: GroupRules = model.market.rules
        self.chain = model.supply.chain_of_leg.get(leg) if uses_boats else None  # where it buys boats
        taxi = uses_boats and CORRIDORS[model.net.leg_corridor[leg]] in model.config.smugglers.taxi_corridors
        self.slot = self.rules.book.add(self, leg=leg, members=members, boats=boats, engines=boats, cash_eur=cash_eur,
                                        uses_boats=uses_boats, taxi=taxi, load=1.0, founded=model.day)
        self.returning: deque[tuple[int, int]] = deque()    # (day, members) replacements of the arrested

    @property
    def config(self) -> Smugglers:
        return self.model.config.smugglers

    @property
    def _s(self) -> slice:
        return slice(self.slot, self.slot + 1)

    @property
    def capacity(self) -> float:
        """Launches a day the members can organise."""
        return float(self.rules.capacity(self._s)[0])

    def remove(self) -> None:
        """Dissolve: the slot is closed up, the agent leaves the model (a second call does nothing, as in Mesa)."""
        if self.slot < 0:
            return
        self.rules.book.remove(self.slot)
        self.slot = -1
        super().remove()

    def receive(self) -> None:
        """Replacement members due today arrive."""
        while self.returning and self.returning[0][0] <= self.model.day:
            self.members += self.returning.popleft()[1]
        self.next_return = self.returning[0][0] if self.returning else NEVER

    def take_delivery(self, boats: int) -> None:
        """Boats with engines from the supply chain arrive at the coast."""
        self.boats += boats
        self.engines += boats
        self.on_order -= boats

    def lose_order(self, boats: int) -> None:
        """Boats on the road to the group seized upstream: paid for, never delivered."""
        self.on_order -= boats

    def lose_members(self, n: int, delay_days: int) -> None:
        """Members arrested: out now, replaced after a delay."""
        n = min(n, int(self.members))
        if n <= 0:
            return
        self.members -= n
        self.arrest_rate += n / max(int(self.members) + n, 1)
        self.returning = deque(sorted([*self.returning, (self.model.day + delay_days, n)]))
        self.next_return = self.returning[0][0]

    def lose_stock(self, boats: int, engines: int) -> None:
        self.boats -= min(boats, int(self.boats))
        self.engines -= min(engines, int(self.engines))

    # The rules for this group alone (the market applies them to all groups at once).
    def set_price(self, reference_price: float, reference_load: float) -> None:
        self.rules.set_price(self._s, reference_price, reference_load)

    def plan_launches(self, reference_load: float, launch_ok: bool) -> None:
        draw = self.model.stream("market", int(self.leg)).random(1)
        self.rules.plan_launches(self._s, np.array([reference_load]), np.array([launch_ok]), draw)

    def boat_load(self, reference_load: float, available: int) -> float:
        return float(self.rules.boat_load(self._s, np.array([reference_load]), np.array([available]))[0])

    def taxi_share(self) -> float:
        return float(self.rules.taxi_share(self._s)[0])

    def settle(self, revenue_eur: float, launches_used: int, sailing_day: bool) -> None:
        self.rules.settle(self._s, np.array([revenue_eur]), np.array([launches_used]), np.array([sailing_day]))

    def launches_wanted(self) -> float:
        return float(self.rules.launches_wanted(self._s)[0])

    def member_cost(self) -> float:
        return float(self.rules.member_cost(self._s)[0])

    def boat_cost(self) -> float:
        return float(self.rules.boat_cost(self._s)[0])

    def working_capital(self, daily_costs: float) -> float:
        return float(self.rules.working_capital(self._s, np.array([daily_costs]))[0])

    def adjust_size(self) -> None:
        self.rules.adjust_size(self._s)

    def should_exit(self) -> bool:
        return bool(self.rules.should_exit(self._s)[0])

