"""The reference of every setting, generated from the pydantic models (never written twice).

`rows()` walks the Scenario schema: each row is a key with its type, default, allowed range, description (units
are in the description or the name) and source. `docs/parameters.md` is this table rendered as markdown
(`routesim parameters --markdown`); `routesim show FILE` prints the same rows with a scenario's values.
"""

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.config.fields import DATE_WINDOW, FIRST_DATE, LAST_DATE
from sim.config.schema import Scenario
from sim.interventions.schema import Intervention, InterventionBase


@dataclass(frozen=True)
class Value:
    """One resolved setting of a scenario: where it came from (a file, or 'default') is `set_by`."""

    key: str
    value: str
    unit: str
    description: str
    source: str
    set_by: str


@dataclass(frozen=True)
class Row:
    key: str
    type: str
    default: str
    allowed: str
    description: str
    source: str


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(a) for a in typing.get_args(annotation))}]"
    return "none" if annotation is type(None) else getattr(annotation, "__name__", str(annotation))


def _allowed(metadata: list[Any]) -> str:
    parts = []
    for m in metadata:
        if m == DATE_WINDOW:
            parts.append(f"{FIRST_DATE} to {LAST_DATE}")
        for cls, attr, symbol in ((Ge, "ge", ">="), (Gt, "gt", ">"), (Le, "le", "<="), (Lt, "lt", "<")):
            if isinstance(m, cls):
                parts.append(f"{symbol} {getattr(m, attr)}")
        if isinstance(m, MinLen):
            parts.append("not empty" if m.min_length == 1 else f"at least {m.min_length} entries")
        if isinstance(m, MaxLen):
            parts.append(f"at most {m.max_length} entries")
    return ", ".join(parts)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def rows(model: type[BaseModel] = Scenario, prefix: str = "", values: BaseModel | None = None) -> list[Row]:
    """One row per leaf setting of `model` (with `values`' values as defaults when given)."""
    found: list[Row] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = field.annotation
        value = getattr(values, name) if values is not None else field.get_default(call_default_factory=True)
        sub = _model_in(annotation)
        if sub is not None:
            found += rows(sub, f"{key}.", value if isinstance(value, BaseModel) else None)
            continue
        args = typing.get_args(annotation)
        entry = _model_in(args[-1]) if typing.get_origin(annotation) in (dict, list) and args else None
        if entry is not None and name != "interventions":
            marker = "<name>" if typing.get_origin(annotation) is dict else "[]"
            shown = "(required)" if value is PydanticUndefined else _show(value)
            found.append(Row(key, _type_name(annotation), shown, "", field.description or "", ""))
            found += rows(entry, f"{key}.{marker}.")
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = "(required)" if field.default is PydanticUndefined and field.default_factory is None else (
            _show(value))
        allowed = _allowed(field.metadata)
        if annotation is str:
            allowed = allowed.replace("entries", "characters")
        found.append(Row(key, _type_name(annotation), default, allowed,
                         field.description or "", str(extra.get("source", ""))))
    return found


def intervention_rows() -> list[Row]:
    """Rows for interventions: the settings every kind has, then each kind's own."""
    found = rows(InterventionBase, "interventions.<name>.")
    for kind_model in typing.get_args(typing.get_args(Intervention)[0]):
        kind = typing.get_args(kind_model.model_fields["kind"].annotation)[0]
        own = {k: f for k, f in kind_model.model_fields.items() if k not in InterventionBase.model_fields}
        found.append(Row(f"interventions.<name>.kind = {kind}", "str", "", "", kind_model.__doc__ or "", ""))
        found += [r for r in rows(kind_model, "interventions.<name>.") if r.key.split(".")[-1] in own
                  and not r.key.endswith(".kind")]
    return found


def _show(value: Any) -> str:
    if isinstance(value, BaseModel):
        return "(table)"
    if isinstance(value, dict):
        return f"{len(value)} entries" if value else "{}"
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        return f"{len(value)} entries"
    return "" if value is None else str(value)


def markdown() -> str:
    """docs/parameters.md."""
    lines = [
        "# Scenario settings",
        "",
        "Generated from the pydantic models in `sim/config/` and `sim/interventions/schema.py` by",
        "`routesim parameters --markdown > docs/parameters.md`; a test fails when this file is out of date.",
        "Units are in the names (`_eur`, `_days`, `_per_day`) or the descriptions. A source of `assumption`",
        "marks a number not taken from a published figure.",
        "",
        "| key | type | default | allowed | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows() + intervention_rows():
        cells = [f"`{row.key}`", row.type, row.default, row.allowed, row.description, row.source]
        # Whitespace normalised: docstrings keep their indentation on some Python versions and not others.
        lines.append("| " + " | ".join(" ".join(c.replace("|", "\\|").split()) for c in cells) + " |")
    return "\n".join(lines) + "\n"



_UNIT = re.compile(r"\(([^()]{1,30})\)")


def _unit(description: str) -> str:
    """The unit a description ends its sentence with, e.g. "(EUR/day)" -> EUR/day ("" if none)."""
    found = [u.split(",")[0].strip() for u in _UNIT.findall(description)]
    units = [u for u in found if len(u.split()) <= 3 and not any(w in u for w in ("e.g.", "keys", "TOML", "="))]
    return units[-1] if units else ""


def _field_info(model: type[BaseModel], name: str) -> tuple[str, str]:
    field = model.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return field.description or "", str(extra.get("source", ""))


def _set_by(key: str, sources: Mapping[str, str]) -> str:
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in sources:
            return sources[".".join(parts[:n])]
    return "default"


def values(item: Any, sources: Mapping[str, str], key: str = "", info: tuple[str, str] = ("", "")) -> list[Value]:
    """Every resolved setting under `item` (a model, a table of entries, a list of models, or a value), each
    table expanded entry by entry, with its unit, description, source and the file that set it."""
    def below(name: object) -> str:
        return f"{key}.{name}" if key else str(name)

    if isinstance(item, BaseModel):
        return [v for name in type(item).model_fields
                for v in values(getattr(item, name), sources, below(name), _field_info(type(item), name))]
    if isinstance(item, dict) and item:
        return [v for name, entry in item.items() for v in values(entry, sources, below(name), info)]
    if isinstance(item, list) and item and isinstance(item[0], BaseModel):
        return [v for i, entry in enumerate(item) for v in values(entry, sources, below(i), info)]
    shown = "" if item is None else "[" + ", ".join(map(str, item)) + "]" if isinstance(item, list) else str(item)
    description, source = info
    return [Value(key, shown, _unit(description), description, source, _set_by(key, sources))]
