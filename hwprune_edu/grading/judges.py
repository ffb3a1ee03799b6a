"""Judge one output on one case, by the properties every right answer has.

Where several answers are right (which of two equal magnitudes to prune),
a judge never asks for the reference's tie order: it checks the exact count
pruned, that no kept |w| is below a pruned |w|, that slices and blocks are
pruned whole, that every N:M group keeps exactly N. Where the answer is unique
(a threshold, a score, a removed neuron), it is compared with the reference.

Harmless differences are accepted with a note, never failed:

* a mask given as a list, or as 0/1 numbers (int or float) instead of booleans;
* scores as a list, or float32 scores within float32 precision;
* a cost returned as a float that is a whole number (``767.0`` cycles).

Anything else that is not the contract (pruned weights instead of a mask,
a different shape, ``None``) fails, with a message saying what came back.

>>> from hwprune_edu.grading.cases import CaseSpec
>>> case = CaseSpec("t", {"weights": np.array([0.5, -0.5, 0.2]), "amount": 1})
>>> judge_magnitude_mask(case, [1, 1, 0]).passed, judge_magnitude_mask(case, [1, 1, 0]).note != ""
(True, True)
>>> judge_magnitude_mask(case, np.array([True, False, False])).message
'pruned 2 of 3 entries, expected exactly 1 (an int amount is a count)'
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from hwprune_edu import hardware, interview, pruning
from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.transport import Opaque
from hwprune_edu.util.validation import resolve_amount

__all__ = ["Verdict", "Fail", "JUDGES", "as_mask", "as_scores", "index_text"]


@dataclass
class Verdict:
    """A judge's decision on one case: passed, what was wrong, and any accepted harmless difference."""

    passed: bool
    message: str = ""
    note: str = ""


class Fail(Exception):
    """Raised inside a judge with the message to show; turned into a failing :class:`Verdict`."""


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return f"a {value.type_name} ({value.text})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))}"
    return f"{type(value).__name__} {value!r}"


def index_text(index: tuple) -> str:
    """``(1, 2)`` as ``[1, 2]``, for messages."""
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _numeric_array(output: Any, what: str) -> tuple[np.ndarray, str]:
    """``output`` as a numeric array, or Fail; plus a note when it came as a list."""
    if output is None:
        raise Fail(f"returned None instead of {what} (is a `return` missing?)")
    if isinstance(output, (Opaque, str, dict)):
        raise Fail(f"returned {_describe(output)} instead of {what}")
    note = ""
    if isinstance(output, (list, tuple)):
        note = "accepted: you returned a Python list; NumPy expressions give the array directly"
    try:
        array = np.asarray(output)
    except ValueError:
        array = np.empty(0, dtype=object)
    if array.dtype == object:
        lengths = [len(r) if hasattr(r, "__len__") else 1 for r in (output if isinstance(output, (list, tuple)) else [])]
        raise Fail(f"returned ragged rows (lengths {lengths}) instead of {what}")
    if array.dtype.kind not in "biuf":
        raise Fail(f"returned {_describe(array)} instead of {what}")
    return array, note


def as_mask(output: Any, shape: tuple, what: str | None = None) -> tuple[np.ndarray, str]:
    """The learner's keep mask as booleans of ``shape``, and a note on accepted differences; or Fail.

    >>> as_mask([[1, 0]], (1, 2))[0].tolist()
    [[True, False]]
    """
    what = what or f"a boolean keep mask of shape {shape}"
    array, note = _numeric_array(output, what)
    if array.shape != tuple(shape):
        size = int(np.prod(shape))
        if array.size < size:
            raise Fail(f"returned {array.size} values for an input of shape {tuple(shape)} ({size} entries)")
        raise Fail(f"returned shape {array.shape}, expected the weights' shape {tuple(shape)}")
    if array.dtype.kind != "b":
        values = np.unique(array)
        if not np.isin(values, (0, 1)).all():
            odd = values[~np.isin(values, (0, 1))][:3]
            raise Fail(f"returned numbers other than 0/1 (e.g. {', '.join(f'{v:g}' for v in odd)}) "
                       f"instead of {what}")
        note = (f"accepted: your mask has dtype {array.dtype} (0/1); a boolean mask is the convention "
                "(`.astype(bool)`), and w[mask] only selects with booleans: 0/1 ints would index")
        array = array.astype(bool)
    return array, note


def as_scores(output: Any, size: int) -> tuple[np.ndarray, str]:
    """The learner's 1-D float scores of length ``size``, or Fail."""
    array, note = _numeric_array(output, f"{size} scores (one per neuron)")
    if array.shape != (size,):
        if array.ndim == 0:
            raise Fail(f"returned one number ({float(array):.4g}), expected {size} scores, one per neuron")
        raise Fail(f"returned shape {array.shape}, expected ({size},): one score per neuron")
    return array.astype(np.float64), note


def _amount_text(amount: Any, n: int, k: int, unit: str = "entries") -> str:
    if isinstance(amount, numbers.Integral):
        return "an int amount is a count"
    return f"round({amount!r} x {n} {unit}) = {k}"


def _verdict(fn: Callable[[CaseSpec, Any], tuple[str, str]]) -> Callable[[CaseSpec, Any], Verdict]:
    def judge(case: CaseSpec, output: Any) -> Verdict:
        try:
            message, note = fn(case, output)
        except Fail as failure:
            return Verdict(False, str(failure))
        return Verdict(True, message, note)

    judge.__name__ = fn.__name__
    judge.__doc__ = fn.__doc__
    return judge


def _ordered(scores: np.ndarray, keep: np.ndarray, what: str, rtol: float = 0.0) -> None:
    """Fail unless every pruned score is <= every kept score (within ``rtol``)."""
    pruned = ~keep
    if not pruned.any() or not keep.any():
        return
    kept_scores = np.where(keep, scores, np.inf)
    pruned_scores = np.where(pruned, scores, -np.inf)
    i_kept = np.unravel_index(np.argmin(kept_scores), scores.shape)
    i_pruned = np.unravel_index(np.argmax(pruned_scores), scores.shape)
    low, high = scores[i_kept], scores[i_pruned]
    if high > low * (1 + rtol) + (1e-12 if rtol else 0.0):
        raise Fail(f"kept {what} = {low:.4g} at {index_text(i_kept)} but pruned the larger {what} = {high:.4g} at "
                   f"{index_text(i_pruned)}")


# ---------------------------------------------------------------- unstructured

@_verdict
def judge_threshold_mask(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly ``|w| > threshold`` (the answer is unique)."""
    w = np.asarray(case.arguments["weights"])
    t = case.arguments["threshold"]
    keep, note = as_mask(output, w.shape)
    expected = np.abs(w) > t
    wrong = keep != expected
    if wrong.any():
        i = tuple(np.argwhere(wrong)[0])
        verb = "kept" if keep[i] else "pruned"
        should = "pruned (keep only |w| > threshold)" if keep[i] else "kept"
        raise Fail(f"{int(wrong.sum())} entr{'y' if wrong.sum() == 1 else 'ies'} wrong, e.g. at {index_text(i)} "
                   f"w = {w[i]:g} with threshold {t:g}: you {verb} it, it should be {should}")
    return f"kept {int(keep.sum())} of {w.size}", note


@_verdict
def judge_magnitude_mask(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exact count pruned; no kept |w| below a pruned |w| (any tie order)."""
    w = np.asarray(case.arguments["weights"])
    amount = case.arguments["amount"]
    k = resolve_amount(amount, w.size)
    keep, note = as_mask(output, w.shape)
    n_pruned = int((~keep).sum())
    if n_pruned != k:
        raise Fail(f"pruned {n_pruned} of {w.size} entries, expected exactly {k} ({_amount_text(amount, w.size, k)})")
    _ordered(np.abs(w).astype(np.float64), keep, "|w|")
    return f"pruned {k} of {w.size}", note


def _as_mask_list(output: Any, shapes: list[tuple]) -> tuple[list[np.ndarray], str]:
    if isinstance(output, np.ndarray) or not isinstance(output, (list, tuple)):
        raise Fail(f"returned {_describe(output)}, expected a list of {len(shapes)} masks, one per layer")
    if len(output) != len(shapes):
        raise Fail(f"returned {len(output)} masks for {len(shapes)} layers")
    masks, notes = [], []
    for i, (item, shape) in enumerate(zip(output, shapes)):
        try:
            mask, note = as_mask(item, shape)
        except Fail as failure:
            raise Fail(f"layer {i}: {failure}") from None
        masks.append(mask)
        notes.append(note)
    return masks, next((n for n in notes if n), "")


@_verdict
def judge_global_magnitude_masks(case: CaseSpec, output: Any) -> tuple[str, str]:
    """One mask per layer; exact total count; no kept |w| below a pruned |w| in any layer."""
    layers = [np.asarray(w) for w in case.arguments["weights_list"]]
    amount = case.arguments["amount"]
    total = sum(w.size for w in layers)
    k = resolve_amount(amount, total)
    masks, note = _as_mask_list(output, [w.shape for w in layers])
    flat_keep = np.concatenate([m.ravel() for m in masks])
    flat_mags = np.concatenate([np.abs(w).ravel().astype(np.float64) for w in layers])
    n_pruned = int((~flat_keep).sum())
    if n_pruned != k:
        per_layer = [int((~m).sum()) for m in masks]
        raise Fail(f"pruned {n_pruned} of {total} entries in all (per layer {per_layer}), expected exactly {k} "
                   f"({_amount_text(amount, total, k)})")
    try:
        _ordered(flat_mags, flat_keep, "|w|")
    except Fail:
        kept_min = min((np.abs(w)[m].min(), i) for i, (w, m) in enumerate(zip(layers, masks)) if m.any())
        pruned_max = max((np.abs(w)[~m].max(), i) for i, (w, m) in enumerate(zip(layers, masks)) if (~m).any())
        raise Fail(f"kept |w| = {kept_min[0]:.4g} in layer {kept_min[1]} but pruned the larger |w| = "
                   f"{pruned_max[0]:.4g} in layer {pruned_max[1]}: one threshold must hold across all layers") from None
    return f"pruned {k} of {total}", note


# ---------------------------------------------------------------- structured

def _sum_rtol(w: np.ndarray) -> float:
    """How far two equal sums may drift apart when the learner adds in another order (or in float32)."""
    return 1e-5 if w.dtype == np.float32 else 1e-9


def _slice_view(array: np.ndarray, axis: int) -> np.ndarray:
    return np.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)


@_verdict
def judge_structured_mask(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Whole slices along ``axis``; exact slice count; no kept slice norm below a pruned one."""
    w = np.asarray(case.arguments["weights"])
    amount, axis, norm = case.arguments["amount"], case.arguments["axis"], case.arguments["norm"]
    n_slices = w.shape[axis]
    k = resolve_amount(amount, n_slices)
    keep, note = as_mask(output, w.shape)
    slices = _slice_view(keep, axis)
    partial = ~(slices.all(axis=1) | ~slices.any(axis=1))
    if partial.any():
        j = int(np.argmax(partial))
        raise Fail(f"slice {j} along axis {axis} is partly pruned ({int((~slices[j]).sum())} of {slices.shape[1]} "
                   f"entries): structured pruning removes whole slices")
    keep_slices = slices[:, 0]
    n_pruned = int((~keep_slices).sum())
    if n_pruned != k:
        raise Fail(f"pruned {n_pruned} of {n_slices} slices along axis {axis}, expected exactly {k} "
                   f"({_amount_text(amount, n_slices, k, 'slices')})")
    norms = pruning.slice_norms(w.astype(np.float64), axis=axis, norm=norm)
    _ordered(norms, keep_slices, f"L{norm:g} norm", rtol=_sum_rtol(w))
    return f"pruned {k} of {n_slices} slices", note


@_verdict
def judge_nm_mask(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly ``n`` kept in every group of ``m`` consecutive entries along ``axis``; the kept are the largest |w|."""
    w = np.asarray(case.arguments["weights"])
    n, m, axis = case.arguments["n"], case.arguments["m"], case.arguments["axis"]
    keep, note = as_mask(output, w.shape)
    groups_keep = np.moveaxis(keep, axis, -1).reshape(-1, m)
    groups_mags = np.moveaxis(np.abs(w).astype(np.float64), axis, -1).reshape(-1, m)
    counts = groups_keep.sum(axis=1)
    if (counts != n).any():
        g = int(np.argmax(counts != n))
        start = (g % (w.shape[axis] // m)) * m
        raise Fail(f"group {g} (entries {start}..{start + m - 1} along axis {axis}) "
                   f"keeps {int(counts[g])} of {m}, expected exactly {n}; {int((counts != n).sum())} of "
                   f"{counts.size} groups are off")
    pruned_max = np.where(groups_keep, -np.inf, groups_mags).max(axis=1)
    kept_min = np.where(groups_keep, groups_mags, np.inf).min(axis=1)
    bad = pruned_max > kept_min
    if bad.any():
        g = int(np.argmax(bad))
        raise Fail(f"in group {g} along axis {axis}, kept |w| = {kept_min[g]:.4g} but pruned the larger "
                   f"|w| = {pruned_max[g]:.4g}")
    return f"{n}:{m} in all {counts.size} groups", note


@_verdict
def judge_block_mask(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Whole tiles of the GEMM view; exact tile count; no kept tile L1 below a pruned one."""
    w = np.asarray(case.arguments["weights"])
    amount, (br, bc) = case.arguments["amount"], case.arguments["block"]
    keep, note = as_mask(output, w.shape)
    matrix = keep.reshape(w.shape[0], -1)
    rows, cols = matrix.shape
    tiles = matrix.reshape(rows // br, br, cols // bc, bc).transpose(0, 2, 1, 3).reshape(rows // br, cols // bc, -1)
    partial = ~(tiles.all(axis=2) | ~tiles.any(axis=2))
    if partial.any():
        i, j = np.argwhere(partial)[0]
        raise Fail(f"tile ({i}, {j}) (rows {i * br}..{i * br + br - 1}, columns {j * bc}..{j * bc + bc - 1} of the "
                   f"{rows}x{cols} matrix) is partly pruned: block pruning removes whole {br}x{bc} tiles")
    keep_tiles = tiles[:, :, 0]
    k = resolve_amount(amount, keep_tiles.size)
    n_pruned = int((~keep_tiles).sum())
    if n_pruned != k:
        raise Fail(f"pruned {n_pruned} of {keep_tiles.size} tiles, expected exactly {k} "
                   f"({_amount_text(amount, keep_tiles.size, k, 'tiles')})")
    l1 = np.abs(w.astype(np.float64)).reshape(rows // br, br, cols // bc, bc).sum(axis=(1, 3))
    _ordered(l1, keep_tiles, "tile L1", rtol=_sum_rtol(w))
    return f"pruned {k} of {keep_tiles.size} tiles", note


# ---------------------------------------------------------------- activations

@_verdict
def judge_neuron_scores(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Scores close to the reference (float32 inputs get float32 tolerance)."""
    a = np.asarray(case.arguments["activations"])
    expected = pruning.neuron_scores(a.astype(np.float64), case.arguments["method"])
    scores, note = as_scores(output, expected.size)
    rtol = 1e-5 if a.dtype == np.float32 else 1e-7
    close = np.isclose(scores, expected, rtol=rtol, atol=1e-9)
    if not close.all():
        j = int(np.argmax(~close))
        raise Fail(f"score of neuron {j}: expected {expected[j]:.6g}, got {scores[j]:.6g} "
                   f"({int((~close).sum())} of {expected.size} scores differ)")
    return f"{expected.size} scores", note


def _pairs(output: Any, n_layers: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if not isinstance(output, (list, tuple)):
        raise Fail(f"returned {_describe(output)}, expected a list of {n_layers} (W, b) pairs")
    if len(output) != n_layers:
        raise Fail(f"returned {len(output)} layers, expected all {n_layers} (W, b) pairs, changed or not")
    pairs = []
    for i, pair in enumerate(output):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise Fail(f"layer {i}: returned {_describe(pair)}, expected a (W, b) pair")
        pairs.append((_numeric_array(pair[0], f"layer {i}'s W")[0], _numeric_array(pair[1], f"layer {i}'s b")[0]))
    return pairs


def _compare_layers(got: list, expected: list, names: tuple = ("W", "b")) -> None:
    for i, (g, e) in enumerate(zip(got, expected)):
        for name, x, y in zip(names, g, e):
            if x.shape != y.shape:
                raise Fail(f"layer {i}'s {name} has shape {x.shape}, expected {y.shape}")
            if not np.allclose(x, y, rtol=1e-12, atol=0):
                raise Fail(f"layer {i}'s {name} has the right shape {x.shape} but the wrong values "
                           f"(expected rows/columns of the original, in order)")


@_verdict
def judge_remove_neurons(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly the reference's layers (removal is unique); on dead neurons, the outputs are unchanged."""
    layers = case.arguments["layers"]
    expected = pruning.remove_neurons(layers, case.arguments["layer_index"], case.arguments["keep"])
    got = _pairs(output, len(layers))
    _compare_layers(got, expected)
    if "x" in case.extra:
        before, _ = pruning.forward(layers, case.extra["x"])
        after, _ = pruning.forward(got, case.extra["x"])
        gap = float(np.abs(before - after).max())
        # Exact in exact arithmetic; a BLAS may sum the remaining terms in another order.
        if gap > 1e-9 * (1.0 + float(np.abs(before).max())):
            raise Fail(f"removing dead neurons changed the outputs by up to {gap:.3g}")
        return f"outputs unchanged after removing the dead neurons (max |difference| = {gap:.1g})", ""
    return "layers match", ""


def _per_layer(value: Any, single: bool) -> tuple[Any, bool]:
    """``value`` as one item per layer, and whether a single matrix came wrapped in a list of one (accepted)."""
    if not single:
        return value, False
    wrapped = isinstance(value, (list, tuple)) and len(value) == 1 and np.ndim(value[0]) == 2
    return (value if wrapped else [value]), wrapped


@_verdict
def judge_weight_pruning(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Same shapes, small weights zeroed (``|w| <= threshold``), masks returned."""
    network, threshold = case.arguments["network"], case.arguments["threshold"]
    expected = interview.weight_pruning(network, threshold)
    if not isinstance(output, dict):
        raise Fail(f"returned {_describe(output)}, expected a dict with 'weights' and 'masks' (like the blog's)")
    if "weights" not in output:
        raise Fail(f"returned a dict without 'weights' (keys {sorted(map(str, output))})")
    single = isinstance(expected["weights"], np.ndarray)
    exp_w = [expected["weights"]] if single else expected["weights"]
    exp_m = [expected["masks"]] if single else expected["masks"]
    got_w, wrapped = _per_layer(output["weights"], single)
    note = "accepted: for a single weight matrix you returned a list of one array" if wrapped else ""
    if not isinstance(got_w, (list, tuple)) or len(got_w) != len(exp_w):
        raise Fail(f"'weights' is {_describe(output['weights'])}, expected "
                   + ("one array" if single else f"a list of {len(exp_w)} arrays, one per layer"))
    for i, (g, e) in enumerate(zip(got_w, exp_w)):
        try:
            array, _ = _numeric_array(g, f"layer {i}'s weights of shape {e.shape}")
        except Fail as failure:
            raise Fail(f"'weights' layer {i}: {failure}") from None
        if array.shape != e.shape:
            raise Fail(f"'weights' layer {i} has shape {array.shape} ({array.size} values) for an input of shape "
                       f"{e.shape}: pruned weights must keep their positions")
        wrong = ~np.isclose(array, e, rtol=1e-12, atol=0)
        if wrong.any():
            j = tuple(np.argwhere(wrong)[0])
            original = np.asarray(network["weights"] if single else network["weights"][i])[j]
            raise Fail(f"'weights' layer {i} at {index_text(j)}: original {original:g}, threshold {threshold:g}, "
                       f"expected {e[j]:g}, got {array[j]:g}")
    if "masks" not in output:
        raise Fail("the weights are right, but no 'masks' were returned: return the keep masks too")
    got_m, _ = _per_layer(output["masks"], single)
    if not isinstance(got_m, (list, tuple)) or len(got_m) != len(exp_m):
        raise Fail(f"'masks' is {_describe(output['masks'])}, expected one mask per weight array")
    for i, (g, e) in enumerate(zip(got_m, exp_m)):
        try:
            mask, mask_note = as_mask(g, e.shape)
        except Fail as failure:
            raise Fail(f"'masks' layer {i}: {failure}") from None
        note = note or mask_note
        if not np.array_equal(mask, e):
            raise Fail(f"'masks' layer {i} does not match the weights you kept (True = keep)")
    missing = [k for k in network if k not in ("weights", "masks") and k not in output]
    if missing and not note:
        note = f"accepted: the input's other entries {missing} were not passed through (the library's version keeps them)"
    return "weights and masks right", note


@_verdict
def judge_activation_pruning(case: CaseSpec, output: Any) -> tuple[str, str]:
    """The reference's surviving weights, biases and keep masks (the answer is unique)."""
    network, threshold = case.arguments["network"], case.arguments["activation_threshold"]
    expected = interview.activation_pruning(network, threshold)
    if not isinstance(output, dict):
        raise Fail(f"returned {_describe(output)}, expected a dict with 'weights', 'biases' and 'keep'")
    missing = [k for k in ("weights", "biases") if k not in output]
    if missing:
        raise Fail(f"returned a dict without {missing} (keys {sorted(map(str, output))})")
    n = len(expected["weights"])
    for key in ("weights", "biases"):
        if not isinstance(output[key], (list, tuple)) or len(output[key]) != n:
            raise Fail(f"'{key}' is {_describe(output[key])}, expected a list of {n} arrays, one per layer")
    got = []
    for i in range(n):
        try:
            w, _ = _numeric_array(output["weights"][i], f"layer {i}'s weights")
            b, _ = _numeric_array(output["biases"][i], f"layer {i}'s biases")
        except Fail as failure:
            raise Fail(f"layer {i}: {failure}") from None
        got.append((w, b))
    _compare_layers(got, list(zip(expected["weights"], expected["biases"])))
    if "keep" not in output:
        raise Fail("the layers are right, but no 'keep' masks were returned: return one boolean mask per layer")
    keep = output["keep"]
    if not isinstance(keep, (list, tuple)) or len(keep) != n:
        raise Fail(f"'keep' is {_describe(keep)}, expected a list of {n} masks, one per layer")
    note = ""
    for i, (g, e) in enumerate(zip(keep, expected["keep"])):
        try:
            mask, mask_note = as_mask(g, e.shape)
        except Fail as failure:
            raise Fail(f"'keep' layer {i}: {failure}") from None
        note = note or mask_note
        if not np.array_equal(mask, e):
            raise Fail(f"'keep' layer {i} is {mask.astype(int).tolist()}, expected {e.astype(int).tolist()}")
    if "activations" not in output:
        note = note or "accepted: no 'activations' returned (the library's version also drops the removed columns)"
    return "layers and keep masks right", note


# ---------------------------------------------------------------- hardware

def as_number(output: Any, what: str) -> tuple[float, str]:
    """The learner's single number, or Fail; plus a note for a harmless wrapper (numpy scalar, 1-element array)."""
    if output is None:
        raise Fail(f"returned None instead of {what} (is a `return` missing?)")
    if isinstance(output, (bool, np.bool_)):
        raise Fail(f"returned {output!r} instead of {what}")
    if isinstance(output, numbers.Real):
        return float(output), ""
    try:
        array = np.asarray(output, dtype=np.float64)
    except (TypeError, ValueError):
        raise Fail(f"returned {_describe(output)} instead of {what}") from None
    if array.size != 1:
        raise Fail(f"returned {_describe(output)} instead of one number ({what})")
    return float(array.ravel()[0]), f"accepted: you returned {_describe(output)}; a plain number is the convention"


def _judge_number(name: str, what: str, integer: bool) -> Callable[[CaseSpec, Any], Verdict]:
    @_verdict
    def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
        expected = getattr(hardware, name)(*case.args, **case.kwargs)
        got, note = as_number(output, what)
        if integer:
            if got != int(got):
                raise Fail(f"returned {got!r}, expected a whole number of {what}: {expected}")
            if isinstance(output, float) and not note:
                note = f"accepted: you returned the float {got!r}; a count of {what} is an int"
            if int(got) != expected:
                raise Fail(f"expected {expected} {what}, got {int(got)} ({got / expected:.3g}x)" if expected else
                           f"expected 0 {what}, got {int(got)}")
            return f"{expected} {what}", note
        if not np.isclose(got, expected, rtol=1e-9, atol=0.0):
            ratio = f" ({got / expected:.3g}x)" if expected else ""
            raise Fail(f"expected {expected:.6g} {what}, got {got:.6g}{ratio}")
        return f"{expected:.6g} {what}", note

    judge.__name__ = f"judge_{name}"
    return judge


#: exercise id -> judge(case, output) -> Verdict
JUDGES: dict[str, Callable[[CaseSpec, Any], Verdict]] = {
    "threshold_mask": judge_threshold_mask,
    "magnitude_mask": judge_magnitude_mask,
    "global_magnitude_masks": judge_global_magnitude_masks,
    "structured_mask": judge_structured_mask,
    "nm_mask": judge_nm_mask,
    "block_mask": judge_block_mask,
    "neuron_scores": judge_neuron_scores,
    "remove_neurons": judge_remove_neurons,
    "weight_pruning": judge_weight_pruning,
    "activation_pruning": judge_activation_pruning,
    "gemm_macs": _judge_number("gemm_macs", "MACs", integer=True),
    "gemm_bytes": _judge_number("gemm_bytes", "bytes", integer=False),
    "gemm_arithmetic_intensity": _judge_number("gemm_arithmetic_intensity", "FLOP/byte", integer=False),
    "roofline_latency": _judge_number("roofline_latency", "s", integer=False),
    "systolic_cycles": _judge_number("systolic_cycles", "cycles", integer=True),
}
