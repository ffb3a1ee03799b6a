"""PyTorch adapters: our masks as ``torch.nn.utils.prune`` methods, activation hooks, physical removal, costing, timing.

The NumPy core (:mod:`hwprune_edu.pruning`, :mod:`hwprune_edu.hardware`)
knows nothing of torch; this module connects it to real ``nn.Module``s:

* :class:`NMPruning` and :class:`BlockPruning` are ``BasePruningMethod``
  subclasses wrapping :func:`~hwprune_edu.pruning.nm_mask` and
  :func:`~hwprune_edu.pruning.block_mask`, usable with ``.apply(module, name, ...)``
  and ``torch.nn.utils.prune.global_unstructured``.
* :func:`activation_statistics` scores every unit (mean |a|, RMS, APoZ) with
  forward hooks on calibration batches.
* :func:`remove_units` *physically* shrinks ``Linear -> ReLU -> Linear`` and
  ``Conv2d -> BatchNorm2d -> ReLU -> (pool) -> Conv2d / Flatten -> Linear``
  chains in an ``nn.Sequential``, so the model really gets smaller.
* :func:`workload_from_model` turns any such model (masks included) into the
  simulator's layer list; :func:`measure_latency` times it on this machine.

The supported model family is a flat ``nn.Sequential`` of ``Linear``,
``Conv2d`` (``groups=1``), ``BatchNorm1d/2d``, element-wise activations,
pooling, ``Dropout``, ``Flatten`` and ``Unflatten``: exactly what
:func:`hwprune_edu.nn.data.digits_mlp` and :func:`~hwprune_edu.nn.data.digits_cnn` build.

>>> import torch
>>> from torch import nn
>>> mlp = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> smaller = remove_units(mlp, {0: [True, False, True]})
>>> smaller[0].out_features, smaller[2].in_features
(2, 2)
"""

from __future__ import annotations

import contextlib
import copy
import math
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.pruning import block_mask, nm_mask
from hwprune_edu.util.validation import check_int, check_positive_int, describe, resolve_amount

__all__ = [
    "NMPruning",
    "BlockPruning",
    "nm_prune",
    "block_prune",
    "ActivationStats",
    "activation_statistics",
    "prunable_layers",
    "layer_widths",
    "remove_units",
    "make_masks_permanent",
    "copy_model",
    "count_parameters",
    "workload_from_model",
    "workload_from_geometry",
    "model_geometry",
    "LayerGeometry",
    "measure_latency",
    "fixed_threads",
]

# Layers whose outputs are "units" (rows of W, conv filters) and whose inputs can be sliced.
_WEIGHTED = (nn.Linear, nn.Conv2d)
# Per-channel affine layers between a unit and its consumer: sliced along with the unit.
_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
# Channel-wise, parameter-free layers: a unit's channel passes through unchanged in position.
_ELEMENTWISE = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.Hardtanh,
    nn.Identity, nn.Dropout,
)
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
_RESHAPES = (nn.Flatten, nn.Unflatten)
_SUPPORTED = _WEIGHTED + _NORMS + _ELEMENTWISE + _POOLS + _RESHAPES


# --------------------------------------------------------------------------- pruning methods


def _shapes_arg(shapes: Any) -> tuple[tuple[int, ...], ...] | None:
    if shapes is None:
        return None
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Iterable):
        raise TypeError(f"shapes must be a list of parameter shapes (one per pruned tensor), got {describe(shapes)}")
    out = tuple(tuple(int(d) for d in s) for s in shapes)
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
    flat = t.detach().cpu().numpy()
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
        self.axis = axis
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
            keep = self._mask(scores.detach().cpu().numpy())
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
            keep = block_mask(t.detach().cpu().numpy(), self.amount, block=self.block)
            return _as_torch_mask(keep, default_mask)
        # Stacked on an earlier mask, or many tensors at once: rank the blocks still alive.
        if self.shapes is not None:
            weights = _split_flat(t, self.shapes, "BlockPruning")
            alive_masks = _split_flat(default_mask, self.shapes, "BlockPruning")
        else:
            weights = [t.detach().cpu().numpy()]
            alive_masks = [default_mask.detach().cpu().numpy()]
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
    NMPruning.apply(module, name, n=n, m=m, axis=axis)
    return module


def block_prune(module: nn.Module, name: str = "weight", amount: int | float = 0.5, *, block=(4, 4)) -> nn.Module:
    """Functional form of :class:`BlockPruning`; returns ``module`` (pruned in place).

    >>> lin = block_prune(nn.Linear(8, 8), amount=2)
    >>> int((lin.weight_mask == 0).sum())  # 2 tiles of 4x4
    32
    """
    BlockPruning.apply(module, name, amount=amount, block=block)
    return module


# --------------------------------------------------------------------------- model family


def _check_sequential(model: Any, *, name: str = "model") -> nn.Sequential:
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"{name} must be a flat torch.nn.Sequential (the family digits_mlp/digits_cnn build), got {describe(model)}"
        )
    for index, module in enumerate(model):
        if not isinstance(module, _SUPPORTED):
            raise ValueError(
                f"{name}[{index}] is a {type(module).__name__}, which is outside the supported model family "
                f"(Linear, Conv2d, BatchNorm1d/2d, element-wise activations, pooling, Dropout, Flatten, Unflatten)"
            )
        if isinstance(module, nn.Conv2d) and module.groups != 1:
            raise ValueError(f"{name}[{index}] is a grouped Conv2d (groups={module.groups}); only groups=1 is supported")
    return model


def _index(model: nn.Sequential, layer: Any) -> int:
    if isinstance(layer, str):
        if not layer.lstrip("-").isdigit():
            raise ValueError(f"layer must be an index of the Sequential (int or its name like '2'), got {layer!r}")
        layer = int(layer)
    index = check_int(layer, name="layer")
    n = len(model)
    if not -n <= index < n:
        raise ValueError(f"layer must be an index in [{-n}, {n - 1}] of the Sequential, got {layer}")
    return index % n


def _chain(model: nn.Sequential, index: int) -> tuple[list[int], int, int]:
    """Indices of the per-channel layers after ``model[index]``, its consumer's index, and the Flatten position (-1)."""
    between: list[int] = []
    flatten_at = -1
    for j in range(index + 1, len(model)):
        module = model[j]
        if isinstance(module, _WEIGHTED):
            return between, j, flatten_at
        if isinstance(module, _NORMS + _ELEMENTWISE + _POOLS):
            between.append(j)
        elif isinstance(module, nn.Flatten) and module.start_dim == 1 and module.end_dim == -1:
            flatten_at = j
            between.append(j)
        else:
            raise ValueError(
                f"model[{j}] ({type(module).__name__}) sits between model[{index}] "
                f"({type(model[index]).__name__}) and the next Linear/Conv2d; remove_units supports only "
                "BatchNorm, element-wise activations, pooling, Dropout and Flatten there"
            )
    raise ValueError(
        f"model[{index}] ({type(model[index]).__name__}) has no Linear/Conv2d after it: its outputs are the "
        "model's predictions, so its units cannot be removed"
    )


def prunable_layers(model: nn.Sequential) -> list[int]:
    """Indices of the ``Linear``/``Conv2d`` layers whose units :func:`remove_units` can remove.

    Every weighted layer but the last (whose outputs are the predictions).

    >>> prunable_layers(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    [0]
    """
    model = _check_sequential(model)
    out = []
    for index, module in enumerate(model):
        if isinstance(module, _WEIGHTED):
            try:
                _chain(model, index)
            except ValueError:
                continue
            out.append(index)
    return out


def layer_widths(model: nn.Sequential) -> dict[int, int]:
    """Number of units (output features / channels) of every prunable layer, by index.

    >>> layer_widths(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    {0: 8}
    """
    return {i: _units(model[i]) for i in prunable_layers(model)}


def _units(module: nn.Module) -> int:
    return module.out_features if isinstance(module, nn.Linear) else module.out_channels


# --------------------------------------------------------------------------- activation statistics


@dataclass(frozen=True)
class ActivationStats:
    """Per-unit statistics of one layer's activations over calibration data.

    Attributes:
        mean_abs: mean |a| per unit (over samples and, for conv, positions).
        rms: root mean square of a per unit.
        apoz: Average Percentage of Zeros per unit (Hu et al. 2016): the
            fraction of outputs that are exactly 0. High APoZ = useless unit.
        n_samples: calibration samples seen.
        measured_at: index of the module whose output was measured (the
            layer's ReLU when it has one, so APoZ means what Hu et al. meant).
    """

    mean_abs: np.ndarray
    rms: np.ndarray
    apoz: np.ndarray
    n_samples: int
    measured_at: int

    def scores(self, method: str = "mean_abs") -> np.ndarray:
        """Importance per unit, higher = keep; same as :func:`hwprune_edu.pruning.neuron_scores` on the activations.

        ``"apoz"`` gives ``1 - apoz`` (the fraction of non-zero outputs).

        >>> s = ActivationStats(np.array([0.5]), np.array([1.0]), np.array([0.25]), 4, 1)
        >>> s.scores("apoz").tolist()
        [0.75]
        """
        if method == "mean_abs":
            return self.mean_abs.copy()
        if method == "rms":
            return self.rms.copy()
        if method == "apoz":
            return 1.0 - self.apoz
        raise ValueError(f"method must be one of ['apoz', 'mean_abs', 'rms'], got {describe(method)}")


def _measure_point(model: nn.Sequential, index: int) -> int:
    # The unit's "activation" is after its BatchNorm and activation function:
    # that is where APoZ counts zeros and where a dead unit outputs 0.
    point = index
    for j in range(index + 1, len(model)):
        if isinstance(model[j], _NORMS + _ELEMENTWISE):
            point = j
        else:
            break
    return point


def _batches(inputs: Any, batch_size: int) -> Iterator[torch.Tensor]:
    if isinstance(inputs, torch.Tensor):
        for start in range(0, len(inputs), batch_size):
            yield inputs[start : start + batch_size]
        return
    if isinstance(inputs, np.ndarray):
        yield from _batches(torch.from_numpy(inputs), batch_size)
        return
    for item in inputs:
        x = item[0] if isinstance(item, (tuple, list)) else item
        yield torch.as_tensor(x)


def activation_statistics(
    model: nn.Sequential, inputs: Any, *, layers: Sequence[int] | None = None, batch_size: int = 256
) -> dict[int, ActivationStats]:
    """Per-unit mean |a|, RMS and APoZ of every ``Linear``/``Conv2d`` layer, via forward hooks.

    Each layer is measured after its BatchNorm and activation function when
    it has them (``Linear -> ReLU``: after the ReLU). Statistics are
    accumulated batch by batch in float64, so calibration sets of any size
    fit in memory. The model runs in eval mode under ``torch.no_grad``; its
    mode is restored and no hook is left behind.

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        inputs: calibration data: a tensor (or array) of samples, or an
            iterable of batches (tensors, or ``(x, y)`` pairs as a DataLoader gives).
        layers: indices of the layers to measure (default: every Linear/Conv2d).
        batch_size: batch size when ``inputs`` is a single tensor.

    Returns:
        ``{layer index: ActivationStats}``.

    >>> mlp = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    >>> with torch.no_grad():
    ...     _ = mlp[0].weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
    ...     _ = mlp[0].bias.zero_()
    >>> stats = activation_statistics(mlp, torch.tensor([[1.0, 5.0], [3.0, 5.0]]))
    >>> stats[0].mean_abs.tolist(), stats[0].apoz.tolist()
    ([2.0, 0.0], [0.0, 1.0])
    """
    model = _check_sequential(model)
    batch_size = check_positive_int(batch_size, name="batch_size")
    weighted = [i for i, m in enumerate(model) if isinstance(m, _WEIGHTED)]
    targets = weighted if layers is None else [_index(model, i) for i in layers]
    for i in targets:
        if not isinstance(model[i], _WEIGHTED):
            raise ValueError(f"layers must name Linear/Conv2d layers, but model[{i}] is a {type(model[i]).__name__}")
    sums: dict[int, dict[str, Any]] = {i: {"abs": 0.0, "sq": 0.0, "zero": 0.0, "count": 0} for i in targets}

    def make_hook(layer_index: int):
        def hook(module, args, output):
            a = output.detach().to(torch.float64)
            # channels are dim 1 for (N, C) and (N, C, H, W); reduce every other dim.
            dims = [0] + list(range(2, a.ndim))
            acc = sums[layer_index]
            acc["abs"] = acc["abs"] + a.abs().sum(dim=dims)
            acc["sq"] = acc["sq"] + (a * a).sum(dim=dims)
            acc["zero"] = acc["zero"] + (a == 0).sum(dim=dims).to(torch.float64)
            acc["count"] += a.numel() // a.shape[1]

        return hook

    handles = [model[_measure_point(model, i)].register_forward_hook(make_hook(i)) for i in targets]
    was_training = model.training
    n_samples = 0
    try:
        model.eval()
        with torch.no_grad():
            for x in _batches(inputs, batch_size):
                if len(x) == 0:
                    continue
                model(x)
                n_samples += len(x)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    if n_samples == 0:
        raise ValueError(f"inputs (the calibration data) must contain at least one sample, got {describe(inputs)} with none")
    out = {}
    for i in targets:
        acc = sums[i]
        count = acc["count"]
        out[i] = ActivationStats(
            mean_abs=(acc["abs"] / count).numpy(),
            rms=torch.sqrt(acc["sq"] / count).numpy(),
            apoz=(acc["zero"] / count).numpy(),
            n_samples=n_samples,
            measured_at=_measure_point(model, i),
        )
    return out


# --------------------------------------------------------------------------- physical removal


def _keep_mask(keep: Any, n_units: int, index: int) -> torch.Tensor:
    if isinstance(keep, torch.Tensor):
        keep = keep.detach().cpu().numpy()
    array = np.asarray(keep)
    if array.dtype.kind == "b":
        if array.shape != (n_units,):
            raise ValueError(
                f"keep[{index}] must be a boolean mask of length {n_units} (one per unit of model[{index}]), "
                f"got shape {array.shape}"
            )
        mask = array
    elif array.dtype.kind in "iu" and array.ndim == 1:
        if array.size and (array.min() < 0 or array.max() >= n_units):
            raise ValueError(f"keep[{index}] indices must be in [0, {n_units - 1}], got {array.min()} to {array.max()}")
        if np.unique(array).size != array.size:
            raise ValueError(f"keep[{index}] indices must not repeat a unit")
        mask = np.zeros(n_units, dtype=bool)
        mask[array] = True
    else:
        raise TypeError(
            f"keep[{index}] must be a boolean mask of length {n_units} or a 1-D array of unit indices, got {describe(array)}"
        )
    if not mask.any():
        raise ValueError(f"keep[{index}] must keep at least one of the {n_units} units of model[{index}], got none")
    return torch.from_numpy(np.flatnonzero(mask))


def _param(tensor: torch.Tensor | None) -> nn.Parameter | None:
    return None if tensor is None else nn.Parameter(tensor.detach().clone())


def _slice_outputs(module: nn.Module, idx: torch.Tensor) -> nn.Module:
    bias = module.bias is not None
    if isinstance(module, nn.Linear):
        new = nn.Linear(module.in_features, len(idx), bias=bias, device=module.weight.device, dtype=module.weight.dtype)
    else:
        new = nn.Conv2d(
            module.in_channels, len(idx), module.kernel_size, stride=module.stride, padding=module.padding,
            dilation=module.dilation, bias=bias, padding_mode=module.padding_mode,
            device=module.weight.device, dtype=module.weight.dtype,
        )
    new.weight = _param(module.weight[idx])
    if bias:
        new.bias = _param(module.bias[idx])
    return new


def _slice_inputs(module: nn.Module, columns: torch.Tensor) -> nn.Module:
    new = copy.deepcopy(module)
    if isinstance(module, nn.Linear):
        new.in_features = len(columns)
    else:
        new.in_channels = len(columns)
    new.weight = _param(module.weight[:, columns])
    return new


def _slice_norm(module: nn.Module, idx: torch.Tensor) -> nn.Module:
    new = copy.deepcopy(module)
    new.num_features = len(idx)
    if module.affine:
        new.weight = _param(module.weight[idx])
        new.bias = _param(module.bias[idx])
    if module.track_running_stats and module.running_mean is not None:
        new.running_mean = module.running_mean[idx].clone()
        new.running_var = module.running_var[idx].clone()
    return new


def copy_model(model: nn.Module) -> nn.Module:
    """A deep copy of ``model`` (weights, buffers, pruning masks and hooks) that never shares memory with it.

    ``copy.deepcopy`` refuses a module pruned with ``torch.nn.utils.prune``
    after a forward pass (its ``weight`` is then a computed, non-leaf tensor);
    this copies such a tensor's value instead. The next forward pass
    recomputes it from ``weight_orig * weight_mask`` anyway.

    >>> lin = nn.Linear(2, 2)
    >>> _ = prune.l1_unstructured(lin, "weight", amount=1)
    >>> twin = copy_model(lin)
    >>> twin.weight_orig is lin.weight_orig, torch.equal(twin.weight, lin.weight)
    (False, True)
    """
    memo: dict[int, Any] = {}
    for module in model.modules():
        for value in vars(module).values():
            if isinstance(value, torch.Tensor) and not value.is_leaf:
                memo[id(value)] = value.detach().clone()
    return copy.deepcopy(model, memo)


def make_masks_permanent(model: nn.Module) -> nn.Module:
    """A copy of ``model`` with every ``torch.nn.utils.prune`` mask folded into its weights (``prune.remove``).

    The copy computes the same outputs with plain dense weights (the pruned
    entries are exact zeros) and no forward pre-hooks: what a dense kernel
    would run. The original keeps its masks.

    >>> lin = nn.Linear(4, 4)
    >>> _ = prune.l1_unstructured(lin, "weight", amount=0.5)
    >>> plain = make_masks_permanent(lin)
    >>> hasattr(plain, "weight_mask"), int((plain.weight == 0).sum())
    (False, 8)
    """
    new = copy_model(model)
    for module in new.modules():
        for hook in list(module._forward_pre_hooks.values()):
            if isinstance(hook, prune.BasePruningMethod):
                prune.remove(module, hook._tensor_name)
    return new


def remove_units(model: nn.Sequential, keep: Mapping[int | str, Any]) -> nn.Sequential:
    """A smaller copy of ``model``: the chosen units of some layers kept, the rest physically removed.

    For each ``layer -> keep`` entry, the layer's weight rows (Linear) or
    filters (Conv2d) and bias entries outside ``keep`` go, so do the matching
    entries of a following BatchNorm (weight, bias, running mean and
    variance) and the matching *inputs* of the next Linear/Conv2d: its
    columns, its input channels, or, after a ``Flatten``, the ``h*w``
    consecutive columns each channel became (as Torch-Pruning does). A unit
    whose activation is always 0 on the data contributes nothing downstream,
    so removing it leaves the outputs on that data unchanged (BatchNorm in
    eval mode). Masks from ``torch.nn.utils.prune`` are folded into the
    weights first. ``model`` is not modified.

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        keep: ``{layer index: units to keep}``; each value a boolean mask of
            the layer's width or an array of unit indices. Indices refer to
            ``model`` as given (before any removal).

    Returns:
        A new ``nn.Sequential`` in the same train/eval mode.

    >>> cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 2 * 2, 2))
    >>> small = remove_units(cnn, {0: [0, 3]})
    >>> small[0].out_channels, small[1].num_features, small[4].in_features
    (2, 2, 8)
    """
    model = _check_sequential(model)
    if not isinstance(keep, Mapping):
        raise TypeError(f"keep must be a dict {{layer index: units to keep}}, got {describe(keep)}")
    plain = make_masks_permanent(model)
    modules = list(plain)
    for layer, units in keep.items():
        index = _index(plain, layer)
        module = plain[index]
        if not isinstance(module, _WEIGHTED):
            raise ValueError(f"keep names model[{index}], a {type(module).__name__}; only Linear/Conv2d units can be removed")
        between, consumer, flatten_at = _chain(plain, index)
        idx = _keep_mask(units, _units(module), index)
        modules[index] = _slice_outputs(modules[index], idx)
        for j in between:
            if isinstance(plain[j], _NORMS):
                modules[j] = _slice_norm(modules[j], idx)
        next_module = modules[consumer]
        if flatten_at >= 0 and isinstance(module, nn.Conv2d):
            n_in = next_module.in_features if isinstance(next_module, nn.Linear) else -1
            per_channel, rest = divmod(n_in, _units(module))
            if n_in < 0 or rest:
                raise ValueError(
                    f"model[{consumer}] follows Flatten after a Conv2d with {_units(module)} channels, so it must be a "
                    f"Linear whose in_features is a multiple of that; got {next_module}"
                )
            # channel c became columns c*h*w .. (c+1)*h*w - 1 of the flattened vector.
            columns = (idx[:, None] * per_channel + torch.arange(per_channel)).reshape(-1)
        else:
            columns = idx
        modules[consumer] = _slice_inputs(next_module, columns)
    new = nn.Sequential(*modules)
    new.train(model.training)
    return new


def count_parameters(model: nn.Module) -> int:
    """Parameters a model really has: entries removed by a ``torch.nn.utils.prune`` mask don't count.

    >>> lin = nn.Linear(4, 2)  # 8 weights + 2 biases
    >>> count_parameters(lin)
    10
    >>> _ = prune.l1_unstructured(lin, "weight", amount=0.75)
    >>> count_parameters(lin)
    4
    """
    total = 0
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            mask = getattr(module, name[: -len("_orig")] + "_mask", None) if name.endswith("_orig") else None
            total += int(mask.sum()) if mask is not None else param.numel()
    return total


# --------------------------------------------------------------------------- costing with the simulator


@dataclass(frozen=True)
class LayerGeometry:
    """What the simulator needs to know about one ``Linear``/``Conv2d`` of a model, for a batch of 1.

    Attributes:
        index: position in the ``nn.Sequential``.
        op: ``"linear"`` or ``"conv2d"``.
        in_units, out_units: input features / channels and output features / channels.
        rows_per_sample: GEMM rows per sample for a Linear (1 for ``(N, F)`` inputs).
        kernel, input_hw, stride, padding: conv geometry (``None`` for a Linear).
        producer: index of the prunable layer whose units feed this layer's
            inputs (``None`` for the first layer), and ``inputs_per_unit`` how
            many input columns each such unit became (``h*w`` after a Flatten).
    """

    index: int
    op: str
    in_units: int
    out_units: int
    rows_per_sample: int = 1
    kernel: tuple[int, int] | None = None
    input_hw: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] | None = None
    producer: int | None = None
    inputs_per_unit: int = 1


def _conv_padding(module: nn.Conv2d, index: int) -> tuple[int, int]:
    if module.dilation != (1, 1):
        raise ValueError(f"model[{index}] is a dilated Conv2d (dilation={module.dilation}); the simulator has no model for it")
    if module.padding_mode != "zeros":
        raise ValueError(f"model[{index}] pads with {module.padding_mode!r}; only zero padding is supported")
    if isinstance(module.padding, str):
        if module.padding == "valid":
            return (0, 0)
        # 'same' (stride 1): torch pads (k - 1) // 2 on the left/top; odd kernels are symmetric.
        if any(k % 2 == 0 for k in module.kernel_size):
            raise ValueError(f"model[{index}] uses padding='same' with an even kernel {module.kernel_size}, which is asymmetric")
        return tuple((k - 1) // 2 for k in module.kernel_size)
    return tuple(module.padding)


def model_geometry(model: nn.Sequential, input_shape: Sequence[int] | None = None) -> list[LayerGeometry]:
    """Shapes of every ``Linear``/``Conv2d`` of ``model``, found with one forward pass of a single zero sample.

    :func:`workload_from_model` and the hardware-aware search use this to
    cost a model at any widths without running it again.

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        input_shape: shape of one sample (inferred when the model starts with
            ``Linear`` or ``Unflatten``).

    Returns:
        One :class:`LayerGeometry` per weighted layer, in order.

    >>> [(g.op, g.in_units, g.out_units, g.producer) for g in model_geometry(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))]
    [('linear', 4, 8, None), ('linear', 8, 2, 0)]
    """
    model = _check_sequential(model)
    shape = _input_shape(model, input_shape)
    seen: dict[int, tuple[int, ...]] = {}

    def record(index: int):
        def hook(module, args):
            seen[index] = tuple(args[0].shape)  # returns None: the input is left as it is

        return hook

    hooks = [model[i].register_forward_pre_hook(record(i)) for i, m in enumerate(model) if isinstance(m, _WEIGHTED)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((1, *shape)))
    except RuntimeError as err:
        raise ValueError(f"model does not run on inputs of shape (batch, *{shape}): {err}") from None
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    prunable = set(prunable_layers(model))
    out: list[LayerGeometry] = []
    producer = None
    for index in sorted(seen):
        module, in_shape = model[index], seen[index]
        per_unit = 1
        if producer is not None:
            per_unit = (in_shape[1] if isinstance(module, nn.Conv2d) else in_shape[-1]) // _units(model[producer])
        if isinstance(module, nn.Linear):
            geometry = LayerGeometry(
                index, "linear", module.in_features, module.out_features,
                rows_per_sample=math.prod(in_shape[1:-1]), producer=producer, inputs_per_unit=per_unit,
            )
        else:
            geometry = LayerGeometry(
                index, "conv2d", module.in_channels, module.out_channels, kernel=tuple(module.kernel_size),
                input_hw=tuple(in_shape[2:]), stride=tuple(module.stride), padding=_conv_padding(module, index),
                producer=producer, inputs_per_unit=per_unit,
            )
        out.append(geometry)
        producer = index if index in prunable else None
    return out


def _weight_mask(module: nn.Module) -> np.ndarray | None:
    mask = getattr(module, "weight_mask", None)
    keep = (mask != 0) if mask is not None else (module.weight != 0)
    keep = keep.detach().cpu().numpy()
    return None if keep.all() else keep


def workload_from_geometry(
    geometry: Sequence[LayerGeometry],
    batch: int,
    *,
    widths: Mapping[int, int] | None = None,
    masks: Mapping[int, np.ndarray | None] | None = None,
) -> list:
    """The simulator's layer list for a model's geometry, optionally with some layers' widths changed.

    Changing layer ``i``'s width changes its outputs and its consumer's inputs
    (times ``inputs_per_unit`` after a Flatten), exactly as :func:`remove_units` would.

    Args:
        geometry: what :func:`model_geometry` returns.
        batch: samples per forward pass.
        widths: ``{layer index: new width}`` for prunable layers.
        masks: ``{layer index: keep mask}`` of the weights at their current shape.

    Returns:
        A list of :class:`hwprune_edu.hardware.Layer`.

    >>> g = model_geometry(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    >>> [(layer.k, layer.n) for layer in workload_from_geometry(g, 16, widths={0: 3})]
    [(4, 3), (3, 2)]
    """
    from hwprune_edu import hardware

    widths = dict(widths or {})
    masks = dict(masks or {})
    layers = []
    for g in geometry:
        out_units = widths.get(g.index, g.out_units)
        in_units = g.in_units
        if g.producer is not None and g.producer in widths:
            in_units = widths[g.producer] * g.inputs_per_unit
        mask = masks.get(g.index)
        name = f"{g.index}:{g.op}"
        if g.op == "linear":
            layers.append(hardware.linear(batch * g.rows_per_sample, in_units, out_units, weight_mask=mask, name=name))
        else:
            layers.append(
                hardware.conv2d(
                    batch, in_units, out_units, g.kernel, g.input_hw, stride=g.stride, padding=g.padding,
                    weight_mask=mask, name=name,
                )
            )
    return layers


def workload_from_model(model: nn.Sequential, input_shape: Sequence[int] | None = None, batch: int = 1) -> list:
    """The simulator's layer list for ``model``, masks included, so any pruned model can be costed.

    Every ``Linear`` becomes :func:`hwprune_edu.hardware.linear` and every
    ``Conv2d`` :func:`hwprune_edu.hardware.conv2d` at its real input size.
    Weight masks come from ``torch.nn.utils.prune`` buffers (``weight_mask``)
    or, when a model has none, from exact zeros in the weights (masks made
    permanent); the simulator reads their pattern. A physically pruned model
    simply has smaller layers. BatchNorm, activations and pooling are not
    costed (the simulator models GEMMs; they are a small share of the work).

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        input_shape: shape of one sample, e.g. ``(64,)``; inferred when the
            model starts with ``Linear`` or ``Unflatten``.
        batch: samples per forward pass.

    Returns:
        A list of :class:`hwprune_edu.hardware.Layer`, one per Linear/Conv2d.

    >>> from hwprune_edu.hardware import simulate
    >>> mlp = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    >>> layers = workload_from_model(mlp, (64,), batch=8)
    >>> [(layer.m, layer.k, layer.n) for layer in layers]
    [(8, 64, 32), (8, 32, 10)]
    >>> _ = nm_prune(mlp[0])
    >>> workload_from_model(mlp, (64,), batch=8)[0].pattern.kind
    'n:m'
    >>> simulate(layers, "cpu-avx2").latency_s > 0
    True
    """
    batch = check_positive_int(batch, name="batch")
    geometry = model_geometry(model, input_shape)
    masks = {g.index: _weight_mask(model[g.index]) for g in geometry}
    return workload_from_geometry(geometry, batch, masks=masks)


# --------------------------------------------------------------------------- measuring


@contextlib.contextmanager
def fixed_threads(num_threads: int | None) -> Iterator[None]:
    """Run a block with ``torch.set_num_threads(num_threads)``, then restore the previous count.

    ``None`` leaves torch's setting alone: what a function's ``num_threads=None``
    means when its caller already fixed the threads.

    >>> before = torch.get_num_threads()
    >>> with fixed_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if num_threads is None:
        yield
        return
    num_threads = check_positive_int(num_threads, name="num_threads")
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _input_shape(model: nn.Sequential, input_shape: Any) -> tuple[int, ...]:
    if input_shape is not None:
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        if not isinstance(input_shape, (tuple, list, torch.Size)) or not input_shape:
            raise TypeError(f"input_shape must be the shape of one sample, e.g. (64,) or (1, 8, 8), got {describe(input_shape)}")
        return tuple(check_positive_int(d, name="input_shape[i]") for d in input_shape)
    first = model[0]
    if isinstance(first, nn.Linear):
        return (first.in_features,)
    if isinstance(first, nn.Unflatten) and first.dim == 1:
        return (math.prod(first.unflattened_size),)
    raise ValueError(
        f"input_shape is needed: it cannot be inferred from model[0] ({type(first).__name__}); pass the shape of one "
        "sample, e.g. (1, 8, 8)"
    )


def measure_latency(
    model: nn.Module,
    batch: int = 256,
    *,
    input_shape: Sequence[int] | None = None,
    repeats: int = 30,
    warmup: int = 5,
    num_threads: int = 1,
    seed: int = 0,
) -> float:
    """Median wall-clock time of one forward pass of ``batch`` samples on this machine, in seconds.

    Runs ``warmup`` passes first (allocator, caches, lazy init), then times
    ``repeats`` passes one by one with ``time.perf_counter`` and returns the
    median, which ignores the odd slow pass when other processes share the
    CPU. torch's intra-op threads are fixed to ``num_threads`` while timing
    (1 by default: the most stable figure on a shared machine) and restored
    afterwards. The model runs in eval mode under ``torch.inference_mode``;
    its mode is restored. Pruning masks stay as they are, so a masked model
    pays for re-applying its mask on every call: fold them first with
    :func:`make_masks_permanent` to time dense kernels on sparse weights.

    Args:
        model: any module; ``input_shape`` is inferred for models starting
            with ``Linear`` or ``Unflatten``.
        batch: samples per forward pass.
        input_shape: shape of one sample, e.g. ``(64,)``.
        repeats: timed passes (the median is returned).
        warmup: untimed passes first.
        num_threads: torch threads while timing.
        seed: seed of the random input.

    Returns:
        The median latency in seconds.

    >>> t = measure_latency(nn.Sequential(nn.Linear(8, 8)), batch=4, repeats=3, warmup=1)
    >>> 0 < t < 1
    True
    """
    batch = check_positive_int(batch, name="batch")
    repeats = check_positive_int(repeats, name="repeats")
    warmup = check_int(warmup, name="warmup", minimum=0)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    if input_shape is None and not isinstance(model, nn.Sequential):
        raise ValueError("input_shape is needed for a model that is not an nn.Sequential, e.g. (64,)")
    shape = _input_shape(model, input_shape)
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand((batch, *shape), generator=generator)
    was_training = model.training
    times_s = []
    try:
        model.eval()
        with fixed_threads(num_threads), torch.inference_mode():
            for _ in range(warmup):
                model(x)
            for _ in range(repeats):
                start = time.perf_counter()
                model(x)
                times_s.append(time.perf_counter() - start)
    finally:
        model.train(was_training)
    return statistics.median(times_s)
