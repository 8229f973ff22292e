"""Resolving an intervention's target to the legs it acts on, with clear errors for unknown places."""

import numpy as np

from sim.network import CORRIDORS, MODE_LAND, MODE_SEA, Network


class UnknownTarget(ValueError):
    """A target names a place the network does not have; the message lists what is allowed."""


def target_legs(net: Network, kind: str, value: str) -> np.ndarray:
    """Indices of the legs a target covers: a corridor's legs, or the legs leaving a hub or a country."""
    hub_ids = list(net.hubs["id"])
    if kind == "corridor":
        if value not in CORRIDORS:
            raise UnknownTarget(f"unknown corridor {value!r}; allowed: {', '.join(CORRIDORS)}")
        return np.flatnonzero(net.leg_corridor == CORRIDORS.index(value))
    if kind == "hub":
        if value not in hub_ids:
            raise UnknownTarget(f"unknown hub {value!r}; allowed: {', '.join(hub_ids)}")
        return np.flatnonzero(net.leg_from == hub_ids.index(value))
    if kind == "country":
        countries = sorted(set(net.hubs["country"]))
        if value not in countries:
            raise UnknownTarget(f"unknown country {value!r}; allowed: {', '.join(countries)}")
        hubs = np.flatnonzero(net.hubs["country"].to_numpy() == value)
        return np.flatnonzero(np.isin(net.leg_from, hubs))
    if kind == "leg":
        ids = list(net.legs["id"])
        if value not in ids:
            raise UnknownTarget(f"unknown leg {value!r}; legs are written from->to, e.g. {ids[0]!r}; "
                                "`routesim legs` lists them")
        return np.array([ids.index(value)])
    raise UnknownTarget(f"a target of kind {kind!r} does not name legs; use corridor, hub, country or leg")


MODES_ACTED_ON = {
    "launch_prevention": (MODE_SEA,),
    "supply_chain_seizures": (MODE_SEA,),
    "border_closure": (MODE_LAND,),
}


def legs_for(net: Network, kind: str, target_kind: str, value: str) -> np.ndarray:
    """The legs of the target on which an intervention of this kind can act (e.g. sea legs for seizures)."""
    legs = target_legs(net, target_kind, value)
    legs = legs[np.isin(net.leg_mode[legs], MODES_ACTED_ON[kind])]
    if kind == "supply_chain_seizures":
        legs = legs[net.price_eur[legs] > 0]
    if len(legs) == 0:
        modes = " or ".join(("land", "sea", "lorry")[m] for m in MODES_ACTED_ON[kind])
        raise UnknownTarget(f"{target_kind} {value!r} has no {modes} legs for a {kind} to act on")
    return legs
