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
    "other",
)
MODES: tuple[str, ...] = ("land", "sea", "lorry")
MODE_LAND = 0
MODE_SEA = 1
MODE_LORRY = 2
HUB_KINDS: tuple[str, ...] = ("origin", "transit", "coast", "landing", "destination", "outlet")
SINK_KINDS: tuple[str, ...] = ("destination", "outlet")
# Corridors where people cross a border or a sea; `approach` and `onward` are movements inside regions.
CROSSING_CORRIDORS: tuple[str, ...] = (
    "eastern_med", "western_balkans", "central_med", "western_med", "channel", "other",
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
)
SOURCES: tuple[str, ...] = (*LEG_SOURCES, "calais_lorry_detections", "iom_missing_migrants")
# Hub ids of the destination hubs; also the share columns of origins.csv, in this order.
PREFERRED_DESTINATIONS: tuple[str, ...] = ("uk", "france", "germany", "italy", "spain", "other_eu")

assert MODES[MODE_LAND] == "land" and MODES[MODE_SEA] == "sea" and MODES[MODE_LORRY] == "lorry"

# Countries (hub `country` codes) in Europe, where people waiting to travel on earn European wages.
EUROPE = ("GR", "MK", "RS", "BG", "BA", "HR", "SI", "HU", "AT", "DE", "IT", "FR", "BE", "ES", "MT", "GB", "EU")
