"""Smuggling groups: businesses that sell places on a paid sea or lorry leg.

A group holds boats and engines (ordered from its corridor's supply chain, sim/actors/supply.py, at the chain's
price and delay), members who organise launches, and cash. Each day it sets a price from demand, capacity and
enforcement risk, chooses how many people to put in each boat (more when beach police stop more launches, when
boats are dear, and when boats are too few for the demand), what share of its launches to make as taxi boats
(more under beach policing) and how many launches to make. Groups never touch migrants: the model sums their
offers into the per-leg arrays the kernel reads.
"""

from collections import deque

import mesa
import numpy as np

from sim.config.actors import Smugglers
from sim.config.fields import DAYS_PER_MONTH
from sim.network import CORRIDORS


class SmugglingGroup(mesa.Agent):
    """One group on one leg."""

    def __init__(self, model: mesa.Model, leg: int, members: int, boats: int, cash_eur: float,
                 uses_boats: bool) -> None:
        super().__init__(model)
        self.leg = leg
        self.uses_boats = uses_boats
        self.members = members          # active members
        self.boats = boats              # boats in stock at the coast
        self.engines = boats            # engines in stock
        self.cash_eur = cash_eur
        self.chain = model.supply.chain_of_leg.get(leg) if uses_boats else None  # where it buys boats
        self.on_order = 0               # boats with engines ordered and not yet delivered (waiting or on the road)
        self.taxi = uses_boats and CORRIDORS[model.net.leg_corridor[leg]] in self.config.taxi_corridors
        self.returning: deque[tuple[int, int]] = deque()    # (day, members) replacements of the arrested
        self.price_eur = 0.0
        self.load = 1.0
        self.launches = 0               # planned today
        self.demand = 0.0               # people wanting a place today (this group's share)
        self.expected_launches = 0.0    # smoothed launches wanted on a sailing day, for stock planning
        self.profit_taken_eur = 0.0     # profit paid out to the bosses (beyond working capital), cumulative
        self.arrest_rate = 0.0          # share of members arrested, decaying over ~90 days
        self.profit_eur = 0.0           # smoothed profit per day
        self.founded = model.day        # day the group started (new groups get time to find customers)

    @property
    def config(self) -> Smugglers:
        return self.model.config.smugglers

    @property
    def capacity(self) -> float:
        """Launches a day the members can organise."""
        return self.members * self.config.launches_per_member_per_day

    def receive(self) -> None:
        """Replacement members due today arrive."""
        while self.returning and self.returning[0][0] <= self.model.day:
            self.members += self.returning.popleft()[1]

    def take_delivery(self, boats: int) -> None:
        """Boats with engines from the supply chain arrive at the coast."""
        self.boats += boats
        self.engines += boats
        self.on_order -= boats

    def lose_order(self, boats: int) -> None:
        """Boats on the road to the group seized upstream: paid for, never delivered."""
        self.on_order -= boats

    def set_price(self, reference_price: float, reference_load: float) -> None:
        """Price rises with demand over places offered and with the risk of arrest."""
        cfg = self.config
        offered = max(self.capacity * reference_load, 1.0)
        ratio = max(self.demand, 1.0) / offered
        factor = min(max(ratio ** cfg.price_demand_elasticity, cfg.price_floor_share), cfg.price_cap_share)
        premium = 1.0 + cfg.risk_premium_per_arrest_rate * self.arrest_rate
        target = reference_price * min(factor * premium, cfg.price_cap_share)
        self.price_eur += cfg.price_adjustment_per_day * (target - self.price_eur)  # prices are sticky

    def plan_launches(self, reference_load: float, launch_ok: bool) -> None:
        """How many launches today, and how many people in each (boat_load)."""
        whole = int(self.capacity)
        available = whole + (1 if self.model.stream("market", self.leg).random() < self.capacity - whole else 0)
        if self.uses_boats:
            available = min(available, self.boats, self.engines)
        self.load = reference_load
        self.launches = 0
        if not launch_ok or available <= 0 or self.demand <= 0:
            return
        if self.uses_boats:
            self.load = self.boat_load(reference_load, available)
        self.launches = min(available, int(np.ceil(self.demand / self.load)))

    def boat_load(self, reference_load: float, available: int) -> float:
        """People per boat, chosen against enforcement and supply: when beach police stop more launches, each
        launch that gets through must carry more; a dear boat (the cost of a boat that reaches the coast, seizures
        included) is filled more; and when boats are too few for the demand, each is loaded more again. At most
        max_overload times the reference (bigger boats, then crowding)."""
        cfg = self.config
        p_reference = self.model.reference.p_prevent[self.leg]
        p_beach = min(self.model.legs.p_beach[self.leg], 0.999)  # yesterday's beach police
        policing = ((1.0 - p_reference) / (1.0 - p_beach)) ** cfg.prevention_load_response
        dear = (self.chain.delivered_cost_eur / self.model.config.supply.boat_and_engine_price_eur) \
            ** cfg.boat_price_load_response
        planned = reference_load * policing * dear
        if available * planned < self.demand:
            planned *= (self.demand / (available * planned)) ** cfg.overload_response
        return min(planned, reference_load * cfg.max_overload)

    def taxi_share(self) -> float:
        """Share of launches made as taxi boats (launched empty from rivers and canals, boarded in the water):
        the group's answer to beach police stronger yesterday than at the leg's reference, bounded."""
        if not self.taxi:
            return 0.0
        cfg = self.config
        above = max(self.model.legs.p_beach[self.leg] - self.model.reference.p_prevent[self.leg], 0.0)
        return min(cfg.taxi_share_per_prevent * above, cfg.taxi_max_share)

    def settle(self, revenue_eur: float, launches_used: int, sailing_day: bool) -> None:
        """Book the day: revenue in (less what is frozen), running costs out, boats used up, cash seized, profit
        taken out, and restock."""
        levers = self.model.policy
        revenue_eur *= 1.0 - levers.revenue_frozen_share[self.leg]
        costs = self.members * self.member_cost()
        self.cash_eur += revenue_eur - costs
        self.cash_eur -= max(self.cash_eur, 0.0) * levers.cash_seized_share_per_day[self.leg]
        cfg = self.config
        self.profit_eur += cfg.profit_weight_per_day * (revenue_eur - costs - self.profit_eur)
        if self.uses_boats:
            self.boats -= launches_used
            self.engines -= launches_used
        if sailing_day:
            self.expected_launches += cfg.launches_weight_per_sailing_day * (self.launches_wanted()
                                                                              - self.expected_launches)
        self.arrest_rate *= 1.0 - 1.0 / cfg.arrest_memory_days
        if self.uses_boats:
            self.restock()
        self.take_profit(costs)

    def launches_wanted(self) -> float:
        """Launches the group would make today with boats enough: demand at the reference load, up to capacity."""
        return min(self.capacity, self.demand / max(self.model.reference.people_per_boat[self.leg], 1.0))

    def member_cost(self) -> float:
        """Running cost of one member a day (raised by tougher penalties on facilitators)."""
        return self.config.member_cost_eur_per_day * self.model.policy.member_cost_factor[self.leg]

    def boat_cost(self) -> float:
        """Cost of a boat with engine: the supply chain's price, raised by tougher penalties where boats are stored
        and moved."""
        return self.chain.price_eur * self.model.policy.boat_cost_factor[self.leg]

    def working_capital(self, daily_costs: float) -> float:
        """Cash a group keeps: its running costs and boat purchases over the reserve period."""
        cfg = self.config
        boats = self.expected_launches * self.boat_cost() if self.uses_boats else 0.0
        return max(cfg.entry_cash_eur, cfg.cash_reserve_days * (daily_costs + boats))

    def take_profit(self, daily_costs: float) -> None:
        """Cash beyond working capital leaves the business (to the bosses, through hawala): it is not reinvested."""
        excess = self.cash_eur - self.working_capital(daily_costs)
        if excess > 0:
            self.cash_eur -= excess
            self.profit_taken_eur += excess

    def restock(self) -> None:
        """Order boats and engines from the supply chain to cover the expected launches over the cover period, as
        cash allows, at the chain's price today."""
        cfg = self.config
        target = int(np.ceil(self.expected_launches * cfg.stock_cover_days))
        wanted = target - min(self.boats, self.engines) - self.on_order
        if wanted <= 0:
            return
        cost = self.boat_cost()
        affordable = int(max(self.cash_eur, 0.0) // cost) if cost > 0 else wanted
        n = min(wanted, affordable)
        if n > 0:
            self.cash_eur -= n * cost
            self.on_order += n
            self.chain.order(self, n)

    def adjust_size(self) -> None:
        """Reinvest: recruit when demand outruns capacity and cash allows; shed members when idle."""
        cfg = self.config
        wanted = self.demand / max(self.model.reference.people_per_boat[self.leg], 1.0)
        step = max(1, int(round(cfg.growth_share * self.members)))
        daily_costs = self.members * self.member_cost()
        if (wanted > cfg.recruit_demand_capacity_ratio * self.capacity
                and self.cash_eur > cfg.recruit_cash_share * self.working_capital(daily_costs)):
            self.members += step
        elif wanted < cfg.shed_demand_capacity_ratio * self.capacity and self.members > step:
            self.members -= step

    def lose_members(self, n: int, delay_days: int) -> None:
        """Members arrested: out now, replaced after a delay."""
        n = min(n, self.members)
        if n <= 0:
            return
        self.members -= n
        self.arrest_rate += n / max(self.members + n, 1)
        self.returning.append((self.model.day + delay_days, n))
        self.returning = deque(sorted(self.returning))

    def lose_stock(self, boats: int, engines: int) -> None:
        self.boats -= min(boats, self.boats)
        self.engines -= min(engines, self.engines)

    def should_exit(self) -> bool:
        """A group that can no longer pay its people, or has no members left, or (after a start-up period) has
        long lost money, dissolves."""
        if self.cash_eur < 0 or (self.members == 0 and not self.returning):
            return True
        if self.model.day - self.founded < self.config.startup_grace_days:
            return False
        month_of_costs = DAYS_PER_MONTH * self.members * self.member_cost()
        return self.profit_eur < 0 and self.cash_eur < month_of_costs
