"""Exercise 1a, ``threshold_mask``: keep exactly the entries with ``|w| > threshold``."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct, tied
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, ONLY_2D, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE,
)
from hwprune_edu.grading.exercise import Exercise, naive_mistake
from hwprune_edu.grading.judging import Fail, as_mask, index_text, judged


REFERENCE, NOTEBOOK = pruning.threshold_mask, "01_weight_pruning"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    blog = np.array([[0.05, -0.5, 0.1], [0.3, -0.1, 0.0], [0.2, -0.25, 1.0]])
    ties = tied(rng, (5, 5))
    return [
        case("", True, weights=blog, threshold=0.1),
        case("", True, weights=np.array([-2.0, 0.5, 3.0, -0.7]), threshold=1.0),
        case("random", weights=np.round(rng.standard_normal((4, 6)), 3), threshold=0.5),
        case("ties at the threshold", weights=ties, threshold=0.5),
        case("1 element", weights=np.array([[0.3]]), threshold=0.3),
        case("1 element", weights=np.array([-0.31]), threshold=0.3),
        case("conv 4-D", weights=np.round(rng.standard_normal((4, 3, 3, 3)), 3), threshold=0.8),
        case("threshold 0", weights=tied(rng, (3, 4)), threshold=0.0),
        case("float32", weights=tied(rng, (3, 3)).astype(np.float32) / 2, threshold=0.25),
        case("everything pruned", weights=np.round(rng.uniform(-0.09, 0.09, (2, 5)), 3), threshold=0.1),
        case("negative weights", weights=-np.abs(distinct(rng, (3, 4))), threshold=0.6),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
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


# ---------------------------------------------------------------- naive versions, one mistake each

def dropped_threshold_mask(weights, threshold):
    w = np.asarray(weights)
    return w[np.abs(w) > threshold]


def weights_threshold_mask(weights, threshold):
    w = np.asarray(weights)
    return np.where(np.abs(w) > threshold, w, 0.0)


def inverted_threshold_mask(weights, threshold):
    return np.abs(np.asarray(weights)) <= threshold


def flattened_threshold_mask(weights, threshold):
    return (np.abs(np.asarray(weights)) > threshold).ravel()


def forgot_return_threshold_mask(weights, threshold):
    mask = np.abs(np.asarray(weights)) > threshold  # noqa: F841  (the return is missing)


def in_place_threshold_mask(weights, threshold):
    weights[np.abs(weights) <= threshold] = 0
    return weights != 0


# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("kept_equal", "kept |w| equal to the threshold",
               hint="Entries with |w| exactly equal to the threshold must be pruned: keep only |w| > threshold (strict), "
                    "the blog's rule.")
def kept_equal_threshold_mask(weights, threshold):
    return np.abs(np.asarray(weights)) >= threshold


@naive_mistake("signed_compare", "compared signed values with the threshold",
               hint="Compare magnitudes, not signed values: a weight of -2.0 is large and must stay. Use "
                    "np.abs(w) > threshold.")
def signed_threshold_mask(weights, threshold):
    return np.asarray(weights) > threshold


@naive_mistake("squared", "compared w**2 with the threshold",
               hint="Compare |w| with the threshold itself: w**2 > t keeps |w| > sqrt(t) (t = 0.25 then keeps "
                    "|w| > 0.5, not |w| > 0.25). Use np.abs(w) > threshold.")
def squared_threshold_mask(weights, threshold):
    return np.square(np.asarray(weights)) > threshold


MISTAKES = (
    MUTATED.made_by(in_place_threshold_mask), SIGNATURE, RETURNS_NONE.made_by(forgot_return_threshold_mask),
    DROPPED.made_by(dropped_threshold_mask), RETURNED_WEIGHTS.made_by(weights_threshold_mask),
    FLATTENED.made_by(flattened_threshold_mask), squared_threshold_mask, INVERTED.made_by(inverted_threshold_mask),
    kept_equal_threshold_mask, signed_threshold_mask, ONLY_2D,
)


EXERCISE = Exercise("threshold_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
