"""Input checking in one place.

Every error names the argument, what was expected and what was received, in
the style of scikit-learn's ``check_array``: a learner reading the message
should know what to change without opening the source.

>>> as_weights([[1, -2], [3, 4]]).dtype
dtype('float64')
>>> resolve_amount(0.5, 10, name="amount")
5
>>> check_number(np.float32(1e-3), name="lr", low=0, closed="neither")
0.0010000000474974513
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = [
    "check_number",
    "as_weights",
    "as_mask",
    "resolve_amount",
    "check_int",
    "check_positive_int",
    "check_fraction",
    "check_lr",
    "check_input_shape",
    "describe",
    "SEED_MAX",
]

#: The largest seed of the course's data and experiments: scikit-learn's ``random_state`` and NumPy's legacy
#: ``np.random.seed`` (which mnist1d uses) take [0, 2**32 - 1]; torch's generators take more, so this also leaves
#: the searches room for their derived seeds (seed + round). The commands' ``--seed`` options share it.
SEED_MAX = 2**32 - 1


_CLOSED = {"both": ("[", "]"), "left": ("[", ")"), "right": ("(", "]"), "neither": ("(", ")")}


def _interval(low: Any, high: Any, closed: str) -> str:
    left, right = _CLOSED[closed]
    lo = "-inf" if low is None else f"{low:g}" if isinstance(low, float) else str(low)
    hi = "inf" if high is None else f"{high:g}" if isinstance(high, float) else str(high)
    return f"{left if low is not None else '('}{lo}, {hi}{right if high is not None else ')'}"


def check_number(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    closed: str = "both",
    allow_nan: bool = False,
    allow_inf: bool = False,
    meaning: str = "",
) -> float:
    """Return ``value`` as a ``float`` after checking it is a real number in an interval.

    The one number check of the package, in the spirit of scikit-learn's
    ``check_scalar``. Python and NumPy ints and floats, ``Fraction`` and 0-d
    arrays are accepted; ``bool`` is refused (``True`` is almost always a
    mistake for ``1``), as are strings, complex numbers and, unless allowed,
    NaN and infinities.

    Args:
        value: the number to check.
        name: the argument's name, used in error messages.
        low, high: the interval's ends (``None``: unbounded on that side).
        closed: which ends belong to the interval: ``"both"``, ``"left"``,
            ``"right"`` or ``"neither"``.
        allow_nan, allow_inf: accept NaN / infinities (an infinite value is
            still checked against the interval).
        meaning: words that follow the interval in messages, e.g.
            ``" (a learning rate)"``.

    Returns:
        ``float(value)``.

    >>> check_number(3, name="clock_hz", low=0, closed="neither")
    3.0
    >>> from fractions import Fraction
    >>> check_number(Fraction(1, 4), name="amount", low=0, high=1)
    0.25
    >>> check_number(float("inf"), name="lr", low=0, closed="neither")
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number in (0, inf), got inf
    >>> check_number(True, name="lr")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a number, got bool True
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be the argument's name (a non-empty str), got {describe(name)}")
    if not isinstance(closed, str) or closed not in _CLOSED:
        raise ValueError(f"closed must be one of {sorted(_CLOSED)}, got {describe(closed)}")
    interval = _interval(low, high, closed)
    where = f" in {interval}" if low is not None or high is not None else ""
    expected = f"a number{where}{meaning}"
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # a huge int or Fraction: exact comparisons still say which side it is on
        digits = len(str(abs(int(value))))
        shown = f"a {'negative ' if value < 0 else ''}number of {digits} digits"
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name} must be in {interval}{meaning}, got {shown}") from None
        raise ValueError(f"{name} must be {expected} that fits a float, got {shown}") from None
    if math.isnan(number):
        if allow_nan:
            return number
        shape = f"in {interval}{meaning}" if where else f"a number{meaning} (not NaN)"
        raise ValueError(f"{name} must be {shape}, got nan")
    if math.isinf(number) and not allow_inf:
        raise ValueError(f"{name} must be a finite number{where}{meaning}, got {number!r}")
    left_ok = low is None or (number >= low if closed in ("both", "left") else number > low)
    right_ok = high is None or (number <= high if closed in ("both", "right") else number < high)
    if not (left_ok and right_ok):
        raise ValueError(f"{name} must be in {interval}{meaning}, got {number!r}")
    return number


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages.

    >>> describe(np.zeros((2, 3)))
    'an array of shape (2, 3) and dtype float64'
    >>> describe([1, 2])
    'a list'
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    if isinstance(value, np.generic) and value.ndim == 0 and value.dtype.kind != "O":  # np.float32(0.5): 'float32 0.5'
        return f"{type(value).__name__} {value.item()!r}"
    if isinstance(value, (bool, numbers.Number, str)):
        text = repr(value)
        return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None:  # a torch tensor, a memmap, a JAX array...
        return f"a {type(value).__name__} of shape {tuple(shape)} and dtype {dtype}"
    return f"a {type(value).__name__}"


def _asarray(value: Any, name: str) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's and torch's conversion errors turned into messages naming ``name``."""
    try:
        return np.asarray(value)
    except ValueError as err:  # NumPy >= 1.24 refuses ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array, but it is ragged (rows of different lengths): {err}"
        ) from None
    except (TypeError, RuntimeError, NotImplementedError) as err:
        # torch: a tensor that requires grad, lives on another device (or 'meta'), or is bfloat16.
        raise TypeError(
            f"{name} must be an array of real numbers that NumPy can read, got {describe(value)} ({err}); "
            "for a torch tensor pass tensor.detach().cpu().float().numpy()"
        ) from None


def as_weights(
    weights: Any,
    *,
    name: str = "weights",
    ndim: int | tuple[int, ...] | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Return ``weights`` as a real floating-point array, checked, never a view to write through.

    Integer and boolean inputs are converted to float64; float inputs keep
    their dtype. The result may share memory with the input, so callers must
    not write to it (no function in this package does).

    Args:
        weights: array-like of real numbers.
        name: the argument's name, used in error messages.
        ndim: allowed number(s) of dimensions, or ``None`` for any ``>= 1``.
        allow_empty: whether a size-0 array is acceptable.
        finite: reject NaN and infinities.

    Returns:
        A floating-point ``numpy.ndarray``.

    >>> as_weights([1, 2, 3]).tolist()
    [1.0, 2.0, 3.0]
    >>> as_weights([[1.0, float("nan")]])
    Traceback (most recent call last):
    ...
    ValueError: weights must be finite, but it contains 1 NaN and 0 infinite value(s) (an array of shape (1, 2) and dtype float64)
    """
    if weights is None:
        raise TypeError(f"{name} must be an array of numbers, got None")
    if isinstance(weights, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {describe(weights)}")
    array = _asarray(weights, name)
    if array.dtype == object:
        raise ValueError(
            f"{name} must be a rectangular array of numbers, got {describe(weights)} that NumPy "
            "could only store as objects (ragged rows or non-numeric entries)"
        )
    if array.dtype.kind == "b" or array.dtype.kind in "iu":
        array = array.astype(np.float64)
    elif array.dtype.kind == "c":
        raise TypeError(f"{name} must be real numbers, got complex values ({describe(array)})")
    elif array.dtype.kind != "f":
        raise TypeError(f"{name} must be an array of numbers, got {describe(array)}")
    if ndim is None:
        if array.ndim == 0:
            raise ValueError(f"{name} must have at least 1 dimension, got a scalar {array.item()!r}")
    else:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            expected = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {expected}, got a {array.ndim}-D array of shape {array.shape}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {describe(array)}")
    # Two reductions (no temporary array) decide the common, all-finite case;
    # NaN propagates through min, +-inf shows in max or min.
    if finite and array.size and not (np.isfinite(array.min()) and np.isfinite(array.max())):
        n_nan = int(np.isnan(array).sum())
        n_inf = int(np.isinf(array).sum())
        raise ValueError(
            f"{name} must be finite, but it contains {n_nan} NaN and {n_inf} infinite value(s) ({describe(array)})"
        )
    return array


def as_mask(mask: Any, shape: tuple[int, ...] | None = None, *, name: str = "mask") -> np.ndarray:
    """Return ``mask`` as a boolean array of exactly ``shape`` (any shape when ``shape`` is None).

    Accepts booleans, or numbers that are all 0 or 1.

    >>> as_mask([[1, 0]], (1, 2)).tolist()
    [[True, False]]
    """
    expected = "a boolean array" + ("" if shape is None else f" of shape {tuple(shape)}")
    if mask is None or isinstance(mask, (str, bytes)):
        raise TypeError(f"{name} must be {expected}, got {describe(mask)}")
    array = _asarray(mask, name)
    if array.dtype.kind == "b":
        pass
    elif array.dtype.kind in "iuf":
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name} must contain only True/False (or 0/1), got other values ({describe(array)})")
        array = array.astype(bool)
    else:
        raise TypeError(f"{name} must be {expected}, got {describe(array)}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} (the weights' shape), got shape {array.shape}")
    return array


def resolve_amount(amount: Any, n: int, *, name: str = "amount") -> int:
    """Turn a pruning ``amount`` into a count, following ``torch.nn.utils.prune``.

    An ``int`` is a count of entries (or slices) to prune, ``0 <= amount <= n``;
    a ``float`` in ``[0, 1]`` is a fraction, rounded as ``round(amount * n)``
    (Python's round: halves go to the even neighbour, exactly as torch does).
    ``bool`` is rejected: ``True`` is almost always a mistake for ``1.0``.

    Args:
        amount: the count or fraction to prune.
        n: how many entries (or slices) there are.
        name: the argument's name, used in error messages.

    Returns:
        The number of entries (or slices) to prune.

    >>> resolve_amount(3, 10)
    3
    >>> resolve_amount(0.25, 10)  # round(2.5) == 2, as in torch
    2
    """
    expected = "an int (a count) or a float in [0, 1] (a fraction)"
    if isinstance(amount, np.ndarray) and amount.ndim == 0:
        amount = amount[()]
    if isinstance(amount, (bool, np.bool_)) or not isinstance(amount, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {describe(amount)}")
    if isinstance(amount, numbers.Integral):
        count = int(amount)
        if count < 0:
            raise ValueError(f"{name} as a count must be >= 0, got {count}")
        if count > n:
            raise ValueError(f"{name}={count} is more than the {n} entries (or slices) there are to prune")
        return count
    # A Fraction or a NumPy float is a fraction too; round() as torch does (halves to even).
    fraction = check_number(amount, name=f"{name} as a fraction", low=0, high=1)
    return int(round(fraction * n))


def check_int(value: Any, *, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type (not bool, not float) and bounds.

    Python and NumPy ints and 0-d int arrays are accepted; ``2.0`` is refused
    (an int argument is a count or an index, and a float there is usually a
    fraction passed to the wrong argument).

    >>> check_int(np.int64(3), name="n", minimum=1)
    3
    >>> check_int(2.5, name="n")
    Traceback (most recent call last):
    ...
    TypeError: n must be an int, got float 2.5
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_positive_int(value: Any, *, name: str) -> int:
    """Return ``value`` as an ``int >= 1``.

    >>> check_positive_int(4, name="batch")
    4
    """
    return check_int(value, name=name, minimum=1)


def check_fraction(value: Any, *, name: str, zero_ok: bool = True, one_ok: bool = True, meaning: str = "") -> float:
    """Return ``value`` as a ``float`` in ``[0, 1]`` after checking its type (a real number, not bool).

    ``zero_ok=False`` / ``one_ok=False`` open that end of the interval (a
    latency budget is in ``(0, 1]``); ``meaning`` follows the interval in
    messages, e.g. ``" (a fraction of the dense model's latency)"``.

    >>> check_fraction(0.5, name="latency_budget", zero_ok=False)
    0.5
    >>> check_fraction(0, name="latency_budget", zero_ok=False)
    Traceback (most recent call last):
    ...
    ValueError: latency_budget must be in (0, 1], got 0.0
    """
    closed = {(True, True): "both", (True, False): "left", (False, True): "right", (False, False): "neither"}
    return check_number(value, name=name, low=0, high=1, closed=closed[(zero_ok, one_ok)], meaning=meaning)


def check_lr(lr: Any) -> float:
    """A learning rate: a finite number > 0 (``np.float32(1e-3)`` and ``Fraction`` accepted, ``True`` refused).

    >>> check_lr(np.float32(0.5))
    0.5
    """
    return check_number(lr, name="lr", low=0, closed="neither", meaning=" (a learning rate)")


def check_input_shape(input_shape: Any) -> tuple[int, ...] | None:
    """``None`` (inferred from the model) or the shape of one sample: a non-empty sequence of positive ints.

    One int (Python, NumPy or a 0-d array) is a flat sample; a ``torch.Size`` is a tuple.

    >>> check_input_shape([np.int64(64)]), check_input_shape(np.array(64)), check_input_shape(None)
    ((64,), (64,), None)
    """
    if input_shape is None:
        return None
    if isinstance(input_shape, np.ndarray) and input_shape.ndim == 0:  # np.array(64): one number, as np.int64(64)
        input_shape = input_shape[()]
    if isinstance(input_shape, numbers.Integral) and not isinstance(input_shape, (bool, np.bool_)):
        input_shape = (input_shape,)
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, (tuple, list, np.ndarray)):
        raise TypeError(f"input_shape must be None or a tuple of positive ints (one sample's shape), got {describe(input_shape)}")
    if len(input_shape) == 0:
        raise ValueError("input_shape must name at least one dimension, got an empty sequence")
    return tuple(check_positive_int(d, name=f"input_shape[{i}]") for i, d in enumerate(input_shape))
