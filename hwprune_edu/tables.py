"""Plain-text tables: rows of strings padded into aligned columns, as every report of the package prints them.

Pure Python (no NumPy, no torch), so any layer can use it.

>>> print(format_columns([("name", "n"), ("a", "1"), ("bcd", "22")], right=(1,)))
name   n
a      1
bcd   22
"""

from __future__ import annotations

from typing import Collection, Sequence

__all__ = ["format_columns"]


def format_columns(rows: Sequence[Sequence[str]], *, right: Collection[int] = ()) -> str:
    """Rows of strings as lines, each column padded to its widest cell and columns two spaces apart.

    Text reads best left-aligned and numbers right-aligned, so the columns in
    ``right`` are right-aligned, the rest left-aligned. Trailing spaces are
    stripped from every line.

    Args:
        rows: the header row first, then the data rows; every row as long as the first.
        right: indices of the right-aligned columns.

    Returns:
        The table as one string, lines joined by ``"\\n"`` (``print`` it).

    >>> print(format_columns([("a", "bb"), ("ccc", "d")]))
    a    bb
    ccc  d
    """
    sizes = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(size) if c in right else cell.ljust(size) for c, (cell, size) in enumerate(zip(row, sizes))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
