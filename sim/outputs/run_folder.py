"""A run folder: parquet tables, charts and a manifest with provenance, written atomically.

Everything is written into a staging folder beside the target and moved into place only when complete, and only
over a previous routesim output the user asked to replace (sim/outputs/folders.py).
"""

import platform
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from sim.outputs.folders import mark_manifest, staged_output

PACKAGES = ("routesim", "mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic", "matplotlib", "networkx")


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape results."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_revision() -> str:
    """The source's git revision (with '+dirty' if it has uncommitted changes), or 'unknown'."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return rev + ("+dirty" if dirty else "")


def write_run(folder: Path, tables: dict[str, pd.DataFrame], manifest: dict[str, Any],
              extra: Callable[[Path], None] | None = None, overwrite: bool = False, kind: str = "run") -> Path:
    """Write tables (parquet), whatever `extra(staging_folder)` draws and manifest.json, then publish the folder.

    The folder must be new, empty, or (with `overwrite`) a previous routesim output of `kind` holding nothing
    else (see `claim_output`); it is replaced only once the new one is complete. Raises OutputError."""
    with staged_output(folder, kind, overwrite) as tmp:
        for name, table in tables.items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        if extra is not None:
            extra(tmp)
        mark_manifest(tmp, kind, manifest)
    return Path(folder)
