"""Smuggling groups: businesses that sell places on a paid sea or lorry leg.

A group holds boats and engines (bought through a supply chain with a price and a delay), members who organise
launches, and cash. Each day it sets a price from demand, capacity and enforcement risk, chooses how many people
to put in each boat (more when boats are scarce) and how many launches to make. Groups never touch migrants: the
model sums their offers into the per-leg arrays the kernel reads.
"""

from collections import deque

import mesa
import numpy as np

from sim.config.actors import Smugglers
from sim.config.fields import DAYS_PER_MONTH


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
        self.on_order: deque[tuple[int, int]] = deque()     # (arrival day, boats with engines)
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
        """Deliveries and replacement members due today arrive."""
        day = self.model.day
        while self.on_order and self.on_order[0][0] <= day:
            self.boats += self.on_order[0][1]
            self.engines += self.on_order.popleft()[1]
        while self.returning and self.returning[0][0] <= day:
            self.members += self.returning.popleft()[1]

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
        """How many launches today, and how many people in each: scarce boats mean fuller boats."""
        cfg = self.config
        whole = int(self.capacity)
        available = whole + (1 if self.model.stream("market", self.leg).random() < self.capacity - whole else 0)
        if self.uses_boats:
            available = min(available, self.boats, self.engines)
        self.load = reference_load
        self.launches = 0
        if not launch_ok or available <= 0 or self.demand <= 0:
            return
        if self.uses_boats and available * reference_load < self.demand:
            shortage = self.demand / (available * reference_load)
            self.load = reference_load * min(shortage ** cfg.overload_response, cfg.max_overload)
        self.launches = min(available, int(np.ceil(self.demand / self.load)))

    def settle(self, revenue_eur: float, launches_used: int, sailing_day: bool) -> None:
        """Book the day: revenue in (less what is frozen), running costs out, boats used up, cash seized, profit
        taken out, and restock."""
        levers = self.model.policy
        revenue_eur *= 1.0 - levers.revenue_frozen_share[self.leg]
        costs = self.members * self.member_cost()
        self.cash_eur += revenue_eur - costs
        self.cash_eur -= max(self.cash_eur, 0.0) * levers.cash_seized_share_per_day[self.leg]
        self.profit_eur += 0.05 * (revenue_eur - costs - self.profit_eur)
        if self.uses_boats:
            self.boats -= launches_used
            self.engines -= launches_used
        if sailing_day:
            self.expected_launches += 0.1 * (self.launches_wanted() - self.expected_launches)
        self.arrest_rate *= 1.0 - 1.0 / 90.0
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
        """Cost of a boat with engine (raised by tougher penalties where boats are stored and moved)."""
        return self.config.boat_and_engine_cost_eur * self.model.policy.boat_cost_factor[self.leg]

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
        """Order boats and engines to cover the expected launches over the cover period, as cash allows."""
        cfg = self.config
        pending = sum(n for _, n in self.on_order)
        target = int(np.ceil(self.expected_launches * cfg.stock_cover_days))
        wanted = target - min(self.boats, self.engines) - pending
        if wanted <= 0:
            return
        cost = self.boat_cost()
        affordable = int(max(self.cash_eur, 0.0) // cost) if cost > 0 else wanted
        n = min(wanted, affordable)
        if n > 0:
            self.cash_eur -= n * cost
            self.on_order.append((self.model.day + cfg.supply_delay_days, n))

    def adjust_size(self) -> None:
        """Reinvest: recruit when demand outruns capacity and cash allows; shed members when idle."""
        cfg = self.config
        wanted = self.demand / max(self.model.reference.people_per_boat[self.leg], 1.0)
        step = max(1, int(round(cfg.growth_share * self.members)))
        daily_costs = self.members * self.member_cost()
        if wanted > 1.2 * self.capacity and self.cash_eur > 0.5 * self.working_capital(daily_costs):
            self.members += step
        elif wanted < 0.5 * self.capacity and self.members > step:
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

    def lose_supply(self, n: int) -> None:
        """Boats with engines seized upstream: from orders in transit first (latest first), then from stock."""
        while n > 0 and self.on_order:
            day, k = self.on_order.pop()
            taken = min(k, n)
            n -= taken
            if k > taken:
                self.on_order.append((day, k - taken))
        self.lose_stock(n, n)

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
