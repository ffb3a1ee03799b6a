"""The harness of the bad-input tables: every public function, fed bad and unusual input.

A table is a list of :class:`Probe`: one valid call of a public function, and
for some of its arguments the values that must be refused (a ``TypeError`` or
``ValueError`` whose message names the argument) and the valid-but-unusual
values that must be accepted (NumPy scalars, float64, read-only or strided
arrays, ``Fraction``...). ``tests/test_bad_input_*.py`` hold the tables, one
file per layer; ``tests/test_bad_input_coverage.py`` checks that every public
callable of the package is probed or exempted with a reason.

>>> import numpy as np
>>> from hwprune_edu.pruning import magnitude_mask
>>> probe = Probe(magnitude_mask, (np.ones((2, 2)), 0.5), bad={"amount": NUMBER})
>>> [outcome for outcome in probe.failures()]
[]
"""

from __future__ import annotations

import copy
import importlib
import inspect
import math
import pkgutil
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterator

import numpy as np

# Values no argument that takes a number may accept (each entry: a label for the test id, the value).
NUMBER = (
    ("None", None),
    ("str", "1"),
    ("bool", True),
    ("nan", math.nan),
    ("list", [1]),
    ("complex", 1j),
)
# ... and a number that must also be positive / finite.
POSITIVE = NUMBER + (("zero", 0), ("negative", -1), ("inf", math.inf))
FRACTION = NUMBER + (("negative", -0.1), ("above one", 1.5), ("inf", math.inf))
INTEGER = (("None", None), ("str", "1"), ("bool", True), ("float", 2.5), ("nan", math.nan), ("list", [1]))
COUNT = INTEGER + (("negative", -1),)
# ... an argument that takes an array of real numbers.
ARRAY = (
    ("None", None),
    ("str", "abc"),
    ("ragged", [[1.0, 2.0], [3.0]]),
    ("complex", np.array([[1j, 2.0]])),
    ("object", np.array([[object(), 1.0]], dtype=object)),
    ("nan", np.array([[np.nan, 1.0], [1.0, 1.0]])),
)
# ... an argument that takes a name or a text.
TEXT = (("None", None), ("int", 3), ("list", ["a"]), ("bytes", b"a"))


def bad_tensors(shape: tuple[int, ...] = (3, 4)) -> tuple[tuple[str, Any], ...]:
    """Tensors no function may accept where a batch of ``shape`` goes: meta, complex, NaN, too few dims, wrong width.

    torch is imported only when this is called, so the NumPy tables stay torch-free.

    >>> [label for label, _ in bad_tensors((3, 4))]
    ['meta tensor', 'complex tensor', 'nan tensor', '1-D tensor', 'wrong width']
    """
    import torch

    nan = torch.ones(shape)
    nan.view(-1)[0] = float("nan")
    return (
        ("meta tensor", torch.ones(shape, device="meta")),
        ("complex tensor", torch.ones(shape, dtype=torch.complex64)),
        ("nan tensor", nan),
        ("1-D tensor", torch.ones(shape[-1])),
        ("wrong width", torch.ones((*shape[:-1], shape[-1] + 1))),
    )


def unusual_tensors(shape: tuple[int, ...] = (3, 4), seed: int = 0) -> tuple[tuple[str, Any], ...]:
    """The same kind of batch as tensors and arrays a function must accept: requiring grad, bfloat16, float16,
    float64 (NumPy's default), integers, non-contiguous, read-only.

    >>> [label for label, _ in unusual_tensors((3, 4))][:3]
    ['requires grad', 'bfloat16', 'float16']
    """
    import torch

    values = np.random.default_rng(seed).random(shape)
    base = torch.from_numpy(values).float()
    return (
        ("requires grad", base.clone().requires_grad_(True)),
        ("bfloat16", base.to(torch.bfloat16)),
        ("float16", base.half()),
        ("float64 tensor", base.double()),
        ("float64 array", values),
        ("int array", (values * 10).astype(np.int64)),
        ("strided tensor", torch.from_numpy(strided(values)).float()),
        ("read-only array", read_only(values)),
    )

def read_only(array: Any) -> np.ndarray:
    """A read-only copy of ``array`` (valid input no function may refuse or write to).

    >>> read_only([1.0]).flags.writeable
    False
    """
    out = np.array(array)
    out.flags.writeable = False
    return out


def strided(array: Any) -> np.ndarray:
    """A non-contiguous view holding the same values as ``array``.

    >>> strided(np.ones((2, 3))).flags.c_contiguous
    False
    """
    array = np.asarray(array)
    wide = np.repeat(array, 2, axis=-1)
    return wide[..., ::2]


def unusual_numbers(value: float) -> tuple[tuple[str, Any], ...]:
    """The same number as a NumPy int/float scalar, a 0-d array and a ``Fraction``.

    >>> [label for label, _ in unusual_numbers(0.5)]
    ['np.float32', 'np.float64', 'Fraction', '0-d array']
    """
    out = []
    if float(value).is_integer():
        out.append(("np.int64", np.int64(int(value))))
    out += [
        ("np.float32", np.float32(value)),
        ("np.float64", np.float64(value)),
        ("Fraction", Fraction(value).limit_denominator(1 << 20)),
        ("0-d array", np.array(value)),
    ]
    return tuple(out)


@dataclass
class Probe:
    """One valid call of ``func`` and, per argument, the values to refuse and to accept.

    ``bad`` maps an argument's name to ``(label, value)`` pairs that must raise a
    ``TypeError`` or ``ValueError`` naming ``names_in_message.get(arg, arg)``;
    ``unusual`` maps it to pairs that must be accepted. ``setup`` (optional)
    returns fresh ``(args, kwargs)`` for every call, for arguments such as
    models that a call may not share.
    """

    func: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    bad: dict[str, tuple] = field(default_factory=dict)
    unusual: dict[str, tuple] = field(default_factory=dict)
    names_in_message: dict[str, str] = field(default_factory=dict)
    setup: Callable[[], tuple[tuple, dict]] | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = getattr(self.func, "__qualname__", repr(self.func))
        parameters = inspect.signature(self.func).parameters
        for arg in (*self.bad, *self.unusual):
            if arg not in parameters:
                raise ValueError(f"{self.id} has no argument {arg!r} (it has {list(parameters)})")

    def _call(self, arg: str | None = None, value: Any = None) -> Any:
        args, kwargs = self.setup() if self.setup is not None else (copy.deepcopy(self.args), dict(self.kwargs))
        bound = inspect.signature(self.func).bind_partial(*args, **kwargs)
        if arg is not None:
            bound.arguments[arg] = value
        return self.func(*bound.args, **bound.kwargs)

    def cases(self) -> Iterator[tuple[str, str, str, Any]]:
        """Yield ``(kind, arg, label, value)`` for every bad and unusual value."""
        for arg, values in self.bad.items():
            for label, value in values:
                yield "bad", arg, label, value
        for arg, values in self.unusual.items():
            for label, value in values:
                yield "unusual", arg, label, value

    def outcome(self, kind: str, arg: str, value: Any) -> str | None:
        """``None`` when the call behaves as the table says, else what went wrong."""
        try:
            self._call(arg, value)
        except (TypeError, ValueError) as err:
            if kind == "unusual":
                return f"refused valid input: {type(err).__name__}: {err}"
            wanted = self.names_in_message.get(arg, arg)
            if not re.search(rf"(?<![\w]){re.escape(wanted)}(?![\w])", str(err)):
                return f"the message does not name {wanted!r}: {type(err).__name__}: {err}"
            return None
        except Exception as err:  # noqa: BLE001 - any other exception is the failure reported
            return f"raised {type(err).__name__} instead of TypeError/ValueError: {err}"
        return "accepted bad input" if kind == "bad" else None

    def failures(self) -> Iterator[str]:
        """Every case that misbehaves, described (empty when the function is sound)."""
        self._call()  # the valid call itself must work
        for kind, arg, label, value in self.cases():
            problem = self.outcome(kind, arg, value)
            if problem is not None:
                yield f"{self.id}({arg}={label}): {problem}"


def parametrize(table: list[Probe]) -> list[Any]:
    """``pytest.param`` objects, one per (probe, argument, value), with readable ids."""
    import pytest

    params = []
    for probe in table:
        params.append(pytest.param(probe, "valid", None, None, id=f"{probe.id}-valid"))
        for kind, arg, label, value in probe.cases():
            params.append(pytest.param(probe, kind, arg, value, id=f"{probe.id}-{kind}-{arg}={label}"))
    return params


def run(probe: Probe, kind: str, arg: str | None, value: Any) -> None:
    """The body of a table test: assert the probe's case behaves as declared."""
    if kind == "valid":
        probe._call()
        return
    problem = probe.outcome(kind, arg, value)
    assert problem is None, f"{probe.id}({arg}): {problem}"


def public_callables() -> dict[str, Callable[..., Any]]:
    """Every public callable of the package: ``module.qualname`` -> object.

    Public means listed in a module's ``__all__`` (the grading package counts
    only what ``hwprune_edu.grading`` itself exports: its submodules are the
    grader's machinery, tested through the ``grade`` command; the CLI and its
    argument types, ``util.arguments``, are tested by its own sweep,
    ``tests/test_cli_sweep.py``).
    """
    import hwprune_edu

    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.walk_packages(hwprune_edu.__path__, "hwprune_edu."):
        name = info.name
        if name.endswith("__main__") or name.startswith(("hwprune_edu.course", "hwprune_edu.grading.",
                                                         "hwprune_edu.util.arguments")):
            continue
        module = importlib.import_module(name)
        for export in getattr(module, "__all__", ()):
            obj = getattr(module, export)
            if callable(obj) and getattr(obj, "__module__", "").startswith("hwprune_edu"):
                found.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return found
