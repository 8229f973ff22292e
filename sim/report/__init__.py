"""The analyst's report: one self-contained `report.html` (and its tables as CSV in `tables/`) for a run,
comparison or sweep folder, the manifest's kind telling which.

`write_report` writes into a folder being staged (the run, compare and sweep commands call it before the
manifest is marked); `add_report` adds a report to a finished folder (`routesim report DIR`), atomically, and
lists the new files in the folder's routesim marker so the folder stays replaceable.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs.folders import MANIFEST, MARKER, output_marker

REPORT = "report.html"
TABLES = "tables"
KINDS = ("run", "comparison", "sweep")


class ReportError(Exception):
    """A folder routesim cannot report on, in one line."""


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path` and rename it into place (mode from the umask)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _run_tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def write_report(folder: Path, manifest: dict[str, Any], kind: str,
                 tables: dict[str, pd.DataFrame] | None = None, comparison: Any = None) -> Path:
    """Render the report of the output in `folder` (`kind`: run, comparison or sweep) into folder/report.html
    and its tables into folder/tables/*.csv; return the report's path. `tables` (a run's) and `comparison` (a
    Comparison) save reading them back."""
    from sim.report.page import render

    folder = Path(folder)
    if kind == "run":
        from sim.report.run import run_sections

        subtitle, sections = run_sections(folder, manifest, tables if tables is not None else _run_tables(folder))
        title = f"routesim run: {manifest['scenario']['name']}"
    elif kind == "comparison":
        from sim.report.compare import compare_sections

        subtitle, sections = compare_sections(folder, manifest, comparison)
        title = f"routesim comparison: {' vs '.join([manifest['baseline'], *manifest['alternatives']])}"
    elif kind == "sweep":
        from sim.report.sweep import sweep_sections

        subtitle, sections = sweep_sections(folder, manifest)
        title = f"routesim sweep: {manifest['experiment']['name']}"
    else:
        raise ReportError(f"{folder}: a {kind} folder has no report; reports are made for {', '.join(KINDS)}")
    caveat = (manifest.get("calibration") or {}).get("status", "uncalibrated") == "uncalibrated"
    (folder / TABLES).mkdir(exist_ok=True)
    for section in sections:
        for table in section.tables:
            _write_atomic(folder / TABLES / f"{table.name}.csv", table.frame.to_csv(index=False).encode())
    path = folder / REPORT
    _write_atomic(path, render(title, subtitle, caveat, sections).encode("utf-8"))
    return path


def add_report(folder: Path) -> Path:
    """Write the report of a finished routesim output folder and list its files in the folder's marker."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as err:
        raise ReportError(f"{folder}: no readable {MANIFEST} ({err}): is it a routesim output folder?") from None
    kind = (manifest.get(MARKER) or {}).get("kind")
    if kind not in KINDS:
        raise ReportError(f"{folder}: holds a routesim {kind or 'unknown'} output; reports are made for run, "
                          "comparison and sweep folders")
    path = write_report(folder, manifest, kind)
    marker = output_marker(folder, kind)  # what is there now, and what the marker listed (e.g. a sweep's parts/)
    marker["files"] = sorted(set(marker["files"]) | set(manifest[MARKER].get("files", [])))
    marked = {**manifest, MARKER: marker}
    _write_atomic(folder / MANIFEST, (json.dumps(marked, indent=2, sort_keys=True) + "\n").encode())
    return path
