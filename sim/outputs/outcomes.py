"""Every outcome of a run, declared once: its name, words, unit, the table and reduction that compute it, and the
published series it stands for.

The terminal summary, `compare`, sweeps, charts and the report all read these declarations, so a number has the
same definition, label and unit wherever it is shown. A scalar outcome reduces a run to one number; the same
reduction applied per day, week or month gives its series (`series_outcomes`), so monthly sums add up to the
run's total. Outcomes of kind "series" are levels (groups active, a queue) shown over time and left out of the
scalar tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pandas as pd

from sim.network import CORRIDORS, CROSSING_CORRIDORS, SINK_KINDS, SOURCES
from sim.network.loader import DATA_DIR
from sim.population.kernel import FIRST_FINAL, STATE_NAMES

REDUCTIONS: dict[str, str] = {
    "sum": "sum over the days",
    "ratio": "sum of the first columns over the sum of the `per` columns (undefined where that is 0)",
    "last": "value on the last day (of the run, or of each period)",
    "mean": "mean over the days",
    "count_days": "number of days on which the value is above 0",
    "sum_of_outcomes": "sum of other outcomes (`parts`)",
}
KINDS = ("scalar", "series")
RESOLUTIONS = ("day", "week", "month", "year")
TOTAL = "total"


@dataclass(frozen=True)
class Outcome:
    """One outcome: what it is called and measured in, and how it is computed from a run's tables."""

    name: str  # "<measure>.<corridor, destination, source or total>"
    label: str  # words for charts and tables
    unit: str
    kind: str  # "scalar" or "series"
    table: str  # run table it is computed from
    reduction: str  # a key of REDUCTIONS
    description: str
    observed: tuple[str, str] | None = None  # (route, metric) in sim/data/observed_calibration.csv
    columns: tuple[str, ...] = ()  # columns added up day by day (ratio: the numerator)
    per: tuple[str, ...] = ()  # ratio: the denominator's columns
    where: tuple[str, tuple[str, ...]] | None = None  # only rows whose column holds one of these values
    parts: tuple[str, ...] = ()  # sum_of_outcomes: the outcomes added
    group: str = ""  # group in compare's displacement table ("" = not there)
    detail: bool = False  # a breakdown (per corridor, per source): in scalar_outcomes, not in compare's runs

    @property
    def measure(self) -> str:
        return self.name.partition(".")[0]

    @property
    def subject(self) -> str:
        return self.name.partition(".")[2]

    @property
    def measure_label(self) -> str:
        """The words for what is counted ("Crossings"), without the place."""
        return MEASURES[self.measure][0]

    @property
    def place(self) -> str:
        """The words for where or whom ("English Channel"), without what is counted."""
        return self.label.removeprefix(f"{self.measure_label}: ")


# measure -> (label, unit, what it counts): the words every outcome of the measure is labelled with.
MEASURES: dict[str, tuple[str, str, str]] = {
    "crossings": ("Crossings", "people",
                  "completions of the legs an observer records (a border or a sea), once per person and leg"),
    "arrivals": ("Arrivals", "people", "people reaching a destination"),
    "deaths": ("Deaths", "deaths", "people who died on the way (realised, not only those recorded)"),
    "expected_deaths": ("Expected deaths", "deaths", "deaths as probabilities (each traveller's chance of dying, "
                        "summed): the mean of realised deaths without the noise of the death draws"),
    "intercepted": ("Intercepted", "people", "people stopped on a leg and turned back or detained"),
    "prevented": ("Prevented from departing", "people",
                  "people whose departure was prevented (e.g. a launch stopped on the beach): people, not boats"),
    "give_ups": ("Gave up", "people", "people who settled on the way or went home"),
    "en_route_at_end": ("Still on the way", "people", "people in a non-final state at the end of the period"),
    "people_per_boat": ("People per boat", "people/boat", "people aboard the boats launched over boats launched"),
    "price": ("Price of a place", "EUR/place", "smugglers' revenue over the places paid for"),
    "revenue_eur": ("Smugglers' revenue", "EUR", "what migrants paid smugglers"),
    "arrests": ("Arrests", "arrests", "people arrested by the enforcement units"),
    "boats_seized": ("Boats seized", "boats", "boats seized by enforcement units and supply-chain interventions"),
    "departures": ("Departures", "people", "people who set off on a leg"),
    "landings": ("Landings", "people", "people who completed a leg"),
    "rescued": ("Rescued", "people", "people rescued at sea"),
    "boats": ("Boats launched", "boats", "boats launched on sea legs"),
    "boats_landed": ("Boats landed", "boats", "boats that landed (not stopped on the beach, intercepted or lost), "
                     "counted on the day they landed: the Home Office's boats arriving"),
    "people_per_boat_landed": ("People per boat landed", "people/boat", "people landed from boats over boats "
                               "landed, as the Home Office computes people per boat (people arriving / boats "
                               "arriving)"),
    "crossing_days": ("Days with boat landings", "days", "days on which at least one boat landed"),
    "settled": ("Settled on the way", "people", "people who gave up and stayed where they were"),
    "gone_home": ("Went home", "people", "people who gave up and went back"),
    "recorded": ("Recorded", "people", "what the source would record: its share of the crossings it observes "
                 "and, as Frontex counts detections, people stopped at its land borders or intercepted by the EU "
                 "side at sea, each attempt (observation.*_recorded_share)"),
    "recorded_boats": ("Boats recorded", "boats", "boats the source would record arriving (its share of the boats "
                       "landed on the legs it observes)"),
    "recorded_people_per_boat": ("People per boat recorded", "people/boat", "people the source records over the "
                                 "boats it records arriving, as the Home Office computes people per boat"),
    "recorded_deaths": ("Deaths recorded", "deaths", "deaths the IOM Missing Migrants Project would record (its "
                        "share by corridor, observation.deaths_recorded_share): what the published deaths count"),
    "detections": ("Detections", "people", "what the route's sources would record, added up (sea and land)"),
    "groups": ("Smuggling groups active", "groups", "smuggling groups operating on the corridor"),
    "awaiting_decision": ("Awaiting a decision", "people", "people arrested and awaiting a prosecution decision"),
}
CORRIDOR_LABELS: dict[str, str] = {
    "approach": "Approach (origins to coasts)", "eastern_med": "Eastern Mediterranean",
    "western_balkans": "Western Balkans", "central_med": "Central Mediterranean",
    "western_med": "Western Mediterranean", "onward": "Onward (within Europe)", "channel": "English Channel",
    "western_african": "Western African (Atlantic)", "eastern_land": "Eastern land borders", "air": "Air",
}
SOURCE_LABELS: dict[str, str] = {
    "frontex_eastern_med_sea": "Frontex, Eastern Med sea", "frontex_eastern_med_land": "Frontex, Eastern Med land",
    "frontex_western_balkans": "Frontex, Western Balkans", "frontex_central_med": "Frontex, Central Med",
    "frontex_western_med": "Frontex, Western Med", "ho_small_boat": "Home Office, small boats",
    "uk_port_detection": "UK port detections", "calais_lorry_detections": "Calais lorry detections",
    "iom_missing_migrants": "IOM Missing Migrants (deaths)",
    "frontex_western_african": "Frontex, Western African (Atlantic)",
    "frontex_eastern_land": "Frontex, eastern land borders",
}
# Published series each observation source stands for: (route, metric) in observed_calibration.csv.
SOURCE_OBSERVED: dict[str, tuple[str, str]] = {
    "frontex_eastern_med_sea": ("eastern_med", "sea_detections"),
    "frontex_eastern_med_land": ("eastern_med", "land_detections"),
    "frontex_western_balkans": ("western_balkans", "detections"),
    "frontex_central_med": ("central_med", "detections"),
    "frontex_western_med": ("western_med", "detections"),
    "ho_small_boat": ("channel", "arrivals"),
    "frontex_western_african": ("western_african", "detections"),
    "frontex_eastern_land": ("eastern_land", "detections"),
}
# Published series that several sources add up to: (route, metric) -> the sources.
SOURCES_ADDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("eastern_med", "detections"): ("frontex_eastern_med_sea", "frontex_eastern_med_land"),
}
# Routes for which the calibration file has deaths, and Channel series with the model's meaning.
OBSERVED_DEATHS = ("eastern_med", "western_balkans", "central_med", "western_med", "channel", "western_african")
OBSERVED_CHANNEL = ("people_per_boat", "crossing_days", "boats")
ACTIVE_STATES = STATE_NAMES[:FIRST_FINAL]
# Columns the recorder does not write but outcomes need, computed from daily_corridor's own columns.
DERIVED: dict[str, tuple[str, ...]] = {
    "people_aboard": ("people_per_boat", "boats"),  # people_per_boat x boats: people who left on boats
    "places_paid": ("revenue_eur", "mean_price_eur"),  # revenue / price on days with a price
    "revenue_paid_eur": ("revenue_eur", "mean_price_eur"),  # revenue on days with a price
}


@cache
def sinks() -> tuple[tuple[str, str], ...]:
    """(hub id, name) of the shipped network's destinations, in hubs.csv order."""
    hubs = pd.read_csv(DATA_DIR / "hubs.csv")
    hubs = hubs[hubs["kind"].isin(SINK_KINDS)]
    return tuple(zip(hubs["id"], hubs["name"], strict=True))


def _declare(measure: str, subject: str, place: str, table: str, reduction: str, **fields) -> Outcome:
    label, unit, description = MEASURES[measure]
    return Outcome(f"{measure}.{subject}", f"{label}: {place}", unit, fields.pop("kind", "scalar"), table,
                   reduction, description, **fields)


def _corridor(measure: str, corridor: str, reduction: str = "sum", columns: tuple[str, ...] | None = None,
              **fields) -> Outcome:
    """An outcome of one corridor (or of all: TOTAL) from daily_corridor."""
    where = None if corridor == TOTAL else ("corridor", (corridor,))
    place = CORRIDOR_LABELS.get(corridor, "all corridors")
    return _declare(measure, corridor, place, fields.pop("table", "daily_corridor"), reduction,
                    columns=columns or (measure,), where=where, **fields)


def _declarations() -> tuple[Outcome, ...]:
    """Every outcome, in display order: compare's headline outcomes first, then the breakdowns."""
    crossing, fate, by_dest = "crossings by corridor", "fate", "arrivals by destination"
    out = [_corridor("crossings", c, group=crossing) for c in CROSSING_CORRIDORS]
    out += [_declare("arrivals", hub, name, "daily_destination", "sum", columns=("arrivals",),
                     where=("destination", (hub,)), group=by_dest) for hub, name in sinks()]
    out.append(_declare("arrivals", TOTAL, "all destinations", "daily_destination", "sum", columns=("arrivals",),
                        group=by_dest))
    out.append(_corridor("deaths", TOTAL, group=fate))
    out += [_corridor("deaths", c) for c in CORRIDORS]
    out.append(_corridor("expected_deaths", TOTAL, group=fate))
    out += [_corridor("expected_deaths", c, detail=True) for c in CORRIDORS]
    out += [_corridor("intercepted", TOTAL), _corridor("prevented", TOTAL),
            _corridor("give_ups", TOTAL, columns=("settled", "gone_home"), group=fate),
            _declare("en_route_at_end", TOTAL, "all corridors", "daily_population", "last", columns=("people",),
                     where=("state", ACTIVE_STATES), group=fate)]
    channel = {m: ("channel", m) for m in OBSERVED_CHANNEL}
    out += [_corridor("people_per_boat", c, "ratio", ("people_aboard",), per=("boats",)) for c in CROSSING_CORRIDORS]
    out += [_corridor("people_per_boat_landed", c, "ratio", ("boat_landings",), per=("boats_landed",), detail=True)
            for c in CROSSING_CORRIDORS]
    out += [_corridor("price", c, "ratio", ("revenue_paid_eur",), per=("places_paid",)) for c in CROSSING_CORRIDORS]
    out += [_corridor("revenue_eur", TOTAL),
            _declare("arrests", TOTAL, "all units", "daily_enforcement", "sum", columns=("arrests",)),
            _declare("boats_seized", TOTAL, "all", "daily_enforcement+daily_interventions", "sum_of_outcomes",
                     parts=("boats_seized.enforcement", "boats_seized.interventions"))]
    # Breakdowns: the per-corridor totals of the terminal summary, what each source records, seizures by whom.
    for measure in ("departures", "landings", "prevented", "intercepted", "rescued", "revenue_eur", "settled",
                    "gone_home"):
        out += [_corridor(measure, c, detail=True) for c in CORRIDORS]
    out += [_corridor("boats", c, detail=True) for c in CROSSING_CORRIDORS]
    out += [_corridor("boats_landed", c, detail=True) for c in CROSSING_CORRIDORS]
    out += [_corridor("recorded_deaths", c, columns=("deaths_recorded",), detail=True,
                      observed=(c, "deaths") if c in OBSERVED_DEATHS else None) for c in CROSSING_CORRIDORS]
    out += [_corridor("crossing_days", c, "count_days", ("boat_landings",), detail=True,
                      observed=channel["crossing_days"] if c == "channel" else None) for c in CROSSING_CORRIDORS]
    out += [_declare("recorded", s, SOURCE_LABELS[s], "daily_observed", "sum", columns=("recorded",),
                     where=("source", (s,)), observed=SOURCE_OBSERVED.get(s), detail=True) for s in SOURCES]
    home_office = ("source", ("ho_small_boat",))
    out += [_declare("recorded_boats", "ho_small_boat", SOURCE_LABELS["ho_small_boat"], "daily_observed", "sum",
                     columns=("boats_recorded",), where=home_office, observed=channel["boats"], detail=True),
            _declare("recorded_people_per_boat", "ho_small_boat", SOURCE_LABELS["ho_small_boat"], "daily_observed",
                     "ratio", columns=("recorded",), per=("boats_recorded",), where=home_office,
                     observed=channel["people_per_boat"], detail=True)]
    out += [_declare("detections", route, CORRIDOR_LABELS[route], "daily_observed", "sum_of_outcomes",
                     parts=tuple(f"recorded.{s}" for s in sources), observed=(route, metric), detail=True)
            for (route, metric), sources in SOURCES_ADDED.items()]
    out += [_declare("boats_seized", "enforcement", "enforcement units", "daily_enforcement", "sum",
                     columns=("boats_seized",), detail=True),
            _declare("boats_seized", "interventions", "supply-chain interventions", "daily_interventions", "sum",
                     columns=("boats_seized",), detail=True)]
    # Levels over time.
    out += [_corridor("groups", c, "mean", table="daily_market", kind="series", detail=True)
            for c in CROSSING_CORRIDORS]
    out.append(_declare("awaiting_decision", TOTAL, "all units", "daily_enforcement", "last",
                        columns=("awaiting_decision",), kind="series", detail=True))
    return tuple(out)


OUTCOMES: tuple[Outcome, ...] = _declarations()
_BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}


def combined(names: Sequence[str]) -> Outcome:
    """One outcome summing outcomes of the same measure (e.g. crossings of an intervention's target corridors),
    named `measure.a+b`; every part must be a sum."""
    parts = [outcome(n) for n in names]
    measure = parts[0].measure
    if any(p.measure != measure or p.reduction not in ("sum", "sum_of_outcomes") for p in parts):
        raise ValueError(f"cannot add {', '.join(names)}: only sums of one measure add up")
    first = parts[0]
    return replace(first, name=f"{measure}.{'+'.join(p.subject for p in parts)}",
                   label=f"{MEASURES[measure][0]}: {' + '.join(p.label.partition(': ')[2] for p in parts)}",
                   reduction="sum_of_outcomes", parts=tuple(p.name for p in parts), columns=(), where=None,
                   observed=None, group="", detail=False)


def outcome(name: str) -> Outcome:
    """The declaration of `name` (a combined `measure.a+b` too); KeyError naming the allowed outcomes."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    measure, _, subject = name.partition(".")
    if "+" in subject and all(f"{measure}.{s}" in _BY_NAME for s in subject.split("+")):
        return combined([f"{measure}.{s}" for s in subject.split("+")])
    raise KeyError(f"unknown outcome {name!r}; allowed: {', '.join(_BY_NAME)} (or measure.a+b of sums)")


def unit_of(name: str) -> str:
    """The unit an outcome is measured in."""
    return outcome(name).unit


def label_of(name: str) -> str:
    """The words an outcome is shown with."""
    return outcome(name).label


def _with_derived(daily: pd.DataFrame) -> pd.DataFrame:
    """daily_corridor plus the DERIVED columns."""
    priced = daily["mean_price_eur"] > 0  # False where NaN: no priced departures that day
    return daily.assign(
        people_aboard=(daily["people_per_boat"].fillna(0.0) * daily["boats"]),
        places_paid=(daily["revenue_eur"] / daily["mean_price_eur"]).where(priced, 0.0),
        revenue_paid_eur=daily["revenue_eur"].where(priced, 0.0),
    )


class _Days:
    """A run's tables as [day, key, column] arrays, built once per call and shared by every outcome read from them."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = dict(tables)
        self.tables["daily_corridor"] = _with_derived(self.tables["daily_corridor"])
        self.dates = pd.DatetimeIndex(np.sort(self.tables["daily_corridor"]["date"].unique()))
        self._cubes: dict[tuple[str, str | None], tuple[dict[str, int], dict[str, int], np.ndarray]] = {}

    def _cube(self, table: str, by: str | None) -> tuple[dict[str, int], dict[str, int], np.ndarray]:
        """(key -> index, column -> index, sums[day, key, column]) of a table's numeric columns."""
        if (table, by) not in self._cubes:
            df = self.tables[table]
            numeric = df.select_dtypes("number")
            day = self.dates.get_indexer(pd.DatetimeIndex(df["date"]))
            codes, keys = pd.factorize(df[by]) if by is not None else (np.zeros(len(df), np.int64), [None])
            sums = np.zeros((len(self.dates), len(keys), numeric.shape[1]))
            recorded = day >= 0  # a row dated outside the recorded days counts nowhere
            np.add.at(sums, (day[recorded], codes[recorded]), numeric.fillna(0.0).to_numpy(dtype=float)[recorded])
            self._cubes[(table, by)] = ({k: i for i, k in enumerate(keys)},
                                        {c: i for i, c in enumerate(numeric.columns)}, sums)
        return self._cubes[(table, by)]

    def column(self, o: Outcome, columns: tuple[str, ...]) -> np.ndarray | None:
        """Per run day, `columns` added up over the rows `o.where` keeps; None if the run has no such table."""
        if self.tables.get(o.table) is None:
            return None
        keys, index, sums = self._cube(o.table, o.where[0] if o.where is not None else None)
        picked = [keys[k] for k in o.where[1] if k in keys] if o.where is not None else [0]
        return sums[:, picked][:, :, [index[c] for c in columns]].sum(axis=(1, 2))


def _reduce(o: Outcome, days: _Days, codes: np.ndarray, n: int) -> np.ndarray:
    """The outcome per period; `codes` numbers each day's period 0..n-1 in date order."""
    num = days.column(o, o.columns)
    if num is None:
        return np.full(n, np.nan)
    count = np.bincount(codes, minlength=n)
    match o.reduction:
        case "sum":
            return np.bincount(codes, weights=num, minlength=n)
        case "ratio":
            den = np.bincount(codes, weights=days.column(o, o.per), minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(den > 0, np.bincount(codes, weights=num, minlength=n) / den, np.nan)
        case "last":
            return num[np.cumsum(count) - 1]
        case "mean":
            return np.bincount(codes, weights=num, minlength=n) / count
        case "count_days":
            return np.bincount(codes, weights=(num > 0).astype(float), minlength=n)
    raise ValueError(f"outcome {o.name}: unknown reduction {o.reduction!r}; allowed: {', '.join(REDUCTIONS)}")


def _values(selected: Iterable[Outcome], days: _Days, codes: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Each selected outcome per period (sum_of_outcomes from its parts, each computed once)."""
    done: dict[str, np.ndarray] = {}

    def value(o: Outcome) -> np.ndarray:
        if o.name not in done:
            if o.reduction == "sum_of_outcomes":
                done[o.name] = np.sum([value(outcome(p)) for p in o.parts], axis=0)
            else:
                done[o.name] = _reduce(o, days, codes, n)
        return done[o.name]

    return {o.name: value(o) for o in selected}


def scalar_outcomes(tables: dict[str, pd.DataFrame], names: Sequence[str] | None = None) -> dict[str, float]:
    """Every scalar outcome of one run (or those named) over its recorded days; NaN where undefined (a price
    nobody paid) or the run has no such table."""
    selected = [outcome(n) for n in names] if names is not None else [o for o in OUTCOMES if o.kind == "scalar"]
    days = _Days(tables)
    values = _values(selected, days, np.zeros(len(days.dates), np.int64), 1)
    return {name: float(v[0]) for name, v in values.items()}


def run_outcomes(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The headline scalar outcomes of one run (breakdowns marked `detail` left out): what `compare` tables."""
    return scalar_outcomes(tables, [o.name for o in OUTCOMES if o.kind == "scalar" and not o.detail])


def period_starts(dates: pd.DatetimeIndex, resolution: str) -> np.ndarray:
    """The start of each date's day, week (from Monday), month or year."""
    dates = pd.DatetimeIndex(dates).normalize()
    match resolution:
        case "day":
            starts = dates
        case "week":
            starts = dates - pd.to_timedelta(dates.day_of_week, unit="D")
        case "month":
            starts = dates - pd.to_timedelta(dates.day - 1, unit="D")
        case "year":
            starts = dates - pd.to_timedelta(dates.day_of_year - 1, unit="D")
        case _:
            raise ValueError(f"unknown resolution {resolution!r}; allowed: {', '.join(RESOLUTIONS)}")
    return starts.to_numpy(dtype="datetime64[ms]")


SERIES_COLUMNS = ["outcome", "date", "days", "value"]


def series_outcomes(tables: dict[str, pd.DataFrame], resolution: str = "month",
                    names: Sequence[str] | None = None) -> pd.DataFrame:
    """Long table `outcome, date, days, value`: every outcome (or those named) per day, week, month or year.

    date is the period's start; days the run's days in it, so a part period (a run starting mid-month) is kept
    and can be told from a whole one; sums over the periods equal the run's totals."""
    selected = [outcome(n) for n in names] if names is not None else list(OUTCOMES)
    days = _Days(tables)
    starts, codes, counts = np.unique(period_starts(days.dates, resolution), return_inverse=True, return_counts=True)
    values = _values(selected, days, codes, len(starts))
    table = pd.DataFrame({
        "outcome": np.repeat(np.array(list(values), dtype=object), len(starts)),
        "date": np.tile(starts, len(values)),
        "days": np.tile(counts, len(values)).astype("int64"),
        "value": np.concatenate([*values.values(), np.zeros(0)]).astype("float64"),
    })
    return table[SERIES_COLUMNS]
