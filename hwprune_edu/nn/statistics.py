"""Activation statistics with forward hooks: per-unit mean |a|, RMS and APoZ on calibration data.

These score units for removal the way :func:`hwprune_edu.pruning.neuron_scores`
does on NumPy activations, but on a real ``nn.Sequential`` and on data of any
size (accumulated batch by batch).

>>> import torch
>>> from torch import nn
>>> mlp = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
>>> stats = activation_statistics(mlp, torch.ones(5, 2))
>>> stats[0].n_samples, stats[0].measured_at, stats[0].apoz.shape
(5, 1, (3,))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from hwprune_edu.nn.checks import as_batch, check_module
from hwprune_edu.nn.family import ELEMENTWISE, NORMS, WEIGHTED, check_sequential, layer_index
from hwprune_edu.nn.scoped import evaluating
from hwprune_edu.util.validation import as_weights, check_int, describe

__all__ = ["ActivationStats", "activation_statistics"]


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

    def __post_init__(self) -> None:
        arrays = {}
        for field in ("mean_abs", "rms", "apoz"):
            arrays[field] = as_weights(getattr(self, field), name=field, ndim=1)
        if len({a.shape for a in arrays.values()}) != 1:
            raise ValueError(f"mean_abs, rms and apoz must have one entry per unit each, got lengths "
                             f"{[a.size for a in arrays.values()]}")
        if (arrays["mean_abs"] < 0).any() or (arrays["rms"] < 0).any():
            raise ValueError("mean_abs and rms must be >= 0 (they average |a| and a**2)")
        if ((arrays["apoz"] < 0) | (arrays["apoz"] > 1)).any():
            raise ValueError("apoz must be fractions in [0, 1]")
        check_int(self.n_samples, name="n_samples", minimum=1)
        check_int(self.measured_at, name="measured_at", minimum=0)

    def scores(self, method: str = "mean_abs") -> np.ndarray:
        """Importance per unit, higher = keep; same as :func:`hwprune_edu.pruning.neuron_scores` on the activations.

        ``"apoz"`` gives ``1 - apoz`` (the fraction of non-zero outputs).

        >>> s = ActivationStats(np.array([0.5]), np.array([1.0]), np.array([0.25]), 4, 1)
        >>> s.scores("apoz").tolist()
        [0.75]
        """
        if not isinstance(method, str):
            raise TypeError(f"method must be one of ['apoz', 'mean_abs', 'rms'], got {describe(method)}")
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
        if isinstance(model[j], NORMS + ELEMENTWISE):
            point = j
        else:
            break
    return point


def _batches(inputs: Any, batch_size: int, model: nn.Module) -> Iterator[torch.Tensor]:
    """Batches of ``inputs`` in the model's dtype: one tensor or array cut up, or an iterable's items."""
    if isinstance(inputs, (torch.Tensor, np.ndarray)):
        # as_batch checks shape and values once and casts (float64 data, a float32 model) without a second copy.
        x = as_batch(inputs, model, name="inputs")
        for start in range(0, len(x), batch_size):
            yield x[start : start + batch_size]
        return
    if isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise TypeError(f"inputs must be a tensor or array of samples, or an iterable of batches, got {describe(inputs)}")
    for number, item in enumerate(inputs):
        pair = isinstance(item, (tuple, list)) and item and isinstance(item[0], (torch.Tensor, np.ndarray))
        x = item[0] if pair else item  # (x, y) as a DataLoader gives, or the batch itself
        yield as_batch(x, model, name=f"inputs (batch {number})")


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
    model = check_module(check_sequential(model))
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    weighted = [i for i, m in enumerate(model) if isinstance(m, WEIGHTED)]
    if layers is not None and (isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__")):
        raise TypeError(f"layers must be a list of layer indices, got {describe(layers)}")
    targets = weighted if layers is None else [layer_index(model, i, name="layers") for i in layers]
    for i in targets:
        if not isinstance(model[i], WEIGHTED):
            raise ValueError(f"layers must name Linear/Conv2d layers, but model[{i}] is a {type(model[i]).__name__}")
    sums: dict[int, dict[str, Any]] = {i: {"abs": 0.0, "sq": 0.0, "zero": 0.0, "count": 0} for i in targets}

    def make_hook(target: int):
        def hook(module, args, output):
            a = output.detach().to(torch.float64)
            # channels are dim 1 for (N, C) and (N, C, H, W); reduce every other dim.
            dims = [0] + list(range(2, a.ndim))
            acc = sums[target]
            acc["abs"] = acc["abs"] + a.abs().sum(dim=dims)
            acc["sq"] = acc["sq"] + (a * a).sum(dim=dims)
            acc["zero"] = acc["zero"] + (a == 0).sum(dim=dims).to(torch.float64)
            acc["count"] += a.numel() // a.shape[1]

        return hook

    handles = [model[_measure_point(model, i)].register_forward_hook(make_hook(i)) for i in targets]
    n_samples = 0
    try:
        with evaluating(model), torch.no_grad():
            for x in _batches(inputs, batch_size, model):
                if len(x) == 0:
                    continue
                try:
                    model(x)
                except RuntimeError as err:  # most often the wrong number of features
                    raise ValueError(f"inputs do not fit the model: a batch of shape {tuple(x.shape)} fails with: {err}") from None
                n_samples += len(x)
    finally:
        for handle in handles:
            handle.remove()
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
