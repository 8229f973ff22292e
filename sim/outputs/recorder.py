"""Daily counters collected during a run, and the tidy tables built from them at the end.

The model hands the recorder the kernel's per-leg and per-hub counters once a day (already summed over chunks);
tables are built once, vectorised, when the run ends. Counts are multiplied by the scale here, so every table is
in people. Tables hold no wall-clock times: the same scenario and seed give identical tables.
"""

import datetime as dt

import numpy as np
import pandas as pd

from sim.actors.enforcement import COUNTERS
from sim.actors.supply import COLUMNS as SUPPLY_COLUMNS
from sim.config.schema import Observation
from sim.network import CORRIDORS, LEG_SOURCES, MODE_LAND, MODE_LORRY, MODE_SEA, MODES, SOURCES, Network
from sim.population import kernel as k

MARKET_COLUMNS = ("groups", "members", "boats_in_stock", "engines_in_stock", "boats_on_order", "cash_eur")
ENFORCEMENT_COLUMNS = (*COUNTERS, "awaiting_decision")


class Recorder:
    """Preallocated [day, ...] arrays for the recorded days."""

    def __init__(self, net: Network, start_date: dt.date, days: int, scale: float, units: list[str],
                 interventions: list[str], observation: Observation) -> None:
        self.net, self.start_date, self.days, self.scale, self.units = net, start_date, days, scale, tuple(units)
        self.interventions = tuple(interventions)
        self.deaths_recorded_share = np.array([observation.deaths_recorded_share.get(c, 1.0) for c in CORRIDORS])
        self.land_stops_share = np.array([observation.land_stops_recorded_share.get(s, 0.0) for s in LEG_SOURCES])
        self.sea_interceptions_share = np.array([observation.sea_interceptions_recorded_share.get(s, 0.0)
                                                 for s in LEG_SOURCES])
        self.intervention_state = np.zeros((days, len(interventions), 2))  # intensity, boats seized
        self.market = np.zeros((days, len(CORRIDORS), len(MARKET_COLUMNS)))
        self.enforcement = np.zeros((days, len(units), len(ENFORCEMENT_COLUMNS)))
        self.supply = np.full((days, len(CORRIDORS), len(SUPPLY_COLUMNS)), np.nan)  # NaN: corridor without a chain
        self.leg = np.zeros((days, net.n_legs, k.N_LEG_COUNTERS), np.int64)
        self.revenue = np.zeros((days, net.n_legs))
        self.boats = np.zeros((days, net.n_legs))
        self.boats_landed = np.zeros((days, net.n_legs), np.int64)  # boats, by the day they land
        self.expected_deaths = np.zeros((days, net.n_legs))  # simulated people, probability-weighted
        self.price = np.zeros((days, net.n_legs))
        self.hub = np.zeros((days, net.n_hubs, k.N_HUB_COUNTERS), np.int64)
        self.states = np.zeros((days, k.N_STATES), np.int64)
        self.arrivals = np.zeros((days, net.n_dests, net.n_origins), np.int64)

    def record(self, day: int, leg: np.ndarray, revenue: np.ndarray, boats: np.ndarray, price: np.ndarray,
               hub: np.ndarray, states: np.ndarray, arrivals: np.ndarray, expected_deaths: np.ndarray,
               boats_landed: np.ndarray) -> None:
        """Store one recorded day's counters (states: active by state plus cumulative finals; expected_deaths:
        per leg, the sum of each traveller's probability of dying on the attempt; boats_landed: per leg, boats
        that landed today)."""
        self.leg[day], self.revenue[day], self.boats[day], self.price[day] = leg, revenue, boats, price
        self.boats_landed[day] = boats_landed
        self.expected_deaths[day] = expected_deaths
        self.hub[day], self.states[day], self.arrivals[day] = hub, states, arrivals

    def record_interventions(self, day: int, intensity: dict[str, float], seized: dict[str, float]) -> None:
        for i, name in enumerate(self.interventions):
            self.intervention_state[day, i] = intensity[name], seized[name]

    def record_supply(self, day: int, rows: dict[int, list[float]]) -> None:
        """Store one recorded day's state of each supply chain (by corridor index)."""
        for corridor, row in rows.items():
            self.supply[day, corridor] = row

    def record_actors(self, day: int, market: np.ndarray, units: list) -> None:
        """Store one recorded day's state of the market ([corridor, MARKET_COLUMNS]) and the enforcement units'
        counters."""
        self.market[day] = market
        for u, unit in enumerate(units):
            self.enforcement[day, u] = [*(unit.today[c] for c in COUNTERS), unit.queued]

    def dates(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start_date, periods=self.days, freq="D").astype("datetime64[ms]")

    def _long(self, values: np.ndarray, name: str, labels: tuple[str, ...], column: str) -> pd.DataFrame:
        """[day, label] array -> long table (date, column, name)."""
        return pd.DataFrame({
            "date": np.repeat(self.dates(), len(labels)),
            column: np.tile(np.array(labels, dtype=object), self.days),
            name: values.reshape(-1),
        })

    def hub_corridor(self) -> np.ndarray:
        """Corridor a hub belongs to for give-ups: that of its first incoming leg (origins: approach)."""
        net = self.net
        out = np.zeros(net.n_hubs, np.int64)
        for e in range(net.n_legs - 1, -1, -1):
            out[net.leg_to[e]] = net.leg_corridor[e]
        out[net.origin_hubs] = CORRIDORS.index("approach")
        return out

    def daily_corridor(self) -> pd.DataFrame:
        net, s = self.net, self.scale
        onehot = np.zeros((net.n_legs, len(CORRIDORS)))
        onehot[np.arange(net.n_legs), net.leg_corridor] = 1.0
        by = {}
        for name, idx in (("departures", k.C_DEPARTED), ("landings", k.C_LANDED), ("prevented", k.C_PREVENTED),
                          ("intercepted", k.C_INTERCEPTED), ("rescued", k.C_RESCUED), ("deaths", k.C_DIED),
                          ("on_leg", k.C_ON_LEG), ("waiting", k.C_WAITING), ("returned", k.C_RETURNED)):
            by[name] = self.leg[:, :, idx] @ onehot * s
        sea = (net.leg_mode == MODE_SEA).astype(float)
        boat_departures = (self.leg[:, :, k.C_DEPARTED] * sea) @ onehot * s
        by["boats"] = (self.boats * sea) @ onehot
        by["boats_landed"] = (self.boats_landed * sea) @ onehot
        by["revenue_eur"] = self.revenue @ onehot * s
        by["expected_deaths"] = self.expected_deaths @ onehot * s
        by["deaths_recorded"] = by["deaths"] * self.deaths_recorded_share  # what the IOM would record
        # Crossings: completions of the legs an observer records (a border or a sea), once per person and leg.
        observed = (net.observed_as >= 0).astype(float)
        by["crossings"] = (self.leg[:, :, k.C_LANDED] * observed) @ onehot * s
        # Price: the places' asking price on paid legs, weighted by the day's departures.
        priced = (net.price_eur > 0) & (net.leg_mode != MODE_LAND)
        departed = self.leg[:, :, k.C_DEPARTED] * priced
        with np.errstate(invalid="ignore", divide="ignore"):
            by["people_per_boat"] = np.where(by["boats"] > 0, boat_departures / by["boats"], np.nan)
            by["mean_price_eur"] = np.where(departed @ onehot > 0, (departed * self.price) @ onehot
                                            / (departed @ onehot), np.nan)
        hub_onehot = np.zeros((net.n_hubs, len(CORRIDORS)))
        hub_onehot[np.arange(net.n_hubs), self.hub_corridor()] = 1.0
        by["settled"] = self.hub[:, :, k.H_SETTLED] @ hub_onehot * s
        by["gone_home"] = self.hub[:, :, k.H_GONE_HOME] @ hub_onehot * s
        for name, mode, idx in (("boat_landings", MODE_SEA, k.C_LANDED), ("lorry_attempts", MODE_LORRY, k.C_DEPARTED),
                                ("lorry_detections", MODE_LORRY, k.C_INTERCEPTED)):
            by[name] = (self.leg[:, :, idx] * (net.leg_mode == mode)) @ onehot * s
        table = self._long(by["departures"], "departures", CORRIDORS, "corridor")
        for name in ("crossings", "landings", "prevented", "intercepted", "rescued", "deaths", "deaths_recorded",
                     "expected_deaths", "on_leg", "waiting",
                     "boats", "returned", "people_per_boat", "mean_price_eur", "revenue_eur", "settled", "gone_home",
                     "boat_landings",
                     "lorry_attempts", "lorry_detections", "boats_landed"):
            table[name] = by[name].reshape(-1)
        return table

    def daily_destination(self) -> pd.DataFrame:
        names = tuple(self.net.hubs["id"].iloc[self.net.dest_hubs])
        table = self._long(self.arrivals.sum(axis=2) * self.scale, "arrivals", names, "destination")
        table["removed"] = (self.hub[:, self.net.dest_hubs, k.H_REMOVED] * self.scale).reshape(-1)
        return table

    def daily_population(self) -> pd.DataFrame:
        return self._long(self.states * self.scale, "people", k.STATE_NAMES, "state")

    def daily_observed(self) -> pd.DataFrame:
        """What each source would record (`recorded`, people; `boats_recorded`, boats) on the legs it observes:
        crossings completed times the leg's observed share; as Frontex counts, people stopped at a land border and
        people intercepted at sea by the EU side, each attempt (configured shares by source); boats landed on
        its sea legs (the Home Office's boats arriving); lorry detections at Calais; deaths as far as the IOM
        Missing Migrants Project records them."""
        net, s = self.net, self.scale
        weights = np.zeros((net.n_legs, len(SOURCES)))
        stops = np.zeros((net.n_legs, len(SOURCES)))
        seen = np.flatnonzero(net.observed_as >= 0)
        source = net.observed_as[seen]
        weights[seen, source] = net.observed_share[seen]
        land, sea = net.leg_mode[seen] == MODE_LAND, net.leg_mode[seen] == MODE_SEA
        stops[seen, source] = np.where(land, self.land_stops_share[source],
                                       np.where(sea, self.sea_interceptions_share[source], 0.0))
        recorded = (self.leg[:, :, k.C_LANDED] @ weights + self.leg[:, :, k.C_INTERCEPTED] @ stops) * s
        lorry = (net.leg_mode == MODE_LORRY).astype(float)
        recorded[:, SOURCES.index("calais_lorry_detections")] = self.leg[:, :, k.C_INTERCEPTED] @ lorry * s
        deaths_share = self.deaths_recorded_share[net.leg_corridor]
        recorded[:, SOURCES.index("iom_missing_migrants")] = self.leg[:, :, k.C_DIED] @ deaths_share * s
        boats = self.boats_landed @ (weights * (net.leg_mode == MODE_SEA)[:, None])
        table = self._long(recorded, "recorded", SOURCES, "source")
        table["boats_recorded"] = boats.reshape(-1)
        return table

    def monthly_leg(self) -> pd.DataFrame:
        net = self.net
        month = self.dates().to_period("M")
        parts = {}
        for name, values in (("departures", self.leg[:, :, k.C_DEPARTED]), ("landings", self.leg[:, :, k.C_LANDED]),
                             ("deaths", self.leg[:, :, k.C_DIED]), ("expected_deaths", self.expected_deaths)):
            frame = pd.DataFrame(values * self.scale, index=month)
            parts[name] = frame.groupby(level=0).sum().stack()
        table = pd.DataFrame(parts).reset_index(names=["month", "leg_index"])
        table["month"] = table["month"].dt.to_timestamp().astype("datetime64[ms]")
        e = table.pop("leg_index").to_numpy()
        hub_ids = net.hubs["id"].to_numpy()
        table.insert(1, "leg", net.legs["id"].to_numpy()[e])
        table.insert(2, "from_hub", hub_ids[net.leg_from[e]])
        table.insert(3, "to_hub", hub_ids[net.leg_to[e]])
        table.insert(4, "corridor", np.array(CORRIDORS)[net.leg_corridor[e]])
        table.insert(5, "mode", np.array(MODES)[net.leg_mode[e]])
        return table

    def daily_market(self) -> pd.DataFrame:
        table = self._long(self.market[:, :, 0], MARKET_COLUMNS[0], CORRIDORS, "corridor")
        for i, name in enumerate(MARKET_COLUMNS[1:], start=1):
            table[name] = self.market[:, :, i].reshape(-1)
        return table

    def daily_supply(self) -> pd.DataFrame:
        """Per corridor with a supply chain: throughput, price, boats dispatched, delivered and seized, backlog,
        boats on the road, and the taxi-boat share of the day's launches."""
        table = self._long(self.supply[:, :, 0], SUPPLY_COLUMNS[0], CORRIDORS, "corridor")
        for i, name in enumerate(SUPPLY_COLUMNS[1:], start=1):
            table[name] = self.supply[:, :, i].reshape(-1)
        chained = [c for i, c in enumerate(CORRIDORS) if not np.isnan(self.supply[:, i, 0]).all()]
        return table[table["corridor"].isin(chained)].reset_index(drop=True)

    def daily_enforcement(self) -> pd.DataFrame:
        table = self._long(self.enforcement[:, :, 0], ENFORCEMENT_COLUMNS[0], self.units, "unit")
        for i, name in enumerate(ENFORCEMENT_COLUMNS[1:], start=1):
            table[name] = self.enforcement[:, :, i].reshape(-1)
        return table

    def daily_interventions(self) -> pd.DataFrame:
        table = self._long(self.intervention_state[:, :, 0], "intensity", self.interventions, "intervention")
        table["boats_seized"] = self.intervention_state[:, :, 1].reshape(-1)
        return table

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "daily_interventions": self.daily_interventions(),
            "daily_market": self.daily_market(),
            "daily_enforcement": self.daily_enforcement(),
            "daily_supply": self.daily_supply(),
            "daily_corridor": self.daily_corridor(),
            "daily_destination": self.daily_destination(),
            "daily_population": self.daily_population(),
            "daily_observed": self.daily_observed(),
            "monthly_leg": self.monthly_leg(),
        }

