"""`routesim bench`: the performance benchmark (figures, targets, ratios) and docs/performance.md."""

from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs"


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick/--full", help="Quick (under 10 minutes; the history at "
                                        "scale 50 once) or full (1e7 whole model, 3 cold compiles, the history at "
                                        "scale 50 and at 1:1 three times each).")] = True,
    out: Annotated[Path | None, typer.Option(help="Folder for performance.md and performance_scaling.png "
                                             "(default: docs/).")] = None,
    write: Annotated[bool, typer.Option(help="Write performance.md and the chart.")] = True,
    tiny: Annotated[bool, typer.Option(hidden=True, help="Tiny sizes: checks the machinery in seconds.")] = False,
) -> None:
    """Benchmark the kernel engine against the agents engine (per-agent Mesa), threads, the machine's floor, a whole
    year at 1e6 people, the 2014-2025 history, memory, start-up and scaling; print every figure with its target."""
    from sim.bench.suite import run

    mode = "tiny" if tiny else ("quick" if quick else "full")
    if tiny and out is None:
        write = False  # tiny figures never overwrite the real ones in docs/
    run(mode, (out if out is not None else DOCS) if write else None)
