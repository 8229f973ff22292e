"""Settings changed from outside a file (`--set PATH=VALUE`, `--days`, a sweep's sample): dotted paths applied to
a resolved scenario, then the whole scenario validated again, so an override is checked exactly like a file."""

import tomllib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sim.config.loader import ConfigError, merge_tables, parse_scenario
from sim.config.schema import Scenario


def parse_assignment(text: str, origin: str = "--set") -> tuple[str, Any]:
    """'PATH=VALUE' -> (path, value); VALUE parsed as a TOML value (200, 0.5, true, "x", 2025-06-01,
    [1, 2]), else taken as a bare string. Raises ConfigError(origin, text, ...) if there is no '='."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ConfigError(origin, text, "expected PATH=VALUE, e.g. behaviour.value_of_time_eur_per_day=30")
    raw = raw.strip()
    try:
        parsed = tomllib.loads(f"value = {raw}")
    except (tomllib.TOMLDecodeError, RecursionError):
        return path.strip(), raw
    return path.strip(), parsed["value"] if list(parsed) == ["value"] else raw


def split_path(path: str, origin: str) -> list[str]:
    """A dotted path's segments, read as a TOML dotted key (so "a->b" segments may be double-quoted)."""
    try:
        nested: Any = tomllib.loads(f"{path} = 0")
    except tomllib.TOMLDecodeError:
        raise ConfigError(origin, path, "not a dotted path of keys; quote a key holding dots or spaces: "
                          'patrols.beach_officers."northern_france_coast->kent"') from None
    parts = []
    while isinstance(nested, dict):
        (key, nested), = nested.items()
        parts.append(key)
    return parts


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a scenario's dump, or None where the path leads nowhere (a new key)."""
    node: Any = data
    for part in split_path(path, "path"):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    return node


def _set(data: dict[str, Any], current: Any, parts: list[str], value: Any, path: str, origin: str) -> None:
    """Set `value` at `parts` in `data` (the dump of `current`): unknown keys of a model are errors, a dict
    field takes new keys, a list takes an existing index."""
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(current, BaseModel) and part not in type(current).model_fields:
            raise ConfigError(origin, path, f"unknown key {part!r}; allowed keys here: "
                              f"{', '.join(type(current).model_fields)}")
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(origin, path, f"{part!r} is not an index of this list (0 to {len(node) - 1})")
            index: Any = int(part)
            current = current[index] if isinstance(current, list) else None
        elif isinstance(node, dict):
            index = part
            current = (getattr(current, part) if isinstance(current, BaseModel)
                       else current.get(part) if isinstance(current, dict) else None)
        else:
            raise ConfigError(origin, path, f"{'.'.join(parts[:depth])} is a value, not a table")
        if last:
            old = node[index] if isinstance(node, list) or index in node else None
            node[index] = merge_tables(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        else:
            if isinstance(node, dict) and index not in node:
                node[index] = {}  # a new entry of a dict field, e.g. interventions.NEW.kind
            node = node[index]


def apply_overrides(scenario: Scenario, settings: Mapping[str, Any], origin: str) -> Scenario:
    """Set dotted paths (segments may be double-quoted: patrols.beach_officers."northern_france_coast->kent")
    on the resolved scenario and re-validate the whole result through the pydantic models. Unknown path ->
    ConfigError(origin, path, 'unknown key; allowed keys here: ...'); invalid value -> the same one-line error
    as in a file but naming origin and path. A dict field accepts new keys. Returns a new Scenario."""
    data = scenario.model_dump()
    for path, value in settings.items():
        _set(data, scenario, split_path(path, origin), value, path, origin)
    return parse_scenario(data, origin)
