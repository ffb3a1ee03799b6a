"""Our structured masks as ``torch.nn.utils.prune`` methods: :class:`NMPruning`, :class:`BlockPruning`.

Both are ``BasePruningMethod`` subclasses wrapping the NumPy references
:func:`~hwprune_edu.pruning.nm_mask` and :func:`~hwprune_edu.pruning.block_mask`,
so a torch mask equals the NumPy one exactly. They work with
``.apply(module, name, ...)`` and with ``torch.nn.utils.prune.global_unstructured``;
:func:`nm_prune` and :func:`block_prune` are the functional forms, like
``prune.l1_unstructured``.

>>> from torch import nn
>>> lin = nm_prune(nn.Linear(8, 2), n=1, m=4)
>>> int(lin.weight_mask.sum())  # 1 of every 4 of the 16 weights
4
"""

from __future__ import annotations

import math
import sys
from typing import Any, Iterable, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.nn.checks import check_module, to_numpy
from hwprune_edu.pruning import block_mask, nm_mask
from hwprune_edu.util.validation import check_int, check_positive_int, describe, resolve_amount

__all__ = ["NMPruning", "BlockPruning", "nm_prune", "block_prune"]


def _shapes_arg(shapes: Any) -> tuple[tuple[int, ...], ...] | None:
    if shapes is None:
        return None
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Iterable):
        raise TypeError(f"shapes must be a list of parameter shapes (one per pruned tensor), got {describe(shapes)}")
    out = []
    for i, shape in enumerate(shapes):
        if isinstance(shape, torch.Size):
            shape = tuple(shape)
        if isinstance(shape, (str, bytes)) or not isinstance(shape, Iterable):
            raise TypeError(f"shapes[{i}] must be a parameter's shape, a tuple of ints, got {describe(shape)}")
        # check_positive_int refuses 2.9 rather than truncating it to 2
        out.append(tuple(check_positive_int(d, name=f"shapes[{i}][{j}]") for j, d in enumerate(shape)))
    out = tuple(out)
    if not out:
        raise ValueError("shapes must list at least one parameter shape, got an empty list")
    return out


def _split_flat(t: torch.Tensor, shapes: tuple[tuple[int, ...], ...], method: str) -> list[np.ndarray]:
    sizes = [math.prod(s) for s in shapes]
    if t.ndim != 1 or t.numel() != sum(sizes):
        raise ValueError(
            f"{method} with shapes= expects the flat vector global_unstructured builds from fresh (unpruned) "
            f"parameters, {sum(sizes)} entries for shapes {list(shapes)}; got a tensor of shape {tuple(t.shape)}. "
            "Were some of the parameters already pruned? Prune them with .apply(module, name, ...) instead."
        )
    flat = to_numpy(t, name="the flat vector")
    return [part.reshape(s) for part, s in zip(np.split(flat, np.cumsum(sizes)[:-1]), shapes)]


def _as_torch_mask(keep: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(keep)).to(device=like.device, dtype=like.dtype)


class NMPruning(prune.BasePruningMethod):
    """Keep the ``n`` largest |w| of every ``m`` consecutive weights along the input axis (2:4 by default).

    Wraps :func:`hwprune_edu.pruning.nm_mask`, so the mask equals the NumPy
    one exactly. Two ways to use it:

    * one tensor: ``NMPruning.apply(module, "weight", n=2, m=4)`` (or
      :func:`nm_prune`); groups run along ``axis`` (1 = input features of a
      Linear, input channels of a Conv2d). Applying it again on top of an
      earlier mask keeps that mask (pruned weights count as 0).
    * many tensors: ``prune.global_unstructured(params, pruning_method=NMPruning,
      n=2, m=4, shapes=[w.shape ...])``. torch hands the method one flat
      vector; ``shapes`` lets it cut that vector back into tensors, so every
      tensor gets exactly the mask ``.apply`` would give it. N:M is a local
      pattern: "global" only means "all these tensors at once".

    Args:
        n: weights kept per group.
        m: group size; ``weight.shape[axis]`` must be a multiple of it.
        axis: the axis along which groups run.
        shapes: only for ``global_unstructured``: the shapes of the pruned
            parameters, in the order given to it.

    >>> lin = nn.Linear(8, 2)
    >>> _ = NMPruning.apply(lin, "weight", n=2, m=4)
    >>> int(lin.weight_mask.sum())  # 2 of every 4 of the 16 weights
    8
    """

    # "global" makes torch pass the whole tensor (not just its unpruned entries)
    # when the method is stacked on an earlier mask: groups need their positions.
    PRUNING_TYPE = "global"

    def __init__(self, n: int = 2, m: int = 4, *, axis: int = 1, shapes: Sequence[Sequence[int]] | None = None):
        self.n = check_int(n, name="n", minimum=0)
        self.m = check_int(m, name="m", minimum=1)
        if self.n > self.m:
            raise ValueError(f"n must be <= m (keep n of every m weights), got n={self.n} > m={self.m}")
        self.axis = check_int(axis, name="axis")
        self.shapes = _shapes_arg(shapes)
        if self.shapes is not None:
            # global_unstructured accepts only this type; it passes one flat vector.
            self.PRUNING_TYPE = "unstructured"

    def _mask(self, w: np.ndarray) -> np.ndarray:
        # A 1-D tensor (a bias) groups along its only axis.
        return nm_mask(w, self.n, self.m, axis=self.axis if w.ndim > 1 else 0)

    def compute_mask(self, t: torch.Tensor, default_mask: torch.Tensor) -> torch.Tensor:
        """The keep mask for importance scores ``t``, on top of ``default_mask``."""
        scores = t * default_mask  # earlier-pruned weights score 0, so they go first
        if self.shapes is not None:
            parts = _split_flat(scores, self.shapes, "NMPruning")
            keep = np.concatenate([self._mask(p).ravel() for p in parts])
        else:
            keep = self._mask(to_numpy(scores, name="the weights"))
        return _as_torch_mask(keep, default_mask) * default_mask

    @classmethod
    def apply(cls, module: nn.Module, name: str, n: int = 2, m: int = 4, *, axis: int = 1, importance_scores=None):
        """Prune ``module.<name>`` to ``n:m`` in place (torch's re-parametrisation: ``name_orig``, ``name_mask``)."""
        return super().apply(module, name, n=n, m=m, axis=axis, importance_scores=importance_scores)


class BlockPruning(prune.BasePruningMethod):
    """Prune whole ``block`` tiles of the weight matrix with the smallest L1 norm.

    Wraps :func:`hwprune_edu.pruning.block_mask` (a conv weight is tiled as
    its GEMM matrix ``(out, in*kh*kw)``). ``amount`` follows torch: an ``int``
    counts blocks, a ``float`` is a fraction of them; applied on top of an
    earlier mask it prunes that fraction of the blocks still alive, as torch's
    own methods do. With ``prune.global_unstructured(..., shapes=[...])`` the
    blocks of all tensors compete for one global ranking.

    Args:
        amount: blocks to prune (count or fraction).
        block: ``(rows, cols)`` of a tile; it must tile every weight matrix.
        shapes: only for ``global_unstructured``: the parameters' shapes.

    >>> lin = nn.Linear(4, 4)
    >>> _ = BlockPruning.apply(lin, "weight", amount=0.5, block=(2, 2))
    >>> int(lin.weight_mask.sum())  # 2 of the 4 tiles of 2x2 remain
    8
    """

    PRUNING_TYPE = "global"

    def __init__(self, amount: int | float, *, block: tuple[int, int] = (4, 4), shapes=None):
        if isinstance(amount, np.ndarray) and amount.ndim == 0:
            amount = amount[()]  # a 0-d array is the number it holds
        resolve_amount(amount, sys.maxsize)  # checks type and range now; the count is resolved per call
        self.amount = amount
        if not isinstance(block, (tuple, list)) or len(block) != 2:
            raise TypeError(f"block must be a (rows, cols) pair of ints, got {describe(block)}")
        self.block = (check_positive_int(block[0], name="block[0]"), check_positive_int(block[1], name="block[1]"))
        self.shapes = _shapes_arg(shapes)
        if self.shapes is not None:
            self.PRUNING_TYPE = "unstructured"

    def _grid(self, shape: tuple[int, ...]) -> tuple[int, int]:
        if len(shape) < 2:
            raise ValueError(f"BlockPruning needs weights with at least 2 dimensions, got shape {shape}")
        rows, cols = shape[0], math.prod(shape[1:])
        br, bc = self.block
        if rows % br or cols % bc:
            raise ValueError(
                f"block={self.block} must tile the weight matrix exactly, but its GEMM shape is {(rows, cols)} "
                f"({rows} % {br} = {rows % br}, {cols} % {bc} = {cols % bc})"
            )
        return rows // br, cols // bc

    def _block_l1(self, w: np.ndarray) -> np.ndarray:
        grid_rows, grid_cols = self._grid(w.shape)
        br, bc = self.block
        # Same reduction as block_mask, so on fresh weights the masks are identical.
        return np.abs(w.reshape(w.shape[0], -1)).reshape(grid_rows, br, grid_cols, bc).sum(axis=(1, 3))

    def _expand(self, keep_blocks: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        br, bc = self.block
        return np.repeat(np.repeat(keep_blocks, br, axis=0), bc, axis=1).reshape(shape)

    def compute_mask(self, t: torch.Tensor, default_mask: torch.Tensor) -> torch.Tensor:
        """The keep mask for importance scores ``t``, on top of ``default_mask``."""
        if self.shapes is None and bool(default_mask.all()):
            # One fresh tensor: exactly the NumPy reference.
            keep = block_mask(to_numpy(t, name="the weights"), self.amount, block=self.block)
            return _as_torch_mask(keep, default_mask)
        # Stacked on an earlier mask, or many tensors at once: rank the blocks still alive.
        if self.shapes is not None:
            weights = _split_flat(t, self.shapes, "BlockPruning")
            alive_masks = _split_flat(default_mask, self.shapes, "BlockPruning")
        else:
            weights = [to_numpy(t, name="the weights")]
            alive_masks = [to_numpy(default_mask, name="the mask")]
        scores, alive = [], []
        for w, d in zip(weights, alive_masks):
            scores.append(self._block_l1(w * d).ravel())
            alive.append(self._block_l1(d.astype(w.dtype)).ravel() > 0)
        all_scores, all_alive = np.concatenate(scores), np.concatenate(alive)
        n_dead = int((~all_alive).sum())
        k = n_dead + resolve_amount(self.amount, int(all_alive.sum()))
        # Dead blocks score -1 so they are "pruned" first; stable sort = earlier block first on ties.
        ranked = np.argsort(np.where(all_alive, all_scores, -1.0), kind="stable")
        keep_flat = np.ones(all_scores.size, dtype=bool)
        keep_flat[ranked[:k]] = False
        pieces, start = [], 0
        for w, s in zip(weights, scores):
            grid = keep_flat[start : start + s.size].reshape(self._grid(w.shape))
            pieces.append(self._expand(grid, w.shape).ravel())
            start += s.size
        keep = np.concatenate(pieces).reshape(t.shape)
        return _as_torch_mask(keep, default_mask) * default_mask

    @classmethod
    def apply(cls, module: nn.Module, name: str, amount: int | float, *, block=(4, 4), importance_scores=None):
        """Prune ``amount`` of the ``block`` tiles of ``module.<name>`` in place (torch's re-parametrisation)."""
        return super().apply(module, name, amount=amount, block=block, importance_scores=importance_scores)


def nm_prune(module: nn.Module, name: str = "weight", n: int = 2, m: int = 4, *, axis: int = 1) -> nn.Module:
    """Functional form of :class:`NMPruning`, like ``torch.nn.utils.prune.l1_unstructured``; returns ``module``.

    >>> conv = nm_prune(nn.Conv2d(4, 2, 3))
    >>> conv.weight_mask.shape
    torch.Size([2, 4, 3, 3])
    """
    _check_target(module, name)
    NMPruning.apply(module, name, n=n, m=m, axis=axis)
    return module


def block_prune(module: nn.Module, name: str = "weight", amount: int | float = 0.5, *, block=(4, 4)) -> nn.Module:
    """Functional form of :class:`BlockPruning`; returns ``module`` (pruned in place).

    >>> lin = block_prune(nn.Linear(8, 8), amount=2)
    >>> int((lin.weight_mask == 0).sum())  # 2 tiles of 4x4
    32
    """
    _check_target(module, name)
    BlockPruning.apply(module, name, amount=amount, block=block)
    return module


def _check_target(module: Any, name: Any) -> None:
    """The functional forms' arguments: a module with data, and the name of one of its tensors."""
    check_module(module, name="module")
    if not isinstance(name, str):
        raise TypeError(f"name must be the name of a parameter of module, e.g. 'weight', got {describe(name)}")
    if not isinstance(getattr(module, name, None), torch.Tensor):
        params = [n for n, _ in module.named_parameters(recurse=False)]
        raise ValueError(f"name must be one of module's parameters {params}, got {name!r}")
