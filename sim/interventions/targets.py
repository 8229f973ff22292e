"""Resolving an intervention's target to the legs it acts on, with clear errors for unknown places."""

import numpy as np

from sim.network import CORRIDORS, MODE_AIR, MODE_LAND, MODE_LORRY, MODE_SEA, Network


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


# Which legs of its target each kind acts on.
LEGS_ACTED_ON = {
    "launch_prevention": "sea", "supply_chain_seizures": "paid sea", "border_closure": "land",
    "enforcement_funding": "paid", "prosecution_capacity": "paid", "financial_disruption": "paid",
    "facilitator_penalties": "paid", "online_takedown": "paid", "maritime_surveillance": "sea",
    "search_and_rescue": "sea", "return_agreement": "sea", "port_security": "lorry", "leg_capacity": "any",
    "intelligence_sharing": "paid", "reference_change": "any",
}
# A reference change acts on the legs of its target that read the attribute (docs/ODD.md 7.16).
REFERENCE_LEGS = {
    "price_eur": "any", "people_per_boat": "paid", "p_prevent": "sea, lorry or air", "p_intercept": "sea, lorry or air",
    "p_rescue": "sea", "death_risk": "land, sea or lorry", "travel_days": "any",
}
SINK_KINDS = ("removals", "illegal_working_raids")  # these target a destination hub


def _filter(net: Network, legs: np.ndarray, which: str) -> np.ndarray:
    mode = net.leg_mode[legs]
    paid = (mode != MODE_LAND) & (net.price_eur[legs] > 0)
    keep = {"sea": mode == MODE_SEA, "paid sea": (mode == MODE_SEA) & paid, "land": mode == MODE_LAND,
            "paid": paid, "lorry": mode == MODE_LORRY, "sea, lorry or air": mode != MODE_LAND,
            "land, sea or lorry": mode != MODE_AIR, "any": np.ones(len(legs), bool)}[which]
    return legs[keep]


def intervention_legs(net: Network, item) -> np.ndarray:
    """What an intervention acts on (`legs_for`); a reference change, the target's legs that read its attribute."""
    if item.kind != "reference_change":
        return legs_for(net, item.kind, *item.target.kind_and_value)
    which = REFERENCE_LEGS[item.attribute]
    try:
        return legs_for(net, item.kind, *item.target.kind_and_value, which=which)
    except UnknownTarget as err:
        raise UnknownTarget(f"{err} ({item.attribute} is read on {which} legs)") from None


def legs_for(net: Network, kind: str, target_kind: str, value: str, which: str | None = None) -> np.ndarray:
    """What an intervention of this kind acts on: legs of its target (e.g. sea legs for seizures; `which` legs
    when given), or, for kinds acting on a destination, the destination's index among the sinks."""
    if kind in SINK_KINDS:
        hub_ids = list(net.hubs["id"])
        if target_kind != "hub" or value not in hub_ids or net.hub_dest[hub_ids.index(value)] < 0:
            sinks = ", ".join(net.hubs["id"].iloc[net.dest_hubs])
            raise UnknownTarget(f"a {kind} acts on a destination: give target = {{ hub = ... }} with one of: {sinks}")
        return np.array([net.hub_dest[hub_ids.index(value)]])
    if target_kind == "origin":
        if kind != "online_takedown":
            raise UnknownTarget(f"a {kind} cannot target an origin; use corridor, hub, country or leg")
        origins = list(net.origins["origin"])
        if value not in origins:
            raise UnknownTarget(f"unknown origin region {value!r}; allowed: {', '.join(origins)}")
        return _filter(net, np.arange(net.n_legs), LEGS_ACTED_ON[kind])
    which = which or LEGS_ACTED_ON[kind]
    legs = _filter(net, target_legs(net, target_kind, value), which)
    if len(legs) == 0:
        raise UnknownTarget(f"{target_kind} {value!r} has no {which} legs for a {kind} to act on")
    return legs
