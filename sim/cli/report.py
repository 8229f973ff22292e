"""Terminal output: a progress bar and the summary tables printed at the end of a run."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.outputs.outcomes import CORRIDOR_LABELS, MEASURES, OUTCOMES, scalar_outcomes
from sim.outputs.published import beside_published
from sim.runner import corridor_totals

# When piped (CI, logs), rich assumes 80 columns and squeezes the tables; give them room.
console = Console(width=None if sys.stdout.isatty() else 150)


@contextmanager
def progress_bar(total: int, label: str, disable: bool = False) -> Iterator[Callable[[int], None]]:
    """A progress bar over simulated days; yields a function taking the number of days done."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                  TimeElapsedColumn(), disable=disable, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def _fmt(value: float, digits: int = 0) -> str:
    return "–" if pd.isna(value) else f"{value:,.{digits}f}"


def _header(measure: str) -> str:
    """The measure's label over its unit."""
    label, unit, _ = MEASURES[measure]
    return f"{label}\n({unit})"


def _digits(unit: str) -> int:
    return 1 if unit == "people/boat" else 0


PEOPLE_COLUMNS = ("crossings", "departures", "prevented", "intercepted", "deaths", "settled", "gone_home")
BOAT_COLUMNS = ("boats", "people_per_boat", "boats_landed", "people_per_boat_landed", "price", "revenue_eur",
                "crossing_days")


def _corridor_table(title: str, totals: pd.DataFrame, columns: tuple[str, ...], keep: pd.Series) -> Table:
    """Corridors in `keep` x `columns`, each headed by its label and unit; columns as wide as their numbers."""
    rows = [(CORRIDOR_LABELS[str(corridor)], *(_fmt(row[c], _digits(MEASURES[c][1])) for c in columns))
            for corridor, row in totals[keep].iterrows()]
    widths = [max((len(r[i]) for r in rows), default=1) for i in range(len(columns) + 1)]
    table = Table(title=title)
    table.add_column("corridor", min_width=widths[0])
    for name, width in zip(columns, widths[1:], strict=True):  # headers may wrap; numbers are never cut
        longest_word = max(len(word) for word in _header(name).split())
        table.add_column(_header(name), justify="right", min_width=max(width, longest_word))
    for row in rows:
        table.add_row(*row)
    return table


def print_summary(tables: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> None:
    """Totals per corridor and per destination over the recorded days, labelled and in units from the outcome
    registry."""
    sc = manifest["scenario"]
    totals = corridor_totals(tables)
    moving = totals[["departures", "landings", "settled", "gone_home"]].sum(axis=1) > 0
    console.print(_corridor_table(f"{sc['name']}: {sc['start_date']} + {sc['days']} days, seed {manifest['seed']}, "
                                  f"scale {manifest['scale']:g}: people by corridor", totals, PEOPLE_COLUMNS, moving))
    console.print(_corridor_table("Boats and prices by corridor (corridors with boats)", totals, BOAT_COLUMNS,
                                  totals["boats"].fillna(0) > 0))
    arrivals = [o for o in OUTCOMES if o.measure == "arrivals"]
    values = scalar_outcomes(tables, [o.name for o in arrivals])
    dtable = Table(title=f"{MEASURES['arrivals'][0]} by destination ({MEASURES['arrivals'][1]})")
    dtable.add_column("destination")
    dtable.add_column(MEASURES["arrivals"][0].lower(), justify="right")
    for o in arrivals:
        dtable.add_row(o.place, _fmt(values[o.name]))
    console.print(dtable)
    console.print(_beside_published(tables))
    console.print(f"wall time {manifest['wall_time_s']:.1f} s; people entered {manifest['people_entered']:,}")


def _beside_published(tables: dict[str, pd.DataFrame]) -> Table:
    """What each source would record in each year of the run, beside the figure it published for the same year,
    or a note that the package holds none for that year."""
    rows = beside_published(tables)
    cells = [(row.label, row.unit, str(row.year), str(row.days), _fmt(row.model, _digits(row.unit)),
              _fmt(row.model_per_year, _digits(row.unit)), _fmt(row.published, _digits(row.unit)), row.note)
             for row in rows.itertuples()]
    table = Table(title="What each source would record, beside its published figure for the same year "
                  "(sim/data/observed_calibration.csv)")
    numbers = ("year", "days in run", "model", "model per year", "published")
    for i, column in enumerate(("series", "unit", *numbers, "note")):
        if column in numbers:  # numbers are never cut or wrapped; words (series, note) wrap
            width = max([len(column)] + [len(c[i]) for c in cells])
            table.add_column(column, justify="right", no_wrap=True, min_width=width)
        else:
            table.add_column(column)
    for row in cells:
        table.add_row(*row)
    return table
