"""The one way a parameter is declared: default, unit in the description, source, limits.

`STRICT` is shared by every scenario model: unknown keys are errors, types are not coerced and no float may be
inf or nan, so a bound on a field is a real bound. `Date` and `Share` are the two constrained types used across
the schema.
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
# One calendar for every rate the configuration states per year or per month.
DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0


def _in_window(value: dt.date) -> dt.date:
    """Dates far outside the years the published figures cover only stretch constant inflows over centuries."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"date {value} is outside the supported window {FIRST_DATE} to {LAST_DATE}")
    return value


DATE_WINDOW = AfterValidator(_in_window)
Date = Annotated[dt.date, DATE_WINDOW]
Share = Annotated[float, Field(ge=0, le=1)]


def param(default: float | int, description: str, source: str, **limits: float) -> object:
    """A documented parameter: default, description with unit, source (or 'assumption: why'), limits."""
    return Field(default, description=description, json_schema_extra={"source": source}, **limits)
