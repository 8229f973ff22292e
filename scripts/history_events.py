"""Which way the history's flows move after each policy event of DOMAIN.md, from policy inputs alone.

Runs `scenarios/history.toml` over R seeds and, per event, sets the 12 months from the event's month against the
12 months before it (a whole year each, so the seasons cancel): the route the event acts on, and where the
displaced flow goes (the route or leg that gained most). Routes are measured as the sources count them (Frontex
detections, the Home Office's small-boat arrivals: sim/validation/observed.py), legs by the people who got
through (landings), deaths per 1,000 crossings from the model's own counts. The expected direction and destination
are what happened (DOMAIN.md and the published totals named in each row); they score the model, they set nothing.

    python scripts/history_events.py [--replicates 3] [--scale 25] [--out docs/history_events.md]
"""

import argparse
import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import load_scenario
from sim.experiments.executor import replicate_seeds
from sim.outputs.outcomes import series_outcomes
from sim.runner import simulate
from sim.validation.observed import observed_outcomes

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Event:
    name: str
    date: dt.date
    what: str          # "corridor" (as published), "leg" (landings), "deaths" (deaths per 1,000 crossings)
    target: str        # the corridor or leg the event acts on
    expected: int      # +1 rises, -1 falls
    displaced_to: str  # the corridor (or leg) expected to gain most; "" where no displacement is expected
    among: tuple[str, ...] = ()  # legs compared for displacement (what = "leg")
    evidence: str = ""


EVENTS = (
    Event("Mare Nostrum ends", dt.date(2014, 11, 1), "deaths", "central_med", +1, "",
          evidence="deaths per crossing rose in the first half of 2015 (IOM; the April 2015 shipwrecks)"),
    Event("Hungary closes its Serbian border", dt.date(2015, 9, 15), "leg", "belgrade->budapest", -1,
          "belgrade->zagreb", ("belgrade->zagreb",), "flows shifted to Croatia (DOMAIN.md)"),
    Event("Balkan route closed and EU-Turkey statement", dt.date(2016, 3, 9), "corridor", "eastern_med", -1,
          "central_med", evidence="Eastern Med detections 885,386 (2015) to about 182,000 (2016); Central Med "
          "153,946 to 181,376 (Frontex)"),
    Event("Italy-Libya arrangements", dt.date(2017, 7, 15), "corridor", "central_med", -1, "western_med",
          evidence="Central Med about 119,000 (2017) to about 23,000 (2018); Western Med about 23,000 to "
          "about 57,000 (Frontex)"),
    Event("Lorry route hardened", dt.date(2018, 1, 1), "leg", "calais_ports->dover_port", -1,
          "northern_france_coast->kent", ("northern_france_coast->kent",),
          "small-boat arrivals 299 (2018) to 1,843 (2019) (Home Office)"),
    Event("Morocco funded", dt.date(2018, 12, 1), "corridor", "western_med", -1, "western_african",
          evidence="Western Med about 57,000 (2018) to about 24,000 (2019); Western African 2,718 (2019) to "
          "about 23,000 (2020) (Frontex)"),
    Event("Belarus visas and flights", dt.date(2021, 5, 1), "corridor", "eastern_land", +1, "",
          evidence="eastern land detections 615 (2020) to about 8,000 (2021) (Frontex)"),
    Event("Poland's fence completed", dt.date(2022, 6, 30), "corridor", "eastern_land", -1, "",
          evidence="eastern land detections lower in the year after mid-2022 than in 2021 (Frontex)"),
    Event("UK-France deal, 300 officers", dt.date(2022, 11, 14), "corridor", "channel", -1, "",
          evidence="small-boat arrivals 45,774 (2022) to 29,437 (2023) (Home Office)"),
    Event("EU-Tunisia memorandum", dt.date(2023, 7, 16), "corridor", "central_med", -1, "",
          evidence="Central Med about 158,000 (2023) to about 67,000 (2024) (Frontex)"),
)


def published_measure() -> dict[str, str]:
    """route -> the outcome that stands for its published yearly count: Frontex detections, or the Home Office's
    small-boat arrivals for the Channel (as the sources count them: push-backs and interceptions included)."""
    found = observed_outcomes()
    return {route: found[(route, metric)] for (route, metric) in found if metric in ("detections", "arrivals")}


def run_one(args: tuple[Path, int, float]) -> dict[str, pd.DataFrame]:
    path, seed, scale = args
    scenario = load_scenario(path).model_copy(update={"seed": seed, "scale": scale})
    tables = simulate(scenario).tables
    names = published_measure()
    monthly = series_outcomes(tables, "month", list(names.values()))
    routes = {outcome: route for route, outcome in names.items()}
    published = monthly.assign(corridor=monthly["outcome"].map(routes), published=monthly["value"])
    return {"corridor": tables["daily_corridor"], "leg": tables["monthly_leg"],
            "published": published[["date", "corridor", "published"]]}


def _window(event: Event) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    month = pd.Timestamp(event.date.year, event.date.month, 1)
    return month - pd.DateOffset(years=1), month, month + pd.DateOffset(years=1)


def _corridor_years(frame: pd.DataFrame, event: Event, measure: str) -> pd.DataFrame:
    """corridor x (before, after): the measure summed over the 12 months before and from the event's month."""
    before, month, after = _window(event)
    dates = pd.to_datetime(frame["date"])
    pick = {"before": (dates >= before) & (dates < month), "after": (dates >= month) & (dates < after)}
    return pd.DataFrame({k: frame[m].groupby("corridor")[measure].sum() for k, m in pick.items()})


def _leg_years(frame: pd.DataFrame, event: Event) -> pd.DataFrame:
    before, month, after = _window(event)
    months = pd.to_datetime(frame["month"])
    pick = {"before": (months >= before) & (months < month), "after": (months >= month) & (months < after)}
    return pd.DataFrame({k: frame[m].groupby("leg")["landings"].sum() for k, m in pick.items()})


def change(runs: list[dict[str, pd.DataFrame]], event: Event) -> dict[str, object]:
    """Median over replicates of the target's change, and the gainer each replicate shows."""
    target, gainers = [], []
    for run in runs:
        if event.what == "leg":
            years = _leg_years(run["leg"], event)
            keys = (event.target, *event.among)
        elif event.what == "deaths":
            deaths, crossings = _corridor_years(run["corridor"], event, "deaths"), \
                _corridor_years(run["corridor"], event, "crossings")
            years = deaths / crossings.where(crossings > 0) * 1000
            keys = (event.target,)
        else:
            years = _corridor_years(run["published"], event, "published")
            keys = tuple(years.index)
        years = years.reindex(keys).fillna(0.0)
        row = years.loc[event.target]
        target.append((row["after"] - row["before"]) / row["before"] if row["before"] > 0 else np.nan)
        others = (years["after"] - years["before"]).drop(event.target)
        gainers.append(others.idxmax() if len(others) and others.max() > 0 else "")
    median = float(np.nanmedian(target))
    gainer = max(set(gainers), key=gainers.count)
    return {"change": median, "direction_right": bool(np.sign(median) == event.expected),
            "gainer": gainer, "displacement_right": None if not event.displaced_to else gainer == event.displaced_to,
            "agree": f"{gainers.count(gainer)}/{len(gainers)}"}


def table(runs: list[dict[str, pd.DataFrame]]) -> pd.DataFrame:
    rows = []
    for event in EVENTS:
        found = change(runs, event)
        what = {"corridor": "detections as published" if event.target != "channel" else "small-boat arrivals",
                "leg": "people through (landings)", "deaths": "deaths per 1,000 crossings"}[event.what]
        rows.append({"event": f"{event.name} ({event.date})", "measure": f"{what}, {event.target}",
                     "expected": "rise" if event.expected > 0 else "fall",
                     "model change": f"{found['change']:+.0%}", "direction right": "yes" if found["direction_right"]
                     else "no", "expected to gain": event.displaced_to or "–",
                     "model's gainer (replicates agreeing)": f"{found['gainer'] or '–'} ({found['agree']})",
                     "displacement right": {None: "–", True: "yes", False: "no"}[found["displacement_right"]],
                     "what happened": event.evidence})
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame, replicates: int, scale: float) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    body = "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in frame.itertuples(index=False))
    right = (frame["direction right"] == "yes").sum()
    moved = frame[frame["displacement right"] != "–"]
    return (f"# The history's events: which way the flows moved\n\nGenerated by `python scripts/history_events.py "
            f"--replicates {replicates} --scale {scale:g}` from `scenarios/history.toml` (uncalibrated defaults; "
            f"no fitted overlay). Each event: the 12 months from its month against the 12 months before, median "
            f"over {replicates} replicates (run-to-run noise only; a direction on a small change may flip with "
            f"the seed). The expected direction and destination are what happened; they were not used to set "
            f"anything in the model.\n\nDirection right for {right} of {len(frame)} events; destination of "
            f"displacement right for {(moved['displacement right'] == 'yes').sum()} of {len(moved)}.\n\n"
            + head + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--scale", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write the table as markdown here")
    args = parser.parse_args()
    path = ROOT / "scenarios" / "history.toml"
    seeds = replicate_seeds(load_scenario(path).seed, args.replicates)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = list(pool.map(run_one, [(path, s, args.scale) for s in seeds]))
    frame = table(runs)
    text = markdown(frame, args.replicates, args.scale)
    print(text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
