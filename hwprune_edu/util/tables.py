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
import numbers
from dataclasses import dataclass
from typing import Any, Collection, Sequence, Union

__all__ = ["format_columns", "format_si", "HtmlCell", "html_table", "Table", "Preformatted"]


def format_columns(rows: Sequence[Sequence[str]], *, right: Collection[int] = (), sep: str = "  ",
                   pad_last: bool = True) -> str:
    """Rows of strings as lines, each column padded to its widest cell and columns ``sep`` apart.

    Text reads best left-aligned and numbers right-aligned, so the columns in
    ``right`` are right-aligned, the rest left-aligned. Trailing spaces are
    stripped from every line.

    Args:
        rows: the header row first, then the data rows; every row as long as the first.
        right: indices of the right-aligned columns.
        sep: what stands between two columns.
        pad_last: pad the last column too; ``False`` leaves it as it is, so a value
            that varies run to run (a time) never shifts the rest of its line.

    Returns:
        The table as one string, lines joined by ``"\\n"`` (``print`` it).

    >>> print(format_columns([("a", "bb"), ("ccc", "d")]))
    a    bb
    ccc  d
    >>> print(format_columns([("x", "t"), ("1", "10 s"), ("100", "2 s")], right=(0,), sep=" ", pad_last=False))
      x t
      1 10 s
    100 2 s
    """
    _check_rows(rows, "rows")
    if not isinstance(right, Collection) or isinstance(right, str) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in right):
        raise TypeError(f"right must be a collection of column indices (ints), got {_describe(right)}")
    if not isinstance(sep, str):
        raise TypeError(f"sep must be a str, got {_describe(sep)}")
    padded = len(rows[0]) if pad_last else len(rows[0]) - 1
    sizes = [max(len(row[c]) for row in rows) for c in range(padded)] + [0] * (len(rows[0]) - padded)
    lines = []
    for row in rows:
        cells = [cell.rjust(size) if c in right else cell.ljust(size) for c, (cell, size) in enumerate(zip(row, sizes))]
        lines.append(sep.join(cells).rstrip())
    return "\n".join(lines)


def _describe(value: Any) -> str:
    # validation.describe's short form, kept here so this module stays pure Python.
    if value is None or isinstance(value, (bool, int, float, str)):
        return f"{type(value).__name__} {value!r}"
    return f"a {type(value).__name__}"


def _check_rows(rows: Any, name: str, *, allow_empty: bool = False) -> None:
    """Rows must be a sequence of equally long sequences of strings (a header row at least)."""
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise TypeError(f"{name} must be a list of rows (sequences of str), got {_describe(rows)}")
    if not rows and not allow_empty:
        raise ValueError(f"{name} must hold at least the header row, got an empty list")
    width = None
    for index, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str):
            raise TypeError(f"{name}[{index}] must be a sequence of cells, got {_describe(row)}")
        if width is not None and len(row) != width:
            raise ValueError(f"{name}[{index}] must have {width} cells (as {name}[0] has), got {len(row)}")
        width = len(row)
        for cell in row:
            if not isinstance(cell, str):
                raise TypeError(f"{name}[{index}] must hold str cells (format numbers first), got {_describe(cell)}")


def format_si(value: float, unit: str) -> str:
    """Three significant digits with an SI prefix, for every table the course prints.

    NaN and infinities print as ``nan`` and ``inf`` (a missing or unbounded figure).

    >>> format_si(2.5e-6, "s"), format_si(1.66e13, "FLOP/s"), format_si(512, "")
    ('2.5 us', '16.6 TFLOP/s', '512')
    """
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # a 0-d NumPy array
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number, got {_describe(value)}")
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a str such as 's' or 'B' ('' for none), got {_describe(unit)}")
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}".strip()
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "u"),
                           (1e-9, "n"), (1e-12, "p")):
        if abs(value) >= factor:
            return f"{value / factor:.3g} {prefix}{unit}".strip()
    return f"{value:.3g} {unit}".strip()


@dataclass(frozen=True)
class HtmlCell:
    """One cell of :func:`html_table` that needs more than escaped text.

    Args:
        text: the cell's text; escaped unless ``raw``.
        colspan: columns the cell spans.
        style: inline CSS for the ``<td>``.
        raw: ``text`` is already HTML (marks, ``<br>``, ``<code>``): insert it as it is.
        header: a header cell (``<th>``), e.g. a title row spanning the table.

    >>> html_table([], [[HtmlCell("<b>x</b>", colspan=2, raw=True)]])
    '<table><tbody><tr><td colspan="2"><b>x</b></td></tr></tbody></table>'
    >>> HtmlCell("a & b", header=True).render()
    '<th>a &amp; b</th>'
    """

    text: str
    colspan: int = 1
    style: str = ""
    raw: bool = False
    header: bool = False

    def __post_init__(self):
        if not isinstance(self.text, str):
            raise TypeError(f"text must be a str, got {_describe(self.text)}")
        if isinstance(self.colspan, bool) or not isinstance(self.colspan, numbers.Integral) or self.colspan < 1:
            raise ValueError(f"colspan must be an int >= 1, got {_describe(self.colspan)}")
        if not isinstance(self.style, str):
            raise TypeError(f"style must be a str of inline CSS, got {_describe(self.style)}")
        for label in ("raw", "header"):
            if not isinstance(getattr(self, label), bool):
                raise TypeError(f"{label} must be True or False, got {_describe(getattr(self, label))}")

    def render(self) -> str:
        """The ``<td>`` (or ``<th>``) element."""
        tag = "th" if self.header else "td"
        attrs = (f' colspan="{self.colspan}"' if self.colspan != 1 else "") + (
            f' style="{self.style}"' if self.style else "")
        return f"<{tag}{attrs}>{self.text if self.raw else html.escape(self.text)}</{tag}>"


Cell = Union[str, HtmlCell]


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, title: str = "", caption: str = "",
               row_styles: Sequence[str] = (), style: str = "", notes: Sequence[str] = ()) -> str:
    """An HTML table, the one way every report of the package renders in Jupyter.

    Text is escaped; cells that carry markup are :class:`HtmlCell` with ``raw=True``.

    Args:
        headers: column names (none: no ``<thead>``).
        rows: sequences of cells; a ``str`` cell is escaped, an :class:`HtmlCell` renders itself.
        title: bold line above the table (the table is then wrapped in a ``<div>``).
        caption: the table's ``<caption>``.
        row_styles: inline CSS per row (shorter than ``rows``: later rows unstyled).
        style: inline CSS for the ``<table>``.
        notes: lines listed under the table.

    Returns:
        The HTML as one string.

    >>> html_table(["a"], [["<1>"]])
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;1&gt;</td></tr></tbody></table>'
    """
    esc = html.escape
    if not isinstance(headers, Sequence) or isinstance(headers, str):
        raise TypeError(f"headers must be a list of column names, got {_describe(headers)}")
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise TypeError(f"rows must be a list of rows (sequences of cells), got {_describe(rows)}")
    for index, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str):
            raise TypeError(f"rows[{index}] must be a sequence of cells, got {_describe(row)}")
    for label, text in (("title", title), ("caption", caption), ("style", style)):
        if not isinstance(text, str):
            raise TypeError(f"{label} must be a str, got {_describe(text)}")
    for label, lines in (("row_styles", row_styles), ("notes", notes)):
        if isinstance(lines, str) or not isinstance(lines, Sequence) or not all(isinstance(x, str) for x in lines):
            raise TypeError(f"{label} must be a list of str, got {_describe(lines)}")
    table_attrs = f' style="{style}"' if style else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    head = f"<thead><tr>{''.join(f'<th>{esc(str(h))}</th>' for h in headers)}</tr></thead>" if headers else ""
    body = []
    for index, row in enumerate(rows):
        row_style = row_styles[index] if index < len(row_styles) and row_styles[index] else ""
        cells = "".join(c.render() if isinstance(c, HtmlCell) else f"<td>{esc(str(c))}</td>" for c in row)
        body.append(f'<tr style="{row_style}">{cells}</tr>' if row_style else f"<tr>{cells}</tr>")
    table = f"<table{table_attrs}>{cap}{head}<tbody>{''.join(body)}</tbody></table>"
    listed = f"<ul>{''.join(f'<li>{esc(line)}</li>' for line in notes)}</ul>" if notes else ""
    if not (title or listed):
        return table
    heading = f"<p><b>{esc(title)}</b></p>" if title else ""
    return f"<div>{heading}{table}{listed}</div>"


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
        if not isinstance(headers, Sequence) or isinstance(headers, str) or not headers:
            raise TypeError(f"headers must be a non-empty list of column names, got {_describe(headers)}")
        if not isinstance(rows, Sequence) or isinstance(rows, str) or not all(
                isinstance(row, Sequence) and not isinstance(row, str) for row in rows):
            raise TypeError(f"rows must be a list of rows (sequences of cells), got {_describe(rows)}")
        if not isinstance(title, str):
            raise TypeError(f"title must be a str, got {_describe(title)}")
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
        return html_table(self.headers, self.rows, title=self.title)


class Preformatted(str):
    r"""Text that prints as itself and shows in Jupyter as preformatted lines that scroll sideways, never wrap.

    A wide aligned table printed in JupyterLab wraps at the window's edge and
    its columns fall apart; returned as the last value of a cell, this shows
    the same text in a ``<pre>`` block with a horizontal scroll bar. It is a
    ``str`` in every other way (``print``, ``in``, ``splitlines``, ``+``).

    >>> table = Preformatted("a  b\n1  2")
    >>> print(table)
    a  b
    1  2
    >>> table  # the text itself, not its quoted repr
    a  b
    1  2
    >>> table._repr_html_()
    '<pre style="white-space: pre; overflow-x: auto">a  b\n1  2</pre>'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's text/plain: the lines as they are (its default for a str is the quoted repr).
        printer.text(str.__str__(self))

    def _repr_html_(self) -> str:
        return f'<pre style="white-space: pre; overflow-x: auto">{html.escape(self)}</pre>'

