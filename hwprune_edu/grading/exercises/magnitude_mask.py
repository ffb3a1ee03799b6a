"""Exercise 1b, ``magnitude_mask``: prune the ``amount`` smallest |w| (an int counts, a float is a fraction)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.blog import ties_threshold_magnitude_mask
from hwprune_edu.grading.cases import CaseSpec, case, distinct, fraction, rounding_fraction, tie_at_cut, tied
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, ONLY_2D, PRUNED_LARGEST, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE,
    SIGNED_VALUES, TIES, k_of,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, mistake
from hwprune_edu.grading.judging import Fail, amount_text, as_mask, judged, ordered, passes
from hwprune_edu.util.validation import resolve_amount


REFERENCE, NOTEBOOK = pruning.magnitude_mask, "01_weight_pruning"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    ties = tied(rng, (6, 6))
    ties2 = tied(rng, (5, 4))
    conv = distinct(rng, (4, 2, 3, 3), scale=0.01)
    return [
        case("", True, weights=np.array([[0.9, -0.1, 0.4], [0.05, -2.0, 0.3], [0.7, -0.6, 0.2]]), amount=0.3),
        case("ties", True, weights=np.array([0.5, -0.5, 0.2, 0.5, 1.0]), amount=2),
        case("int count, non-square", True, weights=np.array([[0.3, -1.0, 0.8, 0.1], [-0.2, 0.6, -0.05, 2.0]]),
              amount=3),
        case("random", weights=distinct(rng, (4, 5)), amount=fraction(rng, 20)),
        case("random", weights=distinct(rng, (5, 3)), amount=int(rng.integers(2, 14))),
        case("ties", weights=ties, amount=tie_at_cut(rng, np.abs(ties))),
        case("ties, fraction", weights=ties2, amount=fraction(rng, 20)),
        case("1 element, amount 0", weights=np.array([[0.7]]), amount=0.0),
        case("1 element, amount 1.0", weights=np.array([[0.7]]), amount=1.0),
        case("1 element, count 1", weights=np.array([-0.7]), amount=1),
        case("conv 4-D", weights=conv, amount=0.75),
        case("amount 0", weights=distinct(rng, (3, 4)), amount=0.0),
        case("count 0", weights=distinct(rng, (3, 3)), amount=0),
        case("amount 1.0", weights=distinct(rng, (2, 3)), amount=1.0),
        case("non-square", weights=distinct(rng, (3, 7)), amount=int(rng.integers(2, 19))),
        case("float32", weights=distinct(rng, (4, 4)).astype(np.float32), amount=fraction(rng, 16)),
        case("all equal", weights=np.full((2, 4), -0.5), amount=0.5),
        case("1-D", weights=distinct(rng, (10,)), amount=0.3),
        case("round, not floor", weights=distinct(rng, (3, 5)), amount=rounding_fraction(rng, 15)),
        case("round, not ceil", weights=distinct(rng, (4, 3)), amount=rounding_fraction(rng, 12, up=False)),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exact count pruned; no kept |w| below a pruned |w| (any tie order)."""
    w = np.asarray(case.arguments["weights"])
    amount = case.arguments["amount"]
    k = resolve_amount(amount, w.size)
    keep, note = as_mask(output, w.shape)
    n_pruned = int((~keep).sum())
    if n_pruned != k:
        raise Fail(f"pruned {n_pruned} of {w.size} entries, expected exactly {k} ({amount_text(amount, w.size, k)})")
    ordered(np.abs(w).astype(np.float64), keep, "|w|")
    return f"pruned {k} of {w.size}", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _keep_of(magnitudes: np.ndarray, pruned_indices: np.ndarray) -> np.ndarray:
    keep = np.ones(magnitudes.size, dtype=bool)
    keep[pruned_indices] = False
    return keep.reshape(magnitudes.shape)


def dropped_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    order = np.argsort(np.abs(w).ravel())
    return w.ravel()[np.sort(order[k:])]


def weights_magnitude_mask(weights, amount):
    return np.where(pruning.magnitude_mask(weights, amount), weights, 0.0)


def inverted_magnitude_mask(weights, amount):
    return ~pruning.magnitude_mask(weights, amount)


def largest_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    order = np.argsort(-np.abs(w).ravel(), kind="stable")
    return _keep_of(w, order[:k])


def signed_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    return _keep_of(w, np.argsort(w.ravel(), kind="stable")[:k])


def floor_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = amount if isinstance(amount, int) else int(amount * w.size)
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


def fraction_only_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = min(w.size, round(amount * w.size))
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


def keep_amount_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = w.size - resolve_amount(amount, w.size)
    return _keep_of(w, np.argsort(np.abs(w).ravel(), kind="stable")[:k])


def unguarded_magnitude_mask(weights, amount):
    w = np.abs(np.asarray(weights))
    k = resolve_amount(amount, w.size)
    order = np.argsort(w.ravel(), kind="stable")
    cut = w.ravel()[order[k - 1]]  # k = 0 reads order[-1]: the largest
    keep = np.ones(w.size, dtype=bool)
    keep[order[: k if k else np.searchsorted(np.sort(w.ravel()), cut, side="right")]] = False
    return keep.reshape(w.shape)


def index_k_magnitude_mask(weights, amount):
    w = np.abs(np.asarray(weights))
    k = resolve_amount(amount, w.size)
    order = np.argsort(w.ravel(), kind="stable")
    first_kept = order[k]  # IndexError when k == w.size
    keep = np.ones(w.size, dtype=bool)
    keep[order[:k]] = False
    keep[first_kept] = True
    return keep.reshape(w.shape)


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


def loops_2d_magnitude_mask(weights, amount):
    rows, cols = weights.shape
    entries = sorted((abs(weights[i, j]), i, j) for i in range(rows) for j in range(cols))
    k = resolve_amount(amount, rows * cols)
    keep = np.ones((rows, cols), dtype=bool)
    for _, i, j in entries[:k]:
        keep[i, j] = False
    return keep


def off_by_one_magnitude_mask(weights, amount):
    w = np.asarray(weights)
    k = resolve_amount(amount, w.size)
    keep = np.ones(w.size, dtype=bool)
    keep[np.argsort(np.abs(w).ravel(), kind="stable")[: k + 1]] = False  # one too many
    return keep.reshape(w.shape)


def flattened_magnitude_mask(weights, amount):
    return pruning.magnitude_mask(weights, amount).ravel()


# ---------------------------------------------------------------- mistakes, most specific first

def _pruned_count(a: Attempt) -> int | None:
    mask = a.mask()
    return None if mask is None else int((~mask).sum())


@mistake("zero_amount", "amount 0 prunes something", naive=unguarded_magnitude_mask,
         hint="amount 0 (or 0.0) must prune nothing. Careful: sorted[k - 1] with k = 0 is sorted[-1], the largest value, and "
              "np.partition(x, -1) is no guard either. Return an all-True mask when k == 0.")
def zero_amount(a: Attempt) -> bool:
    if k_of(a, np.size(a.arguments["weights"])) != 0:
        return False
    count = _pruned_count(a)
    return (count is not None and count > 0) or a.error_is("IndexError", "ValueError")


@mistake("full_amount", "amount 1.0 does not prune everything", naive=index_k_magnitude_mask,
         hint="amount 1.0 (or a count equal to the size) must prune every entry. With k = n, sorted[k] is out of range: "
              "handle k == n, or select the k smallest by index (argsort(...)[:k]), which needs no special case.")
def full_amount(a: Attempt) -> bool:
    n = np.size(a.arguments["weights"])
    if k_of(a, n) != n:
        return False
    count = _pruned_count(a)
    return (count is not None and count < n) or a.error_is("IndexError")


@mistake("floor_not_round", "int(amount * n) truncates", naive=floor_magnitude_mask,
         hint="The number to prune is round(amount * n), as torch.nn.utils.prune computes it; int(amount * n) truncates "
              "(0.3 x 9 = 2.7 gives 2, not 3), and 0.57 x 100 is 56.99999999999999 in floating point.")
def floor_not_round(a: Attempt) -> bool:
    amount = a.arguments["amount"]
    n = np.size(a.arguments["weights"])
    count = _pruned_count(a)
    if isinstance(amount, int) or count is None:
        return False
    return count != round(amount * n) and count in (math.floor(amount * n), math.ceil(amount * n))


@mistake("int_amount_as_fraction", "treated an int amount as a fraction", naive=fraction_only_magnitude_mask,
         hint="An int amount is a count (amount=3 prunes 3 entries); only a float is a fraction of the entries. Check "
              "isinstance(amount, int) first.")
def int_amount_as_fraction(a: Attempt) -> bool:
    amount = a.arguments["amount"]
    n = np.size(a.arguments["weights"])
    count = _pruned_count(a)
    # round(amount * n) for an int amount of 2 asks for 2n entries: everything gets pruned.
    return isinstance(amount, int) and amount >= 1 and count is not None and count != amount and count == min(n, amount * n)


@mistake("off_by_one", "pruned one too many or one too few", naive=off_by_one_magnitude_mask,
         hint="You pruned k + 1 or k - 1 entries instead of k: an off-by-one, e.g. order[:k + 1], order[k:] taken as "
              "the pruned part, or <= / < at the k-th value. The k pruned indices are np.argsort(|w|)[:k].")
def off_by_one(a: Attempt) -> bool:
    n = np.size(a.arguments["weights"])
    k = k_of(a, n)
    count = _pruned_count(a)
    # n - k = k +- 1 would fit "amount read as what to keep" as well: then neither is named.
    return (count is not None and abs(count - k) == 1 and count != n - k
            and passes(judge, dict(a.arguments, amount=count), a.mask()))


@mistake("amount_as_keep", "amount read as what to keep", naive=keep_amount_magnitude_mask,
         hint="amount says how much to *prune*, not how much to keep: with amount=0.75 three quarters of the entries go.")
def amount_as_keep(a: Attempt) -> bool:
    n = np.size(a.arguments["weights"])
    k = k_of(a, n)
    mask = a.mask()
    return (mask is not None and abs(n - 2 * k) > 1  # n - k = k +- 1 is also an off-by-one: name neither
            and passes(judge, dict(a.arguments, amount=n - k), mask))


@mistake("per_row", "pruned each row separately", naive=per_row_magnitude_mask,
         hint="Magnitude pruning ranks all entries of the tensor together. Pruning the same number in every row is a "
              "different (per-neuron) method: rank np.abs(w).ravel() as one list.")
def per_row(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    return w.ndim >= 2 and w.shape[0] > 1 and a.matches(per_row_magnitude_mask)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, DROPPED.made_by(dropped_magnitude_mask),
    RETURNED_WEIGHTS.made_by(weights_magnitude_mask), FLATTENED.made_by(flattened_magnitude_mask),
    INVERTED.made_by(inverted_magnitude_mask), zero_amount, full_amount, TIES.made_by(ties_threshold_magnitude_mask),
    floor_not_round, int_amount_as_fraction, off_by_one, amount_as_keep, PRUNED_LARGEST.made_by(largest_magnitude_mask),
    SIGNED_VALUES.made_by(signed_magnitude_mask), per_row, ONLY_2D.made_by(loops_2d_magnitude_mask),
)


EXERCISE = Exercise("magnitude_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
