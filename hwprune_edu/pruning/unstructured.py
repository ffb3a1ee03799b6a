"""Unstructured (element-wise) magnitude pruning: threshold, per-layer and global.

Unlike the blog's ``weight_pruning``, which *drops* small weights and returns
ragged rows, these return keep masks of the input's shape: a pruned weight is
a zero in its place, so the layer still multiplies.

Tie rule (shared by every pruner here): among equal magnitudes, the entry that
comes first in row-major (C) order is pruned first.

>>> w = np.array([[0.3, -0.1], [2.0, -0.2]])
>>> magnitude_mask(w, 2).tolist()
[[True, False], [True, False]]
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from hwprune_edu.pruning._select import smallest_k_mask
from hwprune_edu.util.validation import as_weights, check_number, describe, resolve_amount

__all__ = ["magnitude_mask", "threshold_mask", "global_magnitude_masks"]


def magnitude_mask(weights: Any, amount: int | float) -> np.ndarray:
    """Keep mask that prunes exactly ``amount`` smallest-|w| entries.

    Equals ``torch.nn.utils.prune.L1Unstructured(amount).compute_mask`` on
    tie-free input; with ties, the earlier entry (row-major) is pruned first.

    Args:
        weights: array of any shape (a Linear ``(out, in)`` or conv
            ``(out, in, kh, kw)`` weight); not modified.
        amount: ``int`` = number of entries to prune; ``float`` in [0, 1] =
            fraction, rounded as ``round(amount * weights.size)``.

    Returns:
        Boolean keep mask of the weights' shape (True = keep).

    >>> magnitude_mask([1.0, -3.0, 0.5, 2.0], 0.5).tolist()
    [False, True, False, True]
    """
    w = as_weights(weights)
    k = resolve_amount(amount, w.size)
    return ~smallest_k_mask(np.abs(w).ravel(), k).reshape(w.shape)


def threshold_mask(weights: Any, threshold: float) -> np.ndarray:
    """Keep mask of the entries with ``|w| > threshold`` (the blog's rule, shape kept).

    Args:
        weights: array of any shape; not modified.
        threshold: a finite number ``>= 0``.

    Returns:
        Boolean keep mask of the weights' shape.

    >>> threshold_mask([[0.05, -0.5], [0.1, 0.2]], 0.1).tolist()
    [[False, True], [False, True]]
    """
    w = as_weights(weights)
    threshold = check_number(threshold, name="threshold", low=0, meaning=" (it is compared with |w|)")
    return np.abs(w) > threshold


def global_magnitude_masks(weights_list: Sequence[Any], amount: int | float) -> list[np.ndarray]:
    """Keep masks for several layers, pruning the smallest |w| across all of them.

    One threshold for the whole network, so layers with many small weights
    lose more. Equals ``torch.nn.utils.prune.global_unstructured(params,
    pruning_method=L1Unstructured, amount=amount)`` on tie-free input; ties
    break by position in the concatenation (layer order, then row-major).

    Args:
        weights_list: a list or tuple of arrays (one per layer); not modified.
        amount: ``int`` count or ``float`` fraction of *all* entries together.

    Returns:
        A list of boolean keep masks, one per layer, in order.

    >>> masks = global_magnitude_masks([np.array([0.1, 5.0]), np.array([0.2, 0.3])], 2)
    >>> [m.tolist() for m in masks]
    [[False, True], [False, True]]
    """
    if not isinstance(weights_list, (list, tuple)):
        raise TypeError(f"weights_list must be a list or tuple of arrays, got {describe(weights_list)}")
    if len(weights_list) == 0:
        raise ValueError("weights_list must contain at least one array, got an empty sequence")
    arrays = [as_weights(w, name=f"weights_list[{i}]") for i, w in enumerate(weights_list)]
    magnitudes = np.concatenate([np.abs(a).ravel() for a in arrays])
    k = resolve_amount(amount, magnitudes.size)
    pruned = smallest_k_mask(magnitudes, k)
    bounds = np.cumsum([a.size for a in arrays])[:-1]
    return [~part.reshape(a.shape) for part, a in zip(np.split(pruned, bounds), arrays)]
