"""Pictures of a method comparison: the accuracy-vs-simulated-latency Pareto chart, per-layer breakdowns, rooflines.

Each function draws a :class:`hwprune_edu.studies.results.Comparison` on given
matplotlib ``Axes`` (or makes a figure) and returns them, like
:mod:`hwprune_edu.viz.simulator`. Importing this module imports matplotlib, not torch.

>>> from hwprune_edu.studies.results import Comparison, MethodResult
>>> def row(name, kind, ratio, acc):
...     return MethodResult(name, kind, "cpu-avx2", acc, 1, {"cpu-avx2": ratio * 1e-3}, None, 1.0, {})
>>> c = Comparison({"dense": row("dense", "dense", 1.0, 0.97), "hw_aware_cpu-avx2": row("hw_aware_cpu-avx2", "hw-aware", 0.5, 0.96)},
...                {}, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy")
>>> pareto_chart(c).get_xlabel()
'simulated latency on cpu-avx2 (fraction of dense)'
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np

from hwprune_edu.hardware import simulate
from hwprune_edu.studies.results import BudgetPoint, Comparison, SearchStep, pareto_front
from hwprune_edu.studies.arguments import check_flag, check_sequence
from hwprune_edu.util.validation import describe
from hwprune_edu.viz.arguments import check_ax, check_axes
from hwprune_edu.viz.simulator import latency_breakdown, roofline_chart

__all__ = ["pareto_chart", "breakdown_charts", "roofline_charts", "KIND_STYLES"]

#: Marker and colour of each kind of method, the same in every chart.
KIND_STYLES = {
    "dense": {"marker": "s", "color": "black"},
    "unstructured": {"marker": "x", "color": "tab:red"},
    "uniform": {"marker": "^", "color": "tab:orange"},
    # Open circles: a uniform triangle at the same spot stays visible inside.
    "hw-aware": {"marker": "o", "color": "tab:blue", "markerfacecolor": "none", "markeredgewidth": 2},
}


def _check(comparison: Any) -> Comparison:
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be what compare_methods() returns (a Comparison), got {describe(comparison)}")
    return comparison


def pareto_chart(comparison, profile=None, *, sweep: Sequence[BudgetPoint] | None = None, trajectory: bool = False,
                 ax=None):
    """Test accuracy against simulated latency on ``profile``: each method a point, the Pareto front a staircase.

    Up and to the left is better. The grey staircase joins the points no other
    point beats on both axes; the dashed line is the budget. With ``sweep``
    (what :func:`hwprune_edu.studies.comparison.budget_sweep` returns for this
    profile) each method also gets a line through its results at other
    budgets. With ``trajectory``, the hardware-aware search on this profile
    shows its path: one dot per NetAdapt iteration, at the *validation*
    accuracy it was chosen on (before the final fine-tune; off by default,
    as it mixes validation with test accuracy).

    Args:
        comparison: a :class:`~hwprune_edu.studies.results.Comparison`.
        profile: a simulated profile (default: the comparison's first target).
        sweep: extra points from ``budget_sweep`` on the same profile.
        trajectory: draw the search path.
        ax: a matplotlib ``Axes``; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    comparison = _check(comparison)
    profile = comparison.profile(profile)
    if sweep is not None:
        sweep = check_sequence(sweep, name="sweep", kind=BudgetPoint, what="BudgetPoint records budget_sweep() returns",
                               empty_ok=True)
    trajectory = check_flag(trajectory, name="trajectory")
    ax = check_ax(ax)
    points = comparison.pareto_points(profile)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    latencies = [p.latency_ratio for p in points]
    accuracies = [100 * p.accuracy for p in points]
    search = comparison.methods.get(f"hw_aware_{profile}")
    if trajectory and search is not None and search.history:
        path = [h for h in search.history if isinstance(h, SearchStep)]
        ax.plot([h.latency_ratio for h in path], [100 * h.val_accuracy for h in path], ":", color="tab:blue",
                alpha=0.6, marker=".", label="search path (validation accuracy)")
    if sweep:
        for method, kind in (("hw_aware", "hw-aware"), ("uniform_channel", "uniform")):
            rows = sorted((p for p in sweep if p.method == method), key=lambda p: p.latency_ratio)
            if rows:
                x = [p.latency_ratio for p in rows]
                y = [100 * p.accuracy for p in rows]
                ax.plot(x, y, "-", color=KIND_STYLES[kind]["color"], marker=KIND_STYLES[kind]["marker"],
                        alpha=0.45, markersize=5, label=f"{method} at other budgets")
                latencies += x
                accuracies += y
    front = pareto_front(latencies, accuracies)
    order = np.argsort(np.asarray(latencies)[front])
    front_x = np.append(np.asarray(latencies)[front][order], max(latencies))
    front_y = np.asarray(accuracies)[front][order]
    # The staircase is the best accuracy reachable at each latency, so it runs on to the slowest point.
    ax.step(front_x, np.append(front_y, front_y[-1]), where="post", color="grey", linewidth=1, label="Pareto front")
    x_span = (max(latencies) - min(latencies)) or 1.0
    y_span = (max(accuracies) - min(accuracies)) or 1.0
    placed: list[tuple[float, float]] = []
    for p in points:
        style = KIND_STYLES.get(p.kind, {"marker": "o", "color": "tab:green"})
        x, y = p.latency_ratio, 100 * p.accuracy
        ax.plot(x, y, linestyle="none", markersize=9, **style)
        # Methods often tie (about the same latency and accuracy): stack their labels instead of overprinting them.
        # A label is about a fifth of the axes wide and a twentieth high.
        below = sum(abs(x - px) < 0.2 * x_span and abs(y - py) < 0.05 * y_span for px, py in placed)
        placed.append((x, y))
        ax.annotate(p.name, (x, y), textcoords="offset points", xytext=(7, 4 - 11 * below), fontsize="small")
    ax.margins(x=0.12, y=0.1)
    ax.axvline(comparison.budget, color="black", linestyle="--", linewidth=0.8, label=f"budget {comparison.budget:g}")
    ax.set_xlabel(f"simulated latency on {profile} (fraction of dense)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"Accuracy vs simulated latency on {profile}, batch {comparison.batch}")
    ax.legend(fontsize="small", loc="best")
    return ax


def breakdown_charts(comparison, profile=None, *, axes=None):
    """Per-layer simulated latency of every method on ``profile``: one :func:`~hwprune_edu.viz.simulator.latency_breakdown` each.

    The panels share their x-axis, so the layers' bars compare across methods.

    Args:
        comparison: a :class:`~hwprune_edu.studies.results.Comparison`.
        profile: a simulated profile (default: the comparison's first target).
        axes: one ``Axes`` per method; a new figure if ``None``.

    Returns:
        The list of ``Axes``.
    """
    comparison = _check(comparison)
    reports = comparison.reports(profile)
    axes = check_axes(axes, len(reports), per="method")
    if axes is None:
        _, axes = plt.subplots(len(reports), 1, figsize=(7, 1.6 * len(reports) + 0.5), sharex=True, squeeze=False)
        axes = list(axes[:, 0])
    if len(axes) != len(reports):
        raise ValueError(f"axes must hold one Axes per method ({len(reports)}), got {len(axes)}")
    for ax, (name, report) in zip(axes, reports.items()):
        latency_breakdown(report, ax=ax)
        ax.set_title(f"{name}: {ax.get_title()}", fontsize="medium")
    # One legend, outside the first panel, so it hides no bar.
    first = axes[0].get_legend()
    axes[0].legend(first.legend_handles, [t.get_text() for t in first.get_texts()], fontsize="small",
                   loc="upper left", bbox_to_anchor=(1.0, 1.0))
    for ax in axes[1:]:
        ax.get_legend().remove()
    for ax in axes[:-1]:
        ax.set_xlabel("")
    return list(axes)


def roofline_charts(comparison, names: Sequence[str] | None = None, *, axes=None):
    """Roofline of every simulated profile with the layers of each named method on it, one panel per method.

    Args:
        comparison: a :class:`~hwprune_edu.studies.results.Comparison`.
        names: methods to draw (default: ``dense`` and the first hardware-aware model).
        axes: one ``Axes`` per name; a new figure if ``None``.

    Returns:
        The list of ``Axes``.
    """
    comparison = _check(comparison)
    if names is None:
        names = ["dense", f"hw_aware_{comparison.targets[0]}"]
    names = check_sequence(names, name="names", kind=str, what="method names of the comparison")
    rows = []
    for name in names:
        try:
            rows.append(comparison.row(name))
        except ValueError as err:
            raise ValueError(f"names: {err}") from None
    axes = check_axes(axes, len(rows), per="name")
    if axes is None:
        _, axes = plt.subplots(1, len(rows), figsize=(6.5 * len(rows), 4.5), squeeze=False)
        axes = list(axes[0])
    if len(axes) != len(rows):
        raise ValueError(f"axes must hold one Axes per name ({len(rows)}), got {len(axes)}")
    for ax, row in zip(axes, rows):
        roofline_chart([simulate(list(row.workload), p) for p in comparison.profiles], ax=ax)
        ax.set_title(f"{row.name}, batch {comparison.batch}: layers against each roof", fontsize="medium")
    return list(axes)
