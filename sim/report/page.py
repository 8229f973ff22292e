"""The parts every report is made of, and the page they are rendered into (Jinja2, `templates/report.html.j2`).

A report is a list of sections; each holds paragraphs, tables (DataFrames formatted here, also written as CSV) and
figures (matplotlib, embedded as base64 PNG). The page is self-contained: no script, font, style sheet or image
is fetched from anywhere.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.config import Scenario
from sim.config.reference import values

TEMPLATES = Path(__file__).parent / "templates"
DPI = 100  # embedded figures: legible at the page's width, small files
GBP_SOURCE = Scenario.model_fields["gbp_to_eur"].json_schema_extra["source"]


@dataclass
class Table:
    """A table: its caption, the DataFrame (shown formatted, written as `tables/<name>.csv`) and a note."""

    name: str
    caption: str
    frame: pd.DataFrame
    note: str = ""

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    @property
    def numeric(self) -> list[bool]:
        """Per column: whether it holds numbers (right-aligned)."""
        return [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in self.frame.dtypes]

    @property
    def rows(self) -> list[list[str]]:
        return [[cell(v) for v in row] for row in self.frame.itertuples(index=False)]


@dataclass
class Image:
    """A figure embedded as a base64 PNG, with its caption (also its alt text)."""

    caption: str
    data: str

    @classmethod
    def of(cls, fig: Figure, caption: str) -> Image:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        return cls(caption, base64.b64encode(buffer.getvalue()).decode("ascii"))

    @classmethod
    def from_png(cls, path: Path, caption: str) -> Image:
        return cls(caption, base64.b64encode(path.read_bytes()).decode("ascii"))


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    details: bool = False  # folded by default (long reference tables)

    @property
    def anchor(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-")


def cell(value: Any) -> str:
    """A number with thousands separators (one decimal under 100, none above), '–' for missing; text as is."""
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        value = float(value)
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


def facts(rows: dict[str, Any], name: str, caption: str) -> Table:
    """A two-column table of what was run."""
    shown = [v if isinstance(v, str) else cell(v) for v in rows.values()]
    return Table(name, caption, pd.DataFrame({"item": list(rows), "value": shown}, dtype=str))


def calibration(manifest: dict[str, Any]) -> dict[str, Any]:
    """The calibration status (absent = uncalibrated) with the overlay and posterior it names."""
    found = manifest.get("calibration") or {}
    return {"status": found.get("status", "uncalibrated"), "overlay": found.get("overlay"),
            "posterior": found.get("posterior")}


def interval(manifest: dict[str, Any], replicates: int | None = None) -> str:
    """Which kind of interval the report shows, in words."""
    found = manifest.get("interval")
    if found:
        return f"{found['kind']} over {found['replicates']} replicates"
    if not replicates or replicates < 2:
        return "none: a single run has no interval"
    return f"run-to-run noise over {replicates} replicates (not parameter uncertainty)"


def money_note(gbp_to_eur: float) -> str:
    return f"GBP at {gbp_to_eur:g} EUR per GBP ({GBP_SOURCE})."


def assumptions(scenario: Scenario, name: str = "parameters") -> Table:
    """Every resolved setting of the scenario with its unit and source ('assumption: why' where it has none)."""
    rows = values(scenario, {})
    frame = pd.DataFrame({"setting": [r.key for r in rows], "value": [r.value for r in rows],
                          "unit": [r.unit for r in rows], "source or assumption": [r.source for r in rows]})
    return Table(name, "The settings of the run, each with its source or the assumption behind it", frame)


def render(title: str, subtitle: str, caveat: bool, sections: list[Section]) -> str:
    """The report as one self-contained HTML page."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return env.get_template("report.html.j2").render(title=title, subtitle=subtitle, caveat=caveat,
                                                     sections=sections, made=made)
