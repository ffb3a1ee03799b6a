"""Pruning patterns that hardware can exploit: whole slices, N:M groups, blocks.

* ``structured_mask``: whole rows (neurons) or conv filters; the layer becomes
  a smaller dense layer, which is faster on every platform.
* ``nm_mask``: N of every M consecutive inputs kept, the pattern of sparse
  tensor cores (2:4 on NVIDIA Ampere).
* ``block_mask``: whole tiles, which block-sparse kernels skip.

Tie rule, as everywhere in this package: among equal scores the earlier slice,
group member or block (row-major) is pruned first.

>>> w = np.array([[1.0, 2.0], [0.1, 0.1], [3.0, 0.0]])
>>> structured_mask(w, 1).tolist()
[[True, True], [False, False], [True, True]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.pruning._select import smallest_k_mask
from hwprune_edu.util.validation import as_weights, check_int, check_number, describe, resolve_amount

__all__ = ["structured_mask", "nm_mask", "block_mask", "slice_norms"]

# Above this group size the pairwise-rank kernel (m*(m-1) comparisons) loses to argsort.
_PAIRWISE_MAX_M = 16


def _check_axis(axis: Any, ndim: int) -> int:
    axis = check_int(axis, name="axis")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis must be in [{-ndim}, {ndim - 1}] for a {ndim}-D weights array, got {axis}")
    return axis % ndim


def _check_norm(norm: Any) -> float:
    return check_number(norm, name="norm", low=0, closed="neither", allow_inf=True,
                        meaning=" (the p of the Ln norm; numpy.inf for the max)")


def _lp_norms(rows: np.ndarray, p: float) -> np.ndarray:
    """Ln norm (float64) of each row of a non-negative float matrix, accumulated in float64, without overflow.

    float16 sums overflow past 65504 and round 2049 to 2048, which reorders
    (or ties) the slices; float64 sums of float16 values are exact. The sums
    cast as they accumulate (no float64 copy of the weights). Only rows whose
    powers overflow or underflow (|w| near 1e154 for p = 2) are recomputed,
    scaled by their largest entry.
    """
    if p == np.inf:
        return rows.max(axis=1).astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):  # an overflow is detected below and redone scaled
        if p == 1:
            norms = rows.sum(axis=1, dtype=np.float64)
        elif p == 2:
            norms = np.sqrt(np.einsum("ij,ij->i", rows, rows, dtype=np.float64))
        else:
            norms = (rows.astype(np.float64) ** p).sum(axis=1) ** (1.0 / p)
    overflowed = ~np.isfinite(norms) | ((norms == 0) & (rows.max(axis=1, initial=0) > 0))
    if overflowed.any():
        big = rows[overflowed].astype(np.float64)
        scale = big.max(axis=1, keepdims=True)
        norms = norms.copy()
        norms[overflowed] = (((big / scale) ** p).sum(axis=1) ** (1.0 / p)) * scale[:, 0]
    return norms


def slice_norms(weights: Any, *, axis: int = 0, norm: float = 1) -> np.ndarray:
    """Ln norm of each slice of ``weights`` along ``axis`` (one number per row / filter).

    Args:
        weights: array with at least 1 dimension.
        axis: the axis whose slices are scored (0 = output neurons / filters).
        norm: the ``p`` of the Ln norm: a number ``> 0`` or ``numpy.inf``.

    Returns:
        1-D float64 array of length ``weights.shape[axis]`` (accumulated in float64
        whatever the weights' dtype).

    >>> slice_norms([[3.0, -4.0], [1.0, 0.0]], norm=2).tolist()
    [5.0, 1.0]
    """
    w = as_weights(weights)
    axis = _check_axis(axis, w.ndim)
    p = _check_norm(norm)
    rows = np.moveaxis(np.abs(w), axis, 0).reshape(w.shape[axis], -1)
    return _lp_norms(rows, p)


def structured_mask(weights: Any, amount: int | float, *, axis: int = 0, norm: float = 1) -> np.ndarray:
    """Keep mask that prunes whole slices along ``axis`` with the smallest Ln norm.

    Rows of a Linear weight ``(out, in)`` are neurons; slices of a conv weight
    ``(out, in, kh, kw)`` along axis 0 are filters. Equals
    ``torch.nn.utils.prune.ln_structured(module, name, amount, n=norm, dim=axis)``
    on tie-free input.

    Args:
        weights: array with at least 1 dimension; not modified.
        amount: ``int`` = number of slices to prune; ``float`` = fraction of
            the ``weights.shape[axis]`` slices, ``round(amount * n)``.
        axis: the axis whose slices are pruned.
        norm: the Ln norm that scores a slice (1, 2, any ``p > 0``, ``numpy.inf``).

    Returns:
        Boolean keep mask of the weights' shape, constant along each slice.

    >>> structured_mask([[1.0, 1.0], [5.0, 0.0]], 1, axis=1).tolist()
    [[True, False], [True, False]]
    """
    w = as_weights(weights)
    axis = _check_axis(axis, w.ndim)
    k = resolve_amount(amount, w.shape[axis])
    norms = slice_norms(w, axis=axis, norm=norm)
    keep_slices = ~smallest_k_mask(norms, k)
    shape = [1] * w.ndim
    shape[axis] = w.shape[axis]
    return np.broadcast_to(keep_slices.reshape(shape), w.shape).copy()


def nm_mask(weights: Any, n: int = 2, m: int = 4, *, axis: int = 1) -> np.ndarray:
    """Keep mask with the ``n`` largest |w| in every group of ``m`` consecutive entries along ``axis``.

    With ``n=2, m=4, axis=1`` on a Linear ``(out, in)`` weight this is the
    2:4 pattern of NVIDIA's sparse tensor cores (groups run along the input
    dimension). For a conv weight ``(out, in, kh, kw)`` use ``axis=1`` and the
    groups run over input channels at each kernel position. Ties: the earlier
    entry of a group is pruned first.

    Args:
        weights: array with at least 1 dimension; not modified.
        n: entries kept per group, ``0 <= n <= m``.
        m: group size, ``>= 1``; ``weights.shape[axis]`` must be a multiple of it.
        axis: the axis along which groups are formed.

    Returns:
        Boolean keep mask of the weights' shape, exactly ``n`` True per group.

    >>> nm_mask([[0.1, -0.9, 0.3, 0.2]]).tolist()
    [[False, True, True, False]]
    """
    w = as_weights(weights)
    m = check_int(m, name="m", minimum=1)
    n = check_int(n, name="n", minimum=0)
    if n > m:
        raise ValueError(f"n must be <= m (keep n of every m entries), got n={n} > m={m}")
    axis = _check_axis(axis, w.ndim)
    length = w.shape[axis]
    if length % m:
        raise ValueError(
            f"weights.shape[{axis}] must be a multiple of m={m} to form {n}:{m} groups, got {length} "
            f"(shape {w.shape}); pad the layer to {-(-length // m) * m} or choose another axis"
        )
    moved = np.moveaxis(w, axis, -1)
    groups = moved.reshape(-1, m)
    # |w| in (m, groups) layout: every comparison below is then a contiguous pass.
    columns = np.empty((m, groups.shape[0]), dtype=w.dtype)
    np.abs(groups.T, out=columns)
    if m <= _PAIRWISE_MAX_M:
        keep_groups = _keep_top_n_pairwise(columns, n)
    else:
        keep_groups = _keep_top_n_argsort(columns, n)
    keep = keep_groups.reshape(moved.shape)
    return np.ascontiguousarray(np.moveaxis(keep, -1, axis))


def _keep_top_n_pairwise(columns: np.ndarray, n: int) -> np.ndarray:
    """(groups, m) keep mask from (m, groups) magnitudes, by counting who beats whom.

    rank[i] = how many group members beat member i; a later member beats an
    equal earlier one, so earlier members are pruned first on ties.
    """
    m, n_groups = columns.shape
    keep = np.empty((n_groups, m), dtype=bool)
    rank = np.empty(n_groups, dtype=np.uint8)
    beats = np.empty(n_groups, dtype=bool)
    for i in range(m):  # loops over the m group positions, never over elements
        rank[:] = 0
        for j in range(m):
            if j == i:
                continue
            compare = np.greater_equal if j > i else np.greater
            compare(columns[j], columns[i], out=beats)
            rank += beats
        np.less(rank, n, out=keep[:, i])
    return keep


def _keep_top_n_argsort(columns: np.ndarray, n: int) -> np.ndarray:
    m = columns.shape[0]
    order = np.argsort(columns, axis=0, kind="stable")  # ascending; ties keep index order
    keep = np.zeros(columns.shape, dtype=bool)
    np.put_along_axis(keep, order[m - n :], True, axis=0)
    return keep.T


def block_mask(weights: Any, amount: int | float, *, block: tuple[int, int] = (4, 4)) -> np.ndarray:
    """Keep mask that prunes whole ``block`` tiles with the smallest L1 norm.

    A 2-D weight is tiled directly; a conv weight ``(out, in, kh, kw)`` is
    viewed as its GEMM matrix ``(out, in*kh*kw)`` and tiled there.

    Args:
        weights: array with 2 or more dimensions; not modified.
        amount: ``int`` = number of blocks to prune; ``float`` = fraction of blocks.
        block: ``(rows, cols)`` of a tile; each must divide the matrix's size.

    Returns:
        Boolean keep mask of the weights' shape, constant on each tile.

    >>> w = np.array([[1.0, 1.0, 0.1, 0.1], [1.0, 1.0, 0.1, 0.1]])
    >>> block_mask(w, 1, block=(2, 2)).astype(int).tolist()
    [[1, 1, 0, 0], [1, 1, 0, 0]]
    """
    w = as_weights(weights)
    if w.ndim < 2:
        raise ValueError(f"weights must have at least 2 dimensions for block pruning, got shape {w.shape}")
    if not isinstance(block, (tuple, list, np.ndarray)) or len(block) != 2:
        raise TypeError(f"block must be a (rows, cols) pair of ints, got {describe(block)}")
    br = check_int(block[0], name="block[0]", minimum=1)
    bc = check_int(block[1], name="block[1]", minimum=1)
    matrix = w.reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    if rows % br or cols % bc:
        raise ValueError(
            f"block={(br, bc)} must tile the weight matrix exactly, but its GEMM shape is {(rows, cols)} "
            f"({rows} % {br} = {rows % br}, {cols} % {bc} = {cols % bc})"
        )
    tiles = np.abs(matrix).reshape(rows // br, br, cols // bc, bc)
    # Summed in float64: float16 block sums overflow past 65504 and lose the order of large blocks.
    block_l1 = tiles.sum(axis=(1, 3), dtype=np.float64)
    k = resolve_amount(amount, block_l1.size, name="amount")
    keep_blocks = ~smallest_k_mask(block_l1.ravel(), k).reshape(block_l1.shape)
    keep = np.repeat(np.repeat(keep_blocks, br, axis=0), bc, axis=1)
    return keep.reshape(w.shape)
