"""Exercise 2a, ``structured_mask``: prune whole slices along ``axis``, ranked by their L1 or L2 norm."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct, fraction, rounding_fraction, tied
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, ONLY_2D, PRUNED_LARGEST, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE,
    largest_pruned, rounding,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, mistake, naive_mistake
from hwprune_edu.grading.judging import Fail, amount_text, as_mask, judged, ordered, passes, sum_rtol
from hwprune_edu.util.validation import resolve_amount
from hwprune_edu.grading.exercises import magnitude_mask


REFERENCE, NOTEBOOK = pruning.structured_mask, "02_structured_masks"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    kw = ("axis", "norm")
    # L1 and L2 rank these rows differently: [3,0,0,0] has L1 3, L2 3; [0.9]*4 has L1 3.6, L2 1.8.
    l1_vs_l2 = np.array([[3.0, 0.0, 0.0, 0.0], [0.9, -0.9, 0.9, -0.9], [2.0, 2.0, 1.5, -2.0], [0.1, 0.2, -0.1, 0.3]])
    tied = np.array([[0.5, -1.0, 0.2], [1.0, 0.2, -0.5], [0.3, 0.3, 0.3], [-0.2, 0.5, 1.0]])
    return [
        case("", True, kw=kw, weights=np.array([[0.5, -0.2, 0.1], [2.0, 0.1, -1.0], [-0.1, 0.05, 0.1], [1.0, 1.0, -1.0]]),
              amount=2, axis=0, norm=1),
        case("columns, L2", True, kw=kw, weights=np.array([[1.0, 0.1, -2.0, 0.3], [0.5, -0.2, 0.1, 0.2],
                                                         [-1.0, 0.1, 0.4, -0.3]]), amount=0.5, axis=1, norm=2),
        case("L1 and L2 disagree", kw=kw, weights=l1_vs_l2, amount=2, axis=0, norm=1),
        case("L1 and L2 disagree", kw=kw, weights=l1_vs_l2, amount=2, axis=0, norm=2),
        case("random", kw=kw, weights=distinct(rng, (5, 6)), amount=fraction(rng, 5), axis=0, norm=1),
        case("conv 4-D filters", kw=kw, weights=distinct(rng, (6, 3, 2, 2), 0.01), amount=0.5, axis=0, norm=1),
        case("conv 4-D input channels", kw=kw, weights=distinct(rng, (4, 4, 2, 2), 0.01), amount=1, axis=1, norm=2),
        case("ties", kw=kw, weights=tied, amount=2, axis=0, norm=1),
        case("1 slice, amount 0", kw=kw, weights=np.array([[0.5, -1.0, 0.2, 0.1]]), amount=0.0, axis=0, norm=1),
        case("1 slice, amount 1.0", kw=kw, weights=np.array([[0.5, -1.0, 0.2, 0.1]]), amount=1.0, axis=0, norm=1),
        case("amount 1.0", kw=kw, weights=distinct(rng, (3, 4)), amount=1.0, axis=1, norm=1),
        case("non-square", kw=kw, weights=distinct(rng, (7, 3)), amount=0.3, axis=0, norm=2),
        case("float32", kw=kw, weights=distinct(rng, (4, 5)).astype(np.float32), amount=2, axis=0, norm=1),
        case("round, not floor", kw=kw, weights=distinct(rng, (7, 4)), amount=rounding_fraction(rng, 7), axis=0,
             norm=1),
        case("round, not floor, columns", kw=kw, weights=distinct(rng, (3, 9)), amount=rounding_fraction(rng, 9),
             axis=1, norm=2),
    ]


# ---------------------------------------------------------------- judge

def _slice_view(array: np.ndarray, axis: int) -> np.ndarray:
    return np.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)


@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
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
                   f"({amount_text(amount, n_slices, k, 'slices')})")
    norms = pruning.slice_norms(w.astype(np.float64), axis=axis, norm=norm)
    ordered(norms, keep_slices, f"L{norm:g} norm", rtol=sum_rtol(w))
    return f"pruned {k} of {n_slices} slices", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _slice_keep(w: np.ndarray, scores: np.ndarray, k: int, axis: int) -> np.ndarray:
    keep_slices = np.ones(scores.size, dtype=bool)
    keep_slices[np.argsort(scores, kind="stable")[:k]] = False
    shape = [1] * w.ndim
    shape[axis] = w.shape[axis]
    return np.broadcast_to(keep_slices.reshape(shape), w.shape).copy()


def other_axis_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    other = 1 if axis == 0 else 0
    return pruning.structured_mask(w, amount if isinstance(amount, float) else min(amount, w.shape[other]),
                                   axis=other, norm=norm)


def elementwise_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    k_slices = resolve_amount(amount, w.shape[axis])
    return pruning.magnitude_mask(w, k_slices * (w.size // w.shape[axis]))


def l1_only_structured_mask(weights, amount, *, axis=0, norm=1):
    return pruning.structured_mask(weights, amount, axis=axis, norm=1)


def largest_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = pruning.slice_norms(w, axis=axis, norm=norm)
    return _slice_keep(w, -scores, resolve_amount(amount, w.shape[axis]), axis)


def entries_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    k = min(w.shape[axis], resolve_amount(amount, w.size))
    return _slice_keep(w, pruning.slice_norms(w, axis=axis, norm=norm), k, axis)


def removed_rows_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    keep = pruning.structured_mask(w, amount, axis=axis, norm=norm)
    kept = np.moveaxis(keep, axis, 0).reshape(w.shape[axis], -1)[:, 0]
    return np.compress(kept, w, axis=axis)


def inverted_structured_mask(weights, amount, *, axis=0, norm=1):
    return ~pruning.structured_mask(weights, amount, axis=axis, norm=norm)


def floor_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    count = int(amount * w.shape[axis]) if isinstance(amount, float) else amount
    return pruning.structured_mask(w, count, axis=axis, norm=norm)


def linalg_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = np.linalg.norm(w, ord=norm, axis=1 - axis)
    return _slice_keep(w, scores, resolve_amount(amount, w.shape[axis]), axis)


# ---------------------------------------------------------------- mistakes, most specific first

def _valid_structured(a: Attempt, axis: int, norm: float) -> bool:
    args = dict(a.arguments, axis=axis, norm=norm)
    mask = a.mask()
    return mask is not None and passes(judge, args, mask)


def _structured_largest(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    axis = a.arguments["axis"]
    mask = a.mask()
    if mask is None:
        return False
    keep = np.moveaxis(mask, axis, 0).reshape(w.shape[axis], -1)[:, 0]
    norms = pruning.slice_norms(w, axis=axis, norm=a.arguments["norm"])
    return int((~keep).sum()) == resolve_amount(a.arguments["amount"], keep.size) and largest_pruned(norms, keep)


@mistake("removed_rows", "removed the slices instead of masking them", naive=removed_rows_structured_mask,
         hint="Return a keep mask of the weights' shape. Physically removing slices is a separate step "
              "(remove_neurons in exercise 3), because the next layer's inputs must shrink with it.")
def removed_rows(a: Attempt) -> bool:
    out = a.array()
    if out is None:
        return False
    w = np.asarray(a.arguments["weights"])
    axis = a.arguments["axis"]
    k = resolve_amount(a.arguments["amount"], w.shape[axis])
    expected = list(w.shape)
    expected[axis] -= k
    return k > 0 and out.shape == tuple(expected)


@mistake("wrong_axis", "pruned slices along another axis", naive=other_axis_structured_mask,
         hint="Prune slices along the `axis` argument (axis 0 = output neurons, whole rows of a Linear (out, in) "
              "weight, or whole filters of a conv weight). np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1) puts "
              "each slice in one row.")
def wrong_axis(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    mask = a.mask()
    if mask is None or mask.all() or not mask.any():
        return False
    for axis in range(w.ndim):
        if axis == a.arguments["axis"]:
            continue
        slices = np.moveaxis(mask, axis, 0).reshape(w.shape[axis], -1)
        if (slices.all(axis=1) | ~slices.any(axis=1)).all():
            return True
    return False


@mistake("not_whole_slices", "pruned single entries, not whole slices", naive=elementwise_structured_mask,
         hint="Structured pruning removes whole slices: score each slice by its norm, choose the k weakest slices, "
              "then broadcast that per-slice decision back to every entry of the slice.")
def not_whole_slices(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    mask = a.mask()
    if mask is None:
        return False
    per_slice = w.size // w.shape[a.arguments["axis"]]
    k = resolve_amount(a.arguments["amount"], w.shape[a.arguments["axis"]])
    return int((~mask).sum()) == k * per_slice and passes(magnitude_mask.judge, {"weights": w, "amount": k * per_slice}, mask)


@mistake("wrong_norm", "scored slices with another norm", naive=l1_only_structured_mask,
         hint="Score slices with the norm the case asks for: norm=1 is the sum of |w|, norm=2 the square root of the "
              "sum of w**2. The two can rank slices differently ([3, 0, 0, 0] vs [0.9] * 4).")
def wrong_norm(a: Attempt) -> bool:
    norm = a.arguments["norm"]
    return any(_valid_structured(a, a.arguments["axis"], other) for other in (1, 2, np.inf) if other != norm)


@naive_mistake("signed_sum", "summed signed values",
               hint="Use |w| in the norm: a slice of large negative weights is important, but its plain sum can be "
                    "negative or cancel to zero.")
def signed_sum_structured_mask(weights, amount, *, axis=0, norm=1):
    w = np.asarray(weights)
    scores = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1).sum(axis=1)
    return _slice_keep(w, scores, resolve_amount(amount, w.shape[axis]), axis)


SLICES_PRUNED_LARGEST = replace(
    PRUNED_LARGEST,
    hint="You pruned the strongest slices. Prune the slices with the *smallest* norm.",
    recognise=_structured_largest,
    naive=largest_structured_mask)


@mistake("amount_of_entries", "counted the amount in entries, not slices", naive=entries_structured_mask,
         hint="amount counts slices here: a fraction of the w.shape[axis] slices, round(amount * w.shape[axis]), "
              "not of all w.size entries.")
def amount_of_entries(a: Attempt) -> bool:
    return not isinstance(a.arguments["amount"], int) and a.matches(entries_structured_mask)


FLOOR = rounding(lambda a: np.shape(a.arguments["weights"])[a.arguments["axis"]], judge, floor_structured_mask,
                 "slices")


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, removed_rows, wrong_axis, not_whole_slices, wrong_norm,
    signed_sum_structured_mask, SLICES_PRUNED_LARGEST, amount_of_entries, FLOOR, DROPPED, RETURNED_WEIGHTS, FLATTENED,
    INVERTED.made_by(inverted_structured_mask), ONLY_2D.made_by(linalg_structured_mask),
)


EXERCISE = Exercise("structured_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
