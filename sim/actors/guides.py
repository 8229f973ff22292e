"""Guides and drivers: the market for paid land legs, such as the Balkan stages paid one by one.

On a land leg nobody waits for a place (whoever pays goes), so what the trade decides is its price. It is kept
as per-leg arrays, not agents: each market leg's price answers its customers against the trade's usual volume
(guides join a busy leg and leave a quiet one over weeks) and the share of people stopped at its border today (a
risk premium). A closed border thus raises its own price at once, and the people it pushes back who try another
branch raise that branch's price until guides there catch up. The kernel charges today's price (phase A).
"""

import numpy as np

from sim.network import CORRIDORS, MODE_LAND
from sim.population import kernel as k


class LandMarket:
    """Prices of the paid land legs of the configured corridors (`guides.corridors`)."""

    def __init__(self, model) -> None:
        self.model = model
        net, cfg = model.net, model.config.guides
        corridors = [CORRIDORS.index(c) for c in cfg.corridors]
        self.legs = np.flatnonzero((net.leg_mode == MODE_LAND) & (net.price_eur > 0)
                                   & np.isin(net.leg_corridor, corridors))
        self.price = net.price_eur[self.legs].astype(np.float64)
        self.customers = np.zeros(len(self.legs))  # people setting out on the leg a day (stopped included), recent
        self.usual = np.zeros(len(self.legs))      # the volume the leg's guides are set up for (people a day)
        self._trading = np.zeros(len(self.legs), bool)  # a leg's first customers set its usual volume

    def plan(self) -> None:
        """Today's prices, from recent customers and today's share stopped, into the model's leg arrays."""
        cfg, legs = self.model.config.guides, self.model.legs
        ratio = np.maximum(self.customers, 1.0) / np.maximum(self.usual, 1.0)
        factor = np.clip(ratio ** cfg.price_demand_elasticity, cfg.price_floor_share, cfg.price_cap_share)
        premium = 1.0 + cfg.risk_premium_per_stopped_share * legs.p_intercept[self.legs]
        reference = self.model.reference.price_eur[self.legs]  # legs.csv, or a dated reference change
        target = reference * np.minimum(factor * premium, cfg.price_cap_share)
        self.price += cfg.price_adjustment_per_day * (target - self.price)  # prices are sticky
        legs.price[self.legs] = self.price

    def settle(self, leg_counts: np.ndarray, scale: float) -> None:
        """Fold today's customers into the recent ones (people arrive in batches, as boats land); the usual volume
        moves towards them more slowly."""
        cfg = self.model.config.guides
        today = leg_counts[self.legs, k.C_DEPARTED] * scale
        self.customers = np.where(self._trading, self.customers + (today - self.customers) / cfg.demand_memory_days,
                                  today)
        self.usual = np.where(self._trading, self.usual + cfg.usual_volume_adjustment_per_day
                              * (self.customers - self.usual), self.customers)
        self._trading |= today > 0
