"""An observed file (`period,route,metric,value[,source]`, the format of sim/data/observed_calibration.csv) read
and checked row by row.

Which (route, metric) pairs can be scored comes from the outcome registry (outcomes declared with
`observed=(route, metric)`), so a series is mapped to the model in one place only. Every problem is a
`ConfigError` naming the file, the line and what is allowed; the CLI prints it as one line and exits 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import stat
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.loader import ConfigError
from sim.outputs.outcomes import OUTCOMES

REQUIRED = ("period", "route", "metric", "value")  # a `source` column and any other column are allowed
MAX_FILE_BYTES = 50_000_000
YEAR, MONTH = re.compile(r"\d{4}"), re.compile(r"\d{4}-(0[1-9]|1[0-2])")
RESOLUTION_WORDS = {"year": "by year", "month": "by month"}
METRIC_WORDS: dict[str, str] = {
    "arrivals": "arrivals", "boats": "boats", "people_per_boat": "people per boat",
    "crossing_days": "days with crossings", "deaths": "deaths recorded", "detections": "detections",
    "sea_detections": "sea detections", "land_detections": "land detections",
}
COLUMNS = ["route", "metric", "resolution", "period", "start", "end", "value", "line"]


@cache
def observed_outcomes() -> dict[tuple[str, str], str]:
    """(route, metric) -> the outcome standing for it, from the registry's `observed` declarations."""
    found: dict[tuple[str, str], str] = {}
    for o in OUTCOMES:
        if o.observed is not None:
            if o.observed in found:
                raise ValueError(f"{o.observed} is declared by both {found[o.observed]} and {o.name}")
            found[o.observed] = o.name
    return found


def metric_words(metric: str) -> str:
    return METRIC_WORDS.get(metric, metric.replace("_", " "))


def _text(path: Path) -> str:
    """The file's text; ConfigError if it is missing, not a regular file, too large or not UTF-8."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found; give an observed file (CSV with columns "
                          f"{','.join(REQUIRED)})") from None
    except OSError as err:
        raise ConfigError(path, "", f"cannot be read: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(path, "", "is not a regular file; an observed file is a CSV file")
    if info.st_size > MAX_FILE_BYTES:
        raise ConfigError(path, "", f"is {info.st_size:,} bytes; an observed file is at most {MAX_FILE_BYTES:,}")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ConfigError(path, "", f"not UTF-8 text (byte {err.start}); an observed file is CSV text") from None
    except OSError as err:
        raise ConfigError(path, "", f"cannot be read: {err.strerror}") from None


def _period(path: Path, where: str, text: str) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    """(resolution, first day, last day) of a period written YYYY or YYYY-MM."""
    if YEAR.fullmatch(text):
        start = pd.Timestamp(int(text), 1, 1)
        return "year", start, start + pd.offsets.YearEnd(0)
    if MONTH.fullmatch(text):
        start = pd.Timestamp(text + "-01")
        return "month", start, start + pd.offsets.MonthEnd(0)
    raise ConfigError(path, f"{where}: period", f"{text!r} is neither YYYY nor YYYY-MM (e.g. 2015 or 2015-07)")


def _value(path: Path, where: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(path, f"{where}: value", f"{text!r} is not a number; give a count or a ratio >= 0"
                          ) from None
    if not np.isfinite(value) or value < 0:
        raise ConfigError(path, f"{where}: value", f"{text!r} is not a finite number >= 0")
    return value


def read_observed(path: Path | str) -> pd.DataFrame:
    """The observed file as a table `route, metric, resolution, period, start, end, value, line`, sorted by
    series and period; ConfigError naming the file, line and what is allowed for the first problem found."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ConfigError(path, "header", f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                          f"an observed file has the columns {','.join(REQUIRED)} (and optionally source)")
    reader.fieldnames = header
    pairs = observed_outcomes()
    routes = sorted({route for route, _ in pairs})
    rows, seen = [], {}
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row or any(row.get(c) is None for c in REQUIRED):
            raise ConfigError(path, where, f"expected {len(header)} fields ({','.join(header)})")
        route, metric = row["route"].strip(), row["metric"].strip()
        if route not in routes:
            raise ConfigError(path, f"{where}: route", f"unknown route {route!r}; allowed: {', '.join(routes)}")
        if (route, metric) not in pairs:
            allowed = sorted(m for r, m in pairs if r == route)
            raise ConfigError(path, f"{where}: metric", f"unknown metric {metric!r} for route {route}; allowed: "
                              f"{', '.join(allowed)}")
        period = row["period"].strip()
        resolution, start, end = _period(path, where, period)
        key = (route, metric, period)
        if key in seen:
            raise ConfigError(path, where, f"{route} {metric} {period} is given twice (also on line {seen[key]})")
        seen[key] = reader.line_num
        rows.append((route, metric, resolution, period, start, end, _value(path, where, row["value"].strip()),
                     reader.line_num))
    if not rows:
        raise ConfigError(path, "", f"no rows after the header; give rows of {','.join(REQUIRED)}")
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["route", "metric", "resolution", "start"], ignore_index=True)


def check_within(observed: pd.DataFrame, path: Path | str, first_day: dt.date) -> None:
    """Every period must begin on or after the run's first recorded day (a part period would be scored as if
    whole); ConfigError naming the first period that does not."""
    early = observed[observed["start"] < pd.Timestamp(first_day)]
    if len(early):
        row = early.sort_values("line").iloc[0]
        raise ConfigError(path, f"line {row['line']}: period", f"{row['period']} begins before the scenario's first "
                          f"recorded day {first_day}; give periods from then on or a scenario that starts "
                          "earlier")
