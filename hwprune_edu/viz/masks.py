"""Pictures of keep masks: side by side, each titled with its sparsity and the pattern hardware reads in it.

:func:`show_masks` draws on matplotlib ``Axes`` (given, or a new figure) and
returns the ``Figure``, so notebooks can restyle or save it. Not imported by
``hwprune_edu/__init__``: importing it imports matplotlib (but not torch).

>>> import numpy as np
>>> from hwprune_edu.pruning import prune_to
>>> w = np.random.default_rng(0).standard_normal((8, 8))
>>> fig = show_masks({"2:4": prune_to(w, "2:4"), "rows": prune_to(w, "structured", 0.5)})
>>> [ax.get_title().splitlines()[1:] for ax in fig.axes]
[['50.0% pruned', 'read as 2:4'], ['50.0% pruned', 'read as structured (4 of 8 rows)']]
"""

from __future__ import annotations

from typing import Any, Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from hwprune_edu.hardware import describe_mask
from hwprune_edu.util.validation import check_positive_int, describe
from hwprune_edu.viz.arguments import check_axes
from hwprune_edu.viz.style import MASK_COLOURS

__all__ = ["pattern_label", "show_masks"]

_MASK_COLOURMAP = ListedColormap(list(MASK_COLOURS))
# Above this many cells across, group/tile grid lines would be denser than the pixels.
_MAX_GRID_CELLS = 128


def pattern_label(mask: Any) -> str:
    """How the hardware simulator reads a keep mask, in a few words (see :func:`~hwprune_edu.hardware.describe_mask`).

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
    stats = describe_mask(mask)
    if stats.pattern.kind == "structured":
        rows, cols = stats.shape
        if stats.kept_cols == cols:
            return f"structured ({stats.kept_rows} of {rows} rows)"
        if stats.kept_rows == rows:
            return f"structured ({stats.kept_cols} of {cols} columns)"
        return f"structured ({stats.kept_rows} x {stats.kept_cols} kept)"
    return stats.pattern.name


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
    if not isinstance(value, (tuple, list)):
        side = check_positive_int(value, name=name)  # one int: a square
        return (side, side)
    if len(value) != 2:
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
        The matplotlib ``Figure`` (its ``.axes`` hold one panel per mask, in order).

    >>> fig = show_masks({"all kept": np.ones((16, 16), bool)}, corner=8, grid=4)
    >>> fig.axes[0].images[0].get_array().shape, fig.axes[0].get_xlabel()
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
        axes = check_axes(axes, len(pictures), per="mask")
    for ax, (name, picture) in zip(axes, pictures.items()):
        rows, cols = picture.shape
        shown = picture if corner is None else picture[: corner[0], : corner[1]]
        ax.imshow(shown, cmap=_MASK_COLOURMAP, vmin=0, vmax=1, interpolation="nearest")
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
    return axes[0].figure
