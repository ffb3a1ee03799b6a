"""The mistake catalogue: recognise which common mistake a wrong answer makes, and say how to fix it.

Each :class:`Mistake` has an id, a one-line title, a kind and specific hint,
and a recogniser: a function of the :class:`Attempt` (the case, what the
learner's function returned or raised) that says whether the wrong answer
looks like this mistake. Recognisers look at properties (the count pruned,
whether the kept entries are the *smallest*, whether the mask is constant
along the wrong axis) or compare with the naive implementation in
:mod:`hwprune_edu.grading.mistakes` that makes exactly that mistake. They run
only on failing cases, so a recogniser can never turn a right answer wrong.

:data:`CATALOGUE` maps an exercise id to its mistakes, most specific first;
:func:`recognise` returns the first that matches.

>>> sorted(m.id for m in CATALOGUE["threshold_mask"])[:3]
['dropped_entries', 'flattened', 'inverted_mask']
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading import mistakes as naive
from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.judges import JUDGES, Fail, as_mask
from hwprune_edu.util.validation import resolve_amount

__all__ = ["Mistake", "Attempt", "CATALOGUE", "recognise", "alike"]

_NOTHING = object()


@dataclass
class Attempt:
    """What happened on one case: the learner's output or error, as the grader received it."""

    exercise: str
    case: CaseSpec
    status: str
    output: Any = None
    error: dict | None = None
    mutated: str | None = None

    @property
    def arguments(self) -> dict:
        return self.case.arguments

    def naive_output(self, fn: Callable) -> Any:
        """What the naive ``fn`` returns on this case (``_NOTHING`` if it raises)."""
        args, kwargs = copy.deepcopy((self.case.args, self.case.kwargs))
        try:
            return fn(*args, **kwargs)
        except Exception:
            return _NOTHING

    def matches(self, fn: Callable) -> bool:
        """Whether the learner's output equals the naive ``fn``'s on this case."""
        if self.status != "ok":
            return False
        expected = self.naive_output(fn)
        return expected is not _NOTHING and alike(self.output, expected)

    def mask(self, shape: tuple | None = None) -> np.ndarray | None:
        """The output as a boolean mask of ``shape`` (default: the weights'), or None."""
        if self.status != "ok":
            return None
        try:
            return as_mask(self.output, shape or np.shape(self.arguments["weights"]))[0]
        except (Fail, KeyError):
            return None

    def number(self) -> float | None:
        """The output's first value as a float (a number or a 1-element array), or None."""
        if self.status != "ok":
            return None
        try:
            return float(np.asarray(self.output, dtype=np.float64).ravel()[0])
        except (TypeError, ValueError, IndexError):
            return None

    def error_is(self, *types: str, text: str = "") -> bool:
        return (self.status == "error" and self.error is not None and self.error["type"] in types
                and text.lower() in self.error["message"].lower())


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer: ``id``, ``title``, the ``hint`` to show, and its recogniser."""

    id: str
    title: str
    hint: str
    recognise: Callable[[Attempt], bool]


def alike(a: Any, b: Any) -> bool:
    """Whether two outputs are the same data (arrays within 1e-9; masks as 0/1; lists and dicts deep).

    >>> alike([1, 0], np.array([True, False])), alike({"w": [1.0]}, {"w": np.array([1.0])})
    (True, True)
    """
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and alike(a[k], v) for k, v in b.items())
    if isinstance(a, dict):
        return False
    if isinstance(b, (list, tuple)) and isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return False
        if all(isinstance(x, (list, tuple, np.ndarray, dict)) for x in b):
            return all(alike(x, y) for x, y in zip(a, b))
    try:
        x = np.asarray(a, dtype=np.float64)
        y = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True))


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return []


def _count_numbers(value: Any) -> int:
    if isinstance(value, (list, tuple)):
        return sum(_count_numbers(v) for v in value)
    if isinstance(value, np.ndarray):
        return value.size if value.dtype != object else sum(_count_numbers(v) for v in value.ravel())
    return 1 if isinstance(value, (int, float, np.generic)) and not isinstance(value, bool) else 0


# ---------------------------------------------------------------- generic recognisers

def _mutated(a: Attempt) -> bool:
    return a.mutated is not None


def _signature(a: Attempt) -> bool:
    return a.error_is("TypeError") and any(w in a.error["message"] for w in ("argument", "positional"))


def _returns_none(a: Attempt) -> bool:
    return a.status == "ok" and a.output is None


def _only_2d(a: Attempt) -> bool:
    return a.status == "error" and any(x.ndim != 2 for x in _arrays(a.arguments))


def _dropped(a: Attempt) -> bool:
    if a.status != "ok" or a.output is None or isinstance(a.output, (dict, str)):
        return False
    return 0 <= _count_numbers(a.output) < np.size(a.arguments["weights"])


def _returned_weights(a: Attempt) -> bool:
    if a.status != "ok":
        return False
    try:
        out = np.asarray(a.output, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    w = np.asarray(a.arguments["weights"])
    return out.shape == w.shape and not np.isin(out, (0.0, 1.0)).all()


def _inverted(a: Attempt) -> bool:
    # An all-True or all-False mask is better explained by the amount-0 / amount-1.0 recognisers.
    mask = a.mask()
    return mask is not None and mask.any() and not mask.all() and JUDGES[a.exercise](a.case, ~mask).passed


def _flattened(a: Attempt) -> bool:
    if a.status != "ok":
        return False
    try:
        out = np.asarray(a.output)
    except ValueError:
        return False
    w = np.asarray(a.arguments["weights"])
    return out.dtype != object and out.size == w.size and out.shape != w.shape


MUTATED = Mistake(
    "mutated_input", "changed its input",
    "Your function wrote into the array it was given. The caller still needs the original weights: build a new "
    "array instead (np.where(mask, w, 0.0), w.copy(), w[keep]) and never assign into an argument.",
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

_FIRST = [MUTATED, SIGNATURE, RETURNS_NONE]
# Shape and complement tests first: they are unambiguous and explain every case of an exercise.
_MASK_SHAPES = [DROPPED, RETURNED_WEIGHTS, FLATTENED, INVERTED]
_MASK_GENERIC = [*_MASK_SHAPES, ONLY_2D]


# ---------------------------------------------------------------- unstructured

def _matches(fn: Callable) -> Callable[[Attempt], bool]:
    return lambda a: a.matches(fn)


def _k_of(a: Attempt, n: int) -> int:
    return resolve_amount(a.arguments["amount"], n)


def _pruned_count(a: Attempt) -> int | None:
    mask = a.mask()
    return None if mask is None else int((~mask).sum())


def _largest_pruned(mags: np.ndarray, keep: np.ndarray) -> bool:
    pruned = ~keep
    if not pruned.any() or not keep.any():
        return False
    return mags[pruned].min() >= mags[keep].max() and mags[pruned].max() > mags[keep].min()


def _magnitude_largest(a: Attempt) -> bool:
    mask = a.mask()
    w = np.asarray(a.arguments["weights"])
    return mask is not None and int((~mask).sum()) == _k_of(a, w.size) and _largest_pruned(np.abs(w), mask)


def _magnitude_signed(a: Attempt) -> bool:
    mask = a.mask()
    w = np.asarray(a.arguments["weights"], dtype=np.float64)
    if mask is None or int((~mask).sum()) != _k_of(a, w.size) or mask.all() or not mask.any():
        return False
    return w[~mask].max() <= w[mask].min()


def _tie_cut_masks(mags: np.ndarray, k: int) -> list[np.ndarray]:
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
    k = _k_of(a, w.size)
    if mask is None or int((~mask).sum()) == k:
        return False
    return any(np.array_equal(mask, m) for m in _tie_cut_masks(w, k))


def _magnitude_floor(a: Attempt) -> bool:
    amount = a.arguments["amount"]
    n = np.size(a.arguments["weights"])
    count = _pruned_count(a)
    if isinstance(amount, int) or count is None:
        return False
    return count != round(amount * n) and count in (math.floor(amount * n), math.ceil(amount * n))


def _magnitude_int_as_fraction(a: Attempt) -> bool:
    amount = a.arguments["amount"]
    n = np.size(a.arguments["weights"])
    count = _pruned_count(a)
    # round(amount * n) for an int amount of 2 asks for 2n entries: everything gets pruned.
    return isinstance(amount, int) and amount >= 1 and count is not None and count != amount and count == min(n, amount * n)


def _magnitude_as_keep(a: Attempt) -> bool:
    n = np.size(a.arguments["weights"])
    k = _k_of(a, n)
    mask = a.mask()
    return mask is not None and n - k != k and judge_ok("magnitude_mask", dict(a.arguments, amount=n - k), mask)


def _magnitude_zero(a: Attempt) -> bool:
    if _k_of(a, np.size(a.arguments["weights"])) != 0:
        return False
    count = _pruned_count(a)
    return (count is not None and count > 0) or a.error_is("IndexError", "ValueError")


def _magnitude_full(a: Attempt) -> bool:
    n = np.size(a.arguments["weights"])
    if _k_of(a, n) != n:
        return False
    count = _pruned_count(a)
    return (count is not None and count < n) or a.error_is("IndexError")


def _magnitude_per_row(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    return w.ndim >= 2 and w.shape[0] > 1 and a.matches(naive.per_row_magnitude_mask)


ZERO_AMOUNT = Mistake(
    "zero_amount", "amount 0 prunes something",
    "amount 0 (or 0.0) must prune nothing. Careful: sorted[k - 1] with k = 0 is sorted[-1], the largest value, and "
    "np.partition(x, -1) is no guard either. Return an all-True mask when k == 0.",
    _magnitude_zero)
FULL_AMOUNT = Mistake(
    "full_amount", "amount 1.0 does not prune everything",
    "amount 1.0 (or a count equal to the size) must prune every entry. With k = n, sorted[k] is out of range: "
    "handle k == n, or select the k smallest by index (argsort(...)[:k]), which needs no special case.",
    _magnitude_full)
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
FLOOR = Mistake(
    "floor_not_round", "int(amount * n) truncates",
    "The number to prune is round(amount * n), as torch.nn.utils.prune computes it; int(amount * n) truncates "
    "(0.3 x 9 = 2.7 gives 2, not 3), and 0.57 x 100 is 56.99999999999999 in floating point.",
    _magnitude_floor)
INT_AMOUNT = Mistake(
    "int_amount_as_fraction", "treated an int amount as a fraction",
    "An int amount is a count (amount=3 prunes 3 entries); only a float is a fraction of the entries. Check "
    "isinstance(amount, int) first.",
    _magnitude_int_as_fraction)
AMOUNT_AS_KEEP = Mistake(
    "amount_as_keep", "amount read as what to keep",
    "amount says how much to *prune*, not how much to keep: with amount=0.75 three quarters of the entries go.",
    _magnitude_as_keep)
PER_ROW = Mistake(
    "per_row", "pruned each row separately",
    "Magnitude pruning ranks all entries of the tensor together. Pruning the same number in every row is a "
    "different (per-neuron) method: rank np.abs(w).ravel() as one list.",
    _magnitude_per_row)

_THRESHOLD = [
    Mistake("kept_equal", "kept |w| equal to the threshold",
            "Entries with |w| exactly equal to the threshold must be pruned: keep only |w| > threshold (strict), "
            "the blog's rule.",
            _matches(naive.kept_equal_threshold_mask)),
    Mistake("signed_compare", "compared signed values with the threshold",
            "Compare magnitudes, not signed values: a weight of -2.0 is large and must stay. Use "
            "np.abs(w) > threshold.",
            _matches(naive.signed_threshold_mask)),
]

_MAGNITUDE = [ZERO_AMOUNT, FULL_AMOUNT, TIES, FLOOR, INT_AMOUNT, AMOUNT_AS_KEEP, PRUNED_LARGEST, SIGNED_VALUES,
              PER_ROW]


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


def _global_per_layer(a: Attempt) -> bool:
    masks = _global_masks(a)
    layers = a.arguments["weights_list"]
    if masks is None or len(layers) < 2:
        return False
    amount = a.arguments["amount"]
    total = sum(np.size(w) for w in layers)
    fraction = amount / total if isinstance(amount, int) else amount
    for m, w in zip(masks, layers):
        k = int((~m).sum())
        if abs(k - fraction * np.size(w)) > 1 or not judge_ok("magnitude_mask", {"weights": np.asarray(w), "amount": k}, m):
            return False
    return True


def judge_ok(exercise: str, arguments: dict, output: Any) -> bool:
    """Whether ``output`` is a right answer for ``arguments`` (used to test variants of an answer)."""
    return JUDGES[exercise](CaseSpec("variant", arguments), output).passed


def _global_one_mask(a: Attempt) -> bool:
    if a.status != "ok" or a.output is None or isinstance(a.output, (list, tuple)):
        return False
    total = sum(np.size(w) for w in a.arguments["weights_list"])
    return np.size(a.output) == total


def _global_flat_check(test: Callable[[np.ndarray, np.ndarray, int], bool]) -> Callable[[Attempt], bool]:
    def recognise(a: Attempt) -> bool:
        flat = _global_flat(a)
        return flat is not None and test(*flat)

    return recognise


def _global_inverted(a: Attempt) -> bool:
    masks = _global_masks(a)
    return masks is not None and JUDGES[a.exercise](a.case, [~m for m in masks]).passed


def _global_weights(a: Attempt) -> bool:
    if a.status != "ok" or not isinstance(a.output, (list, tuple)):
        return False
    try:
        return any(not np.isin(np.asarray(m, dtype=float), (0.0, 1.0)).all() for m in a.output)
    except (TypeError, ValueError):
        return False


_GLOBAL = [
    Mistake("per_layer", "pruned each layer by the same fraction",
            "Global pruning uses ONE threshold across all layers: concatenate every |w| "
            "(np.concatenate([np.abs(w).ravel() for w in weights_list])), prune the k smallest overall, then split "
            "the mask back per layer (np.split at the cumulative sizes). The same fraction per layer is layer-wise "
            "pruning.",
            _global_per_layer),
    Mistake("one_mask", "returned one mask for all layers",
            "Return a list with one mask per layer, each in its layer's shape: split the concatenated mask at "
            "np.cumsum(sizes)[:-1] and reshape each part.",
            _global_one_mask),
    replace(TIES, recognise=_global_flat_check(
        lambda mags, keep, k: int((~keep).sum()) != k
        and any(np.array_equal(keep, m) for m in _tie_cut_masks(mags, k)))),
    replace(PRUNED_LARGEST, recognise=_global_flat_check(
        lambda mags, keep, k: int((~keep).sum()) == k and _largest_pruned(mags, keep))),
    replace(INVERTED, recognise=_global_inverted),
    replace(RETURNED_WEIGHTS, recognise=_global_weights),
    ONLY_2D,
]


# ---------------------------------------------------------------- structured

def _valid_structured(a: Attempt, axis: int, norm: float) -> bool:
    args = dict(a.arguments, axis=axis, norm=norm)
    mask = a.mask()
    return mask is not None and judge_ok("structured_mask", args, mask)


def _structured_wrong_axis(a: Attempt) -> bool:
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


def _structured_not_whole(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    mask = a.mask()
    if mask is None:
        return False
    per_slice = w.size // w.shape[a.arguments["axis"]]
    k = resolve_amount(a.arguments["amount"], w.shape[a.arguments["axis"]])
    return int((~mask).sum()) == k * per_slice and judge_ok("magnitude_mask", {"weights": w, "amount": k * per_slice}, mask)


def _structured_wrong_norm(a: Attempt) -> bool:
    norm = a.arguments["norm"]
    return any(_valid_structured(a, a.arguments["axis"], other) for other in (1, 2, np.inf) if other != norm)


def _structured_largest(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    axis = a.arguments["axis"]
    mask = a.mask()
    if mask is None:
        return False
    keep = np.moveaxis(mask, axis, 0).reshape(w.shape[axis], -1)[:, 0]
    norms = pruning.slice_norms(w, axis=axis, norm=a.arguments["norm"])
    return int((~keep).sum()) == resolve_amount(a.arguments["amount"], keep.size) and _largest_pruned(norms, keep)


def _structured_entries(a: Attempt) -> bool:
    return not isinstance(a.arguments["amount"], int) and a.matches(naive.entries_structured_mask)


def _structured_removed(a: Attempt) -> bool:
    if a.status != "ok":
        return False
    try:
        out = np.asarray(a.output)
    except ValueError:
        return False
    w = np.asarray(a.arguments["weights"])
    axis = a.arguments["axis"]
    k = resolve_amount(a.arguments["amount"], w.shape[axis])
    expected = list(w.shape)
    expected[axis] -= k
    return k > 0 and out.shape == tuple(expected)


_STRUCTURED = [
    Mistake("removed_rows", "removed the slices instead of masking them",
            "Return a keep mask of the weights' shape. Physically removing slices is a separate step "
            "(remove_neurons in exercise 3), because the next layer's inputs must shrink with it.",
            _structured_removed),
    Mistake("wrong_axis", "pruned slices along another axis",
            "Prune slices along the `axis` argument (axis 0 = output neurons, whole rows of a Linear (out, in) "
            "weight, or whole filters of a conv weight). np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1) puts "
            "each slice in one row.",
            _structured_wrong_axis),
    Mistake("not_whole_slices", "pruned single entries, not whole slices",
            "Structured pruning removes whole slices: score each slice by its norm, choose the k weakest slices, "
            "then broadcast that per-slice decision back to every entry of the slice.",
            _structured_not_whole),
    Mistake("wrong_norm", "scored slices with another norm",
            "Score slices with the norm the case asks for: norm=1 is the sum of |w|, norm=2 the square root of the "
            "sum of w**2. The two can rank slices differently ([3, 0, 0, 0] vs [0.9] * 4).",
            _structured_wrong_norm),
    Mistake("signed_sum", "summed signed values",
            "Use |w| in the norm: a slice of large negative weights is important, but its plain sum can be "
            "negative or cancel to zero.",
            _matches(naive.signed_sum_structured_mask)),
    replace(PRUNED_LARGEST, hint="You pruned the strongest slices. Prune the slices with the *smallest* norm.",
            recognise=_structured_largest),
    Mistake("amount_of_entries", "counted the amount in entries, not slices",
            "amount counts slices here: a fraction of the w.shape[axis] slices, round(amount * w.shape[axis]), "
            "not of all w.size entries.",
            _structured_entries),
    *_MASK_GENERIC,
]


def _nm_valid(a: Attempt, **changes: Any) -> bool:
    mask = a.mask()
    return mask is not None and judge_ok("nm_mask", dict(a.arguments, **changes), mask)


def _nm_wrong_axis(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    m = a.arguments["m"]
    return any(_nm_valid(a, axis=axis) for axis in range(w.ndim) if axis != a.arguments["axis"] and w.shape[axis] % m == 0)


def _nm_n_as_pruned(a: Attempt) -> bool:
    n, m = a.arguments["n"], a.arguments["m"]
    return n != m - n and _nm_valid(a, n=m - n)


_NM = [
    Mistake("ignores_axis", "groups always run along the last axis",
            "Your groups run along the last axis whatever `axis` says. For a conv weight (out, in, kh, kw) with "
            "axis=1 the groups must run over input channels: np.moveaxis(w, axis, -1), reshape(-1, m), decide, "
            "reshape back and np.moveaxis(..., -1, axis).",
            _matches(naive.reshape_only_nm_mask)),
    Mistake("wrong_axis", "N:M groups along the wrong axis",
            "Groups run along `axis` (axis=1: the input dimension of a Linear (out, in) weight, which is what sparse "
            "tensor cores compress). Move that axis last before reshaping: np.moveaxis(w, axis, -1).reshape(-1, m).",
            _nm_wrong_axis),
    Mistake("kept_smallest", "kept the n smallest of each group",
            "Keep the n *largest* |w| of each group of m (2:4 keeps the 2 strongest of every 4): sort each group "
            "ascending and keep the last n.",
            _matches(naive.smallest_nm_mask)),
    Mistake("n_as_pruned", "read n as the number to prune",
            "n is how many entries each group *keeps*: 2:4 keeps 2 of every 4, and 1:4 keeps only one.",
            _nm_n_as_pruned),
    Mistake("strided_groups", "groups are not consecutive entries",
            "A group is m *consecutive* entries along the axis: reshape(-1, m) gives one group per row. "
            "reshape(m, -1) puts entries length/m apart in a group.",
            _matches(naive.strided_nm_mask)),
    replace(TIES, title="comparing with the n-th largest keeps too many with ties",
            hint="With ties in a group, comparing with the n-th largest value keeps every tied entry (too many). "
                 "Select by rank instead: np.argsort(groups, axis=1)[:, m - n:] keeps exactly n.",
            recognise=_matches(naive.ties_threshold_nm_mask)),
    replace(SIGNED_VALUES, recognise=_matches(naive.signed_nm_mask)),
    *_MASK_GENERIC,
]


def _block_valid(a: Attempt, block: tuple) -> bool:
    mask = a.mask()
    return mask is not None and judge_ok("block_mask", dict(a.arguments, block=block), mask)


_BLOCK = [
    Mistake("wrong_tiling", "reshaped straight into tiles",
            "reshape(rows // br, cols // bc, br, bc) does not cut tiles: it mixes entries of different tiles. Use "
            "reshape(rows // br, br, cols // bc, bc) and sum over axes (1, 3); tile (i, j) is then [i, :, j, :].",
            _matches(naive.reshaped_block_mask)),
    Mistake("swapped_block", "block read as (cols, rows)",
            "block is (rows, cols): block=(2, 3) is 2 rows tall and 3 columns wide.",
            lambda a: a.arguments["block"][0] != a.arguments["block"][1]
            and _block_valid(a, tuple(a.arguments["block"][::-1]))),
    replace(PRUNED_LARGEST, hint="You pruned the strongest tiles. Prune the tiles with the *smallest* L1 norm "
                                 "(sum of |w|).",
            recognise=_matches(naive.largest_block_mask)),
    Mistake("amount_of_entries", "counted the amount in entries, not tiles",
            "amount counts tiles here: round(amount * number_of_tiles), not a fraction of all entries.",
            lambda a: not isinstance(a.arguments["amount"], int) and a.matches(naive.entries_block_mask)),
    Mistake("conv_not_gemm", "did not view a conv weight as a matrix",
            "A conv weight (out, in, kh, kw) is tiled in its GEMM view: w.reshape(w.shape[0], -1), an "
            "(out, in*kh*kw) matrix. Tile that, then reshape the mask back to w.shape.",
            lambda a: a.status == "error" and np.ndim(a.arguments["weights"]) > 2),
    *[m for m in _MASK_GENERIC if m is not ONLY_2D],
]


# ---------------------------------------------------------------- activations

def _scores(a: Attempt) -> np.ndarray | None:
    if a.status != "ok":
        return None
    try:
        out = np.asarray(a.output, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return out


def _layer_mean(a: Attempt) -> bool:
    out = _scores(a)
    if out is None:
        return False
    acts = np.asarray(a.arguments["activations"], dtype=np.float64)
    layer = [np.abs(acts).mean(), acts.mean(), pruning.neuron_scores(acts, a.arguments["method"]).mean()]
    return (out.ndim == 0 or (out.size > 1 and np.allclose(out, out.ravel()[0]))) and any(
        np.isclose(out.ravel()[0], v) for v in layer)


def _per_sample(a: Attempt) -> bool:
    out = _scores(a)
    acts = np.asarray(a.arguments["activations"])
    return out is not None and out.shape == (acts.shape[0],) and acts.shape[0] != acts.shape[1]


def _conv_axes(a: Attempt) -> bool:
    out = _scores(a)
    acts = np.asarray(a.arguments["activations"])
    return acts.ndim == 4 and ((out is not None and out.shape != (acts.shape[1],)) or a.status == "error")


_NEURON_SCORES = [
    Mistake("per_layer_mean", "one number for the whole layer",
            "Score each neuron separately: the blog's np.mean(activations[i]) averages the whole layer, so every "
            "neuron gets the same verdict. Average over the samples only: axis=0.",
            _layer_mean),
    Mistake("wrong_axis_samples", "averaged over neurons, per sample",
            "One score per neuron: average over the samples, axis=0 (for conv (N, C, H, W) over axes (0, 2, 3)). "
            "You averaged each sample over its neurons.",
            _per_sample),
    Mistake("conv_axes", "conv activations not reduced to one score per channel",
            "For conv activations (N, C, H, W) average over samples *and* positions, axis=(0, 2, 3), leaving one "
            "score per channel.",
            _conv_axes),
    Mistake("signed_mean", "plain mean of signed activations",
            "Use |a|: positive and negative activations cancel in a plain mean, so a busy neuron (+1, -1, +1, -1) "
            "would look dead.",
            _matches(naive.signed_mean_neuron_scores)),
    Mistake("apoz_not_inverted", "returned APoZ itself",
            "APoZ is the fraction of zeros, high for a useless neuron. Scores are importances (higher = keep), so "
            "return 1 - APoZ: the fraction of non-zero outputs.",
            _matches(naive.apoz_neuron_scores)),
    Mistake("rms_no_sqrt", "mean square without the root",
            "rms is the square root of the mean of a**2: np.sqrt(np.mean(a**2, axis=0)).",
            _matches(naive.mean_square_neuron_scores)),
    Mistake("sum_not_mean", "summed instead of averaged",
            "Average, don't sum: a score must not grow with the number of samples (or positions).",
            _matches(naive.sum_neuron_scores)),
]


def _layers_out(a: Attempt) -> list | None:
    out = a.output
    if a.status != "ok" or not isinstance(out, (list, tuple)):
        return None
    try:
        return [(np.asarray(w, dtype=float), np.asarray(b, dtype=float)) for w, b in out]
    except (TypeError, ValueError):
        return None


def _remove_next_rows(a: Attempt) -> bool:
    layers = _layers_out(a)
    i = a.arguments["layer_index"]
    if layers is None or len(layers) <= i + 1:
        return False
    w_next = np.asarray(a.arguments["layers"][i + 1][0])
    kept = int(np.sum(a.arguments["keep"]))
    return layers[i + 1][0].shape[0] != w_next.shape[0] and layers[i + 1][0].shape[1] == w_next.shape[1] and (
        kept != len(a.arguments["keep"]))


_REMOVE = [
    Mistake("next_layer_untouched", "left the next layer's inputs in place",
            "Removing neuron j of layer l also removes its input to layer l+1: delete column j of W_{l+1} "
            "(W_next[:, keep]). Otherwise layer l+1 still expects the old number of inputs (the blog's bug).",
            _matches(naive.rows_only_remove_neurons)),
    Mistake("next_layer_rows", "removed rows of the next layer instead of columns",
            "W is (out, in): layer l+1's *inputs* are its columns, so remove columns there (W_next[:, keep]); its "
            "rows are its own neurons.",
            _remove_next_rows),
    Mistake("inverted_keep", "removed the neurons marked keep",
            "keep marks the neurons to keep (True = keep): select W[keep], not W[~keep].",
            _matches(naive.inverted_remove_neurons)),
    Mistake("bias_kept", "forgot the bias",
            "Remove the neuron's bias too: b_l[keep] alongside W_l[keep].",
            _matches(naive.bias_kept_remove_neurons)),
    Mistake("zeroed_not_removed", "zeroed the neurons instead of removing them",
            "Physically remove the neurons (W[keep] has fewer rows): zeroing keeps the layer's size, so it is no "
            "smaller and no faster, which is the point of removing them.",
            _matches(naive.zeroing_remove_neurons)),
    Mistake("returned_partial", "returned only the changed layers",
            "Return every layer, changed or not: the result is the whole new network.",
            lambda a: isinstance(a.output, (list, tuple)) and 0 < len(a.output) < len(a.arguments["layers"])),
]


def _ragged_stack(a: Attempt) -> bool:
    # np.array() of layers with different shapes: "setting an array element with a sequence ... inhomogeneous".
    return a.error_is("ValueError", text="inhomogeneous") or a.error_is("ValueError", text="sequence")


def _network_numbers(a: Attempt) -> tuple[int, int] | None:
    out = a.output
    if a.status != "ok" or not isinstance(out, dict) or "weights" not in out:
        return None
    return _count_numbers(out["weights"]), sum(np.size(x) for x in _arrays(a.arguments["network"]["weights"]))


_WEIGHT_PRUNING = [
    Mistake("dropped_entries", "dropped small weights instead of zeroing them",
            "The blog's bug: appending only the surviving weights loses their positions, rows come back ragged and "
            "the layer can no longer multiply its input. Keep every matrix's shape and write zeros: "
            "np.where(np.abs(w) > threshold, w, 0.0).",
            lambda a: (lambda c: c is not None and c[0] < c[1])(_network_numbers(a))),
    Mistake("ragged_stack", "np.array() of layers with different shapes",
            "np.array(network['weights']) cannot stack layers of different shapes (NumPy raises 'inhomogeneous "
            "shape'): treat 'weights' as a list and prune each array on its own.",
            _ragged_stack),
    Mistake("no_masks", "returned no masks",
            "Return the keep masks too, as 'masks': fine-tuning needs them to keep pruned weights at zero (the "
            "blog returns none).",
            lambda a: isinstance(a.output, dict) and "masks" not in a.output
            and judge_ok("weight_pruning", a.arguments, dict(a.output, masks=_expected_masks(a)))),
    Mistake("kept_equal", "kept weights equal to the threshold",
            "Weights with |w| exactly equal to the threshold are pruned: keep only |w| > threshold (strict).",
            _matches(naive.kept_equal_weight_pruning)),
    Mistake("signed_compare", "compared signed weights with the threshold",
            "Compare |w| with the threshold: w > threshold prunes every negative weight, even -5.0.",
            _matches(naive.signed_weight_pruning)),
    Mistake("inverted_mask", "kept the small weights",
            "You kept the small weights and zeroed the large ones: keep |w| > threshold.",
            _matches(naive.inverted_weight_pruning)),
    Mistake("masks_inverted", "masks mark the pruned weights",
            "The weights are right, but the masks mark what was pruned. The convention is True = keep.",
            _matches(naive.prune_masks_weight_pruning)),
    ONLY_2D,
]


def _expected_masks(a: Attempt) -> Any:
    from hwprune_edu.interview import weight_pruning

    return weight_pruning(a.arguments["network"], a.arguments["threshold"])["masks"]


_ACTIVATION_PRUNING = [
    Mistake("per_layer_mean", "decided per layer, not per neuron",
            "The blog's bug: np.mean(activations[i]) averages the whole layer, so all its neurons stay or go "
            "together. Score each neuron: np.abs(a).mean(axis=0) gives one mean |a| per column.",
            _matches(naive.layer_mean_activation_pruning)),
    Mistake("signed_mean", "plain mean of signed activations",
            "Use mean |a|: a neuron firing +1, -1, +1, -1 has a plain mean of 0 but is busy.",
            _matches(naive.signed_activation_pruning)),
    Mistake("next_layer_untouched", "left the next layer's inputs in place",
            "Removing neuron j of layer l also removes column j of W_{l+1}; otherwise the shapes stop matching "
            "(the blog never touches the next layer).",
            _matches(naive.rows_only_activation_pruning)),
    Mistake("bias_kept", "forgot the bias",
            "Remove the neuron's bias entry too: biases[l][keep].",
            _matches(naive.bias_kept_activation_pruning)),
    Mistake("zeroed_not_removed", "zeroed neurons instead of removing them",
            "Remove the neurons (fewer rows), don't zero them: the point is a smaller, faster layer.",
            _matches(naive.zeroing_activation_pruning)),
    Mistake("kept_equal", "kept neurons with mean |a| equal to the threshold",
            "Neurons with mean |a| <= activation_threshold are removed: keep only score > threshold (strict).",
            _matches(naive.kept_equal_activation_pruning)),
    Mistake("ragged_stack", "np.array() of layers with different shapes",
            "np.array(network['weights']) cannot stack layers of different shapes: loop over the list instead.",
            _ragged_stack),
    Mistake("no_keep", "returned no keep masks",
            "Return 'keep' too: one boolean mask per layer (all True for the output layer), so the caller knows "
            "which neurons survived.",
            lambda a: isinstance(a.output, dict) and "keep" not in a.output and "weights" in a.output),
]


# ---------------------------------------------------------------- hardware

def _number_like(fn: Callable) -> Callable[[Attempt], bool]:
    def recognise(a: Attempt) -> bool:
        got = None if isinstance(a.output, (bool, type(None))) else a.number()
        if got is None:
            return False
        expected = a.naive_output(fn)
        return expected is not _NOTHING and bool(np.isclose(got, float(expected), rtol=1e-9, atol=0.0))

    return recognise


def _rounded(a: Attempt) -> bool:
    from hwprune_edu.grading.checks import REFERENCES

    got = a.number()
    if got is None:
        return False
    expected = REFERENCES[a.exercise](*a.case.args, **a.case.kwargs)
    return got != expected and any(np.isclose(got, round(expected, d), rtol=1e-12) for d in range(0, 4))


ROUNDED = Mistake("rounded", "rounded the result",
                  "Return the exact value; round only when you print it (f\"{x:.1f}\"). Rounding inside the function "
                  "loses precision for every later computation.",
                  _rounded)

_HARDWARE = {
    "gemm_macs": [
        Mistake("flops_not_macs", "counted FLOPs, not MACs",
                "A multiply-accumulate (MAC) is one multiply and one add: M*N*K MACs, which are 2*M*N*K FLOPs. "
                "Return the MACs.", _number_like(naive.flops_gemm_macs)),
        Mistake("forgot_a_dimension", "left out a dimension",
                "Every one of the M*N outputs is a dot product of length K: M*N*K MACs. A product of only two of "
                "them misses the batch (M) or the reduction (K).",
                lambda a: _number_like(naive.weights_only_gemm_macs)(a) or _number_like(lambda m, n, k: m * n)(a)
                or _number_like(lambda m, n, k: m * k)(a)),
    ],
    "gemm_bytes": [
        Mistake("forgot_output", "did not count the output",
                "Count every matrix that must move once: read A (M x K) and B (K x N), and write C (M x N).",
                _number_like(naive.inputs_only_gemm_bytes)),
        Mistake("elements_not_bytes", "counted elements, not bytes",
                "Multiply the element count by bytes_per_element (4 for fp32, 2 for fp16, 1 for int8).",
                _number_like(naive.elements_gemm_bytes)),
        Mistake("bits_not_bytes", "counted bits",
                "bytes_per_element is already in bytes: do not multiply by 8.", _number_like(naive.bits_gemm_bytes)),
        Mistake("operands_per_mac", "counted operands per MAC",
                "The roofline's bytes are the minimum traffic: each matrix moves once (M*K + K*N + M*N elements), "
                "not three operands per MAC. Reuse in caches or on-chip buffers is what makes that possible.",
                _number_like(naive.per_mac_gemm_bytes)),
    ],
    "gemm_arithmetic_intensity": [
        Mistake("macs_per_byte", "MACs per byte instead of FLOPs",
                "Arithmetic intensity is in FLOP/byte, and a MAC is 2 FLOPs: 2*M*N*K / bytes.",
                _number_like(naive.macs_gemm_intensity)),
        Mistake("elements_not_bytes", "divided by elements, not bytes",
                "Divide by bytes moved: (M*K + K*N + M*N) * bytes_per_element.",
                _number_like(naive.elements_gemm_intensity)),
        Mistake("forgot_output", "did not count the output's bytes",
                "The bytes moved include writing C (M x N), not only reading A and B.",
                _number_like(naive.inputs_only_gemm_intensity)),
        Mistake("inverted", "bytes per FLOP",
                "Intensity is FLOPs divided by bytes (FLOP/byte), not bytes per FLOP.",
                _number_like(naive.bytes_per_flop_gemm_intensity)),
        ROUNDED,
    ],
    "roofline_latency": [
        Mistake("sum_not_max", "added compute and memory time",
                "The roofline assumes compute and data movement overlap: latency is the *slower* of the two, "
                "max(flops / peak_flops, bytes / bandwidth), not their sum.", _number_like(naive.sum_roofline_latency)),
        # Computing one side only, or the min of both, give the same wrong number on every failing case.
        Mistake("one_side", "used one side of the roofline (the faster one here)",
                "Your latency equals the faster side only. Compute both, flops / peak_flops and bytes_moved / "
                "bandwidth_bytes_per_s, and return the slower: the layer cannot finish before either is done. "
                "(Batch 1 is usually memory-bound, large batches compute-bound.)",
                _number_like(naive.min_roofline_latency)),
        ROUNDED,
    ],
    "systolic_cycles": [
        Mistake("floor_folds", "floor instead of ceiling for the folds",
                "A partial tile still needs a whole fold: ceil(K / R) * ceil(N / C), i.e. -(-K // R), not K // R.",
                _number_like(naive.floor_systolic_cycles)),
        Mistake("no_fill_drain", "forgot filling and draining the array",
                "Each fold also fills and drains the array: (2R + C + M - 2) cycles per fold, not M.",
                _number_like(naive.streaming_only_systolic_cycles)),
        Mistake("rows_cols_swapped", "mapped K to columns",
                "In SCALE-Sim's weight-stationary mapping K runs down the R rows and N across the C columns: "
                "ceil(K / R) * ceil(N / C) folds of (2R + C + M - 2) cycles.",
                _number_like(naive.swapped_systolic_cycles)),
        Mistake("ideal_macs", "ideal MACs / PEs",
                "M*N*K / (R*C) is the ideal with a perfectly fed array; count folds and their fill/drain time "
                "instead: (2R + C + M - 2) * ceil(K / R) * ceil(N / C).", _number_like(naive.ideal_systolic_cycles)),
        Mistake("one_fold", "counted one fold",
                "A GEMM larger than the array needs ceil(K / R) * ceil(N / C) folds; multiply by them.",
                _number_like(naive.one_fold_systolic_cycles)),
    ],
}


_EXPOSE_HINTS = {
    "weight_pruning": "Read how the buggy version builds its result: what happens to a weight at or below the "
                      "threshold, and what does that do to the shape of a row?",
    "magnitude_mask": "It compares every |w| with the k-th smallest value. What happens when several entries share "
                      "exactly that value?",
    "nm_mask": "It reshapes to (-1, m) straight away. For which `axis`, or which shape of weights, are those rows "
               "not the groups that run along `axis`?",
    "neuron_scores": "It averages the activations as they are. Which signs would make a busy neuron average to "
                     "(almost) nothing?",
    "activation_pruning": "It computes one number for the whole layer. Build a layer where most neurons are busy "
                          "but one is silent.",
}


def _expose_mistakes(target: str) -> list[Mistake]:
    return [Mistake("not_exposed", "the input does not expose the bug", _EXPOSE_HINTS[target],
                    lambda a: a.status == "ok" and isinstance(a.output, dict))]


#: exercise id -> its mistakes, most specific first (generic ones included).
CATALOGUE: dict[str, list[Mistake]] = {
    "threshold_mask": [*_FIRST, *_MASK_SHAPES, *_THRESHOLD, ONLY_2D],
    "magnitude_mask": [*_FIRST, *_MASK_SHAPES, *_MAGNITUDE, ONLY_2D],
    "global_magnitude_masks": [*_FIRST, *_GLOBAL],
    "structured_mask": [*_FIRST, *_STRUCTURED],
    "nm_mask": [*_FIRST, *_NM],
    "block_mask": [*_FIRST, *_BLOCK],
    "neuron_scores": [*_FIRST, *_NEURON_SCORES, ONLY_2D],
    "remove_neurons": [*_FIRST, *_REMOVE],
    "weight_pruning": [*_FIRST, *_WEIGHT_PRUNING],
    "activation_pruning": [*_FIRST, *_ACTIVATION_PRUNING],
    **{name: [*_FIRST, *mistakes] for name, mistakes in _HARDWARE.items()},
    **{f"expose_{t}": [*_FIRST, *_expose_mistakes(t)] for t in _EXPOSE_HINTS},
}


def recognise(attempt: Attempt) -> Mistake | None:
    """The first mistake of the attempt's exercise whose recogniser matches, or None.

    A recogniser that itself fails (an odd output it did not foresee) counts as no match.
    """
    for mistake in CATALOGUE.get(attempt.exercise, [*_FIRST]):
        try:
            if mistake.recognise(attempt):
                return mistake
        except Exception:
            continue
    return None
