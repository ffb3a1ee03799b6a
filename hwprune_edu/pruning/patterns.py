"""The sparsity-pattern vocabulary: parse a pattern name, and prune weights to a pattern at a sparsity.

One name means one thing everywhere: the sweeps prune with it, the charts
and the explorer draw it, and the hardware simulator reads a mask back as the
same :class:`Pattern` (``hwprune_edu.hardware.describe_pattern``).

Names (case-insensitive): ``"unstructured"``, ``"structured"`` (whole rows =
output neurons), ``"N:M"`` (e.g. ``"2:4"``), ``"block RxC"`` (e.g.
``"block 4x4"``; the size is always given, as 4x4 and 32x32 blocks run on
different hardware) and ``"dense"`` (nothing pruned). An N:M pattern has one
sparsity, ``1 - N/M``.

>>> import numpy as np
>>> w = np.array([[0.1, -0.9, 0.3, 0.2, 1.0, 0.0, -2.0, 0.5]])
>>> prune_to(w, "2:4").astype(int)
array([[0, 1, 1, 0, 1, 0, 1, 0]])
>>> parse_pattern("block 4x4").name, parse_pattern("1:4").fixed_sparsity
('block 4x4', 0.75)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from hwprune_edu.pruning.structured import block_mask, nm_mask, structured_mask
from hwprune_edu.pruning.unstructured import magnitude_mask
from hwprune_edu.util.validation import as_weights, check_fraction, check_int, describe

__all__ = ["PATTERN_KINDS", "PATTERN_NAMES", "Pattern", "parse_pattern", "prune_to"]

#: The kinds of pattern, from the most regular to the least.
PATTERN_KINDS = ("dense", "structured", "n:m", "block", "unstructured")

#: The pattern names a layer can be pruned with, and what each one prunes.
PATTERN_NAMES = {
    "unstructured": "single weights with the smallest |w|, anywhere in the layer (any sparsity)",
    "structured": "whole neurons (rows of W) with the smallest L1 norm, removed with the next layer's inputs",
    "N:M": "the N largest |w| of every M consecutive inputs are kept, e.g. '2:4' (sparsity 1 - N/M only)",
    "block RxC": "whole R x C tiles of W with the smallest L1 norm, e.g. 'block 4x4'",
}

_NM_RE = re.compile(r"^(\d+)\s*:\s*(\d+)$")
_BLOCK_RE = re.compile(r"^block\s*(\d+)\s*x\s*(\d+)$")
_SPARSITY_MEANING = " (a fraction of the layer's weights)"


@dataclass(frozen=True)
class Pattern:
    """A sparsity pattern: what a pruner removes, and what hardware sees in a mask.

    Attributes:
        kind: one of :data:`PATTERN_KINDS`.
        n, m: for ``"n:m"``, ``n`` kept in every group of ``m`` consecutive inputs.
        block: for ``"block"``, the ``(rows, cols)`` of a tile.

    >>> Pattern("n:m", n=2, m=4).name
    '2:4'
    >>> Pattern("block", block=(32, 32)) == parse_pattern("Block 32x32")
    True
    """

    kind: str
    n: int = 0
    m: int = 0
    block: tuple[int, int] | None = None

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in PATTERN_KINDS:
            raise ValueError(f"kind must be one of {PATTERN_KINDS}, got {describe(self.kind)}")
        if self.kind == "n:m":
            m = check_int(self.m, name="m", minimum=2)
            n = check_int(self.n, name="n", minimum=1, maximum=m - 1)  # some but not all of every group
            object.__setattr__(self, "n", n)
            object.__setattr__(self, "m", m)
        elif self.n or self.m:
            raise ValueError(f"n and m belong to an 'n:m' pattern only, got n={self.n!r}, m={self.m!r} for {self.kind!r}")
        if self.kind == "block":
            if not isinstance(self.block, (tuple, list)) or len(self.block) != 2:
                raise TypeError(f"block must be a (rows, cols) pair of ints for a 'block' pattern, got {describe(self.block)}")
            block = tuple(check_int(v, name="block", minimum=1) for v in self.block)
            object.__setattr__(self, "block", block)
        elif self.block is not None:
            raise ValueError(f"block belongs to a 'block' pattern only, got block={self.block!r} for {self.kind!r}")

    @property
    def name(self) -> str:
        """The canonical name: ``"unstructured"``, ``"structured"``, ``"2:4"``, ``"block 4x4"``, ``"dense"``."""
        if self.kind == "n:m":
            return f"{self.n}:{self.m}"
        if self.kind == "block":
            return f"block {self.block[0]}x{self.block[1]}"
        return self.kind

    @property
    def fixed_sparsity(self) -> float | None:
        """The only sparsity the pattern can have: ``1 - n/m`` for N:M, 0 for dense; ``None`` for the others."""
        if self.kind == "n:m":
            return 1.0 - self.n / self.m
        return 0.0 if self.kind == "dense" else None


def parse_pattern(pattern: Any) -> Pattern:
    """Read a pattern name (see :data:`PATTERN_NAMES`); a :class:`Pattern` passes through.

    Args:
        pattern: ``"unstructured"``, ``"structured"``, ``"N:M"`` with ``0 < N < M``,
            ``"block RxC"`` or ``"dense"`` (any case, spaces around the parts allowed).

    Returns:
        A :class:`Pattern`.

    >>> parse_pattern("2:8")
    Pattern(kind='n:m', n=2, m=8, block=None)
    >>> parse_pattern("4:4")
    Traceback (most recent call last):
    ...
    ValueError: pattern '4:4' must keep some but not all of every group (0 < N < M), got N=4, M=4
    """
    if isinstance(pattern, Pattern):
        return pattern
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a pattern name such as 'unstructured' or '2:4', got {describe(pattern)}")
    text = pattern.strip().lower()
    if text in ("unstructured", "structured", "dense"):
        return Pattern(text)
    if text == "block":
        raise ValueError(
            f"pattern {pattern!r} must give the tile size, e.g. 'block 4x4' or 'block 32x32' (rows x cols of a tile)"
        )
    nm = _NM_RE.match(text)
    if nm:
        n, m = int(nm.group(1)), int(nm.group(2))
        if not 0 < n < m:
            raise ValueError(f"pattern {pattern!r} must keep some but not all of every group (0 < N < M), got N={n}, M={m}")
        return Pattern("n:m", n=n, m=m)
    block = _BLOCK_RE.match(text)
    if block:
        rows, cols = int(block.group(1)), int(block.group(2))
        if rows < 1 or cols < 1:
            raise ValueError(f"pattern {pattern!r} must name a block of at least 1x1, got {rows}x{cols}")
        return Pattern("block", block=(rows, cols))
    raise ValueError(
        f"pattern must be one of 'unstructured', 'structured', 'N:M' (e.g. '2:4') or 'block RxC' (e.g. 'block 4x4'), "
        f"got {pattern!r}"
    )


def _target(pattern: Pattern, sparsity: Any) -> float:
    """The sparsity to prune ``pattern`` to: N:M and dense have their own; the others need one."""
    fixed = pattern.fixed_sparsity
    if fixed is not None:
        if sparsity is None:
            return fixed
        sparsity = check_fraction(sparsity, name="sparsity", meaning=_SPARSITY_MEANING)
        if not math.isclose(sparsity, fixed, abs_tol=1e-9):
            reason = (f" (it keeps {pattern.n} of every {pattern.m}: sparsity 1 - {pattern.n}/{pattern.m})"
                      if pattern.kind == "n:m" else " (nothing is pruned)")
            raise ValueError(
                f"sparsity must be {fixed:g} for pattern {pattern.name!r}{reason}, got {sparsity!r}; pass None to use it"
            )
        return fixed
    if sparsity is None:
        raise ValueError(f"sparsity is needed for pattern {pattern.name!r} (a fraction in [0, 1]), got None")
    return check_fraction(sparsity, name="sparsity", meaning=_SPARSITY_MEANING)


def prune_to(weights: Any, pattern: Any, sparsity: float | None = None) -> np.ndarray:
    """Keep mask of ``weights`` pruned with ``pattern`` to ``sparsity`` (the fraction of weights pruned).

    ``"unstructured"`` is :func:`~hwprune_edu.pruning.magnitude_mask`,
    ``"structured"`` is :func:`~hwprune_edu.pruning.structured_mask` on rows
    (axis 0, L1 norm), ``"N:M"`` is :func:`~hwprune_edu.pruning.nm_mask` along
    the inputs (axis 1), ``"block RxC"`` is
    :func:`~hwprune_edu.pruning.block_mask` and ``"dense"`` keeps everything.
    Counts round as in those functions (``round(sparsity * n)`` weights, rows
    or blocks).

    Args:
        weights: a 2-D ``(out, in)`` (or conv ``(out, in, kh, kw)``) weight; not modified.
        pattern: a pattern name (see :data:`PATTERN_NAMES`) or a :class:`Pattern`.
        sparsity: fraction in [0, 1] to prune; for N:M (and dense), ``None`` or exactly its own sparsity.

    Returns:
        A new boolean keep mask of the weights' shape (True = keep).

    >>> w = np.array([[4.0, 3.0, 2.0, 1.0], [0.1, 0.2, 0.3, 0.4]])
    >>> prune_to(w, "structured", 0.5).astype(int).tolist()
    [[1, 1, 1, 1], [0, 0, 0, 0]]
    >>> prune_to(w, "unstructured", 0.5).astype(int).tolist()
    [[1, 1, 1, 1], [0, 0, 0, 0]]
    >>> prune_to(w, "1:4").astype(int).tolist()
    [[1, 0, 0, 0], [0, 0, 0, 1]]
    """
    spec = parse_pattern(pattern)
    target = _target(spec, sparsity)
    w = as_weights(weights, ndim=(2, 4))
    if spec.kind == "unstructured":
        return magnitude_mask(w, target)
    if spec.kind == "structured":
        return structured_mask(w, target, axis=0)
    if spec.kind == "n:m":
        return nm_mask(w, spec.n, spec.m, axis=1)
    if spec.kind == "block":
        return block_mask(w, target, block=spec.block)
    return np.ones(w.shape, bool)
