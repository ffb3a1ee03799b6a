"""What every judge shares: :class:`Verdict`, :class:`Fail`, reading a learner's output, and the generic checks.

A judge (one per exercise, in :mod:`hwprune_edu.grading.exercises`) decides
one output on one case by the properties every right answer has. Where
several answers are right (which of two equal magnitudes to prune), it never
asks for the reference's tie order: it checks the exact count pruned, that no
kept |w| is below a pruned |w| (:func:`ordered`), that slices and blocks are
pruned whole. Where the answer is unique (a threshold, a score, a removed
neuron), it is compared with the reference.

Harmless differences are accepted with a note, never failed:

* a mask given as a list, or as 0/1 numbers (int or float) instead of booleans;
* scores as a list, or float32 scores within float32 precision;
* a cost returned as a float that is a whole number (``767.0`` cycles).

Anything else that is not the contract (pruned weights instead of a mask,
a different shape, ``None``) fails, with a message saying what came back.

>>> as_mask([True, False], (2,))
(array([ True, False]), 'accepted: you returned a Python list; NumPy expressions give the array directly')
>>> as_mask(np.ones(3), (2,))
Traceback (most recent call last):
...
hwprune_edu.grading.judging.Fail: returned shape (3,), expected the weights' shape (2,)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.transport import Opaque

__all__ = ["Verdict", "Fail", "judged", "passes", "describe", "index_text", "numeric_array", "shape_text",
           "ragged_text", "as_mask",
           "as_mask_list", "as_scores", "as_number", "amount_text", "ordered", "sum_rtol", "compare_layers",
           "number_judge", "FLOAT_RTOL"]


@dataclass
class Verdict:
    """A judge's decision on one case: passed, what was wrong, and any accepted harmless difference."""

    passed: bool
    message: str = ""
    note: str = ""


class Fail(Exception):
    """Raised inside a judge with the message to show; turned into a failing :class:`Verdict`."""


def judged(fn: Callable[[CaseSpec, Any], tuple[str, str]]) -> Callable[[CaseSpec, Any], Verdict]:
    """A judge from ``fn(case, output) -> (message, note)`` that raises :class:`Fail` for a wrong output.

    >>> @judged
    ... def positive(case, output):
    ...     if output <= 0:
    ...         raise Fail(f"expected a positive number, got {output}")
    ...     return "positive", ""
    >>> positive(None, -1)
    Verdict(passed=False, message='expected a positive number, got -1', note='')
    """
    def judge(case: CaseSpec, output: Any) -> Verdict:
        try:
            message, note = fn(case, output)
        except Fail as failure:
            return Verdict(False, str(failure))
        return Verdict(True, message, note)

    judge.__name__ = fn.__name__
    judge.__doc__ = fn.__doc__
    return judge


def passes(judge: Callable[[CaseSpec, Any], Verdict], arguments: dict, output: Any) -> bool:
    """Whether ``output`` is a right answer for ``arguments`` by ``judge`` (used to test variants of an answer)."""
    return judge(CaseSpec("variant", arguments), output).passed


# ---------------------------------------------------------------- reading the output

def describe(value: Any) -> str:
    """What came back, in a few words, for messages.

    >>> describe(np.zeros((2, 3))), describe(None)
    ('an array of shape (2, 3) and dtype float64', 'None')
    """
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


def numeric_array(output: Any, what: str) -> tuple[np.ndarray, str]:
    """``output`` as a numeric array, or Fail; plus a note when it came as a list."""
    if output is None:
        raise Fail(f"returned None instead of {what} (is a `return` missing?)")
    if isinstance(output, (Opaque, str, dict)):
        raise Fail(f"returned {describe(output)} instead of {what}")
    note = ""
    if isinstance(output, (list, tuple)):
        note = "accepted: you returned a Python list; NumPy expressions give the array directly"
    try:
        array = np.asarray(output)
    except ValueError:
        array = np.empty(0, dtype=object)
    if array.dtype == object:
        raise Fail(f"returned {ragged_text(output)} instead of {what}")
    if array.dtype.kind not in "biuf":
        raise Fail(f"returned {describe(array)} instead of {what}")
    return array, note


def shape_text(item: Any) -> str:
    """The shape an item would have as an array (``"(2, 3)"``, ``"a number"``), or ``"ragged"``.

    >>> shape_text(np.ones((2, 3))), shape_text(1.5), shape_text([1.0, [2.0]])
    ('(2, 3)', 'a number', 'ragged')
    """
    if isinstance(item, numbers.Number) or (isinstance(item, np.ndarray) and item.ndim == 0):
        return "a number"
    try:
        array = np.asarray(item, dtype=np.float64)
    except (TypeError, ValueError):
        return "ragged"
    return str(array.shape)


def ragged_text(value: Any) -> str:
    """What a nested list that is no rectangular array holds, for messages.

    >>> ragged_text([[1.0, 2.0], [3.0]])
    'ragged rows (lengths [2, 1])'
    >>> ragged_text([np.ones((2, 2)), [1.0, [2.0]]])
    'a ragged nested list (items of shapes (2, 2) and ragged)'
    """
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    shapes = [shape_text(item) for item in items]
    if all(s.count(",") == 1 and s.endswith(",)") for s in shapes):  # every item a row of numbers
        return f"ragged rows (lengths {[len(item) for item in items]})"
    shown = ", ".join(shapes[:-1]) + f" and {shapes[-1]}" if len(shapes) > 1 else shapes[0]
    if len(shapes) > 6:
        shown = ", ".join(shapes[:5]) + f", ... ({len(shapes)} items)"
    return f"a ragged nested list (items of shapes {shown})"


def as_mask(output: Any, shape: tuple, what: str | None = None) -> tuple[np.ndarray, str]:
    """The learner's keep mask as booleans of ``shape``, and a note on accepted differences; or Fail.

    >>> as_mask([[1, 0]], (1, 2))[0].tolist()
    [[True, False]]
    """
    what = what or f"a boolean keep mask of shape {shape}"
    array, note = numeric_array(output, what)
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


def as_mask_list(output: Any, shapes: list[tuple]) -> tuple[list[np.ndarray], str]:
    """One keep mask per layer (see :func:`as_mask`), and the first note; or Fail naming the layer."""
    if isinstance(output, np.ndarray) or not isinstance(output, (list, tuple)):
        raise Fail(f"returned {describe(output)}, expected a list of {len(shapes)} masks, one per layer")
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


def as_scores(output: Any, size: int) -> tuple[np.ndarray, str]:
    """The learner's 1-D float scores of length ``size``, or Fail."""
    array, note = numeric_array(output, f"{size} scores (one per neuron)")
    if array.shape != (size,):
        if array.ndim == 0:
            raise Fail(f"returned one number ({float(array):.4g}), expected {size} scores, one per neuron")
        raise Fail(f"returned shape {array.shape}, expected ({size},): one score per neuron")
    return array.astype(np.float64), note


def as_number(output: Any, what: str) -> tuple[float, str]:
    """The learner's single finite number, or Fail; plus a note for a harmless wrapper (numpy scalar, 1-element array).

    >>> as_number(float("nan"), "MACs")
    Traceback (most recent call last):
    ...
    hwprune_edu.grading.judging.Fail: returned nan instead of MACs (a 0/0 or inf - inf somewhere?)
    """
    if output is None:
        raise Fail(f"returned None instead of {what} (is a `return` missing?)")
    if isinstance(output, (bool, np.bool_)):
        raise Fail(f"returned {output!r} instead of {what}")
    note = ""
    if isinstance(output, numbers.Integral) and not isinstance(output, np.integer):
        if abs(output) > 10**300:  # float() would overflow
            raise Fail(f"returned an integer with about {int(abs(output).bit_length() * 0.30103) + 1} digits "
                       f"instead of {what} (a power `**` where a product `*` was meant?)")
        value = float(output)
    elif isinstance(output, numbers.Real):
        value = float(output)
    else:
        try:
            array = np.asarray(output, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise Fail(f"returned {describe(output)} instead of {what}") from None
        if array.size != 1:
            raise Fail(f"returned {describe(output)} instead of one number ({what})")
        value = float(array.ravel()[0])
        note = f"accepted: you returned {describe(output)}; a plain number is the convention"
    if math.isnan(value):
        raise Fail(f"returned nan instead of {what} (a 0/0 or inf - inf somewhere?)")
    if math.isinf(value):
        raise Fail(f"returned {value} instead of {what} (a division by zero, or a number too large for a float?)")
    return value, note


# ---------------------------------------------------------------- generic checks

def amount_text(amount: Any, n: int, k: int, unit: str = "entries") -> str:
    """How ``k`` follows from ``amount``, for a count message."""
    if isinstance(amount, numbers.Integral):
        return "an int amount is a count"
    return f"round({amount!r} x {n} {unit}) = {k}"


def ordered(scores: np.ndarray, keep: np.ndarray, what: str, rtol: float = 0.0) -> None:
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


def sum_rtol(w: np.ndarray) -> float:
    """How far two equal sums may drift apart when the learner adds in another order (or in float32)."""
    return 1e-5 if w.dtype == np.float32 else 1e-9


def compare_layers(got: list, expected: list, names: tuple = ("W", "b")) -> None:
    """Fail unless every layer's arrays have the expected shapes and (to 1e-12) values."""
    for i, (g, e) in enumerate(zip(got, expected)):
        for name, x, y in zip(names, g, e):
            if x.shape != y.shape:
                raise Fail(f"layer {i}'s {name} has shape {x.shape}, expected {y.shape}")
            if not np.allclose(x, y, rtol=1e-12, atol=0):
                raise Fail(f"layer {i}'s {name} has the right shape {x.shape} but the wrong values "
                           f"(expected rows/columns of the original, in order)")


#: Relative tolerance of a float result: float32 arithmetic (7 digits) must pass, a wrong formula must not.
FLOAT_RTOL = 1e-6


def number_judge(reference: Callable, what: str, *, integer: bool) -> Callable[[CaseSpec, Any], Verdict]:
    """The judge of a cost formula: the reference's number (exactly for a count, else to :data:`FLOAT_RTOL`).

    >>> judge = number_judge(lambda m, n, k: m * n * k, "MACs", integer=True)
    >>> judge(CaseSpec("t", {"m": 2, "n": 3, "k": 4}), 48)
    Verdict(passed=False, message='expected 24 MACs, got 48 (2x)', note='')
    """
    @judged
    def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
        expected = reference(*case.args, **case.kwargs)
        if isinstance(output, Opaque) and output.type_name == "int":  # too large to travel (see transport)
            raise Fail(f"expected {expected} {what}, got {output.text} (a power `**` where a product `*` was meant?)")
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
        if not np.isclose(got, expected, rtol=FLOAT_RTOL, atol=0.0):
            ratio = f" ({got / expected:.3g}x)" if expected else ""
            digits = 6 if f"{got:.6g}" != f"{expected:.6g}" else 12  # never "expected 0.499025, got 0.499025"
            raise Fail(f"expected {expected:.{digits}g} {what}, got {got:.{digits}g}{ratio}")
        return f"{expected:.6g} {what}", note

    judge.__name__ = f"judge_{reference.__name__}"
    return judge
