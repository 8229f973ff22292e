"""Scenario configuration: schema, loading, validation.

Names are loaded on first use (PEP 562), so that `sim.config.fields` can be imported by the intervention schema
without importing the whole configuration (which itself needs the intervention schema).
"""

import importlib
from typing import Any

_WHERE = {
    "ConfigError": "loader", "check_against_network": "loader", "load_scenario": "loader",
    "load_with_warnings": "loader", "resolved": "loader", "scenario_hash": "loader",
    "apply_overrides": "overrides", "parse_assignment": "overrides",
    "Behaviour": "schema", "Boats": "schema", "InflowSeries": "schema", "Scenario": "schema",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sim.config' has no attribute {name!r}")
    return getattr(importlib.import_module(f"sim.config.{_WHERE[name]}"), name)
