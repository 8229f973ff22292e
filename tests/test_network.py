"""The shipped route network is valid and connected, and bad network data fails with a precise message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.network import (
    CORRIDORS,
    HUB_KINDS,
    LEG_SOURCES,
    MODE_LAND,
    MODES,
    PREFERRED_DESTINATIONS,
    SINK_KINDS,
    Network,
    NetworkError,
    load_network,
)
from sim.network.loader import DATA_DIR


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


def test_shipped_network_loads_with_consistent_arrays(net: Network) -> None:
    assert 60 <= net.n_hubs <= 90
    assert net.n_legs == len(net.legs) > net.n_hubs
    assert list(net.hubs["id"]) == list(net.hub_index)
    assert net.legs["id"].is_unique
    for name in (
        "leg_from",
        "leg_to",
        "leg_mode",
        "leg_corridor",
        "travel_days",
        "price_eur",
        "death_risk",
        "capacity_people_per_day",
        "people_per_boat",
        "p_prevent",
        "p_intercept",
        "p_rescue",
        "observed_as",
        "observed_share",
    ):
        arr = getattr(net, name)
        assert arr.shape == (net.n_legs,), name
        assert not np.isnan(arr.astype(float)).any(), name
    assert (
        net.hub_kind.dtype == np.int8 and net.leg_from.dtype == np.int32 and net.travel_days.dtype == np.int16
    )
    assert (net.travel_days >= 1).all()
    assert ((net.death_risk >= 0) & (net.death_risk < 1)).all()
    land = net.leg_mode == MODE_LAND
    assert (net.capacity_people_per_day[land] == 0).all() and (net.people_per_boat[land] == 1).all()
    assert (net.capacity_people_per_day[~land] > 0).all() and (net.people_per_boat[~land] >= 1).all()
    observed = net.observed_as >= 0
    assert ((net.observed_share[observed] > 0) & (net.observed_share[observed] <= 1)).all()
    assert (net.observed_share[~observed] == 0).all()


def test_destinations_origins_and_their_indices(net: Network) -> None:
    ids = net.hubs["id"].to_numpy()
    assert [ids[net.dest_hubs[i]] for i in net.preferred_dest] == list(PREFERRED_DESTINATIONS)
    # The sinks are the destinations and nothing else: no outlet where people would leave the system.
    assert sorted(ids[net.dest_hubs]) == sorted(PREFERRED_DESTINATIONS)
    assert "outlet" not in HUB_KINDS and SINK_KINDS == ("destination",)
    assert (net.hub_dest[net.dest_hubs] == np.arange(net.n_dests)).all()
    assert (net.hub_dest >= 0).sum() == net.n_dests
    assert list(ids[net.origin_hubs]) == list(net.origins["origin"])
    assert (net.hub_origin[net.origin_hubs] == np.arange(net.n_origins)).all()
    assert set(ids[net.origin_hubs]) == set(ids[net.hub_kind == HUB_KINDS.index("origin")])
    np.testing.assert_allclose(net.dest_shares.sum(axis=1), 1.0, atol=1e-6)
    assert (net.budget_eur_median > 0).all() and (net.budget_eur_sigma >= 0).all()


def test_every_origin_reaches_every_destination_its_people_may_prefer(net: Network) -> None:
    """People already in Europe who head for the UK prefer only the UK; every other origin's people may prefer
    any destination, and each origin must reach all it gives a share."""
    g = net.graph()
    for row in net.origins.itertuples():
        reach = nx.descendants(g, row.origin)
        preferred = [d for d in PREFERRED_DESTINATIONS if getattr(row, d) > 0]
        missing = [d for d in preferred if d not in reach]
        assert not missing, f"{row.origin} cannot reach {missing}"
        assert len(preferred) == len(PREFERRED_DESTINATIONS) or row.origin == "in_europe", row.origin


def test_every_non_sink_hub_reaches_a_destination_and_sinks_are_terminal(net: Network) -> None:
    g = net.graph()
    for hub, kind in zip(net.hubs["id"], net.hub_kind, strict=True):
        if HUB_KINDS[kind] == "destination":
            assert g.out_degree(hub) == 0, hub
        else:
            assert set(nx.descendants(g, hub)) & set(PREFERRED_DESTINATIONS), hub


def test_graph_carries_hub_and_leg_attributes(net: Network) -> None:
    g = net.graph()
    assert g.number_of_nodes() == net.n_hubs and g.number_of_edges() == net.n_legs
    assert g.nodes["kent"]["kind"] == "landing" and g.nodes["kent"]["pos"][1] > 50
    edge = g.edges["northern_france_coast", "kent"]
    assert edge["mode"] == "sea" and edge["corridor"] == "channel" and edge["observed_as"] == "ho_small_boat"
    assert edge["index"] == net.legs.index[net.legs["id"] == "northern_france_coast->kent"][0]


def test_csr_matches_legs(net: Network) -> None:
    assert net.out_start.shape == (net.n_hubs + 1,) and net.out_start[0] == 0
    assert net.out_start[-1] == net.n_legs
    assert sorted(net.out_legs.tolist()) == list(range(net.n_legs))
    for hub in range(net.n_hubs):
        chunk = net.out_legs[net.out_start[hub] : net.out_start[hub + 1]]
        assert chunk.tolist() == np.flatnonzero(net.leg_from == hub).tolist()


@pytest.mark.parametrize("name", ["hubs", "legs", "origins"])
def test_every_row_has_a_source(name: str) -> None:
    table = pd.read_csv(DATA_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    assert (table["source"].str.strip().str.len() > 0).all()


def test_every_vocabulary_entry_is_used(net: Network) -> None:
    assert set(net.legs["corridor"]) == set(CORRIDORS)
    assert set(net.legs["mode"]) == set(MODES)
    assert set(net.hubs["kind"]) == set(HUB_KINDS)
    assert set(net.legs["observed_as"]) - {""} == set(LEG_SOURCES)


def test_channel_legs_match_the_brief(net: Network) -> None:
    legs = net.legs.set_index("id")
    boat, lorry = legs.loc["northern_france_coast->kent"], legs.loc["calais_ports->dover_port"]
    assert (boat["mode"], lorry["mode"]) == ("sea", "lorry")
    assert 100 <= boat["capacity_people_per_day"] <= 300 and boat["p_intercept"] == 0
    assert 0.4 <= boat["p_prevent"] <= 0.5


# ---------------------------------------------------------------------------------------------- bad inputs

Edit = Callable[[pd.DataFrame], pd.DataFrame]


def _set(row_match: dict[str, str], column: str, value: str) -> Edit:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        mask = np.logical_and.reduce([df[k] == v for k, v in row_match.items()])
        assert mask.sum() == 1, row_match
        df.loc[mask, column] = value
        return df

    return edit


def _append_copy_of(row_match: dict[str, str], **changes: str) -> Edit:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        mask = np.logical_and.reduce([df[k] == v for k, v in row_match.items()])
        row = df[mask].iloc[[0]].assign(**changes)
        return pd.concat([df, row], ignore_index=True)

    return edit


def _chain(*edits: Edit) -> Edit:
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        for one in edits:
            df = one(df)
        return df

    return edit


def _drop(column: str, value: str) -> Edit:
    return lambda df: df[df[column] != value]


CHANNEL = {"from": "northern_france_coast", "to": "kent"}
BAD_INPUTS: list[tuple[str, str, Edit | None, list[str]]] = [
    (
        "unknown hub in a leg",
        "legs",
        _set({"from": "van", "to": "istanbul"}, "to", "atlantis"),
        ["atlantis", "'to'", "row 2"],
    ),
    ("duplicate hub id", "hubs", _append_copy_of({"id": "istanbul"}), ["istanbul", "duplicate"]),
    (
        "unknown mode",
        "legs",
        _set(CHANNEL, "mode", "hovercraft"),
        ["hovercraft", "'mode'", "land, sea, lorry, air"],
    ),
    ("unknown corridor", "legs", _set(CHANNEL, "corridor", "arctic"), ["arctic", "'corridor'"]),
    ("unknown source", "legs", _set(CHANNEL, "observed_as", "frontex_channel"), ["frontex_channel"]),
    ("unknown kind", "hubs", _set({"id": "kent"}, "kind", "beach"), ["beach", "'kind'"]),
    ("probability above 1", "legs", _set(CHANNEL, "p_prevent", "1.5"), ["'p_prevent'", "1.5", "[0, 1]"]),
    ("death risk of 1", "legs", _set(CHANNEL, "death_risk", "1"), ["'death_risk'", "[0, 1)"]),
    ("negative price", "legs", _set(CHANNEL, "price_eur", "-5"), ["'price_eur'", "-5"]),
    (
        "fractional travel days",
        "legs",
        _set(CHANNEL, "travel_days", "1.5"),
        ["'travel_days'", "1.5", "integer"],
    ),
    ("non-numeric latitude", "hubs", _set({"id": "kent"}, "lat", "north"), ["'lat'", "north"]),
    ("latitude out of range", "hubs", _set({"id": "kent"}, "lat", "95"), ["'lat'", "95"]),
    (
        "sea leg without capacity",
        "legs",
        _set(CHANNEL, "capacity_people_per_day", ""),
        ["capacity_people_per_day", "sea legs"],
    ),
    (
        "land leg with boat load",
        "legs",
        _set({"from": "kent", "to": "uk"}, "people_per_boat", "30"),
        ["people_per_boat", "land legs"],
    ),
    ("share without source", "legs", _set(CHANNEL, "observed_as", ""), ["observed_share"]),
    ("duplicate leg", "legs", _append_copy_of(CHANNEL), ["northern_france_coast->kent", "duplicate"]),
    (
        "sink with outgoing leg",
        "legs",
        _append_copy_of({"from": "kent", "to": "uk"}, **{"from": "uk", "to": "kent"}),
        ["'uk'", "sink"],
    ),
    ("hub without outgoing legs", "legs", _drop("from", "bihac"), ["hubs.csv", "bihac", "no outgoing"]),
    ("unreachable destination", "legs", _drop("to", "spain"), ["hubs.csv", "spain", "no origin can reach"]),
    (
        "hub that cannot reach a destination",
        "legs",
        _chain(_set({"from": "kent", "to": "uk"}, "to", "dover_port"),
               _set({"from": "dover_port", "to": "uk"}, "to", "kent")),
        ["hubs.csv", "kent", "cannot reach any destination"],
    ),
    ("outlet hub refused", "hubs", _set({"id": "canary_islands"}, "kind", "outlet"), ["outlet", "'kind'"]),
    (
        "air leg without seats",
        "legs",
        _set({"from": "iraq", "to": "minsk"}, "capacity_people_per_day", ""),
        ["capacity_people_per_day", "air legs"],
    ),
    (
        "shares not summing to 1",
        "origins",
        _set({"origin": "albania"}, "uk", "0.6"),
        ["albania", "0.9", "sum to 1"],
    ),
    (
        "origin that is not an origin hub",
        "origins",
        _set({"origin": "albania"}, "origin", "istanbul"),
        ["istanbul", "transit"],
    ),
    ("origin hub without a row", "origins", _drop("origin", "south_asia"), ["south_asia", "no row"]),
    (
        "budget of zero",
        "origins",
        _set({"origin": "albania"}, "budget_eur_median", "0"),
        ["budget_eur_median", "(0, inf)"],
    ),
    ("blank source", "hubs", _set({"id": "kent"}, "source", ""), ["'source'"]),
    ("extra column", "hubs", lambda df: df.assign(population="1"), ["population", "unexpected"]),
    ("missing column", "legs", lambda df: df.drop(columns="p_rescue"), ["p_rescue", "missing"]),
    ("missing file", "origins", None, ["not found"]),
]


@pytest.mark.parametrize(("case", "name", "edit", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_a_precise_error(
    tmp_path: Path, case: str, name: str, edit: Edit | None, expected: list[str]
) -> None:
    for csv in DATA_DIR.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    target = tmp_path / f"{name}.csv"
    if edit is None:
        target.unlink()
    else:
        table = pd.read_csv(target, dtype=str, keep_default_na=False)
        edit(table).to_csv(target, index=False)
    with pytest.raises(NetworkError) as excinfo:
        load_network(tmp_path)
    message = str(excinfo.value)
    assert target.name in message, message
    for part in expected:
        assert part in message, f"{case}: {part!r} not in {message!r}"


def test_unedited_copy_loads(tmp_path: Path) -> None:
    for csv in DATA_DIR.glob("*.csv"):
        shutil.copy(csv, tmp_path / csv.name)
    for csv in tmp_path.glob("*.csv"):  # round-trip through pandas, as the bad-input tests do
        pd.read_csv(csv, dtype=str, keep_default_na=False).to_csv(csv, index=False)
    assert load_network(tmp_path).n_legs == load_network().n_legs
