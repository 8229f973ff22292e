"""The agents engine: every migrant on their way is a `mesa.Agent`, for seeing, inspecting and teaching the model.

A `Migrant` is created as a person sets out and removed when they reach a final state. Its state is its row of the
population's arrays (the kernel engine's arrays, spawned and compacted the same way), so both engines start every
day from the same people. Its daily behaviour calls the plain-Python reference's per-person functions, the rules
the kernel mirrors: phase A `decide`, phase B `ask_for_place` (serial, in id order: selection sampling is
order-dependent by design), phase C `board`. Draws are counter-based and keyed by person id, so what happens to a
person does not depend on the order agents act in; the verbs run in id order (`AgentSet.do`) only so that float
sums (revenue, expected deaths) are formed in the kernel's order, per chunk, and tables are equal to the last bit.
It runs about 10^4 times slower than the kernel (docs/performance.md): the kernel stays the fast path.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.population import kernel as k
from sim.population import reference

if TYPE_CHECKING:
    from sim.config import Scenario

# For the size guard of `routesim run --engine agents` (measured with `routesim bench` and whole baseline
# runs on a 2-core machine, 2026-12-02): seconds per migrant-day of the agents engine beyond the kernel's, and the
# days a simulated person spends on the way on average (the baseline with its 730-day spin-up: 206,450
# migrant-days for 2,551 people at scale 200). Estimates, not model parameters.
SECONDS_PER_AGENT_DAY = 8e-6
MEAN_DAYS_ON_THE_WAY = 65.0
GUARD_SECONDS = 300.0  # above this estimate `run --engine agents` asks for --force


def estimated_seconds(scenario: "Scenario") -> float:
    """About how long the agents engine takes on top of the kernel engine for this scenario."""
    from sim.config.loader import simulated_people

    days = scenario.spin_up_days + scenario.days
    return simulated_people(scenario) * min(MEAN_DAYS_ON_THE_WAY, days) * SECONDS_PER_AGENT_DAY


@dataclass
class Today:
    """What every agent reads and writes on one day: the draws' seed and day, the scale, the population's arrays,
    the day's network and leg inputs (as the reference takes them) and the counters of each kernel chunk."""

    seed: int
    day: int
    scale: float
    a: dict[str, np.ndarray]
    net: dict
    outs: list[dict[str, np.ndarray]]


class Migrant(mesa.Agent):
    """One person on their way: their state is row `row` of the model's population arrays."""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row
        self.person_id = int(model.population.arrays["ids"][row])

    def _today(self) -> tuple[Today, dict[str, np.ndarray]]:
        today = self.model.today
        return today, today.outs[self.row // k.CHUNK]

    def decide(self) -> None:
        """Phase A: move on, give up, choose a leg, or queue for a place."""
        t, out = self._today()
        reference._move_or_decide(t.seed, t.day, t.a, t.net, self.row, out)

    def ask_for_place(self, requests: np.ndarray, places_left: np.ndarray, granted: np.ndarray) -> None:
        """Phase B, for a person queueing at a coast: get a place on today's boats, or wait."""
        t = self.model.today
        reference._grant(t.seed, t.day, t.scale, t.a, t.net, self.row, requests, places_left, granted)

    def board(self) -> None:
        """Phase C: a granted person boards and shares their boat's fate; everyone is counted by state."""
        t, out = self._today()
        reference._board_and_count(t.seed, t.day, t.a, t.net, self.row, out)

    @property
    def final(self) -> bool:
        return int(self.model.population.arrays["state"][self.row]) >= k.FIRST_FINAL


def _field(name: str) -> property:
    """A read-only attribute of the person's row, as a Python number (for `select`, `groupby`, `agg`)."""
    def get(agent: Migrant) -> int | float:
        return agent.model.population.arrays[name][agent.row].item()
    return property(get, doc=f"The person's `{name}` (read-only).")


for _name in ("origin", "pref", "state", "attempts", "hub", "leg", "days_left", "days_waiting", "budget"):
    setattr(Migrant, _name, _field(_name))
Migrant.state_name = property(lambda m: k.STATE_NAMES[m.state], doc="The person's state, by name.")
Migrant.origin_name = property(lambda m: m.model.net.origins["origin"].iat[m.origin], doc="Where they set out.")
Migrant.hub_name = property(lambda m: m.model.net.hubs["id"].iat[m.hub], doc="The hub they are at or left from.")


def add_migrants(model: mesa.Model, start: int) -> None:
    """Agents for the people spawned at rows start.. (in id order, as the AgentSet keeps them)."""
    rows = range(start, model.population.n)
    Migrant.create_agents(model, len(rows), list(rows))


def adopt(model: mesa.Model) -> None:
    """Switch a kernel-engine model to the agents engine from its next day: an agent for every row (the people on
    their way). The rules and draws are the same, so the run goes on exactly as the kernel would have run it; the
    benchmark times both engines from one state this way, and a modeller can spin up fast and watch agent by agent."""
    if model.engine == "agents":
        return
    model.engine = "agents"
    Migrant.create_agents(model, model.population.n, list(range(model.population.n)))
    model.agents_by_type[Migrant].select(lambda m: m.final).do("remove")


def migrants_of(model: mesa.Model) -> mesa.agent.AgentSet:
    """The model's migrant agents in id order (empty before anyone sets out)."""
    return model.agents_by_type.get(Migrant, model.agents.select(lambda a: False))


def step_agents(model: mesa.Model, counters: tuple[np.ndarray, ...]) -> None:
    """One day of every migrant agent, filling the kernel's per-chunk counters (leg, revenue, hub, states,
    arrivals, boats, expected deaths); people who reached a final state are removed."""
    leg, revenue, hub, states, arrivals, boats, expected = counters
    pop = model.population
    net = dict(model.kernel_inputs(), arrivals_shape=arrivals.shape[1:])
    outs = [{"leg": leg[c], "revenue": revenue[c], "hub": hub[c], "states": states[c], "arrivals": arrivals[c],
             "boats": boats, "expected_deaths": expected[c]} for c in range(len(leg))]
    model.today = t = Today(model.kernel_seed, model.day, float(model.config.scale),
                            {name: array[: pop.n] for name, array in pop.arrays.items()}, net, outs)
    migrants = migrants_of(model)
    migrants.do("decide")
    requests = leg[:, :, k.C_WAITING].sum(0)
    places_left = reference._places_today(t.seed, t.day, t.scale, net, requests)
    granted = np.zeros(len(requests), np.int64)
    migrants.select(lambda m: m.state == k.AT_COAST).do("ask_for_place", requests, places_left, granted)
    reference.count_boats(t.seed, t.day, t.scale, net, granted, outs[0])
    migrants.do("board")
    migrants.select(lambda m: m.final).do("remove")
    model.today = None


def renumber(model: mesa.Model) -> None:
    """After a compaction the population's rows are the active people in id order: so are the agents."""
    for row, agent in enumerate(migrants_of(model)):
        agent.row = row
