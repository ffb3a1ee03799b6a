"""The torch steps of the pruning searches: check a model, rank a layer's units, cut the rest, zero small weights.

The searches themselves (:mod:`hwprune_edu.studies.search`: the NetAdapt-style
hardware-aware search and its two baselines) decide *how many* units each
layer keeps by asking the simulator; the steps here do the cutting on the
``torch`` model:

* :func:`prepare_model`: a plain copy of a model of the supported family (masks folded in);
* :func:`unit_importance` and :func:`shrink`: rank units (:data:`IMPORTANCE_METHODS`)
  and physically keep the most important ones; :func:`taylor_importance`
  scores every layer at once, on one scale (the global method's ranking);
* :func:`global_magnitude_masks`: ``torch.nn.utils.prune.global_unstructured`` over every weight.

>>> from hwprune_edu.nn.data import load_digits, digits_mlp
>>> model = prepare_model(digits_mlp(hidden=(8,)), load_digits())
>>> shrink(model, {0: 3}, "l1", None)[0].out_features
3
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.nn.checks import as_batch, check_module
from hwprune_edu.nn.family import chain, check_sequential, layer_index, prunable_layers, unit_count
from hwprune_edu.nn.scoped import evaluating
from hwprune_edu.nn.statistics import activation_statistics
from hwprune_edu.nn.surgery import copy_model, count_parameters, make_masks_permanent, remove_units
from hwprune_edu.nn.splits import check_splits
from hwprune_edu.util.validation import check_int, check_positive_int, describe, resolve_amount

__all__ = ["IMPORTANCE_METHODS", "prepare_model", "unit_importance", "taylor_importance", "shrink",
           "global_magnitude_masks"]

#: How units are ranked before the least important ones are removed.
IMPORTANCE_METHODS = {
    "mean_abs": "mean |activation| on calibration data (after BatchNorm and ReLU)",
    "rms": "root mean square activation on calibration data",
    "apoz": "1 - APoZ: fraction of calibration outputs that are non-zero (Hu et al. 2016)",
    "l1": "L1 norm of the unit's weights (Li et al. 2017): needs no data",
    "taylor": "first-order Taylor |a * dL/da| on labelled calibration data (Molchanov et al. 2017): "
              "an estimate of the loss change when the unit goes, so comparable across layers",
}


def prepare_model(model: Any, data: Any) -> nn.Sequential:
    """A copy of ``model`` with its masks folded in, after checking it can be searched on ``data``.

    Args:
        model: a flat ``nn.Sequential`` of the supported family with at least one prunable layer.
        data: what :func:`hwprune_edu.nn.data.load_digits` returns.

    Returns:
        The copy (``model`` is not modified).

    Raises:
        TypeError: ``data`` is not a ``Splits`` or ``model`` not an ``nn.Sequential``.
        ValueError: an unsupported layer (named) or no prunable layer.
    """
    check_splits(data)
    model = check_module(check_sequential(model))
    if not prunable_layers(model):  # names any unsupported layer
        raise ValueError("model has no prunable layer: it needs a Linear/Conv2d followed by another one")
    return make_masks_permanent(model)


def unit_importance(model: nn.Sequential, layer: int, method: str, calibration: Any) -> np.ndarray:
    """One score per unit of ``model[layer]`` (higher = more important), by ``method`` of :data:`IMPORTANCE_METHODS`.

    ``"l1"`` needs no data (``calibration`` may be ``None``); ``"taylor"`` needs
    ``(features, labels)``; the others run ``calibration`` (features, or that pair) through the model.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> unit_importance(digits_mlp(hidden=(4,)), 0, "l1", None).shape
    (4,)
    """
    _check_method(method)
    model = check_module(check_sequential(model))
    layer = layer_index(model, layer)
    if layer not in prunable_layers(model):
        raise ValueError(f"layer must be a prunable layer of model ({prunable_layers(model)}), got {layer}")
    if method == "l1":
        weight = model[layer].weight.detach()
        return weight.abs().reshape(weight.shape[0], -1).sum(dim=1).double().numpy()
    if method == "taylor":
        return taylor_importance(model, *_labelled(calibration), layers=[layer])[layer]
    features = calibration[0] if isinstance(calibration, tuple) else calibration
    if features is None:
        raise TypeError(f"calibration must be input samples for importance {method!r} (only 'l1' needs none), got None")
    try:
        return activation_statistics(model, features, layers=[layer])[layer].scores(method)
    except (TypeError, ValueError) as err:
        raise type(err)(str(err).replace("inputs", "calibration", 1)) from None  # the caller's name for the data


def _check_method(method: Any) -> str:
    # isinstance first: a list or dict would make the membership test raise "unhashable type" instead
    if not isinstance(method, str) or method not in IMPORTANCE_METHODS:
        raise ValueError(f"importance must be one of {sorted(IMPORTANCE_METHODS)}, got {describe(method)}")
    return method


def _labelled(calibration: Any) -> tuple[torch.Tensor, torch.Tensor]:
    if not (isinstance(calibration, tuple) and len(calibration) == 2):
        raise TypeError(f"importance 'taylor' needs calibration=(features, labels), got {describe(calibration)}")
    return calibration


def taylor_importance(model: nn.Sequential, x: torch.Tensor, y: torch.Tensor, *, layers: Sequence[int] | None = None,
                      batch_size: int = 256) -> dict[int, np.ndarray]:
    """First-order Taylor importance of every unit of the prunable ``layers``: mean over samples of ``|sum a * dL/da|``.

    ``a`` is the unit's output where its consumer reads it (after BatchNorm,
    activation and pooling; summed over positions for a conv channel) and
    ``L`` the sample's cross-entropy. Removing the unit sets ``a`` to 0, which
    changes the loss by about ``-a * dL/da`` (Molchanov et al., ICLR 2017):
    the score is in units of loss, the same for every layer, so units of
    different layers can be ranked against each other (HALP's global
    ranking). The model runs in eval mode (BatchNorm's running statistics,
    as deployed); its parameters and their gradients are left untouched.

    Args:
        model: a flat ``nn.Sequential`` of the supported family (not modified).
        x, y: calibration features and integer labels.
        layers: prunable layers to score (default: all).
        batch_size: samples per backward pass.

    Returns:
        ``{layer: scores}``, one float64 score per unit, all >= 0.

    >>> from hwprune_edu.nn.data import mlp
    >>> scores = taylor_importance(mlp(4, (3,), 2), torch.ones(5, 4), torch.zeros(5, dtype=torch.long))
    >>> scores[0].shape, bool((scores[0] >= 0).all())
    ((3,), True)
    """
    model = check_module(check_sequential(model))
    batch_size = check_positive_int(batch_size, name="batch_size")
    x = as_batch(x, model, name="x")  # detached: the caller's tensor gets no .grad
    if len(x) == 0:
        raise ValueError("x (the calibration features) must hold at least one sample, got none")
    y = _labels(y, len(x))
    prunable = prunable_layers(model)
    if layers is not None and (isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__")):
        raise TypeError(f"layers must be a list of prunable layer indices, got {describe(layers)}")
    layers = prunable if layers is None else [layer_index(model, i, name="layers") for i in layers]
    for layer in layers:
        if layer not in prunable:
            raise ValueError(f"layers must name prunable layers of model ({prunable}), got {layer}")
    taps = {}
    for layer in layers:
        between = [j for j in chain(model, layer).between if not isinstance(model[j], nn.Flatten)]
        taps[layer] = between[-1] if between else layer  # where the consumer reads the unit (before any Flatten)
    seen: dict[int, torch.Tensor] = {}

    def keep(layer: int):
        def hook(module, args, output):
            output.retain_grad()
            seen[layer] = output
        return hook

    hooks = [model[tap].register_forward_hook(keep(layer)) for layer, tap in taps.items()]
    totals = {layer: torch.zeros(model[layer].weight.shape[0], dtype=torch.float64) for layer in layers}
    grads = {name: p.grad for name, p in model.named_parameters()}
    loss_fn = nn.CrossEntropyLoss(reduction="sum")  # per-sample losses: each sample's own gradient
    try:
        with evaluating(model), torch.enable_grad():
            for start in range(0, len(x), batch_size):
                seen.clear()
                try:
                    logits = model(x[start:start + batch_size])
                    loss = loss_fn(logits, y[start:start + batch_size])
                except (RuntimeError, IndexError) as err:  # wrong feature count, or a label beyond the outputs
                    raise ValueError(f"x and y do not fit the model (x of shape {tuple(x.shape)}): {err}") from None
                loss.backward()
                for layer, a in seen.items():
                    contribution = (a * a.grad).detach()
                    per_sample = contribution.reshape(*contribution.shape[:2], -1).sum(dim=2)
                    totals[layer] += per_sample.abs().sum(dim=0).double()
    finally:
        for hook in hooks:
            hook.remove()
        for name, p in model.named_parameters():  # leave the caller's gradients as they were
            p.grad = grads[name]
    return {layer: (total / len(x)).numpy() for layer, total in totals.items()}


def _labels(y: Any, n_samples: int) -> torch.Tensor:
    if isinstance(y, np.ndarray):
        y = torch.from_numpy(np.array(y))
    if not isinstance(y, torch.Tensor) or y.dtype.is_floating_point or y.dtype.is_complex or y.dtype == torch.bool:
        raise TypeError(f"y must be a tensor of integer class labels, got {describe(y)}")
    if y.is_meta:
        raise ValueError("y is a meta tensor (a shape without data): create it on the CPU")
    if y.shape != (n_samples,):
        raise ValueError(f"y must hold one label per sample of x ({n_samples}), got shape {tuple(y.shape)}")
    if n_samples and int(y.min()) < 0:
        raise ValueError(f"y must hold labels >= 0, got {int(y.min())}")
    return y.long()


def _top_units(scores: np.ndarray, n_keep: int) -> np.ndarray:
    # Stable sort on -score: among equal scores the earlier unit is kept (the package's tie rule).
    order = np.argsort(-scores, kind="stable")
    return np.sort(order[:n_keep])


def shrink(model: nn.Sequential, widths: Mapping[int, int], method: str,
           calibration: torch.Tensor | None) -> nn.Sequential:
    """A smaller copy of ``model``: each layer of ``widths`` keeps that many of its most important units.

    Args:
        model: a flat ``nn.Sequential`` (not modified).
        widths: units to keep, by prunable layer index.
        method: one of :data:`IMPORTANCE_METHODS`, ranked on the unpruned ``model``.
        calibration: input samples for the activation-based methods (``(features, labels)`` for ``"taylor"``).

    Returns:
        The physically smaller model (see :func:`hwprune_edu.nn.remove_units`).
    """
    model = check_module(check_sequential(model))
    _check_method(method)
    if not isinstance(widths, Mapping):
        raise TypeError(f"widths must be a dict {{prunable layer index: units to keep}}, got {describe(widths)}")
    checked = {}
    for layer, width in widths.items():
        index = layer_index(model, layer, name="widths")
        n_units = unit_count(model[index]) if index in prunable_layers(model) else 0
        if n_units == 0:
            raise ValueError(f"widths must name prunable layers of model ({prunable_layers(model)}), got {layer!r}")
        width = check_int(width, name=f"widths[{layer!r}]", minimum=1)
        if width > n_units:
            raise ValueError(f"widths[{layer!r}] must be at most the {n_units} units model[{index}] has, got {width}")
        if index in checked:
            raise ValueError(f"widths names model[{index}] twice (as two different keys): give each layer once")
        checked[index] = width
    keep = {layer: _top_units(unit_importance(model, layer, method, calibration), width)
            for layer, width in checked.items()}
    return remove_units(model, keep)


def global_magnitude_masks(model: nn.Module, amount: int | float | None = None, *,
                           target_params: int | None = None) -> tuple[nn.Module, int]:
    """A copy of ``model`` with the smallest-|w| weights network-wide masked out (``torch.nn.utils.prune``).

    Uses ``prune.global_unstructured`` with ``L1Unstructured`` over the weights
    of every ``Linear`` and ``Conv2d`` (biases and BatchNorm stay). Give either
    ``amount`` (torch's convention: a fraction of those weights, or a count) or
    ``target_params``, the parameter count to end with.

    Returns:
        ``(masked_copy, pruned_weights)``; ``model`` is not modified.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> masked, n = global_magnitude_masks(digits_mlp(hidden=(32,)), 0.9)
    >>> n, count_parameters(masked)
    (2131, 279)
    """
    if (amount is None) == (target_params is None):
        raise ValueError("give exactly one of amount (weights to prune) and target_params (parameters to keep)")
    if isinstance(amount, np.ndarray) and amount.ndim == 0:
        amount = amount[()]  # a 0-d array is the number it holds
    masked = copy_model(check_module(model))
    targets = [(m, "weight") for m in masked if isinstance(m, (nn.Linear, nn.Conv2d))]
    n_weights = sum(m.weight.numel() for m, _ in targets)
    if target_params is not None:
        target_params = check_int(target_params, name="target_params", minimum=0)
        total = count_parameters(masked)
        fixed = total - n_weights  # biases and BatchNorm parameters are not pruned
        if not fixed <= target_params <= total:
            raise ValueError(
                f"target_params must be between {fixed} (every weight pruned; biases stay) and {total} (dense), "
                f"got {target_params}"
            )
        amount = total - target_params
    else:
        amount = resolve_amount(amount, n_weights, name="amount")
    prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=amount)
    return masked, n_weights - sum(int(m.weight_mask.sum()) for m, _ in targets)
