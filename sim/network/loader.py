"""Load and validate the route network (hubs, legs, origins) from CSV into numpy arrays.

Everything is checked once here, with messages naming the file, row and column, so that the kernel and the
model can trust the arrays without re-checking them on the hot path.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .vocab import CORRIDORS, HUB_KINDS, LEG_SOURCES, MODE_LAND, MODES, PREFERRED_DESTINATIONS, SINK_KINDS

DATA_DIR = Path(__file__).parent / "data"
HUB_COLUMNS = ("id", "name", "country", "lat", "lon", "kind", "source")
LEG_COLUMNS = ("from", "to", "mode", "corridor", "travel_days", "price_eur", "death_risk",
               "capacity_people_per_day", "people_per_boat", "p_prevent", "p_intercept", "p_rescue",
               "observed_as", "observed_share", "source")
ORIGIN_COLUMNS = ("origin", *PREFERRED_DESTINATIONS, "budget_eur_median", "budget_eur_sigma", "source")
BOAT_COLUMNS = ("capacity_people_per_day", "people_per_boat", "p_prevent", "p_intercept", "p_rescue")
_HUB_ID = re.compile(r"[a-z][a-z0-9_]*")


class NetworkError(ValueError):
    """Raised with one clear message naming the file, the row/key and what is allowed."""


@dataclass(frozen=True, eq=False)
class Network:
    """The validated route network: tables for people, arrays (codes from vocab) for the kernel."""

    hubs: pd.DataFrame
    legs: pd.DataFrame
    origins: pd.DataFrame
    hub_index: dict[str, int]
    hub_kind: np.ndarray
    leg_from: np.ndarray
    leg_to: np.ndarray
    leg_mode: np.ndarray
    leg_corridor: np.ndarray
    travel_days: np.ndarray
    price_eur: np.ndarray
    death_risk: np.ndarray
    capacity_people_per_day: np.ndarray
    people_per_boat: np.ndarray
    p_prevent: np.ndarray
    p_intercept: np.ndarray
    p_rescue: np.ndarray
    observed_as: np.ndarray
    observed_share: np.ndarray
    out_start: np.ndarray
    out_legs: np.ndarray
    dest_hubs: np.ndarray
    hub_dest: np.ndarray
    origin_hubs: np.ndarray
    hub_origin: np.ndarray
    dest_shares: np.ndarray
    preferred_dest: np.ndarray
    budget_eur_median: np.ndarray
    budget_eur_sigma: np.ndarray

    @property
    def n_hubs(self) -> int:
        return len(self.hubs)

    @property
    def n_legs(self) -> int:
        return len(self.legs)

    @property
    def n_origins(self) -> int:
        return len(self.origins)

    @property
    def n_dests(self) -> int:
        return len(self.dest_hubs)

    def graph(self) -> nx.DiGraph:
        """Hubs as nodes, legs as edges, with all their columns; `pos` = (lon, lat) spares Mesa a layout."""
        g = nx.DiGraph()
        for i, row in enumerate(self.hubs.to_dict("records")):
            g.add_node(row["id"], index=i, pos=(row["lon"], row["lat"]),
                       **{k: v for k, v in row.items() if k != "id"})
        for i, row in enumerate(self.legs.to_dict("records")):
            attrs = {k: v for k, v in row.items() if k not in ("from", "to")}
            g.add_edge(row["from"], row["to"], index=i, **attrs)
        return g


def _error(path: Path, row: int, column: str, value: object, allowed: str) -> NetworkError:
    """Build the uniform message; `row` is 0-based here and reported 1-based (line = row + 2)."""
    return NetworkError(f"{path}: row {row + 1} (line {row + 2}), column {column!r}: {value!r} {allowed}")


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read every cell as a stripped string so each conversion below can report the exact bad cell."""
    if not path.is_file():
        raise NetworkError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        raise NetworkError(f"{path}: cannot be read as UTF-8 CSV: {exc}") from exc
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns]
    if missing or extra:
        raise NetworkError(f"{path}: missing columns {missing}, unexpected columns {extra}; "
                           f"expected exactly {list(columns)}")
    df = df.loc[:, list(columns)].apply(lambda col: col.str.strip())
    for i, text in enumerate(df["source"]):
        if not text:
            raise _error(path, i, "source", text, "must cite a source or say 'assumption: why'")
    return df


def _numbers(path: Path, df: pd.DataFrame, column: str, lo: float, hi: float = math.inf, *,
             lo_open: bool = False, hi_open: bool = False, blank_ok: bool = False,
             integer: bool = False) -> np.ndarray:
    """Parse a numeric column (blank -> NaN where allowed) and check its range."""
    interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open or math.isinf(hi) else ']'}"
    allowed = f"must be {'an integer' if integer else 'a number'} in {interval}"
    out = np.full(len(df), np.nan)
    for i, text in enumerate(df[column]):
        if not text:
            if blank_ok:
                continue
            raise _error(path, i, column, text, f"is blank: {allowed}")
        try:
            value = float(int(text)) if integer else float(text)
        except ValueError:
            raise _error(path, i, column, text, allowed) from None
        below = value <= lo if lo_open else value < lo
        above = value >= hi if hi_open else value > hi
        if not math.isfinite(value) or below or above:
            raise _error(path, i, column, text, allowed)
        out[i] = value
    return out


def _codes(path: Path, df: pd.DataFrame, column: str, vocab: tuple[str, ...] | dict[str, int],
           blank_ok: bool = False) -> np.ndarray:
    """Map names to their index in `vocab` (a vocab.py tuple, or the hub index; -1 for an allowed blank)."""
    if isinstance(vocab, dict):
        index, allowed = vocab, "is not a hub id in hubs.csv"
    else:
        index, allowed = {name: i for i, name in enumerate(vocab)}, f"is not one of: {', '.join(vocab)}"
    out = np.full(len(df), -1, dtype=np.int64)
    for i, text in enumerate(df[column]):
        if text in index:
            out[i] = index[text]
        elif not (blank_ok and not text):
            raise _error(path, i, column, text, allowed + (" (or blank)" if blank_ok else ""))
    return out


def _reachable(starts: list[int], adjacency: list[list[int]]) -> np.ndarray:
    """Breadth-first search: which nodes can be reached from `starts`."""
    seen = np.zeros(len(adjacency), dtype=bool)
    seen[starts] = True
    queue = deque(starts)
    while queue:
        for nxt in adjacency[queue.popleft()]:
            if not seen[nxt]:
                seen[nxt] = True
                queue.append(nxt)
    return seen


def _load_hubs(path: Path) -> tuple[pd.DataFrame, dict[str, int], np.ndarray]:
    hubs = _read(path, HUB_COLUMNS)
    hub_index: dict[str, int] = {}
    for i, hub_id in enumerate(hubs["id"]):
        if not _HUB_ID.fullmatch(hub_id):
            raise _error(path, i, "id", hub_id, "must be snake_case ([a-z][a-z0-9_]*)")
        if hub_id in hub_index:
            raise _error(path, i, "id", hub_id, f"is a duplicate (first at row {hub_index[hub_id] + 1})")
        hub_index[hub_id] = i
    hubs["lat"] = _numbers(path, hubs, "lat", -90, 90)
    hubs["lon"] = _numbers(path, hubs, "lon", -180, 180)
    kind = _codes(path, hubs, "kind", HUB_KINDS).astype(np.int8)
    dest_ids = set(hubs["id"][kind == HUB_KINDS.index("destination")])
    if dest_ids != set(PREFERRED_DESTINATIONS):
        raise NetworkError(f"{path}: hubs of kind 'destination' are {sorted(dest_ids)}; "
                           f"they must be exactly {list(PREFERRED_DESTINATIONS)}")
    return hubs, hub_index, kind


def _load_legs(path: Path, hub_index: dict[str, int]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    legs = _read(path, LEG_COLUMNS)
    a: dict[str, np.ndarray] = {
        "leg_from": _codes(path, legs, "from", hub_index).astype(np.int32),
        "leg_to": _codes(path, legs, "to", hub_index).astype(np.int32),
        "leg_mode": _codes(path, legs, "mode", MODES).astype(np.int8),
        "leg_corridor": _codes(path, legs, "corridor", CORRIDORS).astype(np.int8),
        "observed_as": _codes(path, legs, "observed_as", LEG_SOURCES, blank_ok=True).astype(np.int8),
    }
    seen: dict[tuple[str, str], int] = {}
    for i, (frm, to, mode) in enumerate(zip(legs["from"], legs["to"], legs["mode"], strict=True)):
        # One leg per ordered pair (stricter than per from,to,mode): unique "from->to" ids, an exact DiGraph.
        if (frm, to) in seen:
            raise _error(path, i, "to", to, f"duplicates the leg {frm}->{to} at row {seen[frm, to] + 1} "
                         f"(mode {mode}): only one leg per (from, to) pair is allowed")
        if frm == to:
            raise _error(path, i, "to", to, "must differ from 'from'")
        seen[frm, to] = i
    boat = a["leg_mode"] != MODE_LAND
    for col in BOAT_COLUMNS:  # checked on the text, so the message shows the cell as written
        blank = (legs[col] == "").to_numpy()
        if (bad := np.flatnonzero(boat & blank)).size:
            raise _error(path, int(bad[0]), col, "", f"must be given for {legs['mode'].iat[bad[0]]} legs")
        if (bad := np.flatnonzero(~boat & ~blank)).size:
            raise _error(path, int(bad[0]), col, legs[col].iat[bad[0]], "must be blank for land legs")
    if (bad := np.flatnonzero((a["observed_as"] >= 0) == (legs["observed_share"] == "").to_numpy())).size:
        raise _error(path, int(bad[0]), "observed_share", legs["observed_share"].iat[bad[0]],
                     "must be given exactly when observed_as is given")
    for col, lo, hi, lo_open, hi_open in [("travel_days", 1, math.inf, False, False),
                                          ("price_eur", 0, math.inf, False, False),
                                          ("death_risk", 0, 1, False, True),
                                          ("capacity_people_per_day", 0, math.inf, True, False),
                                          ("people_per_boat", 1, math.inf, False, False),
                                          ("p_prevent", 0, 1, False, False),
                                          ("p_intercept", 0, 1, False, False),
                                          ("p_rescue", 0, 1, False, False),
                                          ("observed_share", 0, 1, True, False)]:
        legs[col] = _numbers(path, legs, col, lo, hi, lo_open=lo_open, hi_open=hi_open,
                             blank_ok=col in BOAT_COLUMNS + ("observed_share",), integer=col == "travel_days")
    legs["travel_days"] = legs["travel_days"].astype(np.int64)
    legs.insert(0, "id", legs["from"] + "->" + legs["to"])
    a["travel_days"] = legs["travel_days"].to_numpy(np.int16)
    for col in ("price_eur", "death_risk", "observed_share", *BOAT_COLUMNS):
        a[col] = np.nan_to_num(legs[col].to_numpy(np.float64), nan=0.0)
    a["people_per_boat"][~boat] = 1.0
    return legs, a


def _check_graph(hubs_path: Path, legs_path: Path, hubs: pd.DataFrame, kind: np.ndarray,
                 leg_from: np.ndarray, leg_to: np.ndarray) -> None:
    """Sinks end journeys; every other hub must lead on to a destination, and every sink be reachable."""
    n = len(hubs)
    sink = np.isin(kind, [HUB_KINDS.index(k) for k in SINK_KINDS])
    forward: list[list[int]] = [[] for _ in range(n)]
    backward: list[list[int]] = [[] for _ in range(n)]
    for i, (f, t) in enumerate(zip(leg_from.tolist(), leg_to.tolist(), strict=True)):
        if sink[f]:
            raise _error(legs_path, i, "from", hubs["id"].iat[f],
                         f"is a {HUB_KINDS[kind[f]]} hub (a sink): it cannot have outgoing legs")
        forward[f].append(t)
        backward[t].append(f)
    from_origins = _reachable(np.flatnonzero(kind == HUB_KINDS.index("origin")).tolist(), forward)
    to_dest = _reachable(np.flatnonzero(kind == HUB_KINDS.index("destination")).tolist(), backward)
    for h in range(n):
        if not sink[h] and not forward[h]:
            raise _error(hubs_path, h, "id", hubs["id"].iat[h], "is not a sink but has no outgoing legs in "
                         f"{legs_path}")
        if not sink[h] and not to_dest[h]:
            raise _error(hubs_path, h, "id", hubs["id"].iat[h],
                         f"cannot reach any destination via {legs_path}")
        if sink[h] and not from_origins[h]:
            raise _error(hubs_path, h, "id", hubs["id"].iat[h],
                         f"is a {HUB_KINDS[kind[h]]} that no origin can reach via {legs_path}")


def _load_origins(path: Path, hubs: pd.DataFrame, hub_index: dict[str, int],
                  kind: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    origins = _read(path, ORIGIN_COLUMNS)
    origin_hubs = _codes(path, origins, "origin", hub_index).astype(np.int32)
    rows: dict[int, int] = {}
    for i, h in enumerate(origin_hubs.tolist()):
        if HUB_KINDS[kind[h]] != "origin":
            raise _error(path, i, "origin", origins["origin"].iat[i],
                         f"is a {HUB_KINDS[kind[h]]} hub, not an origin")
        if h in rows:
            raise _error(path, i, "origin", origins["origin"].iat[i], f"is a duplicate of row {rows[h] + 1}")
        rows[h] = i
    for h in np.flatnonzero(kind == HUB_KINDS.index("origin")).tolist():
        if h not in rows:
            raise NetworkError(f"{path}: origin hub {hubs['id'].iat[h]!r} has no row (each origin needs one)")
    for col in PREFERRED_DESTINATIONS:
        origins[col] = _numbers(path, origins, col, 0, 1)
    for i, total in enumerate(origins[list(PREFERRED_DESTINATIONS)].sum(axis=1)):
        if abs(total - 1.0) > 1e-6:
            raise _error(path, i, "+".join(PREFERRED_DESTINATIONS), round(total, 9),
                         f"(shares of {origins['origin'].iat[i]!r}) must sum to 1 (±1e-6)")
    origins["budget_eur_median"] = _numbers(path, origins, "budget_eur_median", 0, lo_open=True)
    origins["budget_eur_sigma"] = _numbers(path, origins, "budget_eur_sigma", 0)
    return origins, origin_hubs


def load_network(directory: Path | None = None) -> Network:
    """Load hubs.csv, legs.csv and origins.csv from `directory` (default: the package's data folder)."""
    directory = Path(directory) if directory is not None else DATA_DIR
    paths = {name: directory / f"{name}.csv" for name in ("hubs", "legs", "origins")}
    hubs, hub_index, kind = _load_hubs(paths["hubs"])
    legs, a = _load_legs(paths["legs"], hub_index)
    _check_graph(paths["hubs"], paths["legs"], hubs, kind, a["leg_from"], a["leg_to"])
    origins, origin_hubs = _load_origins(paths["origins"], hubs, hub_index, kind)

    n = len(hubs)
    out_legs = np.argsort(a["leg_from"], kind="stable").astype(np.int32)
    out_start = np.zeros(n + 1, dtype=np.int32)
    out_start[1:] = np.cumsum(np.bincount(a["leg_from"], minlength=n))
    sinks = [np.flatnonzero(kind == HUB_KINDS.index(k)) for k in SINK_KINDS]
    dest_hubs = np.concatenate(sinks).astype(np.int32)
    hub_dest = np.full(n, -1, dtype=np.int32)
    hub_dest[dest_hubs] = np.arange(len(dest_hubs), dtype=np.int32)
    hub_origin = np.full(n, -1, dtype=np.int32)
    hub_origin[origin_hubs] = np.arange(len(origin_hubs), dtype=np.int32)
    return Network(
        hubs=hubs, legs=legs, origins=origins, hub_index=hub_index, hub_kind=kind,
        out_start=out_start, out_legs=out_legs, dest_hubs=dest_hubs, hub_dest=hub_dest,
        origin_hubs=origin_hubs, hub_origin=hub_origin,
        dest_shares=origins[list(PREFERRED_DESTINATIONS)].to_numpy(np.float64),
        preferred_dest=np.array([hub_dest[hub_index[d]] for d in PREFERRED_DESTINATIONS], dtype=np.int32),
        budget_eur_median=origins["budget_eur_median"].to_numpy(np.float64),
        budget_eur_sigma=origins["budget_eur_sigma"].to_numpy(np.float64),
        **a,
    )
