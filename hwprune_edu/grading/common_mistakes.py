"""Mistakes that several exercises share: generic ones any exercise may meet, and the ranking mistakes.

Each exercise file lists its mistakes, most specific first, and picks these
up where they apply (with its own naive version, via :meth:`Mistake.made_by`,
or its own recogniser, via :func:`dataclasses.replace`).

* :data:`FIRST` (every exercise): changed its input, another signature, returned None;
* :data:`MASK_SHAPES` and :data:`ONLY_2D` (mask exercises): dropped entries, pruned weights
  instead of the mask, a flattened or inverted mask, an assumption of 2-D input;
* :data:`TIES`, :data:`PRUNED_LARGEST`, :data:`SIGNED_VALUES`: ranking mistakes, recognised here
  on the whole tensor ranked by |w| (exercises that rank slices, groups or tiles replace the recogniser);
* :data:`ROUNDED` and :func:`ragged_stack` for the cost formulas and the blog's networks.

>>> [m.id for m in FIRST]
['mutated_input', 'signature', 'returns_none']
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

from hwprune_edu.grading.exercise import Attempt, Mistake
from hwprune_edu.grading.judging import passes
from hwprune_edu.util.validation import resolve_amount

__all__ = ["FIRST", "MASK_SHAPES", "MUTATED", "SIGNATURE", "RETURNS_NONE", "ONLY_2D", "DROPPED", "RETURNED_WEIGHTS",
           "INVERTED", "FLATTENED", "TIES", "PRUNED_LARGEST", "SIGNED_VALUES", "ROUNDED", "ragged_stack", "arrays",
           "count_numbers", "k_of", "largest_pruned", "tie_cut_masks", "rounding"]


def arrays(value: Any) -> list[np.ndarray]:
    """Every array inside ``value`` (nested lists, tuples, dicts)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [a for v in value.values() for a in arrays(v)]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in arrays(v)]
    return []


def count_numbers(value: Any) -> int:
    """How many numbers ``value`` holds (arrays count their elements; bools are not numbers)."""
    if isinstance(value, (list, tuple)):
        return sum(count_numbers(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.size if value.dtype != object else sum(count_numbers(v) for v in value.ravel())
    return 1 if isinstance(value, (int, float, np.generic)) and not isinstance(value, bool) else 0


# ---------------------------------------------------------------- any exercise

def _mutated(a: Attempt) -> bool:
    return a.mutated is not None


def _signature(a: Attempt) -> bool:
    return a.error_is("TypeError") and any(w in a.error["message"] for w in ("argument", "positional"))


def _returns_none(a: Attempt) -> bool:
    return a.status == "ok" and a.output is None


#: What NumPy and Python say when code written for (rows, cols) meets another shape: unpacking w.shape, indexing
#: w[i, j] or w.shape[1], reshaping to two dimensions, or an if on a whole row.
SHAPE_ASSUMPTION_ERRORS = ("values to unpack", "index out of range", "too many indices", "out of bounds for array",
                           "cannot reshape", "truth value of an array", "could not be broadcast", "dimension")


def _only_2d(a: Attempt) -> bool:
    # Any error on a non-2-D input is not enough: a wrong axis that fails a divisibility check is another mistake.
    return (a.status == "error" and any(x.ndim != 2 for x in arrays(a.arguments))
            and any(a.error_is(kind, text=text) for kind in ("ValueError", "IndexError", "AxisError", "TypeError")
                    for text in SHAPE_ASSUMPTION_ERRORS))


def _dropped(a: Attempt) -> bool:
    if a.status != "ok" or a.output is None or isinstance(a.output, (dict, str)):
        return False
    w = np.asarray(a.arguments["weights"])
    if 0 <= count_numbers(a.output) < w.size:
        return True
    # w[keep] with nothing pruned: every weight, in order, as one flat array (no mask flattened: not 0/1).
    out = a.array(np.float64)
    return (out is not None and out.ndim == 1 and out.size == w.size and not np.isin(out, (0.0, 1.0)).all()
            and bool(np.array_equal(out, w.astype(np.float64).ravel())))


def _returned_weights(a: Attempt) -> bool:
    out = a.array(np.float64)
    if out is None:
        return False
    w = np.asarray(a.arguments["weights"])
    return out.shape == w.shape and not np.isin(out, (0.0, 1.0)).all()


def _inverted(a: Attempt) -> bool:
    # An all-True or all-False mask is better explained by the amount-0 / amount-1.0 recognisers.
    mask = a.mask()
    return mask is not None and mask.any() and not mask.all() and a.exercise.judge(a.case, ~mask).passed


def _flattened(a: Attempt) -> bool:
    out = a.array()
    if out is None:
        return False
    w = np.asarray(a.arguments["weights"])
    # A mask in the wrong shape: 0/1 values (the weights' own values, flat, are w[keep] with nothing pruned).
    return (out.dtype != object and out.size == w.size and out.shape != w.shape
            and out.dtype.kind in "biuf" and bool(np.isin(out, (0, 1)).all()))


MUTATED = Mistake(
    "mutated_input", "changed its input",
    "Your function wrote into the array it was given. The caller still needs the original weights: build a new "
    "array instead (np.where(mask, w, 0.0), or w.copy() before changing entries) and never assign into an argument.",
    _mutated)
SIGNATURE = Mistake(
    "signature", "signature differs from the exercise's",
    "Keep the function's signature exactly as given (argument order, defaults, keyword-only arguments such as "
    "axis=...): the checks call it that way.",
    _signature)
RETURNS_NONE = Mistake(
    "returns_none", "returned None",
    "Your function returns None: the `return` line is missing, or one branch falls off the end without returning.",
    _returns_none)
ONLY_2D = Mistake(
    "only_2d", "assumes 2-D input",
    "This input is not 2-D (a conv weight is (out, in, kh, kw); a vector is 1-D). Don't unpack "
    "`rows, cols = w.shape` or loop over two indices: w.size, np.abs(w).ravel() and w.reshape(w.shape[0], -1) "
    "work for any shape.",
    _only_2d)
DROPPED = Mistake(
    "dropped_entries", "dropped entries instead of masking them",
    "Pruning must zero weights, not drop them: a shorter array loses the positions, and the layer can no longer "
    "multiply its input. Return a keep mask of the weights' shape (True = keep); `np.abs(w) > t` already has it.",
    _dropped)
RETURNED_WEIGHTS = Mistake(
    "returned_weights", "returned the pruned weights instead of the mask",
    "Return the keep mask (True/False), not the pruned weights; applying it is a separate step "
    "(apply_mask(w, mask) or np.where(mask, w, 0.0)).",
    _returned_weights)
INVERTED = Mistake(
    "inverted_mask", "True marks pruned entries",
    "Your mask is exactly inverted: it marks the pruned entries. The convention (as in torch.nn.utils.prune) is "
    "True = keep, so return the complement (~mask).",
    _inverted)
FLATTENED = Mistake(
    "flattened", "right values, wrong shape",
    "The right number of entries, in the wrong shape: return the mask in the weights' shape "
    "(mask.reshape(w.shape)), so it lines up with the weights entry by entry.",
    _flattened)

#: Checked first for every exercise.
FIRST = (MUTATED, SIGNATURE, RETURNS_NONE)
# Shape and complement tests first: they are unambiguous and explain every case of an exercise.
MASK_SHAPES = (DROPPED, RETURNED_WEIGHTS, FLATTENED, INVERTED)


# ---------------------------------------------------------------- ranking by |w|

def k_of(a: Attempt, n: int) -> int:
    """The count the case's ``amount`` asks to prune out of ``n``."""
    return resolve_amount(a.arguments["amount"], n)


def largest_pruned(mags: np.ndarray, keep: np.ndarray) -> bool:
    """Whether ``keep`` pruned the largest scores instead of the smallest."""
    pruned = ~keep
    if not pruned.any() or not keep.any():
        return False
    return mags[pruned].min() >= mags[keep].max() and mags[pruned].max() > mags[keep].min()


def _magnitude_largest(a: Attempt) -> bool:
    mask = a.mask()
    w = np.asarray(a.arguments["weights"])
    return mask is not None and int((~mask).sum()) == k_of(a, w.size) and largest_pruned(np.abs(w), mask)


def _magnitude_signed(a: Attempt) -> bool:
    mask = a.mask()
    w = np.asarray(a.arguments["weights"], dtype=np.float64)
    if mask is None or int((~mask).sum()) != k_of(a, w.size) or mask.all() or not mask.any():
        return False
    return w[~mask].max() <= w[mask].min()


def tie_cut_masks(mags: np.ndarray, k: int) -> list[np.ndarray]:
    """The masks that comparing with the k-th smallest value gives (``>`` and ``>=``): wrong with ties at the cut."""
    if k <= 0 or k > mags.size:
        return []
    ordered = np.sort(mags.ravel())
    masks = [mags > ordered[k - 1]]
    if k < mags.size:
        masks.append(mags >= ordered[k])
    return masks


def _magnitude_ties(a: Attempt) -> bool:
    mask = a.mask()
    w = np.abs(np.asarray(a.arguments["weights"]))
    k = k_of(a, w.size)
    if mask is None or int((~mask).sum()) == k:
        return False
    return any(np.array_equal(mask, m) for m in tie_cut_masks(w, k))


TIES = Mistake(
    "ties_threshold", "comparing with the k-th value prunes too many or too few with ties",
    "With ties at the cut, comparing with the k-th smallest value prunes all tied entries (`|w| > kth` prunes too "
    "many) or none of them (`>=` too few). Prune exactly k: pick indices (np.argsort(|w|, kind='stable')[:k] or "
    "np.argpartition) instead of comparing with a value.",
    _magnitude_ties)
PRUNED_LARGEST = Mistake(
    "pruned_largest", "pruned the largest instead of the smallest",
    "You pruned the largest magnitudes. Magnitude pruning removes the *smallest* |w|, which change the layer's "
    "output least: sort ascending and prune the first k.",
    _magnitude_largest)
SIGNED_VALUES = Mistake(
    "signed_values", "ranked signed values instead of |w|",
    "Rank by magnitude |w|, not by the signed value: -2.0 is a large weight and must stay, but sorting w puts it "
    "first. Use np.abs(w).",
    _magnitude_signed)


# ---------------------------------------------------------------- cost formulas and networks

def _rounded(a: Attempt) -> bool:
    got = a.number()
    if got is None:
        return False
    expected = a.exercise.reference(*a.case.args, **a.case.kwargs)
    return got != expected and any(np.isclose(got, round(expected, d), rtol=1e-12) for d in range(0, 4))


ROUNDED = Mistake("rounded", "rounded the result",
                  "Return the exact value; round only when you print it (f\"{x:.1f}\"). Rounding inside the function "
                  "loses precision for every later computation.",
                  _rounded)


def rounding(units: Callable[[Attempt], int], judge: Callable, naive: Callable, what: str) -> Mistake:
    """The mistake of turning a float ``amount`` into a count with ``int()`` (floor) or ``math.ceil``.

    Recognised when the output is right for the floored (or ceiled) count and
    that count differs from ``round(amount * n)``; ``units(attempt)`` is ``n``
    (entries, slices, tiles), ``what`` their name.
    """
    def recognise(a: Attempt) -> bool:
        amount = a.arguments["amount"]
        if isinstance(amount, numbers.Integral) or a.status != "ok":
            return False
        exact = float(amount) * units(a)
        return any(c != round(exact) and passes(judge, dict(a.arguments, amount=int(c)), a.output)
                   for c in (math.floor(exact), math.ceil(exact)))

    return Mistake(
        "floor_not_round", "int(amount * n) truncates (or ceil rounds up)",
        f"A float amount asks for round(amount x n) {what}, as torch.nn.utils.prune computes it. int(amount * n) "
        f"truncates (0.75 x 9 = 6.75 gives 6, not 7) and math.ceil rounds 6.25 up to 7: use round(amount * n).",
        recognise, naive)


def ragged_stack(a: Attempt) -> bool:
    """Recognises ``np.array(layers)`` failing on layers of different shapes."""
    # np.array() of layers with different shapes: "setting an array element with a sequence ... inhomogeneous".
    return a.error_is("ValueError", text="inhomogeneous") or a.error_is("ValueError", text="sequence")
