"""Terminal tables that never cut a number: when a table is wider than the console, whole columns are left out
(the least needed first) and the caption says which, and where the full table is."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

PADDING = 3  # a column's border and padding in rich's default box


def fitted_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], width: int,
                 droppable: Sequence[str] = (), right: Sequence[str] = (), full: str = "",
                 styles: Sequence[str | None] | None = None) -> Table:
    """A rich Table of `rows` whose columns are never squeezed: columns in `droppable` (in that order) are left
    out while the table is wider than `width`; the caption names them and `full` (where every column is)."""
    keep = list(headers)

    def natural(columns: list[str]) -> int:
        index = [headers.index(c) for c in columns]
        return 1 + sum(max([len(c)] + [len(str(r[i])) for r in rows]) + PADDING for c, i in zip(columns, index,
                                                                                                  strict=True))
    dropped = []
    for column in droppable:
        if natural(keep) <= width:
            break
        keep.remove(column)
        dropped.append(column)
    table = Table(title=title, title_justify="left")
    for column in keep:
        longest = max([len(column)] + [len(str(r[headers.index(column)])) for r in rows])
        table.add_column(column, justify="right" if column in right else "left", no_wrap=True, min_width=longest)
    for i, row in enumerate(rows):
        table.add_row(*(str(row[headers.index(c)]) for c in keep), style=styles[i] if styles else None)
    if dropped:
        table.caption = (f"left out to fit {width} columns: {', '.join(dropped)}"
                         + (f" (every column in {full})" if full else ""))
        table.caption_justify = "left"
    return table
