"""Fixed vocabularies of the route network.

The position of a name in its tuple is the integer code used in numpy arrays and in the Numba kernel, so the
order is part of the format: append new names at the end, never reorder.
"""

CORRIDORS: tuple[str, ...] = (
    "approach",
    "eastern_med",
    "western_balkans",
    "central_med",
    "western_med",
    "onward",
    "channel",
    "western_african",
    "eastern_land",
    "air",
)
# `air`: a flight whose seats (visas granted, boarding allowed) are sold like places on a boat, without weather.
MODES: tuple[str, ...] = ("land", "sea", "lorry", "air")
MODE_LAND = 0
MODE_SEA = 1
MODE_LORRY = 2
MODE_AIR = 3
HUB_KINDS: tuple[str, ...] = ("origin", "transit", "coast", "landing", "destination")
# Only destinations end a journey: nobody leaves the system except by settling, going home or dying.
SINK_KINDS: tuple[str, ...] = ("destination",)
# Corridors where people cross a border or a sea; `approach` and `onward` are movements inside regions, and
# `air` entries are not counted as crossings by any source the model reproduces.
CROSSING_CORRIDORS: tuple[str, ...] = (
    "eastern_med", "western_balkans", "central_med", "western_med", "channel", "western_african", "eastern_land",
)
# Sources that record crossings of legs (legs.csv `observed_as`), then sources the recorder derives otherwise.
LEG_SOURCES: tuple[str, ...] = (
    "frontex_eastern_med_sea",
    "frontex_eastern_med_land",
    "frontex_western_balkans",
    "frontex_central_med",
    "frontex_western_med",
    "ho_small_boat",
    "uk_port_detection",
    "frontex_western_african",
    "frontex_eastern_land",
)
SOURCES: tuple[str, ...] = (*LEG_SOURCES, "calais_lorry_detections", "iom_missing_migrants")
# Hub ids of the destination hubs; also the share columns of origins.csv, in this order.
PREFERRED_DESTINATIONS: tuple[str, ...] = ("uk", "france", "germany", "italy", "spain", "other_eu")

assert MODES[MODE_LAND] == "land" and MODES[MODE_SEA] == "sea" and MODES[MODE_LORRY] == "lorry"
assert MODES[MODE_AIR] == "air"

# Countries (hub `country` codes) in Europe, where people waiting to travel on earn European wages.
EUROPE = ("GR", "MK", "RS", "BG", "BA", "HR", "SI", "HU", "AT", "DE", "IT", "FR", "BE", "ES", "MT", "GB", "EU",
          "PL", "LT", "LV")
