"""What people at each origin believe about each leg: its price, its risk of death, its chance of being stopped.

Beliefs are aggregated per origin and leg (nothing per migrant) and lag behind the truth. Each origin o hears of a
day's conditions `lag_o` days later (its contact lag: distance, diaspora links). Two channels carry the news:
- contacts, people who travelled: the price they paid and the share of them who died or were stopped, as it was
  lag_o days ago, with a rumour's error that persists for days;
- smugglers' adverts, seen by a share of the people (the reach, which online take-downs cut): they quote today's
  price, and play down the risks known at the origin; they never announce a closure or a shipwreck themselves.
Travel times are known. People pay the true price; the believed one enters the perceived cost (sim/environment/
choice.py). With every lag 0 and no rumours, beliefs hold today's prices and the old instant knowledge returns.
"""

import numpy as np

from sim.config.actors import Information
from sim.population import kernel as k

PRICE, RISK, FAILURE = range(3)  # the quantities carried by the truth and rumour arrays


class Beliefs:
    """price[o, e] (EUR), risk[o, e] and failure[o, e] (believed chance of dying on, and of being stopped on, one
    attempt) for origin o and leg e."""

    def __init__(self, config: Information, origins: list[str], price: np.ndarray, risk: np.ndarray,
                 failure: np.ndarray, streams: list[np.random.Generator]) -> None:
        self.config = config
        self.lag = np.array([config.contact_lag_days_by_origin.get(o, config.contact_lag_days) for o in origins],
                            np.int64)
        n_origins = len(origins)
        self.price = np.tile(price, (n_origins, 1)).astype(np.float64)
        self.risk = np.tile(risk, (n_origins, 1)).astype(np.float64)
        self.failure = np.tile(failure, (n_origins, 1)).astype(np.float64)
        size = int(self.lag.max(initial=0)) + 1
        # Ring buffers by day: the true price, death and stop chances; outcomes (departures, deaths, stopped).
        self._truth = np.tile(np.stack([price, risk, failure]).astype(np.float64), (size, 1, 1))
        self._news = np.zeros((size, 3, len(price)))
        self._rumour = np.zeros((n_origins, 3, len(price)))  # standard normal errors, AR(1) from day to day
        self._error = np.ones_like(self._rumour)              # today's multiplicative errors (mean 1)
        self._streams = streams

    def _heard_on(self, day: int) -> np.ndarray:
        """Ring-buffer slot, per origin, of the day whose news reaches each origin on `day`."""
        return (day - self.lag) % self._truth.shape[0]

    def _spread_rumours(self) -> None:
        """Today's error in what contacts pass on, per origin, quantity and leg (drawn from each origin's stream)."""
        sigma, rho = self.config.rumour_sigma, self.config.rumour_persistence
        if sigma == 0:
            return
        for o, rng in enumerate(self._streams):
            shock = rng.standard_normal(self._rumour.shape[1:])
            self._rumour[o] = rho * self._rumour[o] + np.sqrt(1.0 - rho * rho) * shock
        self._error = np.exp(sigma * self._rumour - 0.5 * sigma * sigma)

    def see_today(self, day: int, price: np.ndarray, risk: np.ndarray, failure: np.ndarray,
                  reach: np.ndarray) -> None:
        """Before choices: today's truth is stored; each origin hears the prices of lag_o days ago from contacts,
        and those reached by adverts (reach[o, e]) learn today's price and the adverts' rosy risks."""
        cfg = self.config
        self._truth[day % self._truth.shape[0]] = price, risk, failure
        known = self._truth[self._heard_on(day)]  # [origin, quantity, leg]: the truth as each origin knows it
        self._spread_rumours()
        heard_price = known[:, PRICE] * self._error[:, PRICE]
        self.price = heard_price + reach * (price - heard_price)  # the reached know today's price
        w = cfg.advert_weight_per_day * reach
        self.risk += w * (cfg.advertised_risk_share * known[:, RISK] - self.risk)
        self.failure += w * (cfg.advertised_failure_share * known[:, FAILURE] - self.failure)

    def hear_outcomes(self, day: int, leg_counts: np.ndarray) -> None:
        """After the kernel: today's outcomes are stored; those of lag_o days ago reach origin o, where anyone
        departed that day, and pull its risk beliefs towards the death and stop rates heard (with the rumour)."""
        self._news[day % self._news.shape[0]] = (
            leg_counts[:, k.C_DEPARTED], leg_counts[:, k.C_DIED],
            leg_counts[:, k.C_PREVENTED] + leg_counts[:, k.C_INTERCEPTED] + leg_counts[:, k.C_RETURNED])
        news = self._news[self._heard_on(day)]  # [origin, (departed, died, stopped), leg]
        departed = news[:, 0]
        seen = departed > 0
        per_departure = np.divide(news[:, 1:], departed[:, None], out=np.zeros_like(news[:, 1:]),
                                  where=seen[:, None])
        died = np.minimum(per_departure[:, 0] * self._error[:, RISK], 1.0)
        stopped = np.minimum(per_departure[:, 1] * self._error[:, FAILURE], 1.0)
        w = self.config.feedback_weight_per_day * seen
        self.risk += w * (died - self.risk)
        self.failure += w * (stopped - self.failure)
