"""Tables as the package prints them: aligned text columns, SI-prefixed numbers, and a text-and-HTML ``Table``.

Pure Python (no NumPy, no torch), so any layer can use it.

>>> print(format_columns([("name", "n"), ("a", "1"), ("bcd", "22")], right=(1,)))
name   n
a      1
bcd   22
"""

from __future__ import annotations

import html
import math
from typing import Any, Collection, Sequence

__all__ = ["format_columns", "format_si", "Table"]


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


def format_si(value: float, unit: str) -> str:
    """Three significant digits with an SI prefix, for every table the course prints.

    >>> format_si(2.5e-6, "s"), format_si(1.66e13, "FLOP/s"), format_si(512, "")
    ('2.5 us', '16.6 TFLOP/s', '512')
    """
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}".strip()
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "u"),
                           (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}".strip()
    return f"{value:.3g} {unit}".strip()


class Table:
    """A small table of strings that prints aligned in a terminal and renders as HTML in Jupyter.

    Args:
        headers: column names.
        rows: sequences of cells (converted with ``str``), each as long as ``headers``.
        title: an optional line printed above the table.

    >>> print(Table(["a", "bb"], [[1, 2], [30, 4]], title="t"))
    t
    a   bb
    1   2
    30  4
    """

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "") -> None:
        self.headers = tuple(str(h) for h in headers)
        self.rows = tuple(tuple(str(cell) for cell in row) for row in rows)
        self.title = str(title)
        for index, row in enumerate(self.rows):
            if len(row) != len(self.headers):
                raise ValueError(f"rows[{index}] must have {len(self.headers)} cells (one per header), got {len(row)}")

    def column(self, header: str) -> tuple[str, ...]:
        """The cells under ``header``, top to bottom.

        >>> Table(["x"], [[1], [2]]).column("x")
        ('1', '2')
        """
        if header not in self.headers:
            raise ValueError(f"header must be one of {self.headers}, got {header!r}")
        index = self.headers.index(header)
        return tuple(row[index] for row in self.rows)

    def __str__(self) -> str:
        lines = [self.title] if self.title else []
        return "\n".join([*lines, format_columns([self.headers, *self.rows])])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in self.rows)
        title = f"<p><b>{esc(self.title)}</b></p>" if self.title else ""
        return f"<div>{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
