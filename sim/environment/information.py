"""What people at each origin believe about each leg: its risk of death and its chance of being stopped.

Prices and travel times are known exactly (adverts quote them); risks are believed.

Beliefs are aggregated per origin and leg (nothing per migrant). Two channels move them each day: news of
outcomes on the leg, arriving after a lag, pulls them towards what happened; smugglers' adverts, seen by a share
of the people (the reach), pull them towards the rosy picture adverts paint. Online take-downs act on the reach.
"""

import numpy as np

from sim.config.actors import Information
from sim.population import kernel as k


class Beliefs:
    """risk[o, e] and failure[o, e]: believed chance of dying on, and of being stopped on, one attempt."""

    def __init__(self, config: Information, n_origins: int, true_risk: np.ndarray, true_failure: np.ndarray) -> None:
        self.config = config
        self.risk = np.tile(true_risk, (n_origins, 1))
        self.failure = np.tile(true_failure, (n_origins, 1))
        lag = config.feedback_lag_days + 1
        n_legs = len(true_risk)
        # Ring buffer of daily outcomes per leg: departures, deaths, stopped (prevented, intercepted, returned).
        self._news = np.zeros((lag, 3, n_legs))

    def hear_outcomes(self, day: int, leg_counts: np.ndarray) -> None:
        """Record today's outcomes; fold in those from `feedback_lag_days` ago."""
        slot = day % self._news.shape[0]
        self._news[slot] = (leg_counts[:, k.C_DEPARTED], leg_counts[:, k.C_DIED],
                            leg_counts[:, k.C_PREVENTED] + leg_counts[:, k.C_INTERCEPTED] + leg_counts[:, k.C_RETURNED])
        departed, died, stopped = self._news[(day + 1) % self._news.shape[0]]
        seen = departed > 0
        w = self.config.feedback_weight_per_day
        with np.errstate(invalid="ignore", divide="ignore"):
            self.risk[:, seen] += w * (died[seen] / departed[seen] - self.risk[:, seen])
            self.failure[:, seen] += w * (stopped[seen] / departed[seen] - self.failure[:, seen])

    def see_adverts(self, reach: np.ndarray, true_risk: np.ndarray, true_failure: np.ndarray) -> None:
        """reach[o, e]: share of origin o's people who see adverts for leg e today."""
        w = self.config.advert_weight_per_day * reach
        self.risk += w * (self.config.advertised_risk_share * true_risk - self.risk)
        self.failure += w * (self.config.advertised_failure_share * true_failure - self.failure)
