"""Fake quantisation of weights: round to a signed integer grid and back, to measure what int8 / int4 cost in accuracy.

Symmetric round-to-nearest with one scale per group of ``group_size``
consecutive inputs of each output row (per row when ``group_size`` is None),
as weight-only LLM quantisers store it (GPTQ and AWQ use groups of 128).
Zero maps to zero exactly, so a pruned weight stays pruned: pruning and
quantisation compose.

>>> fake_quantise(np.array([[1.0, -0.6, 0.0, 0.26]]), 2).tolist()   # levels -1, 0, 1 times max|w|
[[1.0, -1.0, 0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.util.validation import as_weights, check_int

__all__ = ["fake_quantise"]


def fake_quantise(weights: Any, bits: int, *, group_size: int | None = None) -> np.ndarray:
    """Weights rounded to ``bits``-bit signed integers (symmetric, absmax scale per row or group), returned as floats.

    Args:
        weights: a 2-D ``(out_features, in_features)`` weight; not modified.
        bits: integer width, ``2 <= bits <= 16``; levels are ``-(2**(bits-1) - 1) .. 2**(bits-1) - 1``.
        group_size: inputs sharing one scale (must divide ``in_features``); None = one scale per row.

    Returns:
        A new array of the weights' dtype and shape, on the quantisation grid.

    >>> w = np.array([[0.1, 0.2, 0.3, 0.4]])
    >>> bool(np.abs(fake_quantise(w, 8) - w).max() <= 0.4 / 127 / 2)   # within half a step of the grid
    True
    """
    w = as_weights(weights, ndim=2)
    bits = check_int(bits, name="bits", minimum=2, maximum=16)  # the widths weight quantisers use
    rows, cols = w.shape
    group_size = cols if group_size is None else check_int(group_size, name="group_size", minimum=1)
    if cols % group_size:
        raise ValueError(f"group_size = {group_size} must divide in_features = {cols}")
    levels = 2 ** (bits - 1) - 1
    groups = w.astype(np.float64).reshape(rows, cols // group_size, group_size)
    scale = np.abs(groups).max(axis=2, keepdims=True) / levels
    scale = np.where(scale == 0, 1.0, scale)  # an all-zero group stays zero
    quantised = np.clip(np.round(groups / scale), -levels, levels) * scale
    return quantised.reshape(rows, cols).astype(w.dtype)
