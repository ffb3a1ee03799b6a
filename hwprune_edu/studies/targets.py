"""The course's targets for hardware-aware pruning, and the verdicts a comparison gets against them.

A :class:`~hwprune_edu.studies.results.Comparison` is checked with
:func:`check_targets` (or its method ``check_targets()``): one
:class:`TargetCheck` per target, MET, MISSED or SKIPPED (a measured target when
nothing was measured), collected in a :class:`TargetReport`.

>>> report = TargetReport([TargetCheck("search under 60 s", "MET", "4.2 s")])
>>> print(report)
[MET] search under 60 s: 4.2 s
1 met, 0 missed, 0 skipped
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from hwprune_edu.util.tables import HtmlCell, format_si, html_table
from hwprune_edu.util.validation import describe

__all__ = [
    "DEFAULT_TARGETS",
    "ACCURACY_LOSS_MAX_POINTS",
    "UNSTRUCTURED_SPEEDUP_BAND",
    "PHYSICAL_SPEEDUP_MIN",
    "SEARCH_LIMIT_S",
    "BUDGET_SLACK",
    "TargetCheck",
    "TargetReport",
    "check_targets",
]

#: The two profiles the hardware-aware search runs on: a dense-only systolic NPU with 256-unit tiles and a CPU
#: with 8-unit tiles, so the search has to find two different sets of tile edges.
DEFAULT_TARGETS = ("npu-systolic", "cpu-avx2")
#: Pruning for speed should cost little accuracy: one point is about three of the 360 test images, roughly the
#: standard error of a 97 % accuracy on that split, so a smaller loss cannot be told from noise anyway.
ACCURACY_LOSS_MAX_POINTS = 1.0
#: Unstructured 90 % on dense kernels runs "about 1x" (the zeros are multiplied anyway); timing on a shared
#: machine wobbles by a few tens of percent from round to round, so this band is what we call "about".
UNSTRUCTURED_SPEEDUP_BAND = (0.8, 1.25)
#: A model physically pruned to half the simulated latency should be clearly faster on a real dense kernel too;
#: 1.5x leaves room for the overheads the simulator's CPU profile does not share with this machine.
PHYSICAL_SPEEDUP_MIN = 1.5
#: The search is meant to run inside a lesson: one minute per target keeps the whole comparison a coffee break.
SEARCH_LIMIT_S = 60.0
#: Budgets are compared as floats built from sums of simulated times: a latency this much (relatively) over the
#: budget is rounding noise, not a miss.
BUDGET_SLACK = 1e-9

_STATUSES = ("MET", "MISSED", "SKIPPED")
_COLOURS = {"MET": "#070", "MISSED": "#b00", "SKIPPED": "#777"}


@dataclass(frozen=True)
class TargetCheck:
    """One of the course's targets, its verdict and the numbers behind it.

    ``status`` is ``"MET"``, ``"MISSED"`` or ``"SKIPPED"`` (a measured target
    when nothing was measured).

    >>> print(TargetCheck("search under 60 s", "MET", "4.2 s"))
    [MET] search under 60 s: 4.2 s
    """

    target: str
    status: str
    detail: str

    def __post_init__(self) -> None:
        for name in ("target", "status", "detail"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{name} must be a str, got {describe(getattr(self, name))}")
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {list(_STATUSES)}, got {self.status!r}")

    def __str__(self) -> str:
        return f"[{self.status}] {self.target}: {self.detail}"


class TargetReport(tuple):
    """The verdicts of :func:`check_targets`: a tuple of :class:`TargetCheck` that prints as a list.

    >>> report = TargetReport([TargetCheck("a", "MET", "1"), TargetCheck("b", "SKIPPED", "not measured")])
    >>> report.all_met, len(report.missed)
    (True, 0)
    >>> print(report)
    [MET] a: 1
    [SKIPPED] b: not measured
    1 met, 0 missed, 1 skipped
    """

    def __new__(cls, iterable: Any = ()) -> "TargetReport":
        if isinstance(iterable, (str, bytes)) or not hasattr(iterable, "__iter__"):
            raise TypeError(f"iterable must be a list of TargetCheck, got {describe(iterable)}")
        checks = tuple(iterable)
        for i, check in enumerate(checks):
            if not isinstance(check, TargetCheck):
                raise TypeError(f"iterable[{i}] must be a TargetCheck, got {describe(check)}")
        return super().__new__(cls, checks)

    @property
    def missed(self) -> list[TargetCheck]:
        """The checks whose target was missed."""
        return [check for check in self if check.status == "MISSED"]

    @property
    def all_met(self) -> bool:
        """``True`` when no target was missed (skipped ones don't count against)."""
        return not self.missed

    def _summary(self) -> str:
        counts = {status: sum(check.status == status for check in self) for status in _STATUSES}
        return f"{counts['MET']} met, {counts['MISSED']} missed, {counts['SKIPPED']} skipped"

    def __str__(self) -> str:
        return "\n".join([str(check) for check in self] + [self._summary()])

    def __repr__(self) -> str:
        return f"TargetReport({self._summary()})"

    def _repr_html_(self) -> str:
        rows = [[HtmlCell(f"<b>{c.status}</b>", style=f"color:{_COLOURS[c.status]}", raw=True), c.target, c.detail]
                for c in self]
        return html_table(["verdict", "target", "numbers"], rows, notes=[self._summary()])


def check_targets(comparison: Any) -> TargetReport:
    """Every target of the course for a comparison, MET / MISSED / SKIPPED, with the numbers.

    Per target profile: the hardware-aware model meets the budget in
    simulation; loses at most :data:`ACCURACY_LOSS_MAX_POINTS` of test
    accuracy against dense; is at least as accurate as uniform channel
    pruning at the same budget on that profile; its search took under
    :data:`SEARCH_LIMIT_S`; and, if measured, runs at least
    :data:`PHYSICAL_SPEEDUP_MIN` x faster than dense. Plus: unstructured
    pruning on dense kernels runs about 1x (:data:`UNSTRUCTURED_SPEEDUP_BAND`).

    Args:
        comparison: a :class:`~hwprune_edu.studies.results.Comparison` (what ``compare_methods`` returns).

    Returns:
        A :class:`TargetReport`.
    """
    # Comparison's module imports this one, so the check reads what a Comparison has rather than its class.
    if not all(hasattr(comparison, a) for a in ("dense", "methods", "targets", "budget", "latency_ratio")):
        raise TypeError(f"comparison must be what compare_methods() returns (a Comparison), got {describe(comparison)}")
    dense = comparison.dense
    checks = []
    for p in comparison.targets:
        name = f"hw_aware_{p}"
        row = comparison.methods[name]
        ratio = comparison.latency_ratio(name, p)
        checks.append(_verdict(f"{name} meets budget {comparison.budget:g} on {p} in simulation",
                               ratio <= comparison.budget * (1 + BUDGET_SLACK), f"{ratio:.3f} of dense"))
        loss = 100 * (dense.accuracy - row.accuracy)
        checks.append(_verdict(
            f"{name} loses <= {ACCURACY_LOSS_MAX_POINTS:g} point of test accuracy vs dense",
            loss <= ACCURACY_LOSS_MAX_POINTS + 1e-9,
            f"dense {100 * dense.accuracy:.2f} % -> {100 * row.accuracy:.2f} % ({-loss:+.2f} points)",
        ))
        uniform = comparison.uniform_at[p]
        checks.append(_verdict(
            f"{name} at least as accurate as uniform channel pruning at budget {comparison.budget:g} on {p}",
            row.accuracy >= uniform.accuracy,
            f"{100 * row.accuracy:.2f} % (sim {ratio:.3f}) vs {100 * uniform.accuracy:.2f} % "
            f"(sim {uniform.sim_latency_s[p] / dense.sim_latency_s[p]:.3f})",
        ))
    unstructured = next((r for r in comparison.methods.values() if r.kind == "unstructured"), None)
    if unstructured is not None:
        low, high = UNSTRUCTURED_SPEEDUP_BAND
        checks.append(_measured_verdict(
            f"{unstructured.name} on dense kernels: measured speed-up about 1x ({low:g}-{high:g}x)",
            comparison.speedup(unstructured.name), lambda s: low <= s <= high,
        ))
    for p in comparison.targets:
        name = f"hw_aware_{p}"
        checks.append(_measured_verdict(f"{name} (physically pruned): measured speed-up >= {PHYSICAL_SPEEDUP_MIN:g}x",
                                        comparison.speedup(name), lambda s: s >= PHYSICAL_SPEEDUP_MIN))
    for p in comparison.targets:
        name = f"hw_aware_{p}"
        seconds = comparison.methods[name].search_s
        checks.append(_verdict(f"{name} search wall time < {SEARCH_LIMIT_S:g} s", seconds < SEARCH_LIMIT_S,
                               format_si(seconds, "s")))
    return TargetReport(checks)


def _verdict(target: str, ok: bool, detail: str) -> TargetCheck:
    return TargetCheck(target, "MET" if ok else "MISSED", detail)


def _measured_verdict(target: str, speedup: float | None, ok: Callable[[float], bool]) -> TargetCheck:
    if speedup is None:
        return TargetCheck(target, "SKIPPED", "not measured (measure=False)")
    return _verdict(target, ok(speedup), f"{speedup:.2f}x")
