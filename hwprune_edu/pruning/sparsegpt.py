"""SparseGPT: one-shot pruning that updates the surviving weights to undo the damage (OBS with the layer Hessian).

Frantar & Alistarh, "SparseGPT: Massive Language Models Can Be Accurately
Pruned in One-Shot", ICML 2023 (Algorithm 1). For a Linear layer and
calibration inputs ``X``, each row ``w`` of ``W`` is pruned to minimise
``||X w - X w_hat||^2``, whose Hessian is ``H = X^T X`` (dampened by
``damp * mean(diag(H))`` so that it is invertible). Columns are processed left
to right; pruning column ``j`` of a row costs ``w_j**2 / [H_F^-1]_jj`` (the
Optimal Brain Surgeon saliency over the not-yet-processed columns ``F``) and
is compensated by the OBS update of the later columns,
``w_F -= (w_j / [H_F^-1]_jj) * H_F^-1[j, F]``. The rows of the upper Cholesky
factor of ``H^-1`` hold all those ``H_F^-1`` rows at once, so one
factorisation serves every step; updates are applied lazily per block of
``block_size`` columns, and the mask of each block is chosen when the block
starts (adaptive mask selection), from the weights as updated so far.

One deliberate difference from the authors' code: the mask of a block is
chosen *per row* (each row of the block prunes its share), so every row ends
with exactly the same sparsity, as in Wanda; the authors choose it over the
whole block, which leaves rows unequal.

>>> rng = np.random.default_rng(0)
>>> x = rng.standard_normal((64, 8))
>>> w = rng.standard_normal((4, 8))
>>> w_hat, keep = sparsegpt_prune(w, x, 0.5)
>>> keep.sum(axis=1).tolist(), bool((w_hat[~keep] == 0).all())
([4, 4, 4, 4], True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from hwprune_edu.pruning._rows import RowTarget, smallest_per_row
from hwprune_edu.pruning.reconstruction import as_calibration
from hwprune_edu.util.validation import as_weights, check_int, check_number, describe

__all__ = ["sparsegpt_prune", "sparsegpt_column_step", "layer_hessian", "inverse_hessian_factor"]


def layer_hessian(inputs: Any, in_features: int, *, damp: float = 0.01) -> np.ndarray:
    """The dampened layer Hessian ``X^T X + damp * mean(diag(X^T X)) * I`` (float64).

    Dead inputs (a column of ``X`` that is always zero) get ``H[j, j] = 1``, as in
    the authors' code, so the matrix stays invertible; their weights cost nothing to prune.

    >>> layer_hessian(np.array([[1.0, 0.0], [1.0, 0.0]]), 2, damp=0.0).tolist()
    [[2.0, 0.0], [0.0, 1.0]]
    """
    x = as_calibration(inputs, in_features)
    damp = _check_damp(damp)
    h = x.T @ x
    diagonal = np.diag(h).copy()
    dead = diagonal == 0
    diagonal[dead] = 1.0
    mean_diagonal = float(diagonal.mean())
    np.fill_diagonal(h, diagonal + damp * mean_diagonal)
    return h


def inverse_hessian_factor(hessian: np.ndarray) -> np.ndarray:
    """Upper-triangular ``U`` with ``H^-1 = U^T U``: row ``j`` of ``U`` is row ``j`` of ``H_F^-1`` over ``F = j..end``, scaled.

    Precisely, ``U[j, j:] = inv(H[j:, j:])[0] / sqrt(inv(H[j:, j:])[0, 0])``, which is
    what lets SparseGPT read every OBS step off one factorisation.

    >>> h = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> u = inverse_hessian_factor(h)
    >>> bool(np.allclose(u.T @ u, np.linalg.inv(h))), round(float(u[1, 1]) ** 2, 6)
    (True, 0.5)
    """
    h = as_weights(hessian, name="hessian", ndim=2)
    if h.shape[0] != h.shape[1]:
        raise ValueError(f"hessian must be a square (in_features, in_features) matrix, got shape {h.shape}")
    if not np.allclose(h, h.T, rtol=1e-6, atol=1e-12 * float(np.abs(h).max(initial=0.0))):
        raise ValueError("hessian must be symmetric (X^T X is); got a matrix that is not, e.g. from a transposed product")
    try:
        inverse = np.linalg.inv(h.astype(np.float64, copy=False))
        inverse = (inverse + inverse.T) / 2  # inv() of a symmetric matrix is symmetric only up to rounding
        return np.linalg.cholesky(inverse).T
    except np.linalg.LinAlgError:
        raise ValueError(
            "hessian must be positive definite (the layer Hessian X^T X is not, even with damping); "
            "increase damp (e.g. 0.1)"
        ) from None


def _check_damp(damp: Any) -> float:
    return check_number(damp, name="damp", low=0, meaning=" (a fraction of the Hessian's mean diagonal)")


def _block_prune_counts(prune_per_row: int, in_features: int, block_size: int) -> list[int]:
    """How many entries each row prunes in each block, so that the blocks add up to exactly ``prune_per_row``.

    Cumulative rounding: block ``[a, b)`` prunes ``K(b) - K(a)`` with ``K(j) = round(prune_per_row * j / in)``.
    """
    edges = np.minimum(np.arange(0, in_features + block_size, block_size), in_features)
    edges = np.unique(edges)
    cumulative = (2 * prune_per_row * edges + in_features) // (2 * in_features)
    return np.diff(cumulative).tolist()


def sparsegpt_prune(weights: Any, inputs: Any, amount: int | float | None = None, *, n: int | None = None,
                    m: int | None = None, block_size: int = 128, damp: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Prune a Linear layer one-shot with SparseGPT: choose the mask by OBS saliency and update the kept weights.

    Args:
        weights: Linear weight ``(out_features, in_features)``; not modified.
        inputs: calibration activations ``(samples, in_features)`` (or ``(..., in_features)``); not modified.
        amount: per row: ``int`` = entries pruned in each row, ``float`` = fraction
            of ``in_features`` (``round(amount * in_features)``). ``None`` with ``n, m``.
        n, m: keep ``n`` of every ``m`` consecutive inputs (2:4) instead of ``amount``;
            ``block_size`` must then be a multiple of ``m``.
        block_size: columns per lazy-update block (the mask of a block is chosen when it starts).
        damp: Hessian damping as a fraction of its mean diagonal (the authors use 0.01).

    Returns:
        ``(pruned_weights, keep_mask)``: a new array of the weights' dtype with exact
        zeros where ``keep_mask`` is False, and the boolean keep mask (exactly the
        same count per row, or exactly ``n`` per group of ``m``).

    >>> w_hat, keep = sparsegpt_prune(np.array([[1.0, 0.1, -2.0, 0.3]]), np.eye(4), n=2, m=4)
    >>> keep.tolist(), w_hat.tolist()                   # X = I: no correlations, so no update
    ([[True, False, True, False]], [[1.0, 0.0, -2.0, 0.0]])
    """
    w_in = as_weights(weights, ndim=2)
    rows, cols = w_in.shape
    target = RowTarget.resolve(amount, n, m, cols)
    block_size = check_int(block_size, name="block_size", minimum=1)
    damp = _check_damp(damp)
    if target.is_nm and block_size % target.m:
        raise ValueError(f"block_size must be a multiple of m={target.m} so no {target.n}:{target.m} group straddles "
                         f"two blocks, got block_size={block_size}")
    x = as_calibration(inputs, cols)
    # One BLAS thread: on a shared machine OpenBLAS's multi-threaded Cholesky and small products slow
    # down up to 8x (threads spin-waiting for busy cores); one thread is also the same result on every run.
    with threadpool_limits(limits=1, user_api="blas"):
        return _sparsegpt(w_in, x, target, block_size, damp)


def _sparsegpt(w_in: np.ndarray, x: np.ndarray, target: RowTarget, block_size: int, damp: float
               ) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = w_in.shape
    dead = ~np.any(x != 0, axis=0)
    u = inverse_hessian_factor(layer_hessian(x, cols, damp=damp))
    w = w_in.astype(np.float64)  # a new array: the caller's weights are never written
    pruned = np.zeros((rows, cols), dtype=bool)
    counts = None if target.is_nm else iter(_block_prune_counts(target.prune_per_row, cols, block_size))
    diagonal = np.diag(u)
    for start in range(0, cols, block_size):
        stop = min(start + block_size, cols)
        # The block transposed and contiguous: column i of the block is row i here, so every
        # rank-1 update below runs over contiguous memory.
        block = np.ascontiguousarray(w[:, start:stop].T)
        errors = np.empty((stop - start, rows))
        u_block = u[start:stop, start:stop]
        d_block = diagonal[start:stop]
        if not target.is_nm:
            saliency = block.T**2 / d_block**2
            saliency[:, dead[start:stop]] = 0.0  # a weight on an always-zero input costs nothing
            pruned[:, start:stop] = smallest_per_row(saliency, next(counts))
        for i in range(stop - start):
            j = start + i
            if target.is_nm and j % target.m == 0:
                group = slice(i, i + target.m)
                saliency = block[group].T ** 2 / d_block[group] ** 2
                saliency[:, dead[j:j + target.m]] = 0.0
                pruned[:, j:j + target.m] = smallest_per_row(saliency, target.m - target.n)
            error = np.where(pruned[:, j], block[i], 0.0) / d_block[i]
            # OBS: removing w_j shifts the later columns of the block by -error * H_F^-1[j, F] (scaled row of U).
            block[i:] -= np.outer(u_block[i, i:], error)
            errors[i] = error
        w[:, start:stop] = block.T
        # The lazy part: the block's errors reach every later column in one matrix product.
        w[:, stop:] -= errors.T @ u[start:stop, stop:]
    keep = ~pruned
    return np.where(keep, w, 0.0).astype(w_in.dtype), keep


def sparsegpt_column_step(weights: Any, inputs: Any, column: int, prune_rows: Any, *, damp: float = 0.01) -> np.ndarray:
    """One SparseGPT step: zero ``weights[r, column]`` for the rows in ``prune_rows`` and compensate with the OBS update.

    Columns before ``column`` count as already processed and are left alone; the
    not-yet-processed columns ``F = column, column+1, ...`` absorb the error:
    ``w_F -= (w_column / [H_F^-1]_00) * H_F^-1[0, :]`` with ``H_F = H[F, F]`` of the
    dampened Hessian (:func:`layer_hessian`), in every pruned row.

    Args:
        weights: ``(out_features, in_features)``; not modified.
        inputs: calibration activations ``(samples, in_features)``.
        column: the column pruned in this step.
        prune_rows: boolean, one per row: which rows lose their weight in ``column``.
        damp: Hessian damping, a fraction of its mean diagonal.

    Returns:
        The new weights (float64): zeros at ``(prune_rows, column)``, updated later columns.

    >>> w = np.array([[1.0, 2.0]])
    >>> x = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])   # the inputs are correlated
    >>> sparsegpt_column_step(w, x, 0, [True], damp=0.0).round(3).tolist()
    [[0.0, 2.333]]
    """
    w = as_weights(weights, ndim=2).astype(np.float64)
    rows, cols = w.shape
    damp = _check_damp(damp)
    column = check_int(column, name="column", minimum=0)
    if column >= cols:
        raise ValueError(f"column must be < in_features = {cols}, got {column}")
    if prune_rows is None or isinstance(prune_rows, (str, bytes)):
        raise TypeError(f"prune_rows must be {rows} booleans (one per row), got {describe(prune_rows)}")
    prune = np.asarray(prune_rows)
    if prune.dtype != bool or prune.shape != (rows,):
        raise ValueError(f"prune_rows must be {rows} booleans (one per row), got {describe(prune_rows)}")
    h = layer_hessian(inputs, cols, damp=damp)
    inverse = np.linalg.inv(h[column:, column:])
    error = np.where(prune, w[:, column], 0.0) / inverse[0, 0]
    w[:, column:] -= np.outer(error, inverse[0])
    w[prune, column] = 0.0  # exactly zero, not a rounding error away from it
    return w
