"""The route-flow map: hubs at their longitude and latitude over a simplified coastline, legs drawn with width
proportional to the people who set off on them and coloured by corridor; for a comparison, the change against the
base (legs that gained solid, legs that lost dashed).

The coastline is Natural Earth's 1:110m land clipped to the study area, shipped in `data/` (see its README);
nothing is downloaded. matplotlib's object API only (no pyplot).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from sim.network.loader import DATA_DIR
from sim.outputs.charts import corridor_color, corridor_label

COASTLINE = Path(__file__).parent / "data" / "land_110m_study_area.json"
MAX_WIDTH_PT = 9.0  # the busiest leg's line width
MIN_WIDTH_PT = 0.4
LABELLED_KINDS = ("origin", "destination", "coast")  # transit and landing hubs unlabelled: legible


@cache
def coastline() -> tuple[tuple[float, float], tuple[float, float], tuple[np.ndarray, ...]]:
    """(lon range, lat range, land rings as (n, 2) lon/lat arrays) of the shipped coastline."""
    data = json.loads(COASTLINE.read_text())
    return tuple(data["lon"]), tuple(data["lat"]), tuple(np.asarray(r, dtype=float) for r in data["rings"])


def hubs() -> pd.DataFrame:
    """The shipped network's hubs (id, name, lon, lat, kind), indexed by id."""
    return pd.read_csv(DATA_DIR / "hubs.csv").set_index("id")


def leg_flows(monthly_leg: pd.DataFrame) -> pd.DataFrame:
    """People who set off on each leg over the run: `from_hub, to_hub, corridor, people`."""
    flows = monthly_leg.groupby(["from_hub", "to_hub", "corridor"], as_index=False)["departures"].sum()
    return flows.rename(columns={"departures": "people"})


def _base_map(title: str) -> tuple[Figure, object]:
    lon, lat, rings = coastline()
    fig = Figure(figsize=(11.0, 6.6), layout="constrained")
    ax = fig.subplots()
    for ring in rings:
        ax.add_patch(Polygon(ring, closed=True, facecolor="#EEEEE8", edgecolor="#9A9A90", linewidth=0.5, zorder=0))
    ax.set_xlim(*lon)
    ax.set_ylim(*lat)
    ax.set_aspect(1.0 / np.cos(np.deg2rad(np.mean(lat))))  # equirectangular, true scale at the mid latitude
    ax.set_facecolor("#F4F8FB")
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_title(title)
    return fig, ax


def _hubs(ax, places: pd.DataFrame, used: set[str]) -> None:
    shown = places[places.index.isin(used)]
    ax.scatter(shown["lon"], shown["lat"], s=14, color="#333333", zorder=3)
    for row in shown.to_dict("records"):
        if row["kind"] in LABELLED_KINDS:
            ax.annotate(str(row["name"]).split(",")[0][:22], (row["lon"], row["lat"]), fontsize=6.5, zorder=4,
                        xytext=(3, 2), textcoords="offset points", color="#222222")


def _segments(flows: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    known = flows["from_hub"].isin(places.index) & flows["to_hub"].isin(places.index)
    flows = flows[known].copy()
    for end, column in (("from_hub", "0"), ("to_hub", "1")):
        flows["lon" + column] = places.loc[flows[end], "lon"].to_numpy()
        flows["lat" + column] = places.loc[flows[end], "lat"].to_numpy()
    return flows


def _draw(ax, flows: pd.DataFrame, value: str, largest: float, style: str = "solid") -> None:
    for corridor, part in flows.groupby("corridor", sort=False):
        lines = [((r.lon0, r.lat0), (r.lon1, r.lat1)) for r in part.itertuples()]
        widths = MIN_WIDTH_PT + (MAX_WIDTH_PT - MIN_WIDTH_PT) * part[value].abs().to_numpy() / largest
        ax.add_collection(LineCollection(lines, linewidths=widths, colors=corridor_color(str(corridor)),
                                         linestyles=style, alpha=0.8, capstyle="round", zorder=2))


def _width_key(largest: float, unit: str) -> list[Line2D]:
    return [Line2D([], [], color="0.3", linewidth=MIN_WIDTH_PT + (MAX_WIDTH_PT - MIN_WIDTH_PT) * share,
                   label=f"{largest * share:,.0f} {unit}") for share in (1.0, 0.5, 0.1)]


def route_map(flows: pd.DataFrame, title: str, places: pd.DataFrame | None = None) -> Figure:
    """Legs with width proportional to `flows.people` (people who set off on the leg), coloured by corridor."""
    places = hubs() if places is None else places
    flows = _segments(flows[flows["people"] > 0], places)
    fig, ax = _base_map(title)
    largest = float(flows["people"].max()) if len(flows) else 0.0
    if largest > 0:
        _draw(ax, flows, "people", largest)
    _hubs(ax, places, set(flows["from_hub"]) | set(flows["to_hub"]))
    corridors = list(dict.fromkeys(flows.sort_values("people", ascending=False)["corridor"]))
    handles = [Line2D([], [], color=corridor_color(c), linewidth=3, label=corridor_label(c)) for c in corridors]
    if largest > 0:
        handles += _width_key(largest, "people")
    else:
        ax.text(0.5, 0.5, "nobody travelled", transform=ax.transAxes, ha="center", va="center", color="0.4")
    if handles:
        ax.legend(handles=handles, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  title="corridor; line width: people", title_fontsize="x-small")
    return fig


def change_map(base: pd.DataFrame, alt: pd.DataFrame, title: str, places: pd.DataFrame | None = None) -> Figure:
    """The change per leg of `people` from `base` to `alt` (mean flows): legs that gained solid, lost dashed,
    width proportional to the size of the change, coloured by corridor."""
    places = hubs() if places is None else places
    keys = ["from_hub", "to_hub", "corridor"]
    both = base.merge(alt, on=keys, how="outer", suffixes=("_base", "_alt")).fillna({"people_base": 0.0,
                                                                                    "people_alt": 0.0})
    both["change"] = both["people_alt"] - both["people_base"]
    both = _segments(both[both["change"].abs() >= 0.5], places)
    fig, ax = _base_map(title)
    largest = float(both["change"].abs().max()) if len(both) else 0.0
    if largest > 0:
        _draw(ax, both[both["change"] > 0], "change", largest)
        _draw(ax, both[both["change"] < 0], "change", largest, style=(0, (2, 1.5)))
    _hubs(ax, places, set(both["from_hub"]) | set(both["to_hub"]))
    corridors = list(dict.fromkeys(both.assign(size=both["change"].abs()).sort_values(
        "size", ascending=False)["corridor"]))
    handles = [Line2D([], [], color=corridor_color(c), linewidth=3, label=corridor_label(c)) for c in corridors]
    handles += [Line2D([], [], color="0.3", linewidth=2, label="more people (solid)"),
                Line2D([], [], color="0.3", linewidth=2, linestyle=(0, (2, 1.5)), label="fewer people (dashed)")]
    if largest > 0:
        handles += _width_key(largest, "people of change")
    else:
        ax.text(0.5, 0.5, "no leg changed", transform=ax.transAxes, ha="center", va="center", color="0.4")
    ax.legend(handles=handles, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              title="corridor; width: size of the change", title_fontsize="x-small")
    return fig
