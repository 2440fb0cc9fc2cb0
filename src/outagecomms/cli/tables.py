"""Tables that keep what you must type: ids, incident ids and channel names are never
truncated or wrapped; the other columns wrap instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table


def keep_whole(table: Table, *headers: str) -> Table:
    """Give the ``headers`` columns the width of their longest cell, unwrapped, and let
    every other column fold rather than cut its text with an ellipsis."""
    from rich.text import Text

    for column in table.columns:
        if str(column.header) in headers:
            widths = [
                Text(c).cell_len if isinstance(c, str) else getattr(c, "cell_len", 0)
                for c in column.cells
            ]
            column.no_wrap = True
            column.min_width = max([len(str(column.header)), *widths])
        else:
            column.overflow = "fold"
    return table
