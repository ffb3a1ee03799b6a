"""What a check found, for people: a compact green/red table in Jupyter, plain text in a terminal.

A :class:`Report` holds one :class:`Case` per input the learner's function
was run on. Passing cases collapse into one green line; each failing case
shows what was expected and what came back, a hint at the likely mistake, and
the input, small. A function that still raises ``NotImplementedError`` gets
one friendly line instead of a table.

>>> report = Report("magnitude_mask", [Case("public 1", True), Case("hidden 1", False, "pruned 3, expected 2",
...                                      hint="prune exactly k", input="weights=[1, 1, 2], amount=2")])
>>> report.passed, report.score
(False, 0.5)
>>> print(report)
magnitude_mask: 1/2 cases passed (score 0.50)
  FAIL hidden 1: pruned 3, expected 2
       hint: prune exactly k
       input: weights=[1, 1, 2], amount=2
  ok   public 1
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from hwprune_edu.util.tables import HtmlCell, html_table

__all__ = ["Case", "Report", "Summary"]

# At most this many failing cases are shown in full; the rest are counted.
_SHOWN_FAILURES = 4
_GREEN = "#e6f4ea"
_RED = "#fce8e6"
_AMBER = "#fef7e0"
_GREY = "#f1f3f4"
# On every cell: JupyterLab right-aligns table cells (its rule on <td> beats the table's own style), and
# multi-line hints read badly right-aligned.
_LEFT = "text-align:left"
NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code, then run this cell again"


def _check_type(value: object, kind: type | tuple[type, ...], name: str, expected: str) -> None:
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r:.60}")


@dataclass
class Case:
    """One input the learner's function was run on, and the verdict.

    Attributes:
        name: e.g. ``"public 2 (ties)"`` or ``"hidden 5 (conv 4-D)"``.
        passed: whether the output was right.
        message: what was expected and what came back (or what went wrong).
        hint: the likely mistake, kindly put (empty when none was recognised).
        input: the input, printed small.
        mistake: the catalogue id of the recognised mistake, or ``""``.
        note: a harmless difference that was accepted (e.g. 0/1 ints for a mask).
        status: ``"pass"``, ``"fail"``, ``"error"``, ``"timeout"``,
            ``"not_implemented"`` or ``"skipped"``.
    """

    name: str
    passed: bool
    message: str = ""
    hint: str = ""
    input: str = ""
    mistake: str = ""
    note: str = ""
    status: str = ""

    def __post_init__(self) -> None:
        _check_type(self.name, str, "name", "a str")
        _check_type(self.passed, (bool, np.bool_), "passed", "True or False")
        if not self.status:
            self.status = "pass" if self.passed else "fail"


@dataclass
class Report:
    """The result of checking one exercise: ``.passed``, ``.score`` (0..1), ``.cases``.

    Displays as a compact HTML table in Jupyter and as plain text elsewhere.
    """

    exercise: str
    cases: list[Case] = field(default_factory=list)
    #: a problem that stopped the check before any case ran (e.g. "no function found")
    problem: str = ""

    def __post_init__(self) -> None:
        _check_type(self.exercise, str, "exercise", "a str (an exercise id)")
        _check_type(self.cases, (list, tuple), "cases", "a list of Case")
        for case in self.cases:
            _check_type(case, Case, "cases", "a list of Case")
        _check_type(self.problem, str, "problem", "a str")

    @property
    def passed(self) -> bool:
        """True when there were cases and every one passed."""
        return bool(self.cases) and not self.problem and all(c.passed for c in self.cases)

    @property
    def score(self) -> float:
        """Fraction of cases passed (0.0 when nothing ran)."""
        if self.problem or not self.cases:
            return 0.0
        return sum(c.passed for c in self.cases) / len(self.cases)

    @property
    def not_implemented(self) -> bool:
        """True when the function is still the exercise's stub."""
        return any(c.status == "not_implemented" for c in self.cases) and not any(c.passed for c in self.cases)

    @property
    def mistakes(self) -> set[str]:
        """Catalogue ids of every mistake recognised in a failing case (a case naming two counts both)."""
        return {part for c in self.cases if c.mistake for part in c.mistake.split("+")}

    @property
    def notes(self) -> list[str]:
        """Distinct notes on harmless differences, in case order."""
        return list(dict.fromkeys(c.note for c in self.cases if c.note))

    @property
    def status(self) -> str:
        """One word: ``"pass"``, ``"fail"``, ``"not implemented"`` or ``"problem"``."""
        if self.problem:
            return "problem"
        if self.not_implemented:
            return "not implemented"
        return "pass" if self.passed else "fail"

    def _passed_text(self) -> str:
        passed = [c for c in self.cases if c.passed]
        if len(self.cases) == 1 and passed[0].message:  # a single case (exercise 5): say what it showed
            return f"{passed[0].name}: {passed[0].message}"
        return _names([c.name for c in passed])

    def _failures(self) -> list[Case]:
        return [c for c in self.cases if not c.passed and c.status != "skipped"]

    def _skipped(self) -> str:
        skipped = [c for c in self.cases if c.status == "skipped"]
        return f"{len(skipped)} more case(s) skipped: {skipped[0].message}" if skipped else ""

    def __str__(self) -> str:
        lines = [self.headline()]
        if self.problem or self.not_implemented:
            return lines[0]
        failures = self._failures()
        for case, hint in zip(failures[:_SHOWN_FAILURES], _hints(failures)):
            lines.append(f"  FAIL {case.name}: {case.message}")
            if hint:
                lines.append(f"       hint: {hint}")
            if case.input:
                lines.append(f"       input: {case.input}")
        if len(failures) > _SHOWN_FAILURES:
            lines.append(f"  ... and {len(failures) - _SHOWN_FAILURES} more failing case(s)")
        if self._skipped():
            lines.append(f"  {self._skipped()}")
        passed = [c.name for c in self.cases if c.passed]
        if passed:
            lines.append(f"  ok   {self._passed_text()}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def headline(self) -> str:
        """One line: the exercise and how it went."""
        if self.problem:
            return f"{self.exercise}: {self.problem}"
        if self.not_implemented:
            return f"{self.exercise}: {NOT_IMPLEMENTED}"
        return f"{self.exercise}: {self._tally()}"

    def _tally(self) -> str:
        return f"{sum(c.passed for c in self.cases)}/{len(self.cases)} cases passed (score {self.score:.2f})"

    def __repr__(self) -> str:
        return f"<Report {self.exercise}: {self.status}, score {self.score:.2f}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython's plain-text display
        # nbgrader's autograder reads a graded cell's plain-text result as its partial credit (0..1).
        printer.text(repr(self.score) if os.environ.get("NBGRADER_EXECUTION") else str(self))

    def _repr_html_(self) -> str:
        esc = html.escape
        style = "font-family:var(--jp-content-font-family, sans-serif);font-size:13px;margin:2px 0"
        if self.problem or self.not_implemented:
            colour = _AMBER if self.not_implemented else _RED
            text = NOT_IMPLEMENTED if self.not_implemented else self.problem
            return (f'<div style="{style};background:{colour};padding:4px 8px;border-radius:4px">'
                    f"<b>{esc(self.exercise)}</b>: {esc(text)}</div>")
        mark = "&#10004;" if self.passed else "&#10008;"
        rows = [[HtmlCell(f"<b>{mark} {esc(self.exercise)}</b>: {esc(self._tally())}", colspan=3, raw=True, style=_LEFT)]]
        colours = [_GREEN if self.passed else _RED]
        failures = self._failures()
        for case, hint in zip(failures[:_SHOWN_FAILURES], _hints(failures)):
            hint = f'<br><i>hint:</i> {esc(hint)}' if hint else ""
            shown = f'<code style="font-size:11px">{esc(case.input)}</code>' if case.input else ""
            rows.append([HtmlCell(f"&#10008;&nbsp;{esc(case.name)}", raw=True, style=_LEFT),
                         HtmlCell(f"{esc(case.message)}{hint}", raw=True, style=_LEFT),
                         HtmlCell(shown, raw=True, style=_LEFT)])
            colours.append(f"{_RED};vertical-align:top")
        if len(failures) > _SHOWN_FAILURES:
            rows.append([HtmlCell(f"... and {len(failures) - _SHOWN_FAILURES} more failing case(s)", colspan=3, style=_LEFT)])
            colours.append(_RED)
        if self._skipped():
            rows.append([HtmlCell(self._skipped(), colspan=3, style=_LEFT)])
            colours.append(_RED)
        passed = [c.name for c in self.cases if c.passed]
        if passed:
            rows.append([HtmlCell(f"&#10004; {esc(self._passed_text())}", colspan=3, style=f"{_LEFT};font-size:11px", raw=True)])
            colours.append(_GREEN)
        for note in self.notes:
            rows.append([HtmlCell(f"<i>note:</i> {esc(note)}", colspan=3, style=f"{_LEFT};font-size:11px", raw=True)])
            colours.append(_GREY)
        return html_table([], rows, row_styles=[f"background:{c}" for c in colours],
                          style=f"{style};border-collapse:collapse;text-align:left")


def _hints(cases: Sequence[Case]) -> list[str]:
    """Each case's hint, or a pointer back when an earlier case showed the same one."""
    seen: set[str] = set()
    shown = []
    for case in cases:
        shown.append("" if not case.hint else "the same as above" if case.hint in seen else case.hint)
        seen.add(case.hint)
    return shown


def _names(names: Sequence[str]) -> str:
    if len(names) <= 6:
        return ", ".join(names)
    publics = sum(n.startswith("public") for n in names)
    hidden = len(names) - publics
    parts = [f"{publics} public case(s)" if publics else "", f"{hidden} hidden case(s)" if hidden else ""]
    return " and ".join(p for p in parts if p) + " passed"


@dataclass
class Summary:
    """All checks of one notebook, one line each (``None`` = not run yet)."""

    title: str
    reports: list[tuple[str, Report | None]]

    def __post_init__(self) -> None:
        _check_type(self.title, str, "title", "a str")
        _check_type(self.reports, (list, tuple), "reports", "a list of (exercise id, Report or None) pairs")
        for pair in self.reports:
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[1], (Report, type(None)))):
                raise TypeError(f"reports must be a list of (exercise id, Report or None) pairs, got an item {pair!r}")

    @property
    def passed(self) -> bool:
        """True when every exercise was checked and passed."""
        return all(r is not None and r.passed for _, r in self.reports)

    def _headline(self) -> str:
        done = sum(1 for _, r in self.reports if r is not None and r.passed)
        return f"{self.title}: {done}/{len(self.reports)} exercises passed"

    def _rows(self) -> Iterable[tuple[str, str, str]]:
        for name, report in self.reports:
            if report is None:
                yield name, "not run yet", ""
            else:
                yield name, report.status, f"{report.score:.2f}"

    def __str__(self) -> str:
        lines = [self._headline()]
        lines += [f"  {name:<28} {status:<16} {score}".rstrip() for name, status, score in self._rows()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Summary {self.title}: {'pass' if self.passed else 'incomplete'}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        colours = {"pass": _GREEN, "fail": _RED, "problem": _RED, "not implemented": _AMBER, "not run yet": _GREY}
        shown = list(self._rows())
        rows = [[HtmlCell(self._headline(), colspan=3, header=True, style=_LEFT)],
                *([HtmlCell(f"<code>{html.escape(name)}</code>", raw=True, style=_LEFT), HtmlCell(status, style=_LEFT),
                   HtmlCell(score, style=_LEFT)]
                  for name, status, score in shown)]
        styles = ["", *(f"background:{colours.get(status, _GREY)}" for _, status, _ in shown)]
        style = "font-family:var(--jp-content-font-family, sans-serif);font-size:13px;border-collapse:collapse"
        return html_table([], rows, row_styles=styles, style=style)
