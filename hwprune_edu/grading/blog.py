"""The blog's buggy implementations, as exercise 5 ("spot the bug") shows them, one bug each.

They read the way the blog (or a hurried learner) writes them. Exercise 5
shows each one under the exercise's own name (:func:`~hwprune_edu.grading.expose.buggy_source`);
the learner finds an input that exposes the bug, then writes the fix. Each is
also the naive version of one mistake of its exercise, so the checks
recognise it and give that mistake's hint.

>>> ties_threshold_magnitude_mask(np.array([0.5, 0.5, 0.2, 1.0]), 2).tolist()  # prunes 3, not 2
[False, False, False, True]
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["BUGGY", "blog_weight_pruning", "ties_threshold_magnitude_mask", "reshape_only_nm_mask",
           "signed_mean_neuron_scores", "layer_mean_activation_pruning"]


def blog_weight_pruning(network, threshold):
    """The blog's weight pruning, as published (one matrix or a list of matrices)."""
    weights = network["weights"]
    layers = weights if isinstance(weights, list) else [weights]
    pruned_weights = []
    for layer in layers:
        for layer_weights in layer:
            layer_pruned_weights = []
            for weight in np.ravel(layer_weights):
                if np.abs(weight) > threshold:
                    layer_pruned_weights.append(weight)
            pruned_weights.append(layer_pruned_weights)
    return {"weights": pruned_weights}


def ties_threshold_magnitude_mask(weights, amount):
    """Keep mask that prunes the ``amount`` smallest-|w| entries (int = count, float = fraction)."""
    magnitudes = np.abs(np.asarray(weights))
    k = amount if isinstance(amount, int) else round(amount * magnitudes.size)
    if k == 0:
        return np.ones(magnitudes.shape, dtype=bool)
    kth_smallest = np.sort(magnitudes.ravel())[k - 1]
    return magnitudes > kth_smallest


def reshape_only_nm_mask(weights, n=2, m=4, *, axis=1):
    """Keep the ``n`` largest |w| in every group of ``m`` consecutive entries along ``axis``."""
    w = np.abs(np.asarray(weights))
    groups = w.reshape(-1, m)
    order = np.argsort(groups, axis=1)
    keep = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(keep, order[:, m - n:], True, axis=1)
    return keep.reshape(w.shape)


def signed_mean_neuron_scores(activations, method="mean_abs"):
    """One importance score per neuron (channel): higher = more worth keeping."""
    a = np.asarray(activations, dtype=float)
    axes = (0,) if a.ndim == 2 else (0, 2, 3)
    if method == "apoz":
        return (a != 0).mean(axis=axes)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=axes))
    return a.mean(axis=axes)


def layer_mean_activation_pruning(network, activation_threshold):
    """Remove every hidden neuron whose mean |activation| is at most ``activation_threshold``."""
    weights = [np.array(w) for w in network["weights"]]
    biases = [np.array(b) for b in network["biases"]]
    keeps = [np.ones(w.shape[0], dtype=bool) for w in weights]
    for i in range(len(weights) - 1):
        activations = np.asarray(network["activations"][i])
        keeps[i] = np.full(weights[i].shape[0], np.mean(np.abs(activations)) > activation_threshold)
        weights[i] = weights[i][keeps[i]]
        biases[i] = biases[i][keeps[i]]
        weights[i + 1] = weights[i + 1][:, keeps[i]]
    return {"weights": weights, "biases": biases, "keep": keeps}


#: exercise id -> the buggy version exercise 5 shows.
BUGGY: dict[str, Callable] = {
    "weight_pruning": blog_weight_pruning,
    "activation_pruning": layer_mean_activation_pruning,
    "magnitude_mask": ties_threshold_magnitude_mask,
    "nm_mask": reshape_only_nm_mask,
    "neuron_scores": signed_mean_neuron_scores,
}
