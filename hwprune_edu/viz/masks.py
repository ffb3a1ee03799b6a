"""Pictures of pruning granularity: keep masks side by side, accuracy against sparsity, speed-up per platform.

Each function draws on matplotlib ``Axes`` (given, or a new figure) and
returns them, so notebooks can restyle or save the figure. Not imported by
``hwprune_edu/__init__``: importing it imports matplotlib (but not torch).

>>> import numpy as np
>>> from hwprune_edu.studies.sweeps import pattern_mask
>>> w = np.random.default_rng(0).standard_normal((8, 8))
>>> axes = show_masks({"2:4": pattern_mask(w, "2:4"), "rows": pattern_mask(w, "structured", 0.5)})
>>> [ax.get_title().splitlines()[1:] for ax in axes]
[['50.0% pruned', 'read as 2:4'], ['50.0% pruned', 'read as structured (4 of 8 rows)']]
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import NullFormatter

from hwprune_edu.hardware import describe_pattern
from hwprune_edu.studies.results import LatencyTable, SweepTable
from hwprune_edu.util.validation import check_positive_int, describe

__all__ = ["pattern_label", "show_masks", "plot_accuracy_vs_sparsity", "plot_speedups"]

# Pruned = light grey, kept = dark blue: kept weights stand out, as ink on paper.
_MASK_COLOURS = ListedColormap(["#eeeeee", "#1f4e79"])
# Single-point patterns (N:M) get markers of their own, so they read as points, not curves.
_POINT_MARKERS = ("*", "P", "X", "D", "^", "v")
# Speed-up ticks on the log axis, labelled "0.5x", "2x": powers of ten would hide the small ratios that matter.
_SPEEDUP_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50)
# Above this many cells across, group/tile grid lines would be denser than the pixels.
_MAX_GRID_CELLS = 128


def pattern_label(mask: Any) -> str:
    """How the hardware simulator reads a keep mask, in a few words (see :func:`~hwprune_edu.hardware.describe_pattern`).

    Args:
        mask: boolean (or 0/1) keep mask, 2-D ``(out, in)`` or conv ``(out, in, kh, kw)``.

    Returns:
        ``"dense"``, ``"unstructured"``, ``"structured (k of n rows)"`` (or
        ``"(r x c kept)"`` when columns go too), ``"N:M"`` or ``"block RxC"``.

    >>> pattern_label(np.kron(np.eye(2, dtype=bool), np.ones((4, 4), bool)))
    'block 4x4'
    >>> pattern_label(np.array([[1, 1], [0, 0]], bool))
    'structured (1 of 2 rows)'
    """
    pattern = describe_pattern(mask)
    if pattern.kind == "n:m":
        return f"{pattern.n}:{pattern.m}"
    if pattern.kind == "block":
        return f"block {pattern.block_shape[0]}x{pattern.block_shape[1]}"
    if pattern.kind == "structured":
        rows, cols = pattern.shape
        if pattern.kept_cols == cols:
            return f"structured ({pattern.kept_rows} of {rows} rows)"
        if pattern.kept_rows == rows:
            return f"structured ({pattern.kept_cols} of {cols} columns)"
        return f"structured ({pattern.kept_rows} x {pattern.kept_cols} kept)"
    return pattern.kind


def _as_picture(mask: Any, name: str) -> np.ndarray:
    array = np.asarray(mask)
    if array.dtype.kind not in "biuf" or not np.isin(array, (0, 1)).all():
        raise ValueError(f"masks[{name!r}] must be a boolean (or 0/1) keep mask, got {describe(mask)}")
    if array.ndim == 4:
        # The conv weight's GEMM matrix in implicit-GEMM order (out, kh, kw, in), as the simulator reads it.
        array = array.transpose(0, 2, 3, 1).reshape(array.shape[0], -1)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"masks[{name!r}] must be a non-empty 2-D (out, in) or 4-D conv mask, got {describe(array)}")
    return array.astype(bool)


def _pair(value: Any, name: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be an int or a (rows, cols) pair of ints, got {describe(value)}")
    return (check_positive_int(value[0], name=f"{name}[0]"), check_positive_int(value[1], name=f"{name}[1]"))


def show_masks(
    masks: Mapping[str, Any],
    *,
    corner: int | tuple[int, int] | None = None,
    grid: int | tuple[int, int] | None = None,
    axes: Any = None,
):
    """Draw keep masks side by side (kept = dark), each titled with its sparsity and the pattern hardware sees.

    The sparsity and the pattern are read from the *whole* mask; ``corner``
    only zooms the picture, which makes fine patterns (2:4, 4x4 blocks)
    visible in a large layer.

    Args:
        masks: ``{name: keep mask}``, 2-D ``(out, in)`` (rows = output neurons)
            or conv ``(out, in, kh, kw)`` (drawn as its GEMM matrix); not modified.
        corner: show only the top-left ``rows x cols`` (an int = a square).
        grid: draw thin lines every ``rows x cols`` cells (e.g. 4 for 2:4
            groups and 4x4 tiles), when the picture is at most 128 cells across.
        axes: a sequence of ``Axes``, one per mask; a new row of panels if ``None``.

    Returns:
        The list of ``Axes``.

    >>> axes = show_masks({"all kept": np.ones((16, 16), bool)}, corner=8, grid=4)
    >>> axes[0].images[0].get_array().shape, axes[0].get_xlabel()
    ((8, 8), 'top-left 8x8 of 16x16')
    """
    if not isinstance(masks, Mapping):
        raise TypeError(f"masks must be a dict {{name: keep mask}}, got {describe(masks)}")
    if not masks:
        raise ValueError("masks must contain at least one mask, got an empty dict")
    pictures = {str(name): _as_picture(mask, str(name)) for name, mask in masks.items()}
    corner = _pair(corner, "corner")
    grid = _pair(grid, "grid")
    if axes is None:
        _, grid_axes = plt.subplots(1, len(pictures), figsize=(3.2 * len(pictures), 3.6), squeeze=False)
        axes = list(grid_axes[0])
    else:
        axes = list(np.ravel(axes))
        if len(axes) != len(pictures):
            raise ValueError(f"axes must hold one Axes per mask ({len(pictures)}), got {len(axes)}")
    for ax, (name, picture) in zip(axes, pictures.items()):
        rows, cols = picture.shape
        shown = picture if corner is None else picture[: corner[0], : corner[1]]
        ax.imshow(shown, cmap=_MASK_COLOURS, vmin=0, vmax=1, interpolation="nearest")
        pruned = 1.0 - np.count_nonzero(picture) / picture.size
        ax.set_title(f"{name}\n{100 * pruned:.1f}% pruned\nread as {pattern_label(picture)}", fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
        if shown.shape != picture.shape:
            ax.set_xlabel(f"top-left {shown.shape[0]}x{shown.shape[1]} of {rows}x{cols}")
        else:
            ax.set_xlabel(f"{rows}x{cols} (rows = output neurons)")
        if grid is not None and max(shown.shape) <= _MAX_GRID_CELLS:
            # Pixel i covers [i - 0.5, i + 0.5]: boundaries between groups sit on the half-integers.
            for y in np.arange(grid[0], shown.shape[0], grid[0]) - 0.5:
                ax.axhline(y, color="white", linewidth=0.8)
            for x in np.arange(grid[1], shown.shape[1], grid[1]) - 0.5:
                ax.axvline(x, color="white", linewidth=0.8)
    return axes


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
    if which not in ("pruned", "finetuned"):
        raise ValueError(f"which must be 'pruned' or 'finetuned', got {describe(which)}")
    if which == "finetuned" and any(p.finetuned_accuracy is None for p in table.points):
        raise ValueError("which='finetuned' needs a table swept with finetune_steps > 0; this one has no fine-tuned accuracies")
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
            marker = _POINT_MARKERS[n_single % len(_POINT_MARKERS)]
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
