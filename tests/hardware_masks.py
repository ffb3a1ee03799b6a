"""Masks for the hardware tests: each pattern pruned with ``prune_to`` from seeded random scores.

Uniform random scores make the kept positions random (and deterministic for a
seed), so the masks exercise the simulator's pattern reading as real pruned
layers would, in the one pattern vocabulary of ``hwprune_edu.pruning.patterns``.
"""

import numpy as np

from hwprune_edu.pruning import Pattern, prune_to


def _scores(shape, seed):
    return np.random.default_rng(seed).random(shape)


def unstructured_mask(shape, density, seed=0):
    """``round(density * size)`` weights kept at random, in a mask no structured or N:M format can hold.

    The highest scores go first to 3 of the first 4 inputs of row 0 (so no
    2:4 kernel can take the mask, however sparse), then to one weight in
    every row and every column (so it is no smaller dense matrix), as far
    as the count allows.
    """
    rng = np.random.default_rng(seed)
    scores = rng.random(shape)
    rows, cols = shape
    scores[np.arange(rows), rng.integers(0, cols, rows)] += 1
    scores[rng.integers(0, rows, cols), np.arange(cols)] += 1
    scores[0, : min(3, cols)] += 2
    return prune_to(scores, "unstructured", 1.0 - density)


def n_m_mask(shape, n=2, m=4, seed=0):
    """Exactly ``n`` kept of every ``m`` consecutive inputs, chosen at random per group."""
    return prune_to(_scores(shape, seed), Pattern("n:m", n=n, m=m))


def rows_mask(shape, kept_rows, seed=0):
    """Whole output channels: ``kept_rows`` random rows kept, the rest removed."""
    return prune_to(_scores(shape, seed), "structured", 1.0 - kept_rows / shape[0])
