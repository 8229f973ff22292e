"""Terminal output: a progress bar and the summary tables printed at the end of a run."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.outputs.published import SOURCE_SERIES, latest_annual
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


def print_summary(tables: dict[str, pd.DataFrame], manifest: dict[str, Any]) -> None:
    """Totals per corridor and per destination over the recorded days, in people."""
    sc = manifest["scenario"]
    totals = corridor_totals(tables)
    table = Table(title=f"{sc['name']}: {sc['start_date']} + {sc['days']} days, seed {manifest['seed']}, "
                  f"scale {manifest['scale']:g} (people)")
    columns = ("crossings", "departures", "prevented", "intercepted", "deaths", "boats", "people_per_boat",
               "mean_price_eur", "crossing_days", "settled", "gone_home")
    table.add_column("corridor")
    for name in columns:
        table.add_column(name.replace("_", " "), justify="right")
    for corridor, row in totals.iterrows():
        if row[["departures", "landings", "settled", "gone_home"]].sum() == 0:
            continue
        table.add_row(str(corridor), *(_fmt(row[c], 1 if c == "people_per_boat" else 0) for c in columns))
    console.print(table)
    dest = tables["daily_destination"].groupby("destination", sort=False)["arrivals"].sum()
    dtable = Table(title="Arrivals by destination (people)")
    dtable.add_column("destination")
    dtable.add_column("arrivals", justify="right")
    for name, value in dest.items():
        dtable.add_row(str(name), _fmt(value))
    console.print(dtable)
    console.print(_beside_published(tables))
    console.print(f"wall time {manifest['wall_time_s']:.1f} s; people entered {manifest['people_entered']:,}")


def _beside_published(tables: dict[str, pd.DataFrame]) -> Table:
    """What each source would record over the run, per year, beside the latest yearly figure it published."""
    days = tables["daily_observed"]["date"].nunique()
    per_year = 365.0 / max(days, 1)
    recorded = tables["daily_observed"].groupby("source", sort=False)["recorded"].sum() * per_year
    deaths = tables["daily_corridor"].groupby("corridor")["deaths"].sum() * per_year
    table = Table(title="Per year: what each source would record, beside its latest published yearly figure "
                  "(sim/data/observed_calibration.csv; years differ)")
    for column in ("source", "model per year", "published", "year", "model deaths/yr", "published deaths", "year"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, value in recorded.items():
        route, metric = SOURCE_SERIES.get(str(source), (None, None))
        pub = latest_annual(route, metric) if route else None
        dead = latest_annual(route, "deaths") if route else None
        table.add_row(str(source), _fmt(value), _fmt(pub[1]) if pub else "–", pub[0] if pub else "",
                      _fmt(deaths.get(route, float("nan"))) if route else "–", _fmt(dead[1]) if dead else "–",
                      dead[0] if dead else "")
    return table
