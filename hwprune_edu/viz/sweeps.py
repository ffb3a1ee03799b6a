"""Pictures of a granularity sweep: accuracy against sparsity per pattern, and the pruned layer's speed-up per platform.

Each function draws a result of :mod:`hwprune_edu.studies.sweeps` on a given
matplotlib ``Axes`` (or makes a figure) and returns the ``Axes``. Importing
this module imports matplotlib (but not torch).

>>> from hwprune_edu.studies.results import SweepPoint, SweepTable
>>> table = SweepTable((SweepPoint("2:4", 0.5, 0.5, 0.9, None, 10),), dense_accuracy=0.95, layer=2)
>>> plot_accuracy_vs_sparsity(table).get_ylabel()
'test accuracy'
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from hwprune_edu.studies.sweep_results import LatencyTable, SweepTable
from hwprune_edu.studies.arguments import check_flag
from hwprune_edu.util.validation import describe
from hwprune_edu.viz.arguments import check_ax
from hwprune_edu.viz.style import POINT_MARKERS

__all__ = ["plot_accuracy_vs_sparsity", "plot_speedups"]

# Speed-up ticks on the log axis, labelled "0.5x", "2x": powers of ten would hide the small ratios that matter.
_SPEEDUP_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)


def plot_accuracy_vs_sparsity(table: SweepTable, ax: Any = None, *, which: str = "pruned"):
    """Accuracy against the layer's sparsity, one curve per pattern (N:M patterns are single points).

    Colours follow the order of ``table.patterns``, so two panels (``which="pruned"``
    and ``which="finetuned"``) of the same table match; the dense model's
    accuracy is the dashed line.

    Args:
        table: what :func:`hwprune_edu.studies.sweeps.accuracy_vs_sparsity` returns.
        ax: a matplotlib ``Axes``; a new figure if ``None``.
        which: ``"pruned"`` (accuracy right after pruning) or ``"finetuned"``
            (after the sweep's short fine-tune).

    Returns:
        The ``Axes``.

    >>> from hwprune_edu.studies.results import SweepPoint
    >>> points = (SweepPoint("unstructured", 0.5, 0.5, 0.9, None, 10), SweepPoint("unstructured", 0.9, 0.9, 0.8, None, 5),
    ...           SweepPoint("2:4", 0.5, 0.5, 0.85, None, 10))
    >>> ax = plot_accuracy_vs_sparsity(SweepTable(points, 0.95, 2))
    >>> [line.get_label() for line in ax.get_lines()]
    ['unstructured', '2:4', 'dense']
    """
    if not isinstance(table, SweepTable):
        raise TypeError(f"table must be what accuracy_vs_sparsity returns (a SweepTable), got {describe(table)}")
    if not isinstance(which, str) or which not in ("pruned", "finetuned"):
        raise ValueError(f"which must be 'pruned' or 'finetuned', got {describe(which)}")
    if which == "finetuned" and any(p.finetuned_accuracy is None for p in table.points):
        raise ValueError("which='finetuned' needs a table swept with finetune_steps > 0; this one has no fine-tuned accuracies")
    ax = check_ax(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    n_single = 0
    for index, pattern in enumerate(table.patterns):
        points = table.select(pattern)
        x = [100 * p.sparsity for p in points]
        y = [p.accuracy if which == "pruned" else p.finetuned_accuracy for p in points]
        if len(points) == 1:
            # Shrinking sizes: N:M points at the same sparsity often coincide; smaller ones stay visible on top.
            size = max(14 - 2.5 * n_single, 5)
            marker = POINT_MARKERS[n_single % len(POINT_MARKERS)]
            ax.plot(x, y, linestyle="none", marker=marker, markersize=size, color=f"C{index}", label=pattern,
                    markeredgecolor="white", markeredgewidth=0.6)
            n_single += 1
        else:
            ax.plot(x, y, "o-", color=f"C{index}", label=pattern)
    ax.axhline(table.dense_accuracy, color="grey", linestyle="--", linewidth=1, label="dense")
    ax.set_xlabel(f"sparsity of layer {table.layer} (% of its weights pruned)")
    ax.set_ylabel(f"{table.split} accuracy")
    ax.set_title("right after pruning" if which == "pruned" else f"after a {table.finetune_steps}-step fine-tune")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return ax


def plot_speedups(table: LatencyTable, ax: Any = None, *, legend: bool = True):
    """Grouped bars: the pruned layer's speed-up over dense on each platform, one bar per pattern (log scale).

    Args:
        table: what :func:`hwprune_edu.studies.sweeps.latency_by_pattern` returns.
        ax: a matplotlib ``Axes``; a new figure if ``None``.
        legend: draw the legend, to the right of the ``Axes`` (leave it to one panel of several).

    Returns:
        The ``Axes``; bars below the line at 1x are slow-downs.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> from hwprune_edu.studies.sweeps import latency_by_pattern
    >>> table = latency_by_pattern(digits_mlp(hidden=(64, 64)), 2, ["structured", "2:4"], profiles=["cpu-avx2", "mcu-m4"])
    >>> len(plot_speedups(table).patches)  # 2 patterns x 2 platforms
    4
    """
    if not isinstance(table, LatencyTable):
        raise TypeError(f"table must be what latency_by_pattern returns (a LatencyTable), got {describe(table)}")
    legend = check_flag(legend, name="legend")
    ax = check_ax(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * len(table.profiles) + 2, 3.8))
    n_patterns = len(table.patterns)
    width = 0.8 / n_patterns
    positions = np.arange(len(table.profiles))
    all_speedups = []
    for index, row in enumerate(table.rows):
        speedups = [table.speedup(row.pattern, name) for name in table.profiles]
        all_speedups += speedups
        offset = (index - (n_patterns - 1) / 2) * width
        ax.bar(positions + offset, speedups, width, color=f"C{index}", label=f"{row.pattern} ({100 * row.sparsity:.0f}%)")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    low, high = min(all_speedups + [1.0]), max(all_speedups + [1.0])
    ax.set_ylim(low / 1.3, high * 1.3)
    ticks = [t for t in _SPEEDUP_TICKS if low / 1.3 <= t <= high * 1.3]
    ax.set_yticks(ticks, [f"{t:g}x" for t in ticks])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(positions, table.profiles)
    ax.set_ylabel("speed-up of the layer over dense")
    ax.set_title(f"layer {table.layer} at batch {table.batch}: same sparsity, different speed")
    if legend:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
