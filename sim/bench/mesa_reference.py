"""The migrant step as per-agent Mesa, for benchmarks only: one `mesa.Agent` per migrant.

The rules are not restated here: each agent calls the plain-Python reference's per-person functions
(`reference._move_or_decide` for phase A, `reference._board` for phase C) on its row of the shared arrays, scheduled
by Mesa (`agents.shuffle_do`). Only the glue is here: phase B (serial, in row order, as in `reference.step`) and the
end-of-day count, which `reference.step` writes inline rather than as functions. A test checks that a day of this
model leaves exactly what a day of the kernel leaves, so the glue cannot drift from the rules.
"""

import math

import mesa
import numpy as np

from sim.population import kernel as k
from sim.population import reference


class Migrant(mesa.Agent):
    """One person: a row of the population arrays."""

    def __init__(self, model: "MesaMigrants", row: int) -> None:
        super().__init__(model)
        self.row = row

    def decide(self) -> None:
        """Phase A: move on, give up, choose a leg or queue for a place."""
        m = self.model
        if m.a["state"][self.row] < k.FIRST_FINAL:
            reference._move_or_decide(m.seed, m.day, m.a, m.net, self.row, m.out)

    def idle(self) -> None:
        """Nothing: timing `shuffle_do("idle")` measures Mesa's scheduling and dispatch alone."""

    def board(self) -> None:
        """Phase C: a granted person boards and shares their boat's fate; everyone is counted by state."""
        m, i = self.model, self.row
        state = m.a["state"]
        if state[i] == k.BOARDING:
            reference._board(m.seed, m.day, m.a, m.net, i, m.out)
        s = state[i]
        if s < k.FIRST_FINAL:
            m.out["states"][s] += 1
            if s == k.TRAVELLING or s == k.AT_SEA:
                m.out["leg"][m.a["leg"][i], k.C_ON_LEG] += 1


class MesaMigrants(mesa.Model):
    """Per-agent Mesa version of one kernel day over given arrays (changed in place by `step`)."""

    def __init__(self, seed: int, day: int, scale: float, arrays: dict[str, np.ndarray], net: dict) -> None:
        super().__init__(rng=0)
        self.seed, self.day, self.scale, self.a, self.net = seed, day, scale, arrays, net
        self.out: dict[str, np.ndarray] = {}
        for row in range(len(arrays["ids"])):
            Migrant(self, row)

    def reset(self, arrays: dict[str, np.ndarray]) -> None:
        """Start the next `step` from these arrays (same rows)."""
        self.a = arrays

    def step(self) -> None:
        net = self.net
        n_legs, n_hubs = len(net["leg_to"]), len(net["hub_sink"])
        self.out = {
            "leg": np.zeros((n_legs, k.N_LEG_COUNTERS), np.int64), "revenue": np.zeros(n_legs),
            "hub": np.zeros((n_hubs, k.N_HUB_COUNTERS), np.int64), "states": np.zeros(k.N_STATES, np.int64),
            "arrivals": np.zeros(net["arrivals_shape"], np.int64), "boats": np.zeros(n_legs),
            "expected_deaths": np.zeros(n_legs),
        }
        self.agents.shuffle_do("decide")
        self._grant_places()
        self.agents.shuffle_do("board")

    def schedule_only(self) -> None:
        """A day of scheduling without rules: two `shuffle_do` passes over every agent, as `step` makes."""
        self.agents.shuffle_do("idle")
        self.agents.shuffle_do("idle")

    def _grant_places(self) -> None:
        """Phase B, serial in row (id) order as in `reference.step`: places go to a random subset of requesters."""
        a, net, out, seed, day = self.a, self.net, self.out, self.seed, self.day
        n_legs = len(net["leg_to"])
        requests = out["leg"][:, k.C_WAITING].copy()
        places_left = np.zeros(n_legs, np.int64)
        for e in range(n_legs):
            if requests[e] > 0 and net["places"][e] > 0:
                x = net["places"][e] / self.scale
                places_left[e] = int(x) + (reference.draw(seed, day, e, k.S_PLACES) < x - math.floor(x))
        granted = np.zeros(n_legs, np.int64)
        for i in range(len(a["ids"])):
            if a["state"][i] != k.AT_COAST:
                continue
            e = a["leg"][i]
            if places_left[e] > 0 and reference.draw(seed, day, int(a["ids"][i]), k.S_GRANT) * requests[e] < (
                    places_left[e]):
                places_left[e] -= 1
                a["state"][i] = k.BOARDING
                a["days_left"][i] = int(granted[e] * self.scale / net["load"][e])
                granted[e] += 1
            requests[e] -= 1
        reference.count_boats(seed, day, self.scale, net, granted, out)
