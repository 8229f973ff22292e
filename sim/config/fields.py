"""The one way a parameter is declared: default, unit in the description, source, limits."""

from pydantic import ConfigDict, Field

STRICT = ConfigDict(extra="forbid", strict=True)


def param(default: float | int, description: str, source: str, **limits: float) -> object:
    """A documented parameter: default, description with unit, source (or 'assumption: why'), limits."""
    return Field(default, description=description, json_schema_extra={"source": source}, **limits)
