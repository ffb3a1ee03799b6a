"""Exercise 1d, the blog's ``weight_pruning``, fixed: zero every ``|w| <= threshold``, keep the shapes, return masks."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from hwprune_edu import interview
from hwprune_edu.grading.blog import blog_weight_pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct, tied
from hwprune_edu.grading.common_mistakes import (
    MUTATED, ONLY_2D, RETURNS_NONE, SIGNATURE, arrays, count_numbers, ragged_stack,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, naive_mistake
from hwprune_edu.grading.judging import (
    Fail, as_mask, describe, index_text, judged, numeric_array, passes, shape_text,
)


REFERENCE, NOTEBOOK = interview.weight_pruning, "01_weight_pruning"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    blog = np.array([[0.55, 0.07, 0.6], [0.54, 0.42, 0.65], [0.44, 0.09, 0.96]])
    ragged = [distinct(rng, (4, 3)), distinct(rng, (2, 4)), distinct(rng, (1, 2))]
    return [
        case("the blog's example", True, network={"weights": blog, "threshold": 0.1}, threshold=0.1),
        case("two layers", True, network={"weights": [np.array([[0.3, -0.05, 0.2], [-0.5, 0.01, 0.15]]),
                                                        np.array([[0.12, -0.08]])]}, threshold=0.1),
        case("layers of different shapes", network={"weights": ragged}, threshold=0.45),
        case("weights equal to the threshold", network={"weights": [tied(rng, (3, 4)), tied(rng, (2, 3))]},
              threshold=0.5),
        case("negative weights", network={"weights": -np.abs(distinct(rng, (3, 3)))}, threshold=0.35),
        case("threshold 0", network={"weights": [tied(rng, (2, 2))]}, threshold=0.0),
        case("1 element", network={"weights": [np.array([[0.2]]), np.array([[-0.7]])]}, threshold=0.3),
        case("conv 4-D layer", network={"weights": [distinct(rng, (2, 2, 3, 3), 0.01), distinct(rng, (3, 4), 0.1)]},
              threshold=0.2),
    ]


# ---------------------------------------------------------------- judge

def _per_layer(value: Any, single: bool) -> tuple[Any, bool]:
    """``value`` as one item per layer, and whether a single matrix came wrapped in a list of one (accepted)."""
    if not single:
        return value, False
    wrapped = isinstance(value, (list, tuple)) and len(value) == 1 and np.ndim(value[0]) == 2
    return (value if wrapped else [value]), wrapped


def _shapes(items: Any) -> str:
    shapes = [shape_text(item) for item in items]
    return ", ".join(shapes) if len(shapes) <= 6 else ", ".join(shapes[:5]) + ", ..."


def _check_layers(weights: Any, expected: list[np.ndarray], single: bool) -> None:
    """Fail, saying what each item is, when the layers came back in a container that is not the input's kind.

    >>> _check_layers([np.ones((2, 2)), [1.0, [2.0]]], [np.ones((4, 3)), np.ones((2, 4)), np.ones((1, 2))], False)
    Traceback (most recent call last):
    ...
    hwprune_edu.grading.judging.Fail: 'weights' holds 2 item(s) of shapes (2, 2), ragged, expected a list of 3 arrays, one per layer, of shapes (4, 3), (2, 4), (1, 2)
    """
    wanted = (f"one array of shape {expected[0].shape}, like the input" if single else
              f"a list of {len(expected)} array{'s' if len(expected) > 1 else ''}, one per layer, of shape"
              f"{'s' if len(expected) > 1 else ''} {_shapes(expected)}")
    if isinstance(weights, np.ndarray) and weights.dtype == object:
        # What np.array(layers) gives for layers of different shapes in old NumPy (newer NumPy raises), or with
        # dtype=object: one array of arrays, which no layer can multiply its input with.
        raise Fail(f"'weights' is one NumPy object array of {weights.size} item(s) (shapes {_shapes(weights.ravel())}), "
                   f"as np.array(layers, dtype=object) makes; expected {wanted}")
    if not isinstance(weights, (list, tuple)) or not weights:
        return
    shapes = [shape_text(item) for item in weights]
    layered = any(s == "ragged" or s.count(",") > 1 for s in shapes)  # items that are not rows of numbers
    if single:  # a list of one right-shaped array is accepted; a list of rows is read as one matrix below
        wrong = layered and not (len(weights) == 1 and shapes[0] == str(expected[0].shape))
    else:
        wrong = len(weights) != len(expected)
    if wrong:
        raise Fail(f"'weights' holds {len(weights)} item(s) of shapes {_shapes(weights)}, expected {wanted}")


@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Same shapes, small weights zeroed (``|w| <= threshold``), masks returned."""
    network, threshold = case.arguments["network"], case.arguments["threshold"]
    expected = interview.weight_pruning(network, threshold)
    if not isinstance(output, dict):
        raise Fail(f"returned {describe(output)}, expected a dict with 'weights' and 'masks' (like the blog's)")
    if "weights" not in output:
        raise Fail(f"returned a dict without 'weights' (keys {sorted(map(str, output))})")
    single = isinstance(expected["weights"], np.ndarray)
    exp_w = [expected["weights"]] if single else expected["weights"]
    exp_m = [expected["masks"]] if single else expected["masks"]
    _check_layers(output["weights"], exp_w, single)
    got_w, wrapped = _per_layer(output["weights"], single)
    note = "accepted: for a single weight matrix you returned a list of one array" if wrapped else ""
    if not isinstance(got_w, (list, tuple)) or len(got_w) != len(exp_w):
        raise Fail(f"'weights' is {describe(output['weights'])}, expected "
                   + ("one array" if single else f"a list of {len(exp_w)} arrays, one per layer"))
    for i, (g, e) in enumerate(zip(got_w, exp_w)):
        try:
            array, _ = numeric_array(g, f"layer {i}'s weights of shape {e.shape}")
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
        raise Fail(f"'masks' is {describe(output['masks'])}, expected one mask per weight array")
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


# ---------------------------------------------------------------- naive versions, one mistake each

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


def maskless_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) > t, with_masks=False)


def stacked_weight_pruning(network, threshold):
    weights = np.array(network["weights"])  # fails for layers of different shapes
    keep = np.abs(weights) > threshold
    return {"weights": list(np.where(keep, weights, 0.0)) if weights.ndim == 3 else np.where(keep, weights, 0.0),
            "masks": list(keep) if weights.ndim == 3 else keep}


def in_place_weight_pruning(network, threshold):
    weights = network["weights"]
    layers = weights if isinstance(weights, list) else [weights]
    masks = []
    for w in layers:
        masks.append(np.abs(w) > threshold)
        w[np.abs(w) <= threshold] = 0
    return {"weights": weights, "masks": masks if isinstance(weights, list) else masks[0]}


# ---------------------------------------------------------------- mistakes, most specific first

def _network_numbers(a: Attempt) -> tuple[int, int] | None:
    out = a.output
    if a.status != "ok" or not isinstance(out, dict) or "weights" not in out:
        return None
    return count_numbers(out["weights"]), sum(np.size(x) for x in arrays(a.arguments["network"]["weights"]))


def _expected_masks(a: Attempt) -> Any:
    return REFERENCE(a.arguments["network"], a.arguments["threshold"])["masks"]


DROPPED_ENTRIES = Mistake(
    "dropped_entries", "dropped small weights instead of zeroing them",
    "The blog's bug: appending only the surviving weights loses their positions, rows come back ragged and "
    "the layer can no longer multiply its input. Keep every matrix's shape and write zeros: "
    "np.where(np.abs(w) > threshold, w, 0.0).",
    lambda a: (lambda c: c is not None and c[0] < c[1])(_network_numbers(a)), naive=blog_weight_pruning)


RAGGED_STACK = Mistake(
    "ragged_stack", "np.array() of layers with different shapes",
    "np.array(network['weights']) cannot stack layers of different shapes (NumPy raises 'inhomogeneous "
    "shape'): treat 'weights' as a list and prune each array on its own.",
    ragged_stack, naive=stacked_weight_pruning)


NO_MASKS = Mistake(
    "no_masks", "returned no masks",
    "Return the keep masks too, as 'masks': fine-tuning needs them to keep pruned weights at zero (the "
    "blog returns none).",
    lambda a: isinstance(a.output, dict) and "masks" not in a.output
            and passes(judge, a.arguments, dict(a.output, masks=_expected_masks(a))), naive=maskless_weight_pruning)


@naive_mistake("kept_equal", "kept weights equal to the threshold",
               hint="Weights with |w| exactly equal to the threshold are pruned: keep only |w| > threshold (strict).")
def kept_equal_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) >= t)


@naive_mistake("signed_compare", "compared signed weights with the threshold",
               hint="Compare |w| with the threshold: w > threshold prunes every negative weight, even -5.0.")
def signed_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: w > t)


@naive_mistake("inverted_mask", "kept the small weights",
               hint="You kept the small weights and zeroed the large ones: keep |w| > threshold.")
def inverted_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) <= t)


@naive_mistake("masks_inverted", "masks mark the pruned weights",
               hint="The weights are right, but the masks mark what was pruned. The convention is True = keep.")
def prune_masks_weight_pruning(network, threshold):
    return _threshold_network(network, threshold, lambda w, t: np.abs(w) > t, invert_masks=True)


MISTAKES = (
    MUTATED.made_by(in_place_weight_pruning), SIGNATURE, RETURNS_NONE, DROPPED_ENTRIES, RAGGED_STACK, NO_MASKS,
    kept_equal_weight_pruning, signed_weight_pruning, inverted_weight_pruning, prune_masks_weight_pruning, ONLY_2D,
)


EXERCISE = Exercise("weight_pruning", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
