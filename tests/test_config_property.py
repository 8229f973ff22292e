"""Property: any mutation of a shipped scenario is either a valid scenario (that runs) or one ConfigError line.

Mutations: a key dropped, a line duplicated, a value retyped, extreme and non-finite values, unknown keys at
every depth. Nothing else may escape: no traceback, no numpy warning, no multi-line message.
"""

import copy
import datetime as dt
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import ConfigError, apply_overrides, check_against_network, load_scenario, load_with_warnings
from sim.config.loader import parse_scenario
from sim.network import load_network
from sim.runner import simulate
from tests.conftest import ROOT

SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
RESOLVED = {path: load_scenario(path).model_dump() for path in SHIPPED}
NETWORK = load_network()
EXTREMES = [float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 2**63, -(2**63), -1, 0, 0.0, 1e-308]
RETYPES = ["text", True, [1, 2], {"a": 1}, dt.date(2025, 4, 1), 3, 2.5, []]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in nested tables and lists (the root excluded)."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found.append((*prefix, key))
        found += _paths(value, (*prefix, key))
    return found


def _tables(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every table (dict), the root included: where an unknown key can go."""
    found = [prefix] if isinstance(node, dict) else []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found += _tables(value, (*prefix, key))
    return found


def _at(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A shipped scenario, resolved (every setting present, from either the file or the defaults), with one or
    two mutations."""
    data = copy.deepcopy(RESOLVED[draw(st.sampled_from(SHIPPED))])
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["drop", "retype", "extreme", "unknown"]))
        if kind == "unknown":
            table = _at(data, draw(st.sampled_from(_tables(data))))
            table[draw(st.sampled_from(["zz_unknown", "oficers_added", "Days"]))] = draw(st.sampled_from(RETYPES))
            continue
        paths = _paths(data)
        if not paths:
            break
        numbers = [p for p in paths if isinstance(_at(data, p), int | float) and not isinstance(_at(data, p), bool)]
        path = draw(st.sampled_from(numbers if kind == "extreme" and numbers else paths))
        parent = _at(data, path[:-1])
        if kind == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(st.sampled_from(EXTREMES if kind == "extreme" else RETYPES))
    return data


def _outcome(data: dict[str, Any]):
    """The scenario, or the one-line error it gives; anything else raises and fails the property."""
    try:
        scenario = parse_scenario(data, "mutated.toml")
        check_against_network(scenario, "mutated.toml", NETWORK)
    except ConfigError as err:
        assert "\n" not in str(err) and str(err).startswith("mutated.toml: ") and err.message, str(err)
        return None
    return scenario


RUNS = {"left": 4}  # a 2-day run for the first few valid mutated scenarios: the property reaches the model


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_every_mutation_is_a_valid_scenario_or_one_line_error(data: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy overflow or invalid-value warning is a failure too
        scenario = _outcome(data)
        if scenario is not None and RUNS["left"] > 0:
            RUNS["left"] -= 1
            short = apply_overrides(scenario, {"days": 2, "scale": 100.0, "spin_up_days": 2}, "test")
            tables = simulate(short, NETWORK).tables
            assert len(tables["daily_population"]["date"].unique()) == 2


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped scenarios, to write mutated files next to the parent they extend."""
    where = tmp_path_factory.mktemp("scenarios")
    for path in SHIPPED:
        shutil.copy(path, where / path.name)
    return where


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(SHIPPED), line=st.integers(0, 200), how=st.sampled_from(["duplicate", "drop"]))
def test_every_line_duplicated_or_dropped_is_valid_or_one_line_error(folder: Path, source: Path, line: int,
                                                                     how: str) -> None:
    lines = source.read_text().splitlines()
    index = line % len(lines)
    changed = lines[:index + 1] + lines[index:] if how == "duplicate" else lines[:index] + lines[index + 1:]
    path = folder / "mutated.toml"
    path.write_text("\n".join(changed) + "\n")
    try:
        scenario, _ = load_with_warnings(path)
        check_against_network(scenario, path, NETWORK)
    except ConfigError as err:
        assert "\n" not in str(err) and err.message, str(err)
