"""The inputs every check runs on: a few fixed public cases, then seeded random hidden ones.

Hidden cases deliberately include what naive code gets wrong: ties at the
cut, a single element, non-square and conv-shaped ``(out, in, kh, kw)``
weights, amounts ``0`` and ``1.0``, int counts next to float fractions,
float32 inputs, negative weights. Fractions are chosen so that
``amount * n`` is never near ``x.5``: the rounding convention there is a
matter of taste (torch's ``round`` vs ``floor(x + 0.5)``), and no correct
answer may be rejected for it.

The same ``seed`` always gives the same cases; the notebooks use seed 0 and
the batch grader draws its own.

>>> cases = make_cases("magnitude_mask", seed=0)
>>> cases[0].name, sorted(cases[0].arguments)
('public 1', ['amount', 'weights'])
>>> len(cases) == len(make_cases("magnitude_mask", seed=0)) and any("ties" in c.name for c in cases)
True
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = ["CaseSpec", "make_cases", "show_input", "GENERATORS"]


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


# ---------------------------------------------------------------- value makers

def _distinct(rng: np.random.Generator, shape: tuple, scale: float = 0.1) -> np.ndarray:
    """Tie-free magnitudes (a permutation of scale, 2*scale, ...) with random signs."""
    n = int(np.prod(shape))
    magnitudes = (rng.permutation(n) + 1) * scale
    signs = rng.choice([-1.0, 1.0], size=n)
    return np.round(magnitudes * signs, 6).reshape(shape)


def _tied(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """Few distinct magnitudes (multiples of 0.5 up to 1.5, zeros too): ties everywhere."""
    return rng.integers(-3, 4, size=shape) * 0.5


def _fraction(rng: np.random.Generator, n: int) -> float:
    """A fraction in (0, 1) with ``amount * n`` at least 0.15 away from ``x.5``."""
    candidates = [a for a in (0.2, 0.25, 0.3, 0.4, 0.6, 0.7, 0.75, 0.8, 0.9)
                  if abs((a * n) % 1 - 0.5) > 0.15 and 0 < round(a * n) < n]
    return float(rng.choice(candidates)) if candidates else 0.5 if n % 2 == 0 else 0.0


def _tie_at_cut(rng: np.random.Generator, magnitudes: np.ndarray) -> int:
    """A count ``k`` such that the k-th and (k+1)-th smallest magnitudes are equal."""
    ordered = np.sort(magnitudes.ravel())
    ks = [k for k in range(1, ordered.size) if ordered[k - 1] == ordered[k]]
    return int(rng.choice(ks)) if ks else ordered.size // 2


def _amount(rng: np.random.Generator, n: int) -> int | float:
    return int(rng.integers(1, n)) if rng.random() < 0.4 and n > 1 else _fraction(rng, n)


def _case(name: str, public: bool = False, *, kw: tuple = (), extra: dict | None = None, **arguments) -> CaseSpec:
    return CaseSpec(name, arguments, kw, public, extra or {})


def _numbered(cases: list[CaseSpec]) -> list[CaseSpec]:
    """Name cases 'public 1', 'public 2', ..., 'hidden 1 (ties)', ... in order."""
    counters = {True: 0, False: 0}
    for case in cases:
        counters[case.public] += 1
        label = "public" if case.public else "hidden"
        tag = f" ({case.name})" if case.name else ""
        case.name = f"{label} {counters[case.public]}{tag}"
    return cases


# ---------------------------------------------------------------- unstructured

def _threshold_mask(rng: np.random.Generator) -> list[CaseSpec]:
    blog = np.array([[0.05, -0.5, 0.1], [0.3, -0.1, 0.0], [0.2, -0.25, 1.0]])
    tied = _tied(rng, (5, 5))
    return [
        _case("", True, weights=blog, threshold=0.1),
        _case("", True, weights=np.array([-2.0, 0.5, 3.0, -0.7]), threshold=1.0),
        _case("random", weights=np.round(rng.standard_normal((4, 6)), 3), threshold=0.5),
        _case("ties at the threshold", weights=tied, threshold=0.5),
        _case("1 element", weights=np.array([[0.3]]), threshold=0.3),
        _case("1 element", weights=np.array([-0.31]), threshold=0.3),
        _case("conv 4-D", weights=np.round(rng.standard_normal((4, 3, 3, 3)), 3), threshold=0.8),
        _case("threshold 0", weights=_tied(rng, (3, 4)), threshold=0.0),
        _case("float32", weights=_tied(rng, (3, 3)).astype(np.float32) / 2, threshold=0.25),
        _case("everything pruned", weights=np.round(rng.uniform(-0.09, 0.09, (2, 5)), 3), threshold=0.1),
        _case("negative weights", weights=-np.abs(_distinct(rng, (3, 4))), threshold=0.6),
    ]


def _magnitude_mask(rng: np.random.Generator) -> list[CaseSpec]:
    tied = _tied(rng, (6, 6))
    tied2 = _tied(rng, (5, 4))
    conv = _distinct(rng, (4, 2, 3, 3), scale=0.01)
    return [
        _case("", True, weights=np.array([[0.9, -0.1, 0.4], [0.05, -2.0, 0.3], [0.7, -0.6, 0.2]]), amount=0.3),
        _case("ties", True, weights=np.array([0.5, -0.5, 0.2, 0.5, 1.0]), amount=2),
        _case("int count, non-square", True, weights=np.array([[0.3, -1.0, 0.8, 0.1], [-0.2, 0.6, -0.05, 2.0]]),
              amount=3),
        _case("random", weights=_distinct(rng, (4, 5)), amount=_fraction(rng, 20)),
        _case("random", weights=_distinct(rng, (5, 3)), amount=int(rng.integers(2, 14))),
        _case("ties", weights=tied, amount=_tie_at_cut(rng, np.abs(tied))),
        _case("ties, fraction", weights=tied2, amount=_fraction(rng, 20)),
        _case("1 element, amount 0", weights=np.array([[0.7]]), amount=0.0),
        _case("1 element, amount 1.0", weights=np.array([[0.7]]), amount=1.0),
        _case("1 element, count 1", weights=np.array([-0.7]), amount=1),
        _case("conv 4-D", weights=conv, amount=0.75),
        _case("amount 0", weights=_distinct(rng, (3, 4)), amount=0.0),
        _case("count 0", weights=_distinct(rng, (3, 3)), amount=0),
        _case("amount 1.0", weights=_distinct(rng, (2, 3)), amount=1.0),
        _case("non-square", weights=_distinct(rng, (3, 7)), amount=int(rng.integers(2, 19))),
        _case("float32", weights=_distinct(rng, (4, 4)).astype(np.float32), amount=_fraction(rng, 16)),
        _case("all equal", weights=np.full((2, 4), -0.5), amount=0.5),
        _case("1-D", weights=_distinct(rng, (10,)), amount=0.3),
    ]


def _global_magnitude_masks(rng: np.random.Generator) -> list[CaseSpec]:
    public = [np.array([[0.3, -1.2, 0.05], [0.8, -0.2, 0.6]]), np.array([[0.1, 2.0], [-0.4, 0.9], [0.7, -0.15]])]
    scaled = _distinct(rng, (3, 8))
    three = [scaled[0].reshape(2, 4) * 10, scaled[1].reshape(4, 2), scaled[2].reshape(8, 1) / 10]
    mixed = _distinct(rng, (4 * 2 * 2 * 2 + 12 + 1,), scale=0.01)
    conv_and_linear = [mixed[:32].reshape(4, 2, 2, 2), mixed[32:44].reshape(3, 4), mixed[44:].reshape(1, 1)]
    tied = [_tied(rng, (3, 3)), _tied(rng, (2, 5))]
    return [
        _case("", True, weights_list=public, amount=0.5),
        _case("ties across layers", True, weights_list=[np.array([0.5, 0.1, 0.5]), np.array([[0.5, 2.0]])], amount=2),
        _case("layers of different scales", weights_list=three, amount=_fraction(rng, 24)),
        _case("conv + linear + 1 element", weights_list=conv_and_linear, amount=int(rng.integers(5, 40))),
        _case("ties", weights_list=tied,
              amount=_tie_at_cut(rng, np.concatenate([np.abs(t).ravel() for t in tied]))),
        _case("amount 0", weights_list=[_distinct(rng, (2, 2)), _distinct(rng, (3,))], amount=0.0),
        _case("amount 1.0", weights_list=[_distinct(rng, (2, 2)), _distinct(rng, (3,))], amount=1.0),
        _case("one layer", weights_list=[_distinct(rng, (3, 5))], amount=_fraction(rng, 15)),
        _case("float32", weights_list=[_distinct(rng, (2, 3)).astype(np.float32),
                                       (_distinct(rng, (4, 2)) * 3).astype(np.float32)], amount=0.4),
    ]


# ---------------------------------------------------------------- structured

def _structured_mask(rng: np.random.Generator) -> list[CaseSpec]:
    kw = ("axis", "norm")
    # L1 and L2 rank these rows differently: [3,0,0,0] has L1 3, L2 3; [0.9]*4 has L1 3.6, L2 1.8.
    l1_vs_l2 = np.array([[3.0, 0.0, 0.0, 0.0], [0.9, -0.9, 0.9, -0.9], [2.0, 2.0, 1.5, -2.0], [0.1, 0.2, -0.1, 0.3]])
    tied = np.array([[0.5, -1.0, 0.2], [1.0, 0.2, -0.5], [0.3, 0.3, 0.3], [-0.2, 0.5, 1.0]])
    return [
        _case("", True, kw=kw, weights=np.array([[0.5, -0.2, 0.1], [2.0, 0.1, -1.0], [-0.1, 0.05, 0.1], [1.0, 1.0, -1.0]]),
              amount=2, axis=0, norm=1),
        _case("columns, L2", True, kw=kw, weights=np.array([[1.0, 0.1, -2.0, 0.3], [0.5, -0.2, 0.1, 0.2],
                                                         [-1.0, 0.1, 0.4, -0.3]]), amount=0.5, axis=1, norm=2),
        _case("L1 and L2 disagree", kw=kw, weights=l1_vs_l2, amount=2, axis=0, norm=1),
        _case("L1 and L2 disagree", kw=kw, weights=l1_vs_l2, amount=2, axis=0, norm=2),
        _case("random", kw=kw, weights=_distinct(rng, (5, 6)), amount=_fraction(rng, 5), axis=0, norm=1),
        _case("conv 4-D filters", kw=kw, weights=_distinct(rng, (6, 3, 2, 2), 0.01), amount=0.5, axis=0, norm=1),
        _case("conv 4-D input channels", kw=kw, weights=_distinct(rng, (4, 4, 2, 2), 0.01), amount=1, axis=1, norm=2),
        _case("ties", kw=kw, weights=tied, amount=2, axis=0, norm=1),
        _case("1 slice, amount 0", kw=kw, weights=np.array([[0.5, -1.0, 0.2, 0.1]]), amount=0.0, axis=0, norm=1),
        _case("1 slice, amount 1.0", kw=kw, weights=np.array([[0.5, -1.0, 0.2, 0.1]]), amount=1.0, axis=0, norm=1),
        _case("amount 1.0", kw=kw, weights=_distinct(rng, (3, 4)), amount=1.0, axis=1, norm=1),
        _case("non-square", kw=kw, weights=_distinct(rng, (7, 3)), amount=0.3, axis=0, norm=2),
        _case("float32", kw=kw, weights=_distinct(rng, (4, 5)).astype(np.float32), amount=2, axis=0, norm=1),
    ]


def _nm_mask(rng: np.random.Generator) -> list[CaseSpec]:
    kw = ("axis",)
    return [
        _case("", True, kw=kw, weights=np.array([[0.1, -0.9, 0.3, 0.2, 1.0, 0.5, -0.4, 0.05],
                                               [-0.6, 0.7, 0.2, -0.1, 0.3, -0.35, 0.8, 0.9]]), n=2, m=4, axis=1),
        _case("ties", True, kw=kw, weights=np.array([[0.5, 0.5, -0.5, 0.1], [1.0, 1.0, 1.0, 1.0]]), n=2, m=4, axis=1),
        _case("1:4", kw=kw, weights=_distinct(rng, (3, 8)), n=1, m=4, axis=1),
        _case("2:3", kw=kw, weights=_distinct(rng, (4, 6)), n=2, m=3, axis=1),
        _case("conv 4-D, groups over input channels", kw=kw, weights=_distinct(rng, (2, 8, 3, 3), 0.01), n=2, m=4, axis=1),
        _case("groups along axis 0", kw=kw, weights=_distinct(rng, (8, 4)), n=2, m=4, axis=0),
        _case("0:4", kw=kw, weights=_distinct(rng, (2, 4)), n=0, m=4, axis=1),
        _case("4:4", kw=kw, weights=_distinct(rng, (2, 4)), n=4, m=4, axis=1),
        _case("ties", kw=kw, weights=_tied(rng, (4, 8)), n=2, m=4, axis=1),
        _case("1 group", kw=kw, weights=np.array([[-0.3, 0.1, 0.2, -0.4]]), n=2, m=4, axis=1),
        _case("float32", kw=kw, weights=_distinct(rng, (3, 4)).astype(np.float32), n=2, m=4, axis=1),
        _case("1-D", kw=kw, weights=_distinct(rng, (8,)), n=2, m=4, axis=0),
    ]


def _block_mask(rng: np.random.Generator) -> list[CaseSpec]:
    kw = ("block",)
    return [
        _case("", True, kw=kw, weights=_distinct(np.random.default_rng(7), (4, 8)), amount=3, block=(2, 2)),
        _case("ties", True, kw=kw, weights=np.array([[1.0, 1.0, 0.5, 0.5], [1.0, 1.0, 0.5, 0.5],
                                                  [0.5, 0.5, 1.0, 1.0], [0.5, 0.5, 1.0, 1.0]]), amount=0.5, block=(2, 2)),
        _case("tall blocks", kw=kw, weights=_distinct(rng, (6, 4)), amount=0.5, block=(3, 2)),
        _case("wide blocks", kw=kw, weights=_distinct(rng, (6, 6)), amount=2, block=(2, 3)),
        _case("conv 4-D", kw=kw, weights=_distinct(rng, (4, 2, 2, 2), 0.01), amount=0.5, block=(2, 4)),
        _case("amount 0", kw=kw, weights=_distinct(rng, (4, 4)), amount=0.0, block=(2, 2)),
        _case("amount 1.0", kw=kw, weights=_distinct(rng, (4, 4)), amount=1.0, block=(2, 2)),
        _case("1 block", kw=kw, weights=_distinct(rng, (2, 2)), amount=1, block=(2, 2)),
        _case("ties", kw=kw, weights=_tied(rng, (4, 6)), amount=2, block=(2, 2)),
        _case("4x4 blocks", kw=kw, weights=_distinct(rng, (8, 8), 0.01), amount=0.75, block=(4, 4)),
        _case("1x1 blocks", kw=kw, weights=_distinct(rng, (2, 3)), amount=2, block=(1, 1)),
    ]


# ---------------------------------------------------------------- activations

def _neuron_scores(rng: np.random.Generator) -> list[CaseSpec]:
    relu = lambda shape: np.maximum(np.round(rng.standard_normal(shape), 2), 0)  # noqa: E731
    cancel = np.array([[1.0, 0.5, -2.0], [-1.0, 0.5, 2.0], [1.0, 0.0, -2.0], [-1.0, 0.5, 2.0]])
    return [
        _case("", True, activations=np.array([[0.0, 2.0], [0.0, -4.0], [1.0, 0.0]]), method="mean_abs"),
        _case("APoZ after ReLU", True, activations=np.array([[0.0, 1.5, 0.2], [0.0, 0.0, 0.1], [0.0, 2.0, 0.0],
                                                              [0.0, 0.5, 0.3]]), method="apoz"),
        _case("signs that cancel", activations=cancel, method="mean_abs"),
        _case("random", activations=np.round(rng.standard_normal((5, 4)), 2), method="mean_abs"),
        _case("rms", activations=np.round(rng.standard_normal((6, 3)), 2), method="rms"),
        _case("APoZ", activations=relu((7, 4)), method="apoz"),
        _case("conv 4-D", activations=np.round(rng.standard_normal((3, 2, 4, 4)), 2), method="mean_abs"),
        _case("conv 4-D rms", activations=np.round(rng.standard_normal((2, 3, 2, 2)), 2), method="rms"),
        _case("conv 4-D APoZ", activations=relu((3, 2, 3, 3)), method="apoz"),
        _case("1 sample", activations=np.array([[0.5, -1.5, 0.0]]), method="mean_abs"),
        _case("non-square", activations=np.round(rng.standard_normal((8, 2)), 2), method="rms"),
        _case("float32", activations=np.round(rng.standard_normal((4, 5)), 2).astype(np.float32), method="mean_abs"),
    ]


def _mlp(rng: np.random.Generator, sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.round(rng.standard_normal((n_out, n_in)), 2), np.round(rng.standard_normal(n_out), 2))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _keep(rng: np.random.Generator, n: int) -> np.ndarray:
    keep = rng.random(n) < 0.6
    keep[rng.integers(n)] = True
    return keep


def _dead_network(rng: np.random.Generator) -> tuple[list, np.ndarray, np.ndarray]:
    """A 3 -> 5 -> 2 ReLU MLP whose hidden neurons 1 and 3 never fire on non-negative inputs."""
    layers = _mlp(rng, [3, 5, 2])
    w0, b0 = layers[0]
    w0 = w0.copy()
    b0 = b0.copy()
    w0[[1, 3]] = -np.abs(w0[[1, 3]])
    b0[[1, 3]] = -np.abs(b0[[1, 3]]) - 0.1
    x = np.round(rng.uniform(0, 1, (6, 3)), 2)
    keep = np.array([True, False, True, False, True])
    return [(w0, b0), layers[1]], x, keep


def _remove_neurons(rng: np.random.Generator) -> list[CaseSpec]:
    public = [(np.array([[0.5, -1.0], [0.2, 0.3], [-0.7, 0.8]]), np.array([0.1, 0.0, -0.2])),
              (np.array([[1.0, 2.0, 3.0]]), np.array([0.5]))]
    deep = _mlp(rng, [4, 5, 3, 2])
    dead_layers, x, dead_keep = _dead_network(rng)
    return [
        _case("", True, layers=public, layer_index=0, keep=np.array([True, False, True])),
        _case("middle layer", layers=deep, layer_index=1, keep=_keep(rng, 3)),
        _case("first of three layers", layers=deep, layer_index=0, keep=_keep(rng, 5)),
        _case("keep everything", layers=_mlp(rng, [2, 3, 2]), layer_index=0, keep=np.ones(3, dtype=bool)),
        _case("keep one", layers=_mlp(rng, [3, 4, 1]), layer_index=0, keep=np.array([False, False, True, False])),
        _case("dead neurons: outputs must not change", layers=dead_layers, layer_index=0, keep=dead_keep,
              extra={"x": x}),
    ]


def _weight_pruning(rng: np.random.Generator) -> list[CaseSpec]:
    blog = np.array([[0.55, 0.07, 0.6], [0.54, 0.42, 0.65], [0.44, 0.09, 0.96]])
    ragged = [_distinct(rng, (4, 3)), _distinct(rng, (2, 4)), _distinct(rng, (1, 2))]
    return [
        _case("the blog's example", True, network={"weights": blog, "threshold": 0.1}, threshold=0.1),
        _case("two layers", True, network={"weights": [np.array([[0.3, -0.05, 0.2], [-0.5, 0.01, 0.15]]),
                                                        np.array([[0.12, -0.08]])]}, threshold=0.1),
        _case("layers of different shapes", network={"weights": ragged}, threshold=0.45),
        _case("weights equal to the threshold", network={"weights": [_tied(rng, (3, 4)), _tied(rng, (2, 3))]},
              threshold=0.5),
        _case("negative weights", network={"weights": -np.abs(_distinct(rng, (3, 3)))}, threshold=0.35),
        _case("threshold 0", network={"weights": [_tied(rng, (2, 2))]}, threshold=0.0),
        _case("1 element", network={"weights": [np.array([[0.2]]), np.array([[-0.7]])]}, threshold=0.3),
        _case("conv 4-D layer", network={"weights": [_distinct(rng, (2, 2, 3, 3), 0.01), _distinct(rng, (3, 4), 0.1)]},
              threshold=0.2),
    ]


def _activation_network(rng: np.random.Generator, sizes: list[int], samples: int, dead: dict[int, list[int]],
                        signed: bool = False) -> dict:
    layers = _mlp(rng, sizes)
    acts = []
    for i, (w, _) in enumerate(layers[:-1]):
        a = np.round(rng.uniform(0.2, 1.5, (samples, w.shape[0])), 2)
        if signed:
            a *= rng.choice([-1.0, 1.0], size=a.shape)
        a[:, dead.get(i, [])] = np.round(rng.uniform(0, 0.05, (samples, len(dead.get(i, [])))), 3)
        acts.append(a)
    return {"weights": [w for w, _ in layers], "biases": [b for _, b in layers], "activations": acts}


def _activation_pruning(rng: np.random.Generator) -> list[CaseSpec]:
    public = {
        "weights": [np.array([[0.5, -1.0], [0.2, 0.3], [-0.7, 0.8]]), np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.1]])],
        "biases": [np.array([0.1, 0.0, -0.2]), np.array([0.5, 0.0])],
        "activations": [np.array([[1.0, 0.0, 0.4], [2.0, 0.1, 0.6], [1.5, 0.0, 0.8]])],
    }
    signs = _activation_network(rng, [3, 4, 2], 4, {0: [2]})
    signs["activations"][0][:, 1] = [1.0, -1.0, 1.0, -1.0]  # signed mean 0, mean |a| 1: a busy neuron
    boundary = _activation_network(rng, [2, 4, 1], 2, {0: [0, 1]})
    boundary["activations"][0][:, 0] = [0.25, -0.25]  # mean |a| exactly at the threshold: removed
    return [
        _case("", True, network=public, activation_threshold=0.05),
        _case("one dead neuron in a busy layer", network=_activation_network(rng, [4, 6, 3], 5, {0: [2]}),
              activation_threshold=0.1),
        _case("activations of both signs", network=signs, activation_threshold=0.1),
        _case("three layers", network=_activation_network(rng, [3, 5, 4, 2], 6, {0: [0, 4], 1: [1]}, signed=True),
              activation_threshold=0.1),
        _case("mean |a| equal to the threshold", network=boundary, activation_threshold=0.25),
        _case("nothing to remove", network=_activation_network(rng, [2, 3, 2], 3, {}), activation_threshold=0.1),
    ]


# ---------------------------------------------------------------- hardware

def _gemm_dims(rng: np.random.Generator) -> dict:
    return {"m": int(rng.integers(1, 65)), "n": int(rng.integers(1, 4097)), "k": int(rng.integers(1, 4097))}


def _gemm_macs(rng: np.random.Generator) -> list[CaseSpec]:
    return [
        _case("", True, m=2, n=3, k=4),
        _case("batch 1", True, m=1, n=1024, k=1024),
        *[_case("random", **_gemm_dims(rng)) for _ in range(3)],
        _case("1 x 1 x 1", m=1, n=1, k=1),
        _case("large", m=4096, n=4096, k=4096),
        _case("non-square", m=int(rng.integers(2, 9)), n=int(rng.integers(10, 99)), k=int(rng.integers(100, 999))),
    ]


def _gemm_bytes(rng: np.random.Generator) -> list[CaseSpec]:
    kw = ("bytes_per_element",)
    return [
        _case("", True, kw=kw, m=2, n=3, k=4, bytes_per_element=4),
        _case("GEMV, fp16", True, kw=kw, m=1, n=1024, k=1024, bytes_per_element=2),
        *[_case(label, kw=kw, **_gemm_dims(rng), bytes_per_element=bpe)
          for label, bpe in (("fp32", 4), ("fp16", 2), ("int8", 1), ("fp32", 4))],
        _case("1 x 1 x 1", kw=kw, m=1, n=1, k=1, bytes_per_element=4),
        _case("square, int8", kw=kw, m=512, n=512, k=512, bytes_per_element=1),
    ]


def _gemm_arithmetic_intensity(rng: np.random.Generator) -> list[CaseSpec]:
    cases = _gemm_bytes(rng)
    cases[0:2] = [_case("", True, kw=("bytes_per_element",), m=1, n=1024, k=1024, bytes_per_element=4),
                  _case("square", True, kw=("bytes_per_element",), m=1024, n=1024, k=1024, bytes_per_element=4)]
    return cases


def _roofline_latency(rng: np.random.Generator) -> list[CaseSpec]:
    from hwprune_edu.hardware import gemm_bytes, gemm_macs, get_profile

    def from_profile(label: str, profile: str, m: int, n: int, k: int) -> CaseSpec:
        hw = get_profile(profile)
        # 2 FLOPs per MAC; bytes at the profile's weight precision.
        return _case(label, flops=2.0 * gemm_macs(m, n, k),
                     bytes_moved=float(gemm_bytes(m, n, k, bytes_per_element=hw.weight_bits / 8)),
                     peak_flops=2 * hw.peak_macs_per_s, bandwidth_bytes_per_s=hw.memory_bandwidth_bytes_per_s)

    return [
        _case("compute-bound", True, flops=2e9, bytes_moved=1e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
        _case("memory-bound", True, flops=2e6, bytes_moved=4e6, peak_flops=1e12, bandwidth_bytes_per_s=1e10),
        from_profile("cpu-avx2, batch 1", "cpu-avx2", 1, 1024, 1024),
        from_profile("cpu-avx2, batch 256", "cpu-avx2", 256, 1024, 1024),
        from_profile("gpu-ampere, random", "gpu-ampere", **_gemm_dims(rng)),
        from_profile("npu-systolic, large", "npu-systolic", 4096, 4096, 4096),
        from_profile("mcu-m4, random", "mcu-m4", **_gemm_dims(rng)),
        _case("no bytes", flops=1e9, bytes_moved=0.0, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
        _case("no flops", flops=0.0, bytes_moved=3e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
    ]


def _systolic_cycles(rng: np.random.Generator) -> list[CaseSpec]:
    return [
        _case("one fold", True, m=1, n=256, k=256, rows=256, cols=256),
        _case("two folds along K", True, m=16, n=256, k=512, rows=256, cols=256),
        _case("one column too many", m=1, n=257, k=256, rows=256, cols=256),
        _case("rectangular array", m=8, n=100, k=300, rows=128, cols=64),
        _case("1 x 1 x 1", m=1, n=1, k=1, rows=4, cols=4),
        _case("exact multiples", m=64, n=512, k=512, rows=128, cols=128),
        *[_case("random", **_gemm_dims(rng), rows=int(rng.choice([32, 64, 128, 256])),
                cols=int(rng.choice([16, 32, 64, 128]))) for _ in range(3)],
    ]


#: exercise id -> function(rng) returning its cases (public first).
GENERATORS: dict[str, Callable[[np.random.Generator], list[CaseSpec]]] = {
    "threshold_mask": _threshold_mask,
    "magnitude_mask": _magnitude_mask,
    "global_magnitude_masks": _global_magnitude_masks,
    "structured_mask": _structured_mask,
    "nm_mask": _nm_mask,
    "block_mask": _block_mask,
    "neuron_scores": _neuron_scores,
    "remove_neurons": _remove_neurons,
    "weight_pruning": _weight_pruning,
    "activation_pruning": _activation_pruning,
    "gemm_macs": _gemm_macs,
    "gemm_bytes": _gemm_bytes,
    "gemm_arithmetic_intensity": _gemm_arithmetic_intensity,
    "roofline_latency": _roofline_latency,
    "systolic_cycles": _systolic_cycles,
}


def make_cases(name: str, seed: int = 0) -> list[CaseSpec]:
    """The cases of exercise ``name`` for ``seed``: public ones (fixed) then hidden ones (seeded).

    Args:
        name: an exercise id with a generator in :data:`GENERATORS`.
        seed: picks the hidden cases; public cases never change.

    Returns:
        A list of :class:`CaseSpec`, named ``"public 1"``, ..., ``"hidden 1 (ties)"``, ...
    """
    if name not in GENERATORS:
        raise ValueError(f"name must be one of {sorted(GENERATORS)}, got {name!r}")
    # Each exercise draws from its own stream, so adding a case to one leaves the others alone.
    rng = np.random.default_rng([int(seed), zlib.crc32(name.encode())])
    return _numbered(GENERATORS[name](rng))
