"""The route network: hubs, legs and origins as validated data (see docs/architecture.md)."""

from .loader import Network, NetworkError, load_network
from .vocab import (
    CORRIDORS,
    CROSSING_CORRIDORS,
    EUROPE,
    HUB_KINDS,
    LEG_SOURCES,
    MODE_AIR,
    MODE_LAND,
    MODE_LORRY,
    MODE_SEA,
    MODES,
    PREFERRED_DESTINATIONS,
    SINK_KINDS,
    SOURCES,
)

__all__ = [
    "CORRIDORS",
    "CROSSING_CORRIDORS",
    "EUROPE",
    "HUB_KINDS",
    "LEG_SOURCES",
    "MODE_AIR",
    "MODE_LAND",
    "MODE_LORRY",
    "MODE_SEA",
    "MODES",
    "PREFERRED_DESTINATIONS",
    "SINK_KINDS",
    "SOURCES",
    "Network",
    "NetworkError",
    "load_network",
]
