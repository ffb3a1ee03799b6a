"""Mask builders shared by the hardware tests (each pattern, made deterministically from a seed)."""

import numpy as np


def unstructured_mask(shape, density, seed=0):
    """Random keep-mask with at least one kept weight in every row and column (so nothing is structured)."""
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) < density
    rows, cols = shape
    mask[np.arange(rows), rng.integers(0, cols, rows)] = True
    mask[rng.integers(0, rows, cols), np.arange(cols)] = True
    return mask


def n_m_mask(shape, n=2, m=4, seed=0):
    """Exactly ``n`` kept of every ``m`` consecutive inputs, chosen at random per group."""
    rng = np.random.default_rng(seed)
    rows, cols = shape
    scores = rng.random((rows, cols // m, m))
    rank = scores.argsort(axis=2).argsort(axis=2)
    return (rank < n).reshape(rows, cols)


def rows_mask(shape, kept_rows):
    """Whole output channels kept (the first ``kept_rows``), the rest removed."""
    mask = np.zeros(shape, bool)
    mask[:kept_rows] = True
    return mask
