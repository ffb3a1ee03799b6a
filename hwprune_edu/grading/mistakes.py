"""Naive implementations that make the blog's kinds of mistakes, one mistake each.

They are written the way a hurried learner (or the blog) writes them, and
they serve twice: the grader's tests check that every one of them is rejected
with its own hint, and exercise 5 ("spot the bug") shows a few of them to the
learner, who must find an input that exposes the bug and then fix it.

``NAIVE[exercise][mistake_id]`` is the implementation making mistake
``mistake_id`` (an id of :mod:`hwprune_edu.grading.catalogue`);
``BUGGY[exercise]`` is the one exercise 5 shows.

>>> import numpy as np
>>> ties_threshold_magnitude_mask(np.array([0.5, 0.5, 0.2, 1.0]), 2).tolist()  # prunes 3, not 2
[False, False, False, True]
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.util.validation import resolve_amount

__all__ = ["NAIVE", "BUGGY"]

NAIVE: dict[str, dict[str, Callable]] = {}


def _naive(exercise: str, mistake: str) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        NAIVE.setdefault(exercise, {})[mistake] = fn
        return fn

    return register


def _keep_of(magnitudes: np.ndarray, pruned_indices: np.ndarray) -> np.ndarray:
    keep = np.ones(magnitudes.size, dtype=bool)
    keep[pruned_indices] = False
    return keep.reshape(magnitudes.shape)


# ---------------------------------------------------------------- threshold_mask

@_naive("threshold_mask", "dropped_entries")
def dropped_threshold_mask(weights, threshold):
    w = np.asarray(weights)
    return w[np.abs(w) > threshold]


@_naive("threshold_mask", "returned_weights")
def weights_threshold_mask(weights, threshold):
    w = np.asarray(weights)
    return np.where(np.abs(w) > threshold, w, 0.0)


@_naive("threshold_mask", "inverted_mask")
def inverted_threshold_mask(weights, threshold):
    return np.abs(np.asarray(weights)) <= threshold


@_naive("threshold_mask", "flattened")
def flattened_threshold_mask(weights, threshold):
    return (np.abs(np.asarray(weights)) > threshold).ravel()


@_naive("threshold_mask", "kept_equal")
def kept_equal_threshold_mask(weights, threshold):
    return np.abs(np.asarray(weights)) >= threshold


@_naive("threshold_mask", "signed_compare")
def signed_threshold_mask(weights, threshold):
    return np.asarray(weights) > threshold


@_naive("threshold_mask", "returns_none")
def forgot_return_threshold_mask(weights, threshold):
    mask = np.abs(np.asarray(weights)) > threshold  # noqa: F841  (the return is missing)


@_naive("threshold_mask", "mutated_input")
def in_place_threshold_mask(weights, threshold):
    weights[np.abs(weights) <= threshold] = 0
    return weights != 0


# ---------------------------------------------------------------- magnitude_mask

@_naive("magnitude_mask", "dropped_entries")
def dropped_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    order = np.argsort(np.abs(w).ravel())
    return w.ravel()[np.sort(order[k:])]


@_naive("magnitude_mask", "returned_weights")
def weights_magnitude_mask(weights, amount):
    return np.where(pruning.magnitude_mask(weights, amount), weights, 0.0)


@_naive("magnitude_mask", "inverted_mask")
def inverted_magnitude_mask(weights, amount):
    return ~pruning.magnitude_mask(weights, amount)


@_naive("magnitude_mask", "pruned_largest")
def largest_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    order = np.argsort(-np.abs(w).ravel(), kind="stable")
    return _keep_of(w, order[:k])


@_naive("magnitude_mask", "signed_values")
def signed_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    return _keep_of(w, np.argsort(w.ravel(), kind="stable")[:k])


@_naive("magnitude_mask", "ties_threshold")
def ties_threshold_magnitude_mask(weights, amount):
    """Keep mask that prunes the ``amount`` smallest-|w| entries (int = count, float = fraction)."""
    magnitudes = np.abs(np.asarray(weights))
    k = amount if isinstance(amount, int) else round(amount * magnitudes.size)
    if k == 0:
        return np.ones(magnitudes.shape, dtype=bool)
    kth_smallest = np.sort(magnitudes.ravel())[k - 1]
    return magnitudes > kth_smallest


@_naive("magnitude_mask", "floor_not_round")
def floor_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = amount if isinstance(amount, int) else int(amount * w.size)
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


@_naive("magnitude_mask", "int_amount_as_fraction")
def fraction_only_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = min(w.size, round(amount * w.size))
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


@_naive("magnitude_mask", "amount_as_keep")
def keep_amount_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = w.size - resolve_amount(amount, w.size)
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


@_naive("magnitude_mask", "zero_amount")
def unguarded_magnitude_mask(weights, amount):
    w = np.abs(np.asarray(weights))
    k = resolve_amount(amount, w.size)
    order = np.argsort(w.ravel(), kind="stable")
    cut = w.ravel()[order[k - 1]]  # k = 0 reads order[-1]: the largest
    keep = np.ones(w.size, dtype=bool)
    keep[order[: k if k else np.searchsorted(np.sort(w.ravel()), cut, side="right")]] = False
    return keep.reshape(w.shape)


@_naive("magnitude_mask", "full_amount")
def index_k_magnitude_mask(weights, amount):
    w = np.abs(np.asarray(weights))
    k = resolve_amount(amount, w.size)
    order = np.argsort(w.ravel(), kind="stable")
    first_kept = order[k]  # IndexError when k == w.size
    keep = np.ones(w.size, dtype=bool)
    keep[order[:k]] = False
    keep[first_kept] = True
    return keep.reshape(w.shape)


@_naive("magnitude_mask", "per_row")
def per_row_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    if w.ndim < 2:
        return pruning.magnitude_mask(w, amount)
    rows = np.abs(w).reshape(w.shape[0], -1)
    per_row = amount if isinstance(amount, int) else round(amount * rows.shape[1])
    per_row = min(per_row, rows.shape[1])
    order = np.argsort(rows, axis=1, kind="stable")[:, :per_row]
    keep = np.ones(rows.shape, dtype=bool)
    np.put_along_axis(keep, order, False, axis=1)
    return keep.reshape(w.shape)


@_naive("magnitude_mask", "only_2d")
def loops_2d_magnitude_mask(weights, amount):
    rows, cols = weights.shape
    entries = sorted((abs(weights[i, j]), i, j) for i in range(rows) for j in range(cols))
    k = resolve_amount(amount, rows * cols)
    keep = np.ones((rows, cols), dtype=bool)
    for _, i, j in entries[:k]:
        keep[i, j] = False
    return keep


@_naive("magnitude_mask", "flattened")
def flattened_magnitude_mask(weights, amount):
    return pruning.magnitude_mask(weights, amount).ravel()


# ---------------------------------------------------------------- global_magnitude_masks

@_naive("global_magnitude_masks", "per_layer")
def per_layer_global_masks(weights_list, amount):
    total = sum(np.size(w) for w in weights_list)
    fraction = amount / total if isinstance(amount, int) else amount
    return [pruning.magnitude_mask(w, float(fraction)) for w in weights_list]


@_naive("global_magnitude_masks", "one_mask")
def concatenated_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    return pruning.magnitude_mask(flat, amount)


@_naive("global_magnitude_masks", "pruned_largest")
def largest_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(-flat, kind="stable")[: resolve_amount(amount, flat.size)]] = False
    bounds = np.cumsum([np.size(w) for w in weights_list])[:-1]
    return [part.reshape(np.shape(w)) for part, w in zip(np.split(keep, bounds), weights_list)]


@_naive("global_magnitude_masks", "inverted_mask")
def inverted_global_masks(weights_list, amount):
    return [~m for m in pruning.global_magnitude_masks(weights_list, amount)]


@_naive("global_magnitude_masks", "ties_threshold")
def ties_threshold_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    k = resolve_amount(amount, flat.size)
    if k == 0:
        return [np.ones(np.shape(w), dtype=bool) for w in weights_list]
    cut = np.sort(flat)[k - 1]
    return [np.abs(w) > cut for w in weights_list]


@_naive("global_magnitude_masks", "returned_weights")
def weights_global_masks(weights_list, amount):
    return [np.where(m, w, 0.0) for w, m in zip(weights_list, pruning.global_magnitude_masks(weights_list, amount))]


# ---------------------------------------------------------------- structured_mask

def _slice_keep(w: np.ndarray, scores: np.ndarray, k: int, axis: int) -> np.ndarray:
    keep_slices = np.ones(scores.size, dtype=bool)
    keep_slices[np.argsort(scores, kind="stable")[:k]] = False
    shape = [1] * w.ndim
    shape[axis] = w.shape[axis]
    return np.broadcast_to(keep_slices.reshape(shape), w.shape).copy()


@_naive("structured_mask", "wrong_axis")
def other_axis_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    other = 1 if axis == 0 else 0
    return pruning.structured_mask(w, amount if isinstance(amount, float) else min(amount, w.shape[other]),
                                   axis=other, norm=norm)


@_naive("structured_mask", "not_whole_slices")
def elementwise_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    k_slices = resolve_amount(amount, w.shape[axis])
    return pruning.magnitude_mask(w, k_slices * (w.size // w.shape[axis]))


@_naive("structured_mask", "wrong_norm")
def l1_only_structured_mask(weights, amount, *, axis=0, norm=1):
    return pruning.structured_mask(weights, amount, axis=axis, norm=1)


@_naive("structured_mask", "signed_sum")
def signed_sum_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1).sum(axis=1)
    return _slice_keep(w, scores, resolve_amount(amount, w.shape[axis]), axis)


@_naive("structured_mask", "pruned_largest")
def largest_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = pruning.slice_norms(w, axis=axis, norm=norm)
    return _slice_keep(w, -scores, resolve_amount(amount, w.shape[axis]), axis)


@_naive("structured_mask", "amount_of_entries")
def entries_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    k = min(w.shape[axis], resolve_amount(amount, w.size))
    return _slice_keep(w, pruning.slice_norms(w, axis=axis, norm=norm), k, axis)


@_naive("structured_mask", "removed_rows")
def removed_rows_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    keep = pruning.structured_mask(w, amount, axis=axis, norm=norm)
    kept = np.moveaxis(keep, axis, 0).reshape(w.shape[axis], -1)[:, 0]
    return np.compress(kept, w, axis=axis)


@_naive("structured_mask", "inverted_mask")
def inverted_structured_mask(weights, amount, *, axis=0, norm=1):
    return ~pruning.structured_mask(weights, amount, axis=axis, norm=norm)


@_naive("structured_mask", "only_2d")
def linalg_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = np.linalg.norm(w, ord=norm, axis=1 - axis)
    return _slice_keep(w, scores, resolve_amount(amount, w.shape[axis]), axis)


# ---------------------------------------------------------------- nm_mask

def _groups_keep(groups: np.ndarray, n: int, largest: bool = True) -> np.ndarray:
    order = np.argsort(groups if largest else -groups, axis=1, kind="stable")
    keep = np.zeros(groups.shape, dtype=bool)
    if n:
        np.put_along_axis(keep, order[:, groups.shape[1] - n:], True, axis=1)
    return keep


def _nm_from_groups(w: np.ndarray, m: int, axis: int, decide: Callable[[np.ndarray], np.ndarray],
                    values: np.ndarray | None = None) -> np.ndarray:
    moved = np.moveaxis(np.abs(w) if values is None else values, axis, -1)
    keep = decide(moved.reshape(-1, m)).reshape(moved.shape)
    return np.moveaxis(keep, -1, axis)


@_naive("nm_mask", "wrong_axis")
def other_axis_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return pruning.nm_mask(w, n, m, axis=1 - axis if w.ndim > 1 and axis in (0, 1) else axis + 1)


@_naive("nm_mask", "kept_smallest")
def smallest_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return _nm_from_groups(w, m, axis, lambda g: _groups_keep(g, n, largest=False))


@_naive("nm_mask", "n_as_pruned")
def pruned_n_nm_mask(weights, n=2, m=4, *, axis=1):
    return pruning.nm_mask(weights, m - n, m, axis=axis)


@_naive("nm_mask", "strided_groups")
def strided_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    moved = np.moveaxis(np.abs(w), axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    # reshape(m, -1): entry j of a group sits every length/m positions, not next door
    groups = flat.reshape(flat.shape[0], m, -1).transpose(0, 2, 1).reshape(-1, m)
    keep = _groups_keep(groups, n).reshape(flat.shape[0], -1, m).transpose(0, 2, 1).reshape(moved.shape)
    return np.moveaxis(keep, -1, axis)


@_naive("nm_mask", "signed_values")
def signed_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return _nm_from_groups(w, m, axis, lambda g: _groups_keep(g, n), values=w)


@_naive("nm_mask", "ties_threshold")
def ties_threshold_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)

    def decide(groups: np.ndarray) -> np.ndarray:
        if n == 0:
            return np.zeros(groups.shape, dtype=bool)
        nth_largest = np.sort(groups, axis=1)[:, m - n]
        return groups >= nth_largest[:, None]

    return _nm_from_groups(w, m, axis, decide)


@_naive("nm_mask", "ignores_axis")
def reshape_only_nm_mask(weights, n=2, m=4, *, axis=1):
    """Keep the ``n`` largest |w| in every group of ``m`` consecutive entries along ``axis``."""
    w = np.abs(np.asarray(weights))
    groups = w.reshape(-1, m)
    order = np.argsort(groups, axis=1)
    keep = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(keep, order[:, m - n:], True, axis=1)
    return keep.reshape(w.shape)


@_naive("nm_mask", "inverted_mask")
def inverted_nm_mask(weights, n=2, m=4, *, axis=1):
    return ~pruning.nm_mask(weights, n, m, axis=axis)


# ---------------------------------------------------------------- block_mask

def _tiles_to_mask(keep_tiles: np.ndarray, br: int, bc: int, shape: tuple) -> np.ndarray:
    return np.repeat(np.repeat(keep_tiles, br, axis=0), bc, axis=1).reshape(shape)


@_naive("block_mask", "wrong_tiling")
def reshaped_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    br, bc = block
    matrix = np.abs(w).reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    sums = matrix.reshape(rows // br, cols // bc, br, bc).sum(axis=(2, 3))  # mixes entries of different tiles
    keep = np.ones(sums.size, dtype=bool)
    keep[np.argsort(sums.ravel(), kind="stable")[: resolve_amount(amount, sums.size)]] = False
    return _tiles_to_mask(keep.reshape(sums.shape), br, bc, w.shape)


@_naive("block_mask", "swapped_block")
def swapped_block_mask(weights, amount, *, block=(4, 4)):
    return pruning.block_mask(weights, amount, block=(block[1], block[0]))


@_naive("block_mask", "pruned_largest")
def largest_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    br, bc = block
    matrix = np.abs(w).reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    sums = matrix.reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    keep = np.ones(sums.size, dtype=bool)
    keep[np.argsort(-sums.ravel(), kind="stable")[: resolve_amount(amount, sums.size)]] = False
    return _tiles_to_mask(keep.reshape(sums.shape), br, bc, w.shape)


@_naive("block_mask", "amount_of_entries")
def entries_block_mask(weights, amount, *, block=(4, 4)):
    w = np.asarray(weights)
    n_tiles = w.size // (block[0] * block[1])
    return pruning.block_mask(w, min(n_tiles, resolve_amount(amount, w.size)), block=block)


@_naive("block_mask", "conv_not_gemm")
def matrix_only_block_mask(weights, amount, *, block=(4, 4)):
    rows, cols = weights.shape
    br, bc = block
    sums = np.abs(weights).reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    keep = np.ones(sums.size, dtype=bool)
    keep[np.argsort(sums.ravel(), kind="stable")[: resolve_amount(amount, sums.size)]] = False
    return _tiles_to_mask(keep.reshape(sums.shape), br, bc, weights.shape)


@_naive("block_mask", "inverted_mask")
def inverted_block_mask(weights, amount, *, block=(4, 4)):
    return ~pruning.block_mask(weights, amount, block=block)


# ---------------------------------------------------------------- neuron_scores

def _other_axes(a: np.ndarray) -> tuple:
    return (0,) if a.ndim == 2 else (0, 2, 3)


@_naive("neuron_scores", "wrong_axis_samples")
def per_sample_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    axes = tuple(range(1, a.ndim))
    if method == "apoz":
        return (a != 0).mean(axis=axes)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=axes))
    return np.abs(a).mean(axis=axes)


@_naive("neuron_scores", "signed_mean")
def signed_mean_neuron_scores(activations, method="mean_abs"):
    """One importance score per neuron (channel): higher = more worth keeping."""
    a = np.asarray(activations, dtype=float)
    axes = (0,) if a.ndim == 2 else (0, 2, 3)
    if method == "apoz":
        return (a != 0).mean(axis=axes)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=axes))
    return a.mean(axis=axes)


@_naive("neuron_scores", "per_layer_mean")
def layer_mean_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    return np.full(a.shape[1], pruning.neuron_scores(a, method).mean())


@_naive("neuron_scores", "apoz_not_inverted")
def apoz_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "apoz":
        return (a == 0).mean(axis=_other_axes(a))
    return pruning.neuron_scores(a, method)


@_naive("neuron_scores", "rms_no_sqrt")
def mean_square_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "rms":
        return (a**2).mean(axis=_other_axes(a))
    return pruning.neuron_scores(a, method)


@_naive("neuron_scores", "conv_axes")
def samples_only_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "apoz":
        return (a != 0).mean(axis=0)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=0))
    return np.abs(a).mean(axis=0)


@_naive("neuron_scores", "sum_not_mean")
def sum_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    return pruning.neuron_scores(a, method) * (a.size / a.shape[1])


# ---------------------------------------------------------------- remove_neurons

def _copy_layers(layers: list) -> list:
    return [(np.array(w), np.array(b)) for w, b in layers]


@_naive("remove_neurons", "next_layer_untouched")
def rows_only_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    new[layer_index] = (w[keep], b[keep])
    return new


@_naive("remove_neurons", "next_layer_rows")
def next_rows_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    new[layer_index] = (w[keep], b[keep])
    w2, b2 = new[layer_index + 1]
    n = min(w2.shape[0], keep.size)
    new[layer_index + 1] = (w2[:n][keep[:n]], b2[:n][keep[:n]])
    return new


@_naive("remove_neurons", "inverted_keep")
def inverted_remove_neurons(layers, layer_index, keep):
    dropped = ~np.asarray(keep)
    if not dropped.any():
        return [(w[:0], b[:0]) if i == layer_index else (w, b) for i, (w, b) in enumerate(_copy_layers(layers))]
    return pruning.remove_neurons(layers, layer_index, dropped)


@_naive("remove_neurons", "bias_kept")
def bias_kept_remove_neurons(layers, layer_index, keep):
    new = pruning.remove_neurons(layers, layer_index, keep)
    new[layer_index] = (new[layer_index][0], np.array(layers[layer_index][1]))
    return new


@_naive("remove_neurons", "zeroed_not_removed")
def zeroing_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    w[~keep] = 0
    b[~keep] = 0
    return new


@_naive("remove_neurons", "returned_partial")
def partial_remove_neurons(layers, layer_index, keep):
    return pruning.remove_neurons(layers, layer_index, keep)[layer_index: layer_index + 2]


@_naive("remove_neurons", "mutated_input")
def in_place_remove_neurons(layers, layer_index, keep):
    w, b = layers[layer_index]
    w2, b2 = layers[layer_index + 1]
    layers[layer_index] = (w[keep], b[keep])
    layers[layer_index + 1] = (w2[:, keep], b2)
    return layers


# ---------------------------------------------------------------- weight_pruning

@_naive("weight_pruning", "dropped_entries")
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


def _threshold_network(network: dict, threshold: float, keep_rule: Callable, with_masks: bool = True,
                       invert_masks: bool = False) -> dict:
    weights = network["weights"]
    single = not isinstance(weights, list)
    layers = [np.asarray(weights)] if single else [np.asarray(w) for w in weights]
    masks = [keep_rule(w, threshold) for w in layers]
    pruned = [np.where(m, w, 0.0) for w, m in zip(layers, masks)]
    shown = [~m for m in masks] if invert_masks else masks
    result = {"weights": pruned[0] if single else pruned}
    if with_masks:
        result["masks"] = shown[0] if single else shown
    return result


@_naive("weight_pruning", "no_masks")
def maskless_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) > t, with_masks=False)


@_naive("weight_pruning", "kept_equal")
def kept_equal_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) >= t)


@_naive("weight_pruning", "signed_compare")
def signed_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: w > t)


@_naive("weight_pruning", "inverted_mask")
def inverted_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) <= t)


@_naive("weight_pruning", "masks_inverted")
def prune_masks_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) > t, invert_masks=True)


@_naive("weight_pruning", "ragged_stack")
def stacked_weight_pruning(network, threshold):
    weights = np.array(network["weights"])  # fails for layers of different shapes
    keep = np.abs(weights) > threshold
    return {"weights": list(np.where(keep, weights, 0.0)) if weights.ndim == 3 else np.where(keep, weights, 0.0),
            "masks": list(keep) if weights.ndim == 3 else keep}


@_naive("weight_pruning", "mutated_input")
def in_place_weight_pruning(network, threshold):
    weights = network["weights"]
    layers = weights if isinstance(weights, list) else [weights]
    masks = []
    for w in layers:
        masks.append(np.abs(w) > threshold)
        w[np.abs(w) <= threshold] = 0
    return {"weights": weights, "masks": masks if isinstance(weights, list) else masks[0]}


# ---------------------------------------------------------------- activation_pruning

def _activation_network(network: dict, threshold: float, score: Callable, *, fix_next: bool = True,
                        prune_bias: bool = True, zero: bool = False, keep_rule: Callable | None = None,
                        with_keep: bool = True) -> dict:
    weights = [np.array(w) for w in network["weights"]]
    biases = [np.array(b) for b in network["biases"]]
    keeps = []
    for i in range(len(weights)):
        if i < len(weights) - 1:
            s = score(np.asarray(network["activations"][i]))
            keep = (keep_rule or (lambda x, t: x > t))(s, threshold)
            keep = np.broadcast_to(keep, (weights[i].shape[0],)).copy()
        else:
            keep = np.ones(weights[i].shape[0], dtype=bool)
        keeps.append(keep)
    for i in range(len(weights) - 1):
        keep = keeps[i]
        if zero:
            weights[i][~keep] = 0
            biases[i][~keep] = 0
            continue
        weights[i] = weights[i][keep]
        if prune_bias:
            biases[i] = biases[i][keep]
        if fix_next:
            weights[i + 1] = weights[i + 1][:, keep]
    result = {"weights": weights, "biases": biases}
    if with_keep:
        result["keep"] = keeps
    return result


@_naive("activation_pruning", "per_layer_mean")
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


@_naive("activation_pruning", "signed_mean")
def signed_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: a.mean(axis=0))


@_naive("activation_pruning", "next_layer_untouched")
def rows_only_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), fix_next=False)


@_naive("activation_pruning", "bias_kept")
def bias_kept_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), prune_bias=False)


@_naive("activation_pruning", "zeroed_not_removed")
def zeroing_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), zero=True)


@_naive("activation_pruning", "kept_equal")
def kept_equal_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0),
                               keep_rule=lambda s, t: s >= t)


@_naive("activation_pruning", "ragged_stack")
def stacked_activation_pruning(network, activation_threshold):
    np.array(network["weights"])  # the blog's first line: fails for layers of different shapes
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0))


@_naive("activation_pruning", "no_keep")
def keepless_activation_pruning(network, activation_threshold):
    return _activation_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), with_keep=False)


# ---------------------------------------------------------------- hardware

@_naive("gemm_macs", "flops_not_macs")
def flops_gemm_macs(m, n, k):
    return 2 * m * n * k


@_naive("gemm_macs", "forgot_a_dimension")
def weights_only_gemm_macs(m, n, k):
    return n * k


@_naive("gemm_bytes", "forgot_output")
def inputs_only_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return bytes_per_element * (m * k + k * n)


@_naive("gemm_bytes", "elements_not_bytes")
def elements_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return m * k + k * n + m * n


@_naive("gemm_bytes", "bits_not_bytes")
def bits_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 8 * bytes_per_element * (m * k + k * n + m * n)


@_naive("gemm_bytes", "operands_per_mac")
def per_mac_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 3 * m * n * k * bytes_per_element


@_naive("gemm_arithmetic_intensity", "macs_per_byte")
def macs_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return m * n * k / (bytes_per_element * (m * k + k * n + m * n))


@_naive("gemm_arithmetic_intensity", "elements_not_bytes")
def elements_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return 2 * m * n * k / (m * k + k * n + m * n)


@_naive("gemm_arithmetic_intensity", "forgot_output")
def inputs_only_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return 2 * m * n * k / (bytes_per_element * (m * k + k * n))


@_naive("gemm_arithmetic_intensity", "inverted")
def bytes_per_flop_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return bytes_per_element * (m * k + k * n + m * n) / (2 * m * n * k)


@_naive("gemm_arithmetic_intensity", "rounded")
def rounded_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return round(2 * m * n * k / (bytes_per_element * (m * k + k * n + m * n)), 1)


@_naive("roofline_latency", "sum_not_max")
def sum_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return flops / peak_flops + bytes_moved / bandwidth_bytes_per_s


@_naive("roofline_latency", "one_side")
def compute_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return flops / peak_flops


@_naive("roofline_latency", "rounded")
def rounded_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return round(max(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s), 3)


def min_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return min(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s)


@_naive("systolic_cycles", "floor_folds")
def floor_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * max(1, k // rows) * max(1, n // cols)


@_naive("systolic_cycles", "no_fill_drain")
def streaming_only_systolic_cycles(m, n, k, rows, cols):
    return m * -(-k // rows) * -(-n // cols)


@_naive("systolic_cycles", "rows_cols_swapped")
def swapped_systolic_cycles(m, n, k, rows, cols):
    return (2 * cols + rows + m - 2) * -(-k // cols) * -(-n // rows)


@_naive("systolic_cycles", "ideal_macs")
def ideal_systolic_cycles(m, n, k, rows, cols):
    return -(-(m * n * k) // (rows * cols))


@_naive("systolic_cycles", "one_fold")
def one_fold_systolic_cycles(m, n, k, rows, cols):
    return 2 * rows + cols + m - 2


#: exercise -> the naive implementation exercise 5 ("spot the bug") shows.
BUGGY: dict[str, Callable] = {
    "weight_pruning": blog_weight_pruning,
    "activation_pruning": layer_mean_activation_pruning,
    "magnitude_mask": ties_threshold_magnitude_mask,
    "nm_mask": reshape_only_nm_mask,
    "neuron_scores": signed_mean_neuron_scores,
}
