"""Turn whatever learner code returned into plain data, and back.

The batch grader runs a learner's functions inside the learner's kernel but
judges their outputs in its own process, so outputs travel as JSON: arrays as
dtype + shape + base64 bytes, tuples and dicts tagged, anything else as an
opaque ``(type, repr)`` record. Nothing the learner returns can carry code or
override ``__eq__`` across the wire; the judge sees data only. The notebook
``check`` sends outputs through the same round trip, so a case is judged the
same way in a notebook and in the batch.

This module uses only the standard library and NumPy: the batch grader execs
its source into a fresh module inside the kernel, so a notebook that patches
``hwprune_edu`` cannot change it.

>>> import numpy as np
>>> value = {"w": np.arange(3.0), "pair": (1, None)}
>>> back = decode(loads(dumps(encode(value))))
>>> back["w"].tolist(), back["pair"]
([0.0, 1.0, 2.0], (1, None))
"""

from __future__ import annotations

import base64
import json
import math
import reprlib
from typing import Any

import numpy as np

__all__ = ["encode", "decode", "dumps", "loads", "Opaque", "MAX_ELEMENTS", "MAX_STRING"]

#: Arrays larger than this are refused (a learner returning a 1 GB array must not sink the grader).
MAX_ELEMENTS = 5_000_000
#: Strings longer than this travel as an opaque record: no answer is a long text, and a 10 MiB one must not
#: reach the grader's messages.
MAX_STRING = 10_000
_MAX_DEPTH = 32
_ARRAY_KINDS = "biufc"
_short = reprlib.Repr()
_short.maxstring = 80
_short.maxother = 80


class Opaque:
    """A value that cannot travel as data: only its type name and a short repr survive.

    >>> Opaque("Foo", "<Foo>")
    <Foo object>
    """

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (self.type_name, self.text) == (other.type_name, other.text)

    __hash__ = None  # type: ignore[assignment]


def _encode_array(array: np.ndarray, depth: int) -> Any:
    if array.size > MAX_ELEMENTS:
        return {"__opaque__": f"ndarray of {array.size} elements", "repr": f"array of shape {array.shape}"}
    if array.dtype.kind in _ARRAY_KINDS:
        contiguous = np.ascontiguousarray(array)
        return {
            "__ndarray__": base64.b64encode(contiguous.tobytes()).decode("ascii"),
            "dtype": contiguous.dtype.str,
            "shape": list(array.shape),
        }
    if array.dtype == object and array.size <= 10_000:
        return {"__objarray__": [encode(x, depth + 1) for x in array.ravel().tolist()], "shape": list(array.shape)}
    return {"__opaque__": f"ndarray[{array.dtype}]", "repr": _short.repr(array)}


def encode(value: Any, depth: int = 0) -> Any:
    """Plain, JSON-ready data for ``value`` (arrays, numbers, str, None, lists, tuples, dicts).

    Objects with ``__array__`` (a torch tensor, an array subclass) travel as
    plain arrays; anything else becomes an opaque record.

    >>> encode((1, [2.5, "x"]))
    {'__tuple__': [1, [2.5, 'x']]}
    """
    if depth > _MAX_DEPTH:
        return {"__opaque__": "nested too deeply", "repr": "..."}
    if isinstance(value, str) and len(value) > MAX_STRING:
        return {"__opaque__": "str", "repr": f"a string of {len(value):,} characters"}
    if value is None or isinstance(value, (bool, str)):
        return value if type(value) in (bool, str) or value is None else str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = int(value)
        if value.bit_length() > 1000:  # ~300 digits: no answer is that large, and JSON cannot carry 10**5000
            digits = int(value.bit_length() * math.log10(2)) + 1
            return {"__opaque__": "int", "repr": f"an integer with about {digits} digits"}
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, np.ndarray):
        return _encode_array(value, depth)
    if isinstance(value, np.generic):
        return {"__scalar__": _encode_array(np.asarray(value), depth)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(x, depth + 1) for x in value]}
    if isinstance(value, list):
        return [encode(x, depth + 1) for x in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    type_name = type(value).__name__
    if hasattr(value, "__array__"):
        try:
            array = np.asarray(value)
        except Exception:  # a broken __array__ is the learner's object's problem, not ours
            array = None
        if array is not None and array.dtype != object:
            return {"__converted__": type_name, "value": _encode_array(array, depth)}
    try:
        text = _short.repr(value)
    except Exception:
        text = f"<{type_name}>"
    return {"__opaque__": type_name, "repr": text}


def decode(data: Any) -> Any:
    """Rebuild the value :func:`encode` described (arrays are new, writable arrays).

    >>> decode({"__tuple__": [1, {"__float__": "nan"}]})
    (1, nan)
    """
    if isinstance(data, list):
        return [decode(x) for x in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data:
        raw = base64.b64decode(data["__ndarray__"])
        return np.frombuffer(raw, dtype=np.dtype(data["dtype"])).reshape(data["shape"]).copy()
    if "__scalar__" in data:
        return decode(data["__scalar__"])[()]
    if "__objarray__" in data:
        items = [decode(x) for x in data["__objarray__"]]
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array.reshape(data["shape"])
    if "__converted__" in data:
        return decode(data["value"])
    if "__tuple__" in data:
        return tuple(decode(x) for x in data["__tuple__"])
    if "__dict__" in data:
        result = {}
        for key, value in data["__dict__"]:
            key = decode(key)
            try:
                result[key] = decode(value)
            except TypeError:  # an unhashable key (e.g. a list) cannot be a dict key here
                result[repr(key)] = decode(value)
        return result
    if "__float__" in data:
        return float(data["__float__"])
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"]), str(data.get("repr", "")))
    return {key: decode(value) for key, value in data.items()}


def dumps(data: Any) -> str:
    """JSON text of already-encoded data."""
    return json.dumps(data)


def loads(text: str) -> Any:
    """Encoded data from JSON text."""
    return json.loads(text)
