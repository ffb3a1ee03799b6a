"""Activation-based pruning: score each neuron on data, then remove it *and* its inputs downstream.

The blog's ``activation_pruning`` loops over the rows ``i`` of its one 3 x 3
weight matrix (the neurons) and scores neuron ``i`` with ``np.mean(activations[i])``:
in its ``(samples, neurons)`` activations, row ``i`` is *sample* ``i`` averaged over
every neuron, which says nothing about neuron ``i``, and row ``i`` is kept or
dropped whole. Here every neuron gets its own score over the samples (a column),
and removing neuron ``j`` of layer ``l`` deletes row ``j`` of ``W_l``, entry ``j``
of ``b_l`` *and* column ``j`` of ``W_{l+1}``, so the network still multiplies through.

Layers are ``(W, b)`` pairs with ``W`` of shape ``(out, in)``, as in PyTorch
(``y = x @ W.T + b``); hidden layers are followed by ReLU.

>>> layers = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
>>> out, acts = forward(layers, np.array([[1.0, -1.0]]))
>>> out.tolist(), acts[0].tolist()
([[1.0]], [[1.0, 0.0]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.util.validation import as_weights, check_int, describe

__all__ = ["neuron_scores", "remove_neurons", "forward", "check_layers", "SCORE_METHODS"]

#: The scoring methods :func:`neuron_scores` knows, with what each measures.
SCORE_METHODS = {
    "mean_abs": "mean |a| over samples (and positions): how strongly the unit fires",
    "rms": "root mean square of a: like mean_abs but weighs large activations more",
    "apoz": "1 - APoZ (Hu et al. 2016): the fraction of samples where the unit is non-zero",
}


def neuron_scores(activations: Any, method: str = "mean_abs") -> np.ndarray:
    """One importance score per neuron (or channel): higher = more worth keeping.

    Args:
        activations: ``(samples, neurons)`` for a Linear layer's outputs, or
            ``(samples, channels, h, w)`` for a conv layer's (scored per channel).
        method: ``"mean_abs"`` (mean |a|), ``"rms"`` (sqrt of mean a^2) or
            ``"apoz"``. APoZ (Average Percentage of Zeros, Hu et al. 2016,
            *Network Trimming*) is high for a useless unit, so the score is
            ``1 - APoZ``: the fraction of (sample, position) outputs that are
            non-zero. Measure it after the ReLU.

    Returns:
        1-D float array of length ``activations.shape[1]``.

    >>> a = np.array([[0.0, 2.0], [0.0, -4.0]])
    >>> neuron_scores(a).tolist(), neuron_scores(a, "apoz").tolist()
    ([0.0, 3.0], [0.0, 1.0])
    """
    a = as_weights(activations, name="activations", ndim=(2, 4))
    if not isinstance(method, str) or method not in SCORE_METHODS:  # (an unhashable method is refused by isinstance)
        raise ValueError(f"method must be one of {sorted(SCORE_METHODS)}, got {describe(method)}")
    # Channels are axis 1 in both layouts; average over everything else.
    other_axes = (0,) if a.ndim == 2 else (0, 2, 3)
    if method == "apoz":
        return (a != 0).mean(axis=other_axes, dtype=np.float64)
    magnitudes = np.abs(a, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):  # an overflow is detected below and redone scaled
        scores = _mean_power(magnitudes, 1 if method == "mean_abs" else 2, other_axes)
    overflowed = ~np.isfinite(scores)
    if overflowed.any():
        # |a| near 1e154 squares (or near 1e308 sums) past float64's range: divide each
        # channel by its largest |a| first, so the mean is taken of numbers <= 1.
        scale = np.moveaxis(magnitudes, 1, 0).reshape(magnitudes.shape[1], -1).max(axis=1)
        shape = [1] * a.ndim
        shape[1] = -1
        scaled = _mean_power(magnitudes / np.where(scale > 0, scale, 1.0).reshape(shape), 2 if method == "rms" else 1,
                             other_axes) * scale
        scores = np.where(overflowed, scaled, scores)
    return scores


def _mean_power(magnitudes: np.ndarray, p: int, axes: tuple) -> np.ndarray:
    """mean(|a|) (p = 1) or sqrt(mean(a^2)) (p = 2) over ``axes``, in float64."""
    if p == 1:
        return magnitudes.mean(axis=axes)
    return np.sqrt(np.square(magnitudes).mean(axis=axes))


def check_layers(layers: Any, *, name: str = "layers") -> list[tuple[np.ndarray, np.ndarray]]:
    """Validate a ReLU MLP given as a list of ``(W, b)`` pairs; return it as arrays.

    Each ``W`` is ``(out, in)``, each ``b`` is ``(out,)``, and layer ``l+1``
    takes ``W_l.shape[0]`` inputs. Nothing is copied or modified.

    >>> [w.shape for w, b in check_layers([(np.ones((3, 2)), np.zeros(3))])]
    [(3, 2)]
    """
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"{name} must be a list of (W, b) pairs, got {describe(layers)}")
    if len(layers) == 0:
        raise ValueError(f"{name} must contain at least one (W, b) pair, got an empty list")
    checked = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) != 2:
            raise TypeError(f"{name}[{i}] must be a (W, b) pair, got {describe(layer)}")
        w = as_weights(layer[0], name=f"{name}[{i}] W", ndim=2)
        b = as_weights(layer[1], name=f"{name}[{i}] b", ndim=1)
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"{name}[{i}] b must have {w.shape[0]} entries (one per row of W {w.shape}), got {b.shape[0]}")
        if checked and w.shape[1] != checked[-1][0].shape[0]:
            raise ValueError(
                f"{name}[{i}] W must take {checked[-1][0].shape[0]} inputs (layer {i - 1} has that many outputs), "
                f"got W of shape {w.shape}"
            )
        checked.append((w, b))
    return checked


def forward(layers: Any, x: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    """Run a ReLU MLP on ``x``; return the output and every layer's output.

    Args:
        layers: list of ``(W, b)`` pairs, ``W`` of shape ``(out, in)``.
        x: inputs of shape ``(samples, in_features)``.

    Returns:
        ``(output, activations)``: ``activations[l]`` is layer ``l``'s output,
        after ReLU for hidden layers; ``activations[-1] is output`` (no ReLU),
        so ``len(activations) == len(layers)``.

    >>> out, acts = forward([(np.array([[1.0, -1.0]]), np.array([0.5]))], np.array([[2.0, 1.0]]))
    >>> out.tolist(), len(acts)
    ([[1.5]], 1)
    """
    checked = check_layers(layers)
    h = as_weights(x, name="x", ndim=2)
    if h.shape[1] != checked[0][0].shape[1]:
        raise ValueError(f"x must have {checked[0][0].shape[1]} features (columns), got shape {h.shape}")
    activations = []
    for i, (w, b) in enumerate(checked):
        h = h @ w.T + b
        if i < len(checked) - 1:
            h = np.maximum(h, 0)
        activations.append(h)
    return h, activations


def remove_neurons(layers: Any, layer_index: int, keep: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Physically remove neurons of one hidden layer, and their inputs to the next layer.

    Rows of ``W_l``, entries of ``b_l`` and the matching *columns* of
    ``W_{l+1}`` go; every other layer is copied unchanged. A neuron whose ReLU
    output is always 0 on the data contributed nothing downstream, so
    removing it leaves the network's outputs on that data unchanged.

    Args:
        layers: list of ``(W, b)`` pairs; not modified.
        layer_index: a hidden layer (not the last: its outputs are the predictions).
        keep: boolean mask of length ``W_l.shape[0]`` (True = keep), or an
            array of the neuron indices to keep. At least one neuron must stay.

    Returns:
        A new list of ``(W, b)`` pairs (new arrays).

    >>> layers = [(np.arange(6.0).reshape(3, 2), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))]
    >>> new = remove_neurons(layers, 0, [True, False, True])
    >>> new[0][0].tolist(), new[1][0].tolist()
    ([[0.0, 1.0], [4.0, 5.0]], [[1.0, 1.0]])
    """
    checked = check_layers(layers)
    index = check_int(layer_index, name="layer_index")
    if index < 0:
        index += len(checked)
    if not 0 <= index < len(checked) - 1:
        raise ValueError(
            f"layer_index must name a hidden layer, 0 to {len(checked) - 2} (or -{len(checked)} to -2), "
            f"got {layer_index}; the last layer's outputs are the network's predictions"
        )
    n_out = checked[index][0].shape[0]
    keep_mask = _as_keep(keep, n_out)
    if not keep_mask.any():
        raise ValueError(f"keep must keep at least one of the {n_out} neurons of layer {index}, got none")
    new_layers = [(w.copy(), b.copy()) for w, b in checked]
    w, b = checked[index]
    new_layers[index] = (w[keep_mask], b[keep_mask])
    w_next, b_next = checked[index + 1]
    new_layers[index + 1] = (w_next[:, keep_mask], b_next.copy())
    return new_layers


def _as_keep(keep: Any, n_out: int) -> np.ndarray:
    if keep is None:
        raise TypeError(f"keep must be a boolean mask of length {n_out} or an array of indices, got None")
    array = np.asarray(keep)
    if array.dtype.kind == "b":
        if array.shape != (n_out,):
            raise ValueError(f"keep must be a boolean mask of length {n_out} (one per neuron), got shape {array.shape}")
        return array
    if array.dtype.kind in "iu" and array.ndim == 1:
        if array.size and (array.min() < 0 or array.max() >= n_out):
            raise ValueError(f"keep indices must be in [0, {n_out - 1}], got values from {array.min()} to {array.max()}")
        values, counts = np.unique(array, return_counts=True)
        if (counts > 1).any():
            raise ValueError(f"keep indices must not repeat a neuron, got {values[counts > 1].tolist()} more than once")
        mask = np.zeros(n_out, dtype=bool)
        mask[array] = True
        return mask
    raise TypeError(f"keep must be a boolean mask of length {n_out} or a 1-D array of int indices, got {describe(array)}")
