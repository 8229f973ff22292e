"""The Mesa model: owns the route network, the migrant population and the daily schedule.

One `step()` is one day: new people set out, leg conditions are set, perceived costs to go are computed per
origin, the kernel advances every migrant, and the day's counters are recorded. With `engine="agents"` every migrant
is a `mesa.Agent` instead (sim/population/agents.py), acting by the same rules: the tables are identical.
"""

import datetime as dt
from collections.abc import Callable

import mesa
import numba
import numpy as np
import pandas as pd

from sim.actors.enforcement import EnforcementUnit
from sim.actors.guides import LandMarket
from sim.actors.market import Market
from sim.actors.patrols import apply_patrols, create_patrols
from sim.actors.supply import SupplyChains
from sim.config.schema import Scenario
from sim.environment.choice import perceived_costs, sink_values
from sim.environment.information import Beliefs
from sim.environment.weather import Weather
from sim.interventions.effects import Interventions
from sim.interventions.schema import REFERENCE_ATTRIBUTES
from sim.network import EUROPE, HUB_KINDS, MODE_LAND, Network, load_network
from sim.outputs.recorder import Recorder
from sim.population import agents, kernel, view
from sim.population.legs import LegInputs
from sim.population.population import Population

# Actors' and mechanisms' random streams: one per leg, unit, supply chain or origin (news reaching it).
STREAM_KINDS = ("market", "unit", "supply", "information")
PARALLEL_FROM = 20_000  # below this many active migrants the serial kernel is faster (fork/join overhead)
ENGINES = ("kernel", "agents")


class RouteModel(mesa.Model):
    """A run of one scenario. Days before `start_date` (the spin-up) are simulated but not recorded."""

    def __init__(self, scenario: Scenario, network: Network | None = None, kernel_mode: str = "auto",
                 engine: str = "kernel") -> None:
        seeds = np.random.SeedSequence(scenario.seed).spawn(4)  # Mesa, kernel, weather, actors' streams
        super().__init__(rng=seeds[0])
        self._stream_root = seeds[3]
        self._streams: dict[tuple[str, int], np.random.Generator] = {}
        # Kernel draws are keyed by this seed alone, so runs with the same seed share their randomness.
        self.kernel_seed = int(seeds[1].generate_state(1, np.uint64)[0] >> np.uint64(1))
        self.config = scenario
        if kernel_mode not in ("auto", "serial", "parallel"):
            raise ValueError(f"kernel_mode must be auto, serial or parallel, not {kernel_mode!r}")
        self.kernel_mode = kernel_mode
        if engine not in ENGINES:
            raise ValueError(f"engine must be kernel or agents, not {engine!r}")
        self.engine = engine
        self.today: agents.Today | None = None  # the agents engine's day, while its agents act
        self.net = network if network is not None else load_network()
        self.population = Population()
        self.day = 0  # simulated day index, spin-up included
        self.first_date = scenario.start_date - dt.timedelta(days=scenario.spin_up_days)
        self.total_days = scenario.spin_up_days + scenario.days
        self.inflow_per_day = self._inflow_table()
        # [day, origin] the first id spawned (the largest int64 for days still to come): for migrants_frame.
        self.first_ids = np.full((self.total_days, self.net.n_origins), np.iinfo(np.int64).max)
        self.legs = LegInputs.reference(self.net, scenario.boats)
        self.params = kernel_params(scenario)
        self._origin_setup()
        self.finals = np.zeros(kernel.N_STATES, np.int64)  # cumulative people in each final state
        # Boats bound to land, by the day they land (ring over the longest crossing) and leg.
        # Long enough for the longest traversal a dated reference change may set.
        longest = max(int(self.net.travel_days.max()), int(REFERENCE_ATTRIBUTES["travel_days"][1]))
        self.boats_at_sea = np.zeros((longest + 1, self.net.n_legs), np.int64)
        self.weather = Weather(scenario.weather, self.net, self.first_date, self.total_days, seeds[2])
        self.beliefs = Beliefs(scenario.information, list(self.net.origins["origin"]), self.legs.price,
                               self.legs.death_probability(), self.legs.failure_probability(),
                               [self.stream("information", o) for o in range(self.net.n_origins)])
        self.interventions = Interventions(self)
        self.policy = self.interventions.levers  # what interventions change today, read by the actors
        self.reference = self.interventions.reference  # today's per-leg reference values, read by the actors
        self.supply = SupplyChains(self)
        self.market = Market(self)
        self.market.populate()
        self.guides = LandMarket(self)
        create_patrols(self)
        for index, unit in enumerate(scenario.enforcement.units):
            EnforcementUnit(self, unit, index)
        self.recorder = Recorder(self.net, scenario.start_date, scenario.days, scenario.scale,
                                 [u.name for u in scenario.enforcement.units], list(scenario.interventions),
                                 scenario.observation)

    def _inflow_table(self) -> np.ndarray:
        """[day, origin] simulated people setting out: each origin's seasonal curve, and on the first day also
        the people already on their way (the origin's initial stock)."""
        net, sc = self.net, self.config
        table = np.zeros((self.total_days, net.n_origins))
        origin_ids = list(net.origins["origin"])
        for key, series in sc.inflow.items():
            o = origin_ids.index(key)
            table[:, o] = series.per_day(self.first_date, self.total_days, sc.inflow_seasonal_profile)
            table[0, o] += series.initial_stock_people
        return table / sc.scale

    def _origin_setup(self) -> None:
        net = self.net
        self.pref_cdf = np.cumsum(net.dest_shares, axis=1)
        self.budget_mu = np.log(net.budget_eur_median)
        self.origin_hub = net.origin_hubs.astype(np.int16)
        settle_kinds = [HUB_KINDS.index(kind) for kind in ("transit", "coast", "landing")]
        self.hub_can_settle = np.isin(net.hub_kind, settle_kinds).astype(np.uint8)
        self.hub_sink = net.hub_dest.astype(np.int32)
        self.land_legs = np.flatnonzero(net.leg_mode == MODE_LAND)
        behaviour = self.config.behaviour
        in_europe = net.hubs["country"].isin(EUROPE).to_numpy()
        self.hub_earn = np.where(in_europe, behaviour.earn_eur_per_day_in_europe, behaviour.earn_eur_per_day)

    def stream(self, kind: str, index: int) -> np.random.Generator:
        """The random stream of one actor or mechanism (the market of one leg, one enforcement unit, one
        supply chain): each draws only from its own, so runs with one seed share an actor's draws as long as
        that actor does the same things (common random numbers beyond the migrants and the weather)."""
        key = (kind, index)
        if key not in self._streams:
            code = STREAM_KINDS.index(kind)
            self._streams[key] = np.random.default_rng(np.random.SeedSequence(
                self._stream_root.entropy, spawn_key=(*self._stream_root.spawn_key, code, index)))
        return self._streams[key]

    @property
    def date(self) -> dt.date:
        return self.first_date + dt.timedelta(days=self.day)

    def _spawn(self) -> None:
        """New people set out: the day's expected number, rounded up or down by a counter-based draw."""
        for o, expected in enumerate(self.inflow_per_day[self.day]):
            whole = int(expected)
            if kernel.draw(self.kernel_seed, self.day, o, kernel.S_INFLOW) < expected - whole:
                whole += 1
            start, self.first_ids[self.day, o] = self.population.n, self.population.next_id
            self.population.add(
                self.kernel_seed, self.day, o, whole, self.origin_hub, self.pref_cdf, self.budget_mu,
                self.net.budget_eur_sigma, self.config.behaviour.risk_aversion_sigma)
            if self.engine == "agents":
                agents.add_migrants(self, start)

    def _act(self) -> None:
        """The actors' turn: enforcement strikes, groups and guides set prices, patrols respond, the sea sets the
        odds, and today's news and adverts reach the origins."""
        self.interventions.apply()
        self.legs.follow_reference(self.net, self.reference, self.market.paid)
        self.supply.step_day()
        units = self.agents_by_type.get(EnforcementUnit)
        if units is not None:
            units.shuffle_do("step_day")
        launch_ok = self.weather.leg_good(self.day)
        self.market.plan(launch_ok)
        launches = np.where(self.legs.load > 0, self.legs.places / self.legs.load, 0.0)
        apply_patrols(self, launches)
        self.legs.p_intercept[self.land_legs] = self.policy.land_stopped_share[self.land_legs]
        self.guides.plan()
        self.legs.p_return = self.policy.p_return
        self.legs.apply_load(self.net, self.config.boats, self.weather.leg_roughness(self.day),
                             self.reference.death_risk)
        self.legs.apply_taxi_boats(self.config.smugglers.taxi_escape_share, self.config.smugglers.taxi_incident_factor)
        self.beliefs.see_today(self.day, self.legs.price, self.legs.death_probability(),
                               self.legs.failure_probability(), self.market.advert_reach())

    def _costs_to_go(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cost_base, cost_risk = perceived_costs(self.legs.travel_days, self.config.behaviour, self.beliefs)
        cost_risk *= self.policy.perceived_risk_factor
        sinks = sink_values(self.net, self.config.behaviour, self.policy.destination_penalty_eur)
        togo = kernel.costs_to_go(cost_base + cost_risk, self.net.leg_from, self.net.leg_to, sinks, self.net.n_hubs)
        return cost_base, cost_risk, togo

    def kernel_inputs(self) -> dict[str, np.ndarray]:
        """Today's network, leg and choice arrays, named and ordered as the kernel takes them."""
        net, legs = self.net, self.legs
        cost_base, cost_risk, togo = self._costs_to_go()
        return {
            "out_start": net.out_start, "out_legs": net.out_legs, "leg_from": net.leg_from, "leg_to": net.leg_to,
            "leg_mode": net.leg_mode, "travel_days": legs.travel_days, "hub_sink": self.hub_sink,
            "hub_can_settle": self.hub_can_settle, "hub_earn": self.hub_earn, "price": legs.price,
            "places": legs.places, "load": legs.load, "p_prevent": legs.p_prevent, "p_intercept": legs.p_intercept,
            "p_distress": legs.p_distress, "p_rescue": legs.p_rescue, "p_incident": legs.p_incident,
            "p_incident_death": legs.p_incident_death, "land_death": legs.land_death,
            "p_return": legs.p_return, "removal": self.policy.removal, "cost_base": cost_base, "cost_risk": cost_risk,
            "togo": togo, "params": self.params,
        }

    def step(self) -> None:
        """Advance one day."""
        net, pop = self.net, self.population
        self._spawn()
        self._act()
        n_chunks = max(1, -(-pop.n // kernel.CHUNK))
        leg_counts = np.zeros((n_chunks, net.n_legs, kernel.N_LEG_COUNTERS), np.int64)
        revenue = np.zeros((n_chunks, net.n_legs))
        hub_counts = np.zeros((n_chunks, net.n_hubs, kernel.N_HUB_COUNTERS), np.int64)
        state_counts = np.zeros((n_chunks, kernel.N_STATES), np.int64)
        arrivals = np.zeros((n_chunks, net.n_dests, net.n_origins), np.int64)
        boats = np.zeros(net.n_legs)
        expected_deaths = np.zeros((n_chunks, net.n_legs))
        counters = (leg_counts, revenue, hub_counts, state_counts, arrivals, boats, expected_deaths)
        if self.engine == "agents":
            agents.step_agents(self, counters)
        else:
            parallel = (self.kernel_mode == "parallel" or self.kernel_mode == "auto" and pop.n >= PARALLEL_FROM
                        and numba.get_num_threads() > 1)
            step = kernel.step_parallel if parallel else kernel.step_serial
            step(self.kernel_seed, self.day, self.config.scale, pop.n, *pop.kernel_arrays(),
                 *self.kernel_inputs().values(), *counters)
        leg_day, hub_day, arrivals_day = leg_counts.sum(0), hub_counts.sum(0), arrivals.sum(0)
        revenue_day = revenue.sum(0)
        new_finals = self._count_finals(leg_day, hub_day, arrivals_day)
        boats_landed = self._boats_landed_today(leg_day[:, kernel.C_BOATS_LANDING])
        self.market.settle(leg_day, revenue_day, boats, self.config.scale, self.weather.leg_good(self.day))
        self.market.enter()
        self.guides.settle(leg_day, self.config.scale)
        self.beliefs.hear_outcomes(self.day, leg_day)
        recorded = self.day - self.config.spin_up_days
        if recorded >= 0:
            states = state_counts.sum(0) + self.finals
            self.recorder.record(recorded, leg_day, revenue_day, boats, self.legs.price, hub_day, states,
                                 arrivals_day, expected_deaths.sum(0), boats_landed)
            self.recorder.record_actors(recorded, self.market.by_corridor(), units_of(self))
            self.recorder.record_interventions(recorded, self.interventions.intensity, self.interventions.seized)
            self.recorder.record_supply(recorded, {c.corridor: c.row() for c in self.supply.chains})
        if pop.note_finals(new_finals) and self.engine == "agents":
            agents.renumber(self)
        self.day += 1

    def migrants_frame(self) -> pd.DataFrame:
        """The active population, one row per person, labels decoded (see sim/population/view.py)."""
        return view.migrants_frame(self)

    def migrant(self, person_id: int) -> view.MigrantRecord:
        """A read-only record of one active person (KeyError if they are not on their way)."""
        return view.migrant(self, person_id)

    def _boats_landed_today(self, landing: np.ndarray) -> np.ndarray:
        """Per leg, the boats that land today. `landing`: boats launched today whose fate is to land; they land
        when their passengers do, the leg's travel days (today's) later (what the Home Office counts is boats
        arriving)."""
        ring = self.boats_at_sea
        ring[(self.day + self.legs.travel_days.astype(np.int64)) % len(ring), np.arange(self.net.n_legs)] += landing
        today = ring[self.day % len(ring)].copy()
        ring[self.day % len(ring)] = 0
        return today

    def _count_finals(self, leg_day: np.ndarray, hub_day: np.ndarray, arrivals_day: np.ndarray) -> int:
        """Add today's deaths, arrivals and give-ups to the cumulative final-state totals."""
        today = np.zeros(kernel.N_STATES, np.int64)
        today[kernel.DEAD] = leg_day[:, kernel.C_DIED].sum()
        today[kernel.ARRIVED] = arrivals_day.sum()
        today[kernel.SETTLED] = hub_day[:, kernel.H_SETTLED].sum()
        today[kernel.GONE_HOME] = hub_day[:, kernel.H_GONE_HOME].sum()
        today[kernel.REMOVED] = hub_day[:, kernel.H_REMOVED].sum()
        self.finals += today
        return int(today.sum())

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Run every day of the scenario (spin-up included); `progress(days_done)` is called each day."""
        while self.day < self.total_days:
            self.step()
            if progress is not None:
                progress(self.day)


def kernel_params(scenario: Scenario) -> np.ndarray:
    """The kernel's parameter array, each value written at its named position (kernel.P_*)."""
    behaviour = scenario.behaviour
    params = np.zeros(kernel.N_PARAMS)
    params[kernel.P_GIVE_UP_BASE] = behaviour.give_up_base_per_day
    params[kernel.P_GIVE_UP_WAIT] = behaviour.give_up_wait_factor_per_30_days
    params[kernel.P_GIVE_UP_ATTEMPT] = behaviour.give_up_per_attempt
    params[kernel.P_GIVE_UP_SHORTFALL] = behaviour.give_up_shortfall_factor
    params[kernel.P_SETTLE_SHARE] = behaviour.settle_share
    params[kernel.P_CHOICE_SCALE] = behaviour.choice_scale_eur
    params[kernel.P_DETENTION_DAYS] = behaviour.detention_days
    params[kernel.P_PAYMENT_ATTEMPTS] = scenario.smugglers.payment_attempts
    return params


def units_of(model: RouteModel) -> list[EnforcementUnit]:
    """The model's enforcement units in the order the scenario lists them."""
    units = model.agents_by_type.get(EnforcementUnit)
    return list(units) if units is not None else []
