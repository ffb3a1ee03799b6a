"""Exercise 1c, ``global_magnitude_masks``: one |w| threshold across every layer, one mask per layer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct, fraction, rounding_fraction, tie_at_cut, tied
from hwprune_edu.grading.common_mistakes import (
    INVERTED, MUTATED, ONLY_2D, PRUNED_LARGEST, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE, TIES, largest_pruned,
    tie_cut_masks, rounding,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, mistake
from hwprune_edu.grading.judging import Fail, amount_text, as_mask, as_mask_list, judged, ordered, passes
from hwprune_edu.util.validation import resolve_amount
from hwprune_edu.grading.exercises import magnitude_mask


REFERENCE, NOTEBOOK = pruning.global_magnitude_masks, "01_weight_pruning"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    public = [np.array([[0.3, -1.2, 0.05], [0.8, -0.2, 0.6]]), np.array([[0.1, 2.0], [-0.4, 0.9], [0.7, -0.15]])]
    scaled = distinct(rng, (3, 8))
    three = [scaled[0].reshape(2, 4) * 10, scaled[1].reshape(4, 2), scaled[2].reshape(8, 1) / 10]
    mixed = distinct(rng, (4 * 2 * 2 * 2 + 12 + 1,), scale=0.01)
    conv_and_linear = [mixed[:32].reshape(4, 2, 2, 2), mixed[32:44].reshape(3, 4), mixed[44:].reshape(1, 1)]
    ties = [tied(rng, (3, 3)), tied(rng, (2, 5))]
    return [
        case("", True, weights_list=public, amount=0.5),
        case("ties across layers", True, weights_list=[np.array([0.5, 0.1, 0.5]), np.array([[0.5, 2.0]])], amount=2),
        case("layers of different scales", weights_list=three, amount=fraction(rng, 24)),
        case("conv + linear + 1 element", weights_list=conv_and_linear, amount=int(rng.integers(5, 40))),
        case("ties", weights_list=ties,
              amount=tie_at_cut(rng, np.concatenate([np.abs(t).ravel() for t in ties]))),
        case("amount 0", weights_list=[distinct(rng, (2, 2)), distinct(rng, (3,))], amount=0.0),
        case("amount 1.0", weights_list=[distinct(rng, (2, 2)), distinct(rng, (3,))], amount=1.0),
        case("one layer", weights_list=[distinct(rng, (3, 5))], amount=fraction(rng, 15)),
        case("float32", weights_list=[distinct(rng, (2, 3)).astype(np.float32),
                                       (distinct(rng, (4, 2)) * 3).astype(np.float32)], amount=0.4),
        case("round, not floor", weights_list=[distinct(rng, (2, 4)), distinct(rng, (3, 3))],
             amount=rounding_fraction(rng, 17)),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """One mask per layer; exact total count; no kept |w| below a pruned |w| in any layer."""
    layers = [np.asarray(w) for w in case.arguments["weights_list"]]
    amount = case.arguments["amount"]
    total = sum(w.size for w in layers)
    k = resolve_amount(amount, total)
    masks, note = as_mask_list(output, [w.shape for w in layers])
    flat_keep = np.concatenate([m.ravel() for m in masks])
    flat_mags = np.concatenate([np.abs(w).ravel().astype(np.float64) for w in layers])
    n_pruned = int((~flat_keep).sum())
    if n_pruned != k:
        per_layer = [int((~m).sum()) for m in masks]
        raise Fail(f"pruned {n_pruned} of {total} entries in all (per layer {per_layer}), expected exactly {k} "
                   f"({amount_text(amount, total, k)})")
    try:
        ordered(flat_mags, flat_keep, "|w|")
    except Fail:
        kept_min = min((np.abs(w)[m].min(), i) for i, (w, m) in enumerate(zip(layers, masks)) if m.any())
        pruned_max = max((np.abs(w)[~m].max(), i) for i, (w, m) in enumerate(zip(layers, masks)) if (~m).any())
        raise Fail(f"kept |w| = {kept_min[0]:.4g} in layer {kept_min[1]} but pruned the larger |w| = "
                   f"{pruned_max[0]:.4g} in layer {pruned_max[1]}: one threshold must hold across all layers") from None
    return f"pruned {k} of {total}", note


# ---------------------------------------------------------------- naive versions, one mistake each

def per_layer_global_masks(weights_list, amount):
    total = sum(np.size(w) for w in weights_list)
    fraction = amount / total if isinstance(amount, int) else amount
    return [pruning.magnitude_mask(w, float(fraction)) for w in weights_list]


def concatenated_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    return pruning.magnitude_mask(flat, amount)


def largest_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(-flat, kind="stable")[: resolve_amount(amount, flat.size)]] = False
    bounds = np.cumsum([np.size(w) for w in weights_list])[:-1]
    return [part.reshape(np.shape(w)) for part, w in zip(np.split(keep, bounds), weights_list)]


def inverted_global_masks(weights_list, amount):
    return [~m for m in pruning.global_magnitude_masks(weights_list, amount)]


def ties_threshold_global_masks(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    k = resolve_amount(amount, flat.size)
    if k == 0:
        return [np.ones(np.shape(w), dtype=bool) for w in weights_list]
    cut = np.sort(flat)[k - 1]
    return [np.abs(w) > cut for w in weights_list]


def floor_global_masks(weights_list, amount):
    total = sum(np.size(w) for w in weights_list)
    return pruning.global_magnitude_masks(weights_list, int(amount * total) if isinstance(amount, float) else amount)


def weights_global_masks(weights_list, amount):
    return [np.where(m, w, 0.0) for w, m in zip(weights_list, pruning.global_magnitude_masks(weights_list, amount))]


# ---------------------------------------------------------------- mistakes, most specific first

def _global_masks(a: Attempt) -> list[np.ndarray] | None:
    layers = a.arguments["weights_list"]
    if a.status != "ok" or not isinstance(a.output, (list, tuple)) or len(a.output) != len(layers):
        return None
    try:
        return [as_mask(m, np.shape(w))[0] for m, w in zip(a.output, layers)]
    except Fail:
        return None


def _global_flat(a: Attempt) -> tuple[np.ndarray, np.ndarray, int] | None:
    masks = _global_masks(a)
    if masks is None:
        return None
    mags = np.concatenate([np.abs(np.asarray(w)).ravel() for w in a.arguments["weights_list"]])
    return mags, np.concatenate([m.ravel() for m in masks]), resolve_amount(a.arguments["amount"], mags.size)


def _global_flat_check(test: Callable[[np.ndarray, np.ndarray, int], bool]) -> Callable[[Attempt], bool]:
    def recognise(a: Attempt) -> bool:
        flat = _global_flat(a)
        return flat is not None and test(*flat)

    return recognise


def _global_inverted(a: Attempt) -> bool:
    masks = _global_masks(a)
    return masks is not None and a.exercise.judge(a.case, [~m for m in masks]).passed


def _global_weights(a: Attempt) -> bool:
    if a.status != "ok" or not isinstance(a.output, (list, tuple)):
        return False
    try:
        return any(not np.isin(np.asarray(m, dtype=float), (0.0, 1.0)).all() for m in a.output)
    except (TypeError, ValueError):
        return False


@mistake("per_layer", "pruned each layer by the same fraction", naive=per_layer_global_masks,
         hint="Global pruning uses ONE threshold across all layers: concatenate every |w| "
              "(np.concatenate([np.abs(w).ravel() for w in weights_list])), prune the k smallest overall, then split "
              "the mask back per layer (np.split at the cumulative sizes). The same fraction per layer is layer-wise "
              "pruning.")
def per_layer(a: Attempt) -> bool:
    masks = _global_masks(a)
    layers = a.arguments["weights_list"]
    if masks is None or len(layers) < 2:
        return False
    amount = a.arguments["amount"]
    total = sum(np.size(w) for w in layers)
    fraction = amount / total if isinstance(amount, int) else amount
    for m, w in zip(masks, layers):
        k = int((~m).sum())
        if abs(k - fraction * np.size(w)) > 1 or not passes(magnitude_mask.judge, {"weights": np.asarray(w), "amount": k}, m):
            return False
    return True


@mistake("one_mask", "returned one mask for all layers", naive=concatenated_global_masks,
         hint="Return a list with one mask per layer, each in its layer's shape: split the concatenated mask at "
              "np.cumsum(sizes)[:-1] and reshape each part.")
def one_mask(a: Attempt) -> bool:
    if a.status != "ok" or a.output is None or isinstance(a.output, (list, tuple)):
        return False
    total = sum(np.size(w) for w in a.arguments["weights_list"])
    return np.size(a.output) == total


GLOBAL_TIES = replace(
    TIES,
    recognise=_global_flat_check(
        lambda mags, keep, k: int((~keep).sum()) != k
        and any(np.array_equal(keep, m) for m in tie_cut_masks(mags, k))),
    naive=ties_threshold_global_masks)


GLOBAL_PRUNED_LARGEST = replace(
    PRUNED_LARGEST,
    recognise=_global_flat_check(
        lambda mags, keep, k: int((~keep).sum()) == k and largest_pruned(mags, keep)),
    naive=largest_global_masks)


GLOBAL_INVERTED = replace(
    INVERTED,
    recognise=_global_inverted,
    naive=inverted_global_masks)


GLOBAL_RETURNED_WEIGHTS = replace(
    RETURNED_WEIGHTS,
    recognise=_global_weights,
    naive=weights_global_masks)


GLOBAL_FLOOR = rounding(lambda a: sum(np.size(w) for w in a.arguments["weights_list"]), judge, floor_global_masks,
                        "weights (over all layers)")


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, per_layer, one_mask, GLOBAL_TIES, GLOBAL_FLOOR, GLOBAL_PRUNED_LARGEST,
    GLOBAL_INVERTED, GLOBAL_RETURNED_WEIGHTS, ONLY_2D,
)


EXERCISE = Exercise("global_magnitude_masks", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
