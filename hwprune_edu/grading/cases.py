"""The inputs a check runs on: :class:`CaseSpec`, and the value makers several exercises draw their cases with.

Each exercise (in :mod:`hwprune_edu.grading.exercises`) lists a few fixed
public cases, then seeded random hidden ones that deliberately include what
naive code gets wrong: ties at the cut, a single element, non-square and
conv-shaped ``(out, in, kh, kw)`` weights, amounts ``0`` and ``1.0``, int
counts next to float fractions, float32 inputs, negative weights. Fractions
are chosen so that ``amount * n`` is never near ``x.5``: the rounding
convention there is a matter of taste (torch's ``round`` vs
``floor(x + 0.5)``), and no correct answer may be rejected for it.

>>> rng = np.random.default_rng(0)
>>> spec = case("ties", weights=tied(rng, (2, 2)), amount=1)
>>> spec.name, sorted(spec.arguments), spec.public
('ties', ['amount', 'weights'], False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CaseSpec", "show_input", "case", "numbered", "distinct", "tied", "fraction", "rounding_fraction",
           "tie_at_cut", "mlp", "gemm_dims"]


@dataclass
class CaseSpec:
    """One input: named arguments, which of them are keyword-only, and judge-only extras.

    Attributes:
        name: ``"public 2 (ties)"``, ``"hidden 7 (conv 4-D)"``...
        arguments: argument name -> value, in call order.
        keyword_only: names passed by keyword (``axis``, ``norm``, ``block``).
        public: whether the case is one of the fixed public ones.
        extra: data for the judge only (never passed to the learner).
    """

    name: str
    arguments: dict
    keyword_only: tuple = ()
    public: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def args(self) -> tuple:
        """Positional arguments, in order."""
        return tuple(v for k, v in self.arguments.items() if k not in self.keyword_only)

    @property
    def kwargs(self) -> dict:
        """Keyword-only arguments."""
        return {k: v for k, v in self.arguments.items() if k in self.keyword_only}

    @property
    def tags(self) -> str:
        """The words in parentheses of the name, e.g. ``"ties"``."""
        return self.name.partition("(")[2].rstrip(")")

    def show(self) -> str:
        """The input, printed small."""
        return show_input(self.arguments)


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=3, threshold=36, edgeitems=2, max_line_width=10_000,
                               separator=", ", suppress_small=True)
        text = " ".join(text.split())
        dtype = "" if value.dtype in (np.float64, np.bool_) else f", dtype={value.dtype}"
        shape = f" (shape {value.shape})" if value.size > 36 or value.ndim > 2 else ""
        return f"{text}{dtype}{shape}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_fmt(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def show_input(arguments: dict, limit: int = 400) -> str:
    """``name=value, ...`` with arrays printed compactly, cut at ``limit`` characters.

    >>> show_input({"weights": np.array([[1.0, -0.5]]), "amount": 1})
    'weights=[[ 1. , -0.5]], amount=1'
    """
    text = ", ".join(f"{k}={_fmt(v)}" for k, v in arguments.items())
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def case(name: str, public: bool = False, *, kw: tuple = (), extra: dict | None = None, **arguments) -> CaseSpec:
    """A :class:`CaseSpec` named by its tag (``""`` or ``"ties"``); :func:`numbered` adds "public 1", "hidden 3"."""
    return CaseSpec(name, arguments, kw, public, extra or {})


def numbered(cases: list[CaseSpec]) -> list[CaseSpec]:
    """Name cases 'public 1', 'public 2', ..., 'hidden 1 (ties)', ... in order (the specs are renamed in place).

    >>> [c.name for c in numbered([case("", True), case("ties")])]
    ['public 1', 'hidden 1 (ties)']
    """
    counters = {True: 0, False: 0}
    for spec in cases:
        counters[spec.public] += 1
        label = "public" if spec.public else "hidden"
        tag = f" ({spec.name})" if spec.name else ""
        spec.name = f"{label} {counters[spec.public]}{tag}"
    return cases


# ---------------------------------------------------------------- value makers

def distinct(rng: np.random.Generator, shape: tuple, scale: float = 0.1) -> np.ndarray:
    """Tie-free magnitudes (a permutation of scale, 2*scale, ...) with random signs."""
    n = int(np.prod(shape))
    magnitudes = (rng.permutation(n) + 1) * scale
    signs = rng.choice([-1.0, 1.0], size=n)
    return np.round(magnitudes * signs, 6).reshape(shape)


def tied(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Few distinct magnitudes (multiples of 0.5 up to 1.5, zeros too): ties everywhere."""
    return rng.integers(-3, 4, size=shape) * 0.5


def fraction(rng: np.random.Generator, n: int) -> float:
    """A fraction in (0, 1) with ``amount * n`` at least 0.15 away from ``x.5``."""
    candidates = [a for a in (0.2, 0.25, 0.3, 0.4, 0.6, 0.7, 0.75, 0.8, 0.9)
                  if abs((a * n) % 1 - 0.5) > 0.15 and 0 < round(a * n) < n]
    return float(rng.choice(candidates)) if candidates else 0.5 if n % 2 == 0 else 0.0


def rounding_fraction(rng: np.random.Generator, n: int, *, up: bool = True) -> float:
    """A fraction whose ``amount * n`` ends in .65 to .85 (``up``: round != floor) or .15 to .35 (round != ceil).

    Such a case tells ``round(amount * n)`` from ``int(amount * n)`` (or ``ceil``) while staying well away
    from ``x.5``, where the rounding convention is a matter of taste.

    >>> a = rounding_fraction(np.random.default_rng(0), 9)
    >>> round(a * 9) == int(a * 9) + 1
    True
    """
    low, high = (0.65, 0.85) if up else (0.15, 0.35)
    candidates = [a / 100 for a in range(5, 96, 5) if low <= (a / 100 * n) % 1 <= high and 0 < round(a / 100 * n) < n]
    if not candidates:
        raise ValueError(f"n must allow such a fraction (n >= 3), got {n}")
    return float(rng.choice(candidates))


def tie_at_cut(rng: np.random.Generator, magnitudes: np.ndarray) -> int:
    """A count ``k`` such that the k-th and (k+1)-th smallest magnitudes are equal."""
    ordered = np.sort(magnitudes.ravel())
    ks = [k for k in range(1, ordered.size) if ordered[k - 1] == ordered[k]]
    return int(rng.choice(ks)) if ks else ordered.size // 2


def mlp(rng: np.random.Generator, sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(W, b)`` pairs of an MLP with layer widths ``sizes``, W as ``(out, in)``, values rounded to 0.01."""
    return [(np.round(rng.standard_normal((n_out, n_in)), 2), np.round(rng.standard_normal(n_out), 2))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def gemm_dims(rng: np.random.Generator) -> dict:
    """Random GEMM sizes: a batch ``m`` up to 64, ``n`` and ``k`` up to 4096."""
    return {"m": int(rng.integers(1, 65)), "n": int(rng.integers(1, 4097)), "k": int(rng.integers(1, 4097))}
