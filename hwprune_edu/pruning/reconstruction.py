"""How well a pruned layer reproduces the dense one on calibration inputs: the quantity one-shot pruners minimise.

For a Linear layer ``y = x @ W.T`` and calibration inputs ``X`` of shape
``(samples, in_features)``, the relative layer reconstruction error is
``||X W^T - X W_hat^T||_F / ||X W^T||_F``. SparseGPT (Frantar & Alistarh,
ICML 2023) minimises its square row by row with the Hessian ``X^T X``; Wanda
(Sun et al., ICLR 2024) approximates the same objective by one score per weight.

>>> w = np.array([[1.0, 2.0]])
>>> x = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> round(reconstruction_error(w, np.array([[1.0, 0.0]]), x), 6)  # lost the 2 of sqrt(1 + 4): 2 / sqrt(5)
0.894427
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.util.validation import as_weights, check_positive_int

__all__ = ["reconstruction_error", "as_calibration"]


def as_calibration(inputs: Any, in_features: int, *, name: str = "inputs") -> np.ndarray:
    """Calibration activations as a float64 ``(samples, in_features)`` matrix (leading axes are flattened).

    ``(batch, tokens, in_features)`` activations of a transformer layer are
    accepted and read as ``batch * tokens`` samples.

    >>> as_calibration(np.ones((2, 3, 4)), 4).shape
    (6, 4)
    """
    in_features = check_positive_int(in_features, name="in_features")
    x = as_weights(inputs, name=name)
    if x.ndim < 2:
        raise ValueError(
            f"{name} must be calibration activations of shape (samples, in_features), got a 1-D array of shape "
            f"{x.shape}; use {name}[None, :] for a single sample"
        )
    if x.shape[-1] != in_features:
        raise ValueError(
            f"{name} must have in_features = {in_features} columns (the weights are (out, in) = (., {in_features})), "
            f"got shape {x.shape}"
        )
    return x.reshape(-1, in_features).astype(np.float64, copy=False)


def reconstruction_error(weights: Any, pruned_weights: Any, inputs: Any) -> float:
    """Relative error ``||X W^T - X W_hat^T||_F / ||X W^T||_F`` of a pruned Linear layer on inputs ``X``.

    Args:
        weights: the dense ``(out_features, in_features)`` weight; not modified.
        pruned_weights: the pruned (and possibly updated) weight of the same shape.
        inputs: calibration activations ``(samples, in_features)`` (or ``(..., in_features)``).

    Returns:
        A float ``>= 0``: 0 means the layer's outputs on ``X`` are unchanged,
        1 means the error is as large as the output itself (e.g. all weights pruned).

    >>> w = np.eye(2)
    >>> reconstruction_error(w, np.zeros((2, 2)), np.ones((3, 2)))
    1.0
    """
    w = as_weights(weights, ndim=2)
    w_hat = as_weights(pruned_weights, name="pruned_weights", ndim=2)
    if w_hat.shape != w.shape:
        raise ValueError(f"pruned_weights must have the weights' shape {w.shape}, got shape {w_hat.shape}")
    x = as_calibration(inputs, w.shape[1])
    dense = x @ w.T.astype(np.float64)
    denominator = float(np.linalg.norm(dense))
    if denominator == 0.0:
        raise ValueError(
            "the dense layer's output X @ weights.T is all zeros on these inputs, so a relative error is "
            "undefined; calibrate with inputs that excite the layer"
        )
    # X (W - W_hat)^T, not X W^T - X W_hat^T: one product, and no cancellation of two large numbers.
    difference = x @ (w.astype(np.float64) - w_hat.astype(np.float64)).T
    return float(np.linalg.norm(difference)) / denominator
