"""A plain-Python reference of the kernel's daily step, for tests only.

Written as a reader would state the rules, person by person, with Python integers for the hash. Given the same
inputs it must leave every integer array (states, hubs, legs, days, attempts) and every counter exactly as the
kernel does, and budgets equal as float32: both compute in float64 and store float32. It is slow by design.

`step` is made of per-person functions that the agents engine (sim/population/agents.py, one `mesa.Agent` per
migrant) calls too: `_move_or_decide` (phase A), `_grant` (phase B, serial in id order, with `_places_today` and
`count_boats` around it) and `_board_and_count` (phase C), so the rules are written once. Float sums are formed in
the kernel's order (and per chunk, by the agents engine), so they are equal to the last bit.
"""

import math

import numpy as np

from sim.population import kernel as k

_MASK = (1 << 64) - 1


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def draw(seed: int, day: int, key: int, stream: int) -> float:
    """The kernel's counter-based uniform draw, in Python integers."""
    h = _mix((seed ^ stream) & _MASK)
    h = _mix(h ^ day)
    h = _mix(h ^ key)
    return (h >> 11) * 2.0**-53


def _cost(a: dict, net: dict, i: int, e: int) -> float:
    o, p = int(a["origin"][i]), int(a["pref"][i])
    return (net["cost_base"][o, e] + float(a["risk_av"][i]) * net["cost_risk"][o, e]
            + net["togo"][o, p, net["leg_to"][e]])


def _give_up(seed: int, day: int, a: dict, net: dict, i: int, out: dict) -> bool:
    """Draw whether the person at a hub gives up today; if so, settle or go home."""
    params = net["params"]
    base, wait = params[k.P_GIVE_UP_BASE], params[k.P_GIVE_UP_WAIT]
    att, short, settle = params[k.P_GIVE_UP_ATTEMPT], params[k.P_GIVE_UP_SHORTFALL], params[k.P_SETTLE_SHARE]
    h = int(a["hub"][i])
    legs = net["out_legs"][net["out_start"][h]:net["out_start"][h + 1]]
    cheapest = min((net["price"][e] for e in legs), default=math.inf)
    budget = float(a["budget"][i])
    shortfall = (cheapest - budget) / max(cheapest, 1.0) if cheapest > budget and cheapest > 0 else 0.0
    hazard = base * (1 + wait * a["days_waiting"][i] / 30.0) * (1 + att * a["attempts"][i]) * (1 + short * shortfall)
    if draw(seed, day, int(a["ids"][i]), k.S_GIVEUP) >= hazard:
        return False
    if net["hub_can_settle"][h] and draw(seed, day, int(a["ids"][i]), k.S_SETTLE) < settle:
        a["state"][i] = k.SETTLED
        out["hub"][h, k.H_SETTLED] += 1
    else:
        a["state"][i] = k.GONE_HOME
        out["hub"][h, k.H_GONE_HOME] += 1
    a["leg"][i] = -1
    return True


def _holds_package(a: dict, i: int, e: int) -> bool:
    """Whether the person has attempts left from a payment for leg e."""
    return e >= 0 and a["paid_leg"][i] == e and a["paid_left"][i] > 0


def _choose(seed: int, day: int, a: dict, net: dict, i: int) -> int:
    """Logit choice among affordable onward legs (not back to the previous hub); -1 if there is none."""
    h = int(a["hub"][i])
    togo = net["togo"][int(a["origin"][i]), int(a["pref"][i])]
    packaged = int(a["paid_leg"][i]) if _holds_package(a, i, int(a["paid_leg"][i])) else -1
    fare = {e: 0.0 if e == packaged else net["price"][e]
            for e in net["out_legs"][net["out_start"][h]:net["out_start"][h + 1]]}
    legs = [e for e, f in fare.items()
            if f <= a["budget"][i] and togo[net["leg_to"][e]] < togo[h] and net["leg_to"][e] != a["prev_hub"][i]]
    if not legs:
        return -1
    costs = [_cost(a, net, i, e) - (net["price"][e] - fare[e]) for e in legs]
    best = min(costs)
    weights = [math.exp((best - c) / net["params"][k.P_CHOICE_SCALE]) for c in costs]
    u = draw(seed, day, int(a["ids"][i]), k.S_CHOICE) * sum(weights)
    acc = 0.0
    for e, w in zip(legs, weights, strict=True):
        acc += w
        if u < acc:
            return int(e)
    return int(legs[-1])


def _move_or_decide(seed: int, day: int, a: dict, net: dict, i: int, out: dict) -> None:
    """Phase A for one person."""
    s = a["state"][i]
    if s in (k.TRAVELLING, k.AT_SEA):
        e = a["leg"][i]
        if a["days_left"][i] > 1:
            a["days_left"][i] -= 1
            return
        h = net["leg_to"][e]
        out["leg"][e, k.C_LANDED] += 1
        a["leg"][i], a["days_left"][i], a["days_waiting"][i] = -1, 0, 0
        mid = int(a["ids"][i])
        if s == k.AT_SEA and draw(seed, day, mid, k.S_RETURN) < net["p_return"][e]:
            out["leg"][e, k.C_RETURNED] += 1
            detention = net["params"][k.P_DETENTION_DAYS]
            a["hub"][i] = net["leg_from"][e]
            a["attempts"][i] = min(int(a["attempts"][i]) + 1, 127)
            a["state"][i] = k.DETAINED if detention >= 1 else k.RETURNED
            a["days_left"][i] = int(detention)
            return
        a["hub"][i] = h
        d = net["hub_sink"][h]
        if d < 0:
            a["state"][i] = k.WAITING
        elif draw(seed, day, mid, k.S_REMOVAL) < net["removal"][d, a["origin"][i]]:
            a["state"][i] = k.REMOVED
            out["hub"][h, k.H_REMOVED] += 1
        else:
            a["state"][i] = k.ARRIVED
            out["arrivals"][d, a["origin"][i]] += 1
        return
    if s == k.DETAINED:
        if a["days_left"][i] > 1:
            a["days_left"][i] -= 1
        else:
            a["days_left"][i], a["state"][i] = 0, k.RETURNED
        return
    if _give_up(seed, day, a, net, i, out):
        return
    if s == k.AT_COAST:
        a["days_waiting"][i] += 1
        e = a["leg"][i]
        if not _holds_package(a, i, e) and net["price"][e] > a["budget"][i]:
            a["state"][i], a["leg"][i] = k.WAITING, -1
            return
        out["leg"][e, k.C_WAITING] += 1
        return
    e = _choose(seed, day, a, net, i)
    if e < 0:
        a["budget"][i] += net["hub_earn"][a["hub"][i]]
        a["days_waiting"][i] += 1
        a["state"][i] = k.WAITING
        return
    a["leg"][i] = e
    if net["leg_mode"][e] == k.MODE_LAND:
        a["budget"][i] -= net["price"][e]
        out["revenue"][e] += net["price"][e]
        out["leg"][e, k.C_DEPARTED] += 1
        out["expected_deaths"][e] += net["land_death"][e]
        a["days_waiting"][i] = 0
        if draw(seed, day, int(a["ids"][i]), k.S_LAND_DEATH) < net["land_death"][e]:
            a["state"][i] = k.DEAD
            out["leg"][e, k.C_DIED] += 1
            return
        if draw(seed, day, int(a["ids"][i]), k.S_BORDER) < net["p_intercept"][e]:
            out["leg"][e, k.C_INTERCEPTED] += 1
            a["attempts"][i] = min(int(a["attempts"][i]) + 1, 127)
            a["state"][i], a["leg"][i] = k.RETURNED, -1
            return
        a["state"][i], a["days_left"][i], a["prev_hub"][i] = k.TRAVELLING, net["travel_days"][e], a["hub"][i]
    else:
        a["state"][i] = k.AT_COAST
        out["leg"][e, k.C_WAITING] += 1


def _board(seed: int, day: int, a: dict, net: dict, i: int, out: dict) -> None:
    """Phase C for one granted person: launch, interception and whole-boat loss are their boat's (shared by all
    aboard); if the boat has an incident, whether this person dies in it is their own draw."""
    e = int(a["leg"][i])
    key = e * 1048576 + int(a["days_left"][i])
    if _holds_package(a, i, e):
        a["paid_left"][i] -= 1
    else:
        a["budget"][i] -= net["price"][e]
        out["revenue"][e] += net["price"][e]
        a["paid_leg"][i], a["paid_left"][i] = e, max(int(net["params"][k.P_PAYMENT_ATTEMPTS]), 1) - 1
    out["leg"][e, k.C_DEPARTED] += 1
    out["leg"][e, k.C_WAITING] -= 1
    a["days_waiting"][i] = 0
    p_lost = net["p_distress"][e] * (1 - net["p_rescue"][e])
    out["expected_deaths"][e] += ((1 - net["p_prevent"][e]) * (1 - net["p_intercept"][e])
                                  * (p_lost + (1 - p_lost) * net["p_incident"][e] * net["p_incident_death"][e]))
    if draw(seed, day, key, k.S_PREVENT) < net["p_prevent"][e]:
        out["leg"][e, k.C_PREVENTED] += 1
        a["attempts"][i] = min(int(a["attempts"][i]) + 1, 127)
        a["state"][i], a["leg"][i], a["days_left"][i] = k.RETURNED, -1, 0
        return
    if draw(seed, day, key, k.S_INTERCEPT) < net["p_intercept"][e]:
        out["leg"][e, k.C_INTERCEPTED] += 1
        a["attempts"][i] = min(int(a["attempts"][i]) + 1, 127)
        detention = net["params"][k.P_DETENTION_DAYS]
        a["leg"][i], a["days_left"][i] = -1, int(detention)
        a["state"][i] = k.DETAINED if detention >= 1 else k.RETURNED
        return
    in_distress = draw(seed, day, key, k.S_DISTRESS) < net["p_distress"][e]
    if in_distress and draw(seed, day, key, k.S_RESCUE) >= net["p_rescue"][e]:
        out["leg"][e, k.C_DIED] += 1  # the whole boat is lost
        a["state"][i], a["leg"][i], a["days_left"][i] = k.DEAD, -1, 0
        return
    if in_distress:
        out["leg"][e, k.C_RESCUED] += 1
    if (draw(seed, day, key, k.S_INCIDENT) < net["p_incident"][e]
            and draw(seed, day, int(a["ids"][i]), k.S_INCIDENT_DEATH) < net["p_incident_death"][e]):
        out["leg"][e, k.C_DIED] += 1  # died in an incident aboard a boat that was not lost
        a["state"][i], a["leg"][i], a["days_left"][i] = k.DEAD, -1, 0
        return
    a["state"][i], a["days_left"][i], a["prev_hub"][i] = k.AT_SEA, net["travel_days"][e], a["hub"][i]


def boat_lands(seed: int, day: int, net: dict, e: int, boat: int) -> bool:
    """Whether boat number `boat` launched on leg e today lands: not stopped on the beach, not intercepted, not
    lost. The same draws decide, in `_board`, the fate of everyone aboard it."""
    key = e * 1048576 + boat
    if draw(seed, day, key, k.S_PREVENT) < net["p_prevent"][e] or draw(seed, day, key, k.S_INTERCEPT) < (
            net["p_intercept"][e]):
        return False
    lost = draw(seed, day, key, k.S_DISTRESS) < net["p_distress"][e] and (
        draw(seed, day, key, k.S_RESCUE) >= net["p_rescue"][e])
    return not lost


def count_boats(seed: int, day: int, scale: float, net: dict, granted: np.ndarray, out: dict) -> None:
    """Boats launched on each leg today (enough for the granted places at the day's load), and how many of them
    land (counter C_BOATS_LANDING, in boats)."""
    for e in range(len(granted)):
        out["boats"][e] = math.ceil(granted[e] * scale / net["load"][e] - 1e-9) if granted[e] else 0.0
        out["leg"][e, k.C_BOATS_LANDING] += sum(boat_lands(seed, day, net, e, b) for b in range(int(out["boats"][e])))


def _counters(net: dict) -> dict[str, np.ndarray]:
    """The day's counters, zeroed."""
    n_legs, n_hubs = len(net["leg_to"]), len(net["hub_sink"])
    return {
        "leg": np.zeros((n_legs, k.N_LEG_COUNTERS), np.int64), "revenue": np.zeros(n_legs),
        "hub": np.zeros((n_hubs, k.N_HUB_COUNTERS), np.int64), "states": np.zeros(k.N_STATES, np.int64),
        "arrivals": np.zeros(net["arrivals_shape"], np.int64), "boats": np.zeros(n_legs),
        "expected_deaths": np.zeros(n_legs),
    }


def _places_today(seed: int, day: int, scale: float, net: dict, requests: np.ndarray) -> np.ndarray:
    """Phase B: simulated places on each leg today (its places / scale, rounded by a draw) where anyone asks."""
    places_left = np.zeros(len(net["leg_to"]), np.int64)
    for e in range(len(places_left)):
        if requests[e] > 0 and net["places"][e] > 0:
            x = net["places"][e] / scale
            places_left[e] = int(x) + (draw(seed, day, e, k.S_PLACES) < x - math.floor(x))
    return places_left


def _grant(seed: int, day: int, scale: float, a: dict, net: dict, i: int, requests: np.ndarray,
           places_left: np.ndarray, granted: np.ndarray) -> None:
    """Phase B for one person queueing at a coast, in id order: selection sampling gives the leg's places to a
    uniformly random subset of its requesters; a granted person gets the number of their boat."""
    e = a["leg"][i]
    if places_left[e] > 0 and draw(seed, day, int(a["ids"][i]), k.S_GRANT) * requests[e] < places_left[e]:
        places_left[e] -= 1
        a["state"][i] = k.BOARDING
        a["days_left"][i] = int(granted[e] * scale / net["load"][e])
        granted[e] += 1
    requests[e] -= 1


def _grant_places(seed: int, day: int, scale: float, a: dict, net: dict, out: dict) -> None:
    """Phase B: places on each leg go to a uniformly random subset of its requesters, in id (row) order."""
    requests = out["leg"][:, k.C_WAITING].copy()
    places_left = _places_today(seed, day, scale, net, requests)
    granted = np.zeros(len(requests), np.int64)
    for i in range(len(a["ids"])):
        if a["state"][i] == k.AT_COAST:
            _grant(seed, day, scale, a, net, i, requests, places_left, granted)
    count_boats(seed, day, scale, net, granted, out)


def _board_and_count(seed: int, day: int, a: dict, net: dict, i: int, out: dict) -> None:
    """Phase C for one person: a granted person boards and shares their boat's fate; everyone still travelling
    is counted by state (and on their leg)."""
    if a["state"][i] == k.BOARDING:
        _board(seed, day, a, net, i, out)
    s = a["state"][i]
    if s < k.FIRST_FINAL:
        out["states"][s] += 1
        if s in (k.TRAVELLING, k.AT_SEA):
            out["leg"][a["leg"][i], k.C_ON_LEG] += 1


def step(seed: int, day: int, scale: float, a: dict[str, np.ndarray], net: dict) -> dict[str, np.ndarray]:
    """One day for every person in `a` (arrays, changed in place); returns the day's counters."""
    out = _counters(net)
    n = len(a["ids"])
    for i in range(n):
        if a["state"][i] < k.FIRST_FINAL:
            _move_or_decide(seed, day, a, net, i, out)
    _grant_places(seed, day, scale, a, net, out)
    for i in range(n):
        _board_and_count(seed, day, a, net, i, out)
    return out
