"""The migrant step as per-agent Mesa, for benchmarks only: one `mesa.Agent` per migrant.

The rules are not restated here: each agent calls the plain-Python reference's per-person functions
(`reference._move_or_decide` for phase A, `reference._board_and_count` for phase C) on its row of the shared arrays,
scheduled by Mesa (`agents.shuffle_do`); phase B, serial in row order by design, is the reference's
`_grant_places`. What is left here is Mesa's scheduling. A test checks that a day of this model leaves exactly
what a day of the kernel leaves.
"""

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
        m = self.model
        reference._board_and_count(m.seed, m.day, m.a, m.net, self.row, m.out)


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
        self.out = reference._counters(self.net)
        self.agents.shuffle_do("decide")
        reference._grant_places(self.seed, self.day, self.scale, self.a, self.net, self.out)
        self.agents.shuffle_do("board")

    def schedule_only(self) -> None:
        """A day of scheduling without rules: two `shuffle_do` passes over every agent, as `step` makes."""
        self.agents.shuffle_do("idle")
        self.agents.shuffle_do("idle")
