"""Sea weather: per sea area, a seasonal two-state Markov chain of days fit for crossing.

The whole series is drawn at the start from its own random stream, so two scenarios run with one seed see the
same weather (common random numbers) whatever their actors do.
"""

import datetime as dt

import numpy as np

from sim.config.actors import Weather as WeatherConfig
from sim.network import CORRIDORS, MODE_SEA, Network


class Weather:
    """good[day, area] (bool) and roughness[day, area] (multiplier of boats' distress probability)."""

    def __init__(self, config: WeatherConfig, net: Network, first_date: dt.date, days: int,
                 seed: np.random.SeedSequence) -> None:
        rng = np.random.default_rng(seed)
        self.areas = tuple(config.areas)
        months = np.array([(first_date + dt.timedelta(days=d)).month - 1 for d in range(days)])
        self.good = np.ones((days, len(self.areas)), bool)
        self.roughness = np.ones((days, len(self.areas)))
        for a, area in enumerate(config.areas.values()):
            pi = np.asarray(area.good_day_probability_by_month)[months]
            rho = area.persistence
            u = rng.random(days)
            state = u[0] < pi[0]
            for d in range(days):
                # Stationary share pi, lag-one autocorrelation rho.
                p_good = pi[d] + rho * (1.0 - pi[d]) if state else pi[d] * (1.0 - rho)
                state = u[d] < p_good if d else state
                self.good[d, a] = state
            sigma = area.roughness_sigma
            self.roughness[:, a] = np.exp(sigma * rng.standard_normal(days) - 0.5 * sigma * sigma)
        # Which area each sea leg lies in (its corridor); -1 for legs on land.
        area_of_corridor = {CORRIDORS.index(name): a for a, name in enumerate(self.areas)}
        self.leg_area = np.array([area_of_corridor.get(int(c), -1) if m == MODE_SEA else -1
                                  for c, m in zip(net.leg_corridor, net.leg_mode, strict=True)])

    def leg_good(self, day: int) -> np.ndarray:
        """Per leg: can boats launch today (always True off the sea)."""
        return np.where(self.leg_area >= 0, self.good[day, self.leg_area], True)

    def leg_roughness(self, day: int) -> np.ndarray:
        """Per leg: today's multiplier of boats' distress probability (1 off the sea)."""
        return np.where(self.leg_area >= 0, self.roughness[day, self.leg_area], 1.0)
