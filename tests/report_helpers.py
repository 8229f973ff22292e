"""A small run folder with its report, shared by the report tests (seconds: a tenth of the inflow, 60 days)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.network import load_network
from sim.outputs.charts import save_all
from sim.outputs.run_folder import write_run
from sim.report import write_report
from sim.report.run import chart_context
from sim.runner import simulate
from tests.conftest import small_scenario


def report_run(folder: Path, **changes) -> Path:
    """Simulate a small baseline and write its run folder as `routesim run` does (charts, report); return it."""
    scenario = small_scenario(inflow_factor=0.1, days=60, scale=20.0, **changes)
    result = simulate(scenario, load_network())

    def extra(tmp: Path) -> None:
        save_all(result.tables, tmp, chart_context(scenario, result.manifest))
        write_report(tmp, result.manifest, "run", tables=result.tables)

    return write_run(folder, result.tables, result.manifest, extra=extra)


START = dt.date(2025, 4, 1)
