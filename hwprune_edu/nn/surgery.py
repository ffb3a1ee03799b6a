"""Physical removal: copy a model, fold its pruning masks into the weights, cut whole units out, count what is left.

Masks only *zero* weights; a dense kernel still multiplies the zeros.
:func:`remove_units` really shrinks the matrices: the chosen units of a
``Linear``/``Conv2d``, the matching entries of a following BatchNorm, and
the matching inputs of the next weighted layer (as Torch-Pruning does), so
the model really gets smaller.

>>> from torch import nn
>>> mlp = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
>>> smaller = remove_units(mlp, {0: [True, False, True]})
>>> smaller[0].out_features, smaller[2].in_features
(2, 2)
>>> count_parameters(mlp), count_parameters(smaller)
(23, 16)
"""

from __future__ import annotations

import copy
from typing import Any, Mapping

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.nn.checks import check_module, to_numpy
from hwprune_edu.nn.family import NORMS, WEIGHTED, chain, check_sequential, layer_index, unit_count
from hwprune_edu.util.validation import describe

__all__ = ["copy_model", "make_masks_permanent", "remove_units", "count_parameters"]


def _keep_mask(keep: Any, n_units: int, index: int) -> torch.Tensor:
    if isinstance(keep, torch.Tensor):
        keep = to_numpy(keep, name=f"keep[{index}]")
    if keep is None or isinstance(keep, (str, bytes, Mapping)):
        raise TypeError(f"keep[{index}] must be a boolean mask of length {n_units} or a 1-D array of unit indices, "
                        f"got {describe(keep)}")
    try:
        array = np.asarray(keep)
    except ValueError:
        raise ValueError(f"keep[{index}] must be a flat list of unit indices or booleans, got a ragged list") from None
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
    model = check_module(model, allow_meta=True)  # a meta model copies fine: shapes only
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
    new = copy_model(check_module(model))
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
    model = check_module(check_sequential(model))
    if not isinstance(keep, Mapping):
        raise TypeError(f"keep must be a dict {{layer index: units to keep}}, got {describe(keep)}")
    named: dict[int, Any] = {}
    for layer in keep:
        index = layer_index(model, layer, name="keep")
        if index in named:
            # {0: ..., "0": ...} or {2: ..., -1: ...}: one layer asked for twice, with two different answers
            raise ValueError(f"keep names model[{index}] twice, as {named[index]!r} and {layer!r}: give each layer once")
        named[index] = layer
    plain = make_masks_permanent(model)
    modules = list(plain)
    for layer, units in keep.items():
        index = layer_index(plain, layer, name="keep")
        module = plain[index]
        if not isinstance(module, WEIGHTED):
            raise ValueError(f"keep names model[{index}], a {type(module).__name__}; only Linear/Conv2d units can be removed")
        try:
            between, consumer, flatten_at = chain(plain, index)
        except ValueError as err:
            raise ValueError(f"keep names model[{index}], whose units cannot be removed: {err}") from None
        idx = _keep_mask(units, unit_count(module), index)
        modules[index] = _slice_outputs(modules[index], idx)
        for j in between:
            if isinstance(plain[j], NORMS):
                modules[j] = _slice_norm(modules[j], idx)
        next_module = modules[consumer]
        if flatten_at >= 0 and isinstance(module, nn.Conv2d):
            n_in = next_module.in_features if isinstance(next_module, nn.Linear) else -1
            per_channel, rest = divmod(n_in, unit_count(module))
            if n_in < 0 or rest:
                raise ValueError(
                    f"model[{consumer}] follows Flatten after a Conv2d with {unit_count(module)} channels, so it must be a "
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
    model = check_module(model, allow_meta=True)  # a meta model has a parameter count too
    total = 0
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            mask = getattr(module, name[: -len("_orig")] + "_mask", None) if name.endswith("_orig") else None
            total += int(mask.sum()) if mask is not None else param.numel()
    return total
