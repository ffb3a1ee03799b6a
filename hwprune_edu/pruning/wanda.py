"""Wanda: prune by |weight| x input-activation norm, compared within each output row (no retraining, no update).

Sun, Liu, Bair, Kolter, "A Simple and Effective Pruning Approach for Large
Language Models", ICLR 2024. The score of weight ``W[i, j]`` is
``|W[i, j]| * ||X[:, j]||_2`` over calibration inputs ``X`` of shape
``(samples, in_features)``: a small weight on an input channel with huge
activations (LLMs' outlier features) still matters, which magnitude pruning
misses. Scores are compared within each output row. It is the diagonal
approximation of the layer reconstruction objective SparseGPT solves:
pruning ``W[i, j]`` alone costs ``W[i, j]**2 * (X^T X)[j, j] = score**2``.

>>> w = np.array([[1.0, 0.5, -0.2, 0.4]])
>>> x = np.array([[0.1, 10.0, 1.0, 0.1]])        # input 1 is an outlier channel
>>> wanda_mask(w, x, 0.5).tolist()               # magnitude would keep 1.0 and 0.5
[[False, True, True, False]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.pruning._rows import RowTarget, smallest_per_row
from hwprune_edu.pruning.reconstruction import as_calibration
from hwprune_edu.pruning.structured import nm_mask
from hwprune_edu.util.validation import as_weights

__all__ = ["wanda_mask", "wanda_scores", "input_norms"]


def input_norms(inputs: Any, in_features: int) -> np.ndarray:
    """``||X[:, j]||_2`` for every input feature ``j``: one norm per column, over all samples.

    >>> input_norms(np.array([[3.0, 0.0], [4.0, 1.0]]), 2).tolist()
    [5.0, 1.0]
    """
    x = as_calibration(inputs, in_features)
    return np.sqrt(np.einsum("sj,sj->j", x, x))


def wanda_scores(weights: Any, inputs: Any) -> np.ndarray:
    """Wanda's importance ``|W[i, j]| * ||X[:, j]||_2``, of the weights' shape (float64).

    >>> wanda_scores(np.array([[2.0, -1.0]]), np.array([[1.0, 3.0]])).tolist()
    [[2.0, 3.0]]
    """
    w = as_weights(weights, ndim=2)
    return np.abs(w).astype(np.float64) * input_norms(inputs, w.shape[1])[None, :]


def wanda_mask(weights: Any, inputs: Any, amount: int | float | None = None, *, n: int | None = None,
               m: int | None = None) -> np.ndarray:
    """Wanda's keep mask: in every output row, prune the weights with the smallest ``|W| * ||X_j||``.

    Args:
        weights: Linear weight ``(out_features, in_features)``; not modified.
        inputs: calibration activations ``(samples, in_features)`` (leading axes
            are flattened, so ``(batch, tokens, in_features)`` works); not modified.
        amount: per row: ``int`` = entries pruned in each row, ``float`` in
            [0, 1] = fraction of each row, ``round(amount * in_features)``.
            Leave it ``None`` when giving ``n`` and ``m``.
        n, m: keep ``n`` of every ``m`` consecutive inputs of each row (2:4 for
            sparse tensor cores) instead of a per-row amount.

    Returns:
        Boolean keep mask of the weights' shape, with exactly the same number
        kept in every row (or exactly ``n`` per group). Ties: the earlier input is pruned first.

    >>> wanda_mask(np.ones((1, 4)), np.array([[1.0, 4.0, 2.0, 3.0]]), n=2, m=4).tolist()
    [[False, True, False, True]]
    """
    w = as_weights(weights, ndim=2)
    target = RowTarget.resolve(amount, n, m, w.shape[1])
    scores = wanda_scores(w, inputs)
    if target.is_nm:
        # The scores are >= 0, so nm_mask's |.| ranking is a ranking by score.
        return nm_mask(scores, target.n, target.m, axis=1)
    return ~smallest_per_row(scores, target.prune_per_row)
