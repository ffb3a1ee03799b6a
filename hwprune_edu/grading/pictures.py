"""Mask pictures for the exercises: see which entries a pattern keeps, next to the learner's own mask.

Each panel shows a keep mask in its GEMM view (``(out, everything else)``),
kept entries dark, pruned ones light, with the fraction pruned in the title.
A panel can be a mask or a function of the weights; a function is called
through the sandbox, so a stub that still raises ``NotImplementedError`` (or
any broken code) gives a labelled empty panel instead of an error.

>>> import numpy as np
>>> from hwprune_edu import pruning
>>> w = np.random.default_rng(0).standard_normal((8, 16))
>>> fig = show_masks(w, {"2:4": pruning.nm_mask(w), "rows": lambda x: pruning.structured_mask(x, 0.5)}, show=False)
>>> [ax.get_title() for ax in fig.axes]
['2:4\\n50% pruned', 'rows\\n50% pruned']
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from hwprune_edu.grading import sandbox
from hwprune_edu.grading.judging import Fail, as_mask

__all__ = ["show_masks"]


def _panel(weights: np.ndarray, entry: Any, timeout_s: float) -> tuple[np.ndarray | None, str]:
    if callable(entry):
        outcome = sandbox.call_safely(entry, (weights.copy(),), {}, timeout_s=timeout_s)
        if outcome["status"] == "not_implemented":
            return None, "not implemented yet"
        if outcome["status"] != "ok":
            return None, f"{outcome['error']['type']}"
        entry = outcome["output"]
    try:
        return as_mask(entry, weights.shape)[0], ""
    except Fail as failure:
        return None, str(failure)[:60]


def show_masks(weights: Any, masks: Mapping[str, Any], *, show: bool = True, timeout_s: float = 2.0,
               panel_width_in: float = 2.6):
    """Draw one panel per mask: kept entries dark, pruned entries light.

    Args:
        weights: the weights the masks belong to (any shape with >= 1 dimension).
        masks: title -> a keep mask, or a function ``f(weights) -> mask``
            (called safely: a stub or a crash gives an empty, labelled panel).
        show: display now (in Jupyter) and return None; ``False`` returns the figure.
        timeout_s: limit for each function call.
        panel_width_in: width of one panel in inches.

    Returns:
        The matplotlib ``Figure`` when ``show`` is False, else None.
    """
    import matplotlib.pyplot as plt

    w = np.asarray(weights)
    fig, axes = plt.subplots(1, len(masks), figsize=(panel_width_in * len(masks), panel_width_in * 0.9),
                             squeeze=False)
    for ax, (title, entry) in zip(axes[0], masks.items()):
        mask, problem = _panel(w, entry, timeout_s)
        ax.set_xticks([])
        ax.set_yticks([])
        if mask is None:
            ax.set_title(f"{title}\n({problem})", fontsize=9)
            ax.set_facecolor("#f1f3f4")
            continue
        view = mask.reshape(mask.shape[0], -1) if mask.ndim > 1 else mask.reshape(1, -1)
        ax.imshow(view, cmap="Greys", vmin=-0.3, vmax=1.0, interpolation="nearest", aspect="auto")
        ax.set_title(f"{title}\n{(~mask).mean():.0%} pruned", fontsize=9)
    fig.tight_layout()
    if show:
        plt.show()
        return None
    return fig
