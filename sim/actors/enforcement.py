"""Enforcement units: investigators who mount operations against groups, prosecutors who bring cases.

Operations pick groups in proportion to how active they are (busy groups are easier to find). A successful one
arrests members (the group replaces them after a delay), seizes boats, engines and cash. Arrested people join a
prosecution queue that clears at the prosecutors' pace: some are charged, some of those convicted.
"""

import mesa
import numpy as np

from sim.config.actors import EnforcementUnit as UnitConfig
from sim.config.fields import DAYS_PER_YEAR
from sim.network import CORRIDORS

COUNTERS = ("operations", "arrests", "boats_seized", "engines_seized", "cash_seized_eur", "charges",
            "convictions")


class EnforcementUnit(mesa.Agent):
    """Investigators and prosecutors working against the groups on some corridors."""

    def __init__(self, model: mesa.Model, config: UnitConfig, index: int) -> None:
        super().__init__(model)
        self.name = config.name
        self.corridors = [CORRIDORS.index(c) for c in config.corridors]
        self._works_on = np.isin(np.arange(len(CORRIDORS)), self.corridors)  # by corridor
        self.index = index  # position in the scenario's list of units (the policy levers' index)
        self.base_investigators = self.investigators = config.investigators
        self.base_prosecutors = self.prosecutors = config.prosecutors
        self.queued = 0                    # arrested people awaiting a decision
        self._capacity_carry = 0.0         # fractional cases carried to the next day
        self.recent_arrests = 0.0          # smoothed arrests a day
        self.recent_convictions = 0.0      # smoothed convictions a day
        self.today = dict.fromkeys(COUNTERS, 0.0)

    def targets(self) -> np.ndarray:
        """Slots (in the market's GroupBook) of today's groups on the unit's corridors, in market order."""
        book = self.model.market.book
        order = book.segments()[0]
        return order[self._works_on[self.model.net.leg_corridor[book.leg[order]]]]

    def target_chances(self, targets: np.ndarray) -> np.ndarray:
        """Chance that one operation targets each group: in proportion to its activity, plus a floor so that a
        group planning no launches can still be found."""
        floor = self.model.config.enforcement.target_activity_floor_launches_per_day
        activity = self.model.market.book.expected_launches[targets] + floor
        return activity / activity.sum()

    def investigate(self) -> None:
        """Mount today's operations: arrests and seizures."""
        cfg = self.model.config.enforcement
        levers = self.model.policy
        self.investigators = self.base_investigators + levers.investigators_added[self.index]
        self.prosecutors = self.base_prosecutors + levers.prosecutors_added[self.index]
        success = min(1.0, cfg.operation_success * levers.success_factor[self.index])
        self.today = dict.fromkeys(COUNTERS, 0.0)
        rng = self.model.stream("unit", self.index)
        operations = rng.poisson(self.investigators * cfg.operations_per_investigator_per_year / DAYS_PER_YEAR)
        targets = self.targets()
        if not operations or not len(targets):
            return
        for g in rng.choice(len(targets), size=operations, p=self.target_chances(targets)):
            self.today["operations"] += 1
            if rng.random() >= success:
                continue
            group = self.model.market.book.agents[targets[g]]
            arrested = max(1, rng.binomial(group.members, cfg.arrest_share)) if group.members else 0
            boats = rng.binomial(max(group.boats, 0), cfg.seize_stock_share)
            engines = rng.binomial(max(group.engines, 0), cfg.seize_stock_share)
            cash = max(group.cash_eur, 0.0) * cfg.seize_cash_share
            group.lose_members(arrested, self.replacement_delay())
            group.lose_stock(boats, engines)
            group.cash_eur -= cash
            self.queued += arrested
            self.today["arrests"] += arrested
            self.today["boats_seized"] += boats
            self.today["engines_seized"] += engines
            self.today["cash_seized_eur"] += cash

    def prosecute(self) -> None:
        """Bring queued cases to a decision at the prosecutors' pace."""
        cfg = self.model.config.enforcement
        self._capacity_carry += self.prosecutors * cfg.cases_per_prosecutor_per_year / DAYS_PER_YEAR
        n = min(int(self._capacity_carry), self.queued)
        self._capacity_carry -= n
        self.queued -= n
        if not self.queued:
            self._capacity_carry = min(self._capacity_carry, 1.0)  # idle time is not banked
        rng = self.model.stream("unit", self.index)
        charged = rng.binomial(n, cfg.charge_share) if n else 0
        convicted = rng.binomial(charged, cfg.conviction_share) if charged else 0
        self.today["charges"] += charged
        self.today["convictions"] += convicted
        self.deter(convicted)

    def deter(self, convicted: int) -> None:
        """Convictions are what smugglers fear: they raise the risk premium of the groups this unit works on,
        and, as convictions per arrest rise, recruits to replace arrested members are slower to come."""
        w = self.model.config.enforcement.deterrence_smoothing_per_day
        self.recent_arrests += w * (self.today["arrests"] - self.recent_arrests)
        self.recent_convictions += w * (convicted - self.recent_convictions)
        book, targets = self.model.market.book, self.targets()
        members = int(book.members[targets].sum())
        if convicted and members:
            book.arrest_rate[targets] += convicted / members

    def replacement_delay(self) -> int:
        """Days until an arrested member is replaced: longer where arrests end in convictions."""
        cfg = self.model.config
        per_arrest = self.recent_convictions / max(self.recent_arrests, 1e-9) if self.recent_arrests > 0 else 0.0
        factor = 1.0 + cfg.enforcement.conviction_deterrence * min(per_arrest, 1.0)
        return int(round(cfg.smugglers.replacement_days * factor))

    def step_day(self) -> None:
        self.investigate()
        self.prosecute()
