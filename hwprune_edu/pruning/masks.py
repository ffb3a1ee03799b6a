"""Masks are the common currency: apply them, and measure how sparse things are.

A *keep mask* is a boolean array of the weights' shape, True where the weight
stays. Every pruner in :mod:`hwprune_edu.pruning` returns one.

>>> w = np.array([[0.5, -0.1], [0.0, 2.0]])
>>> apply_mask(w, [[True, False], [True, True]]).tolist()
[[0.5, 0.0], [0.0, 2.0]]
>>> sparsity(w)
0.25
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from hwprune_edu.util.validation import as_mask, as_weights, describe

__all__ = ["apply_mask", "sparsity"]


def apply_mask(weights: Any, mask: Any) -> np.ndarray:
    """Return a new array: ``weights`` where ``mask`` is True, exact zeros elsewhere.

    Shapes are preserved, so the pruned layer still multiplies with its
    inputs; the input is not modified.

    Args:
        weights: array of real numbers.
        mask: boolean keep mask of the same shape.

    Returns:
        A new array of the weights' dtype (int and bool weights stay int and bool).

    >>> apply_mask([1.0, -2.0, 3.0], [True, False, True]).tolist()
    [1.0, 0.0, 3.0]
    >>> apply_mask(np.array([5, -7], np.int8), [False, True])
    array([ 0, -7], dtype=int8)
    """
    w = as_weights(weights, finite=False)
    keep = as_mask(mask, w.shape)
    # as_weights reads int and bool weights as float64; the result keeps the caller's dtype.
    original = np.asarray(weights)
    values = original if original.dtype.kind in "biu" else w
    # np.where, not w * keep: NaN * 0 is NaN and -x * 0 is -0.0.
    return np.where(keep, values, np.zeros((), dtype=values.dtype))


def sparsity(x: Any) -> float:
    """Fraction of entries that are zero (for a boolean mask: fraction pruned).

    Args:
        x: array of numbers or booleans, or a list of such arrays (counted together).

    Returns:
        A float in [0, 1].

    >>> sparsity([[0, 1], [0, 0]])
    0.75
    >>> sparsity([np.ones(3), np.zeros(1)])
    0.25
    """
    if isinstance(x, (list, tuple)) and x and all(isinstance(a, np.ndarray) for a in x):
        arrays = [_counted(a, f"x[{i}]") for i, a in enumerate(x)]
    else:
        arrays = [_counted(x, "x")]
    total = sum(a.size for a in arrays)
    if total == 0:
        raise ValueError(f"x must not be empty, got {describe(x)}")
    zeros = sum(int(np.count_nonzero(a == 0)) for a in arrays)
    return zeros / total


def _counted(x: Any, name: str) -> np.ndarray:
    # A boolean or int mask is counted as it is (no float64 copy of a large mask).
    if isinstance(x, np.ndarray) and x.dtype.kind in "biu":
        return x
    if isinstance(x, (numbers.Number, np.ndarray, np.generic)) and np.ndim(x) == 0:
        x = np.reshape(x, 1)  # a scalar is one entry
    return as_weights(x, name=name, finite=False, allow_empty=True)
