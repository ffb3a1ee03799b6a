"""Read a sparsity pattern from a keep-mask: dense, structured, N:M, block or unstructured.

Hardware can only exploit a pattern it can *see* in how the weights are stored,
so the simulator is never told the pattern: it reads it from the mask. Masks
are 2-D ``(out, in)`` as in PyTorch; a conv mask ``(out_ch, in_ch, kh, kw)`` is
read as its im2col matrix ``(out_ch, in_ch*kh*kw)``, so N:M groups run along
the flattened input dimension ``K``.

>>> import numpy as np
>>> two_four = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (2, 2))  # 2 of every 4 inputs kept
>>> describe_pattern(two_four).kind, describe_pattern(two_four).n
('n:m', 2)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from hwprune_edu.util.validation import describe

__all__ = ["Pattern", "describe_pattern", "PATTERN_KINDS"]

PATTERN_KINDS = ("dense", "structured", "n:m", "block", "unstructured")
# Groups sizes tried for N:M, smallest first so 2:4 is reported as 2:4, not 4:8.
_NM_GROUPS = (4, 8, 16, 32)
# Square block edges tried, largest first so the coarsest true block is reported.
_BLOCK_EDGES = (64, 32, 16, 8, 4, 2)
_CACHE_SIZE = 512


@dataclass(frozen=True)
class Pattern:
    """What a keep-mask looks like to hardware.

    Attributes:
        kind: one of ``"dense"``, ``"structured"``, ``"n:m"``, ``"block"``, ``"unstructured"``.
        density: kept fraction of the whole mask, in ``[0, 1]``.
        shape: the 2-D ``(rows, cols)`` = ``(out, in)`` view that was read.
        kept_rows, kept_cols: rows/columns with at least one kept weight
            (for ``"structured"`` the mask is exactly this smaller dense block).
        n, m: for ``"n:m"``, exactly ``n`` kept in every group of ``m`` along the input dimension.
        block_shape: for ``"block"``, the largest square block the mask is constant on.

    >>> import numpy as np
    >>> describe_pattern(np.ones((2, 3), bool))
    Pattern(kind='dense', density=1.0, shape=(2, 3), kept_rows=2, kept_cols=3, n=0, m=0, block_shape=None)
    """

    kind: str
    density: float
    shape: tuple
    kept_rows: int
    kept_cols: int
    n: int = 0
    m: int = 0
    block_shape: tuple | None = None


def _as_mask2d(mask) -> np.ndarray:
    array = np.asarray(mask)
    if array.dtype.kind != "b":
        if array.dtype.kind not in "iuf":
            raise TypeError(f"mask must be a boolean array, got {describe(mask)}")
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"mask must contain only True/False (or 0/1), got other values ({describe(array)})")
        array = array.astype(bool)
    if array.ndim not in (2, 4):
        raise ValueError(
            f"mask must be 2-D (out, in) or 4-D (out_ch, in_ch, kh, kw), got a {array.ndim}-D array of shape {array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"mask must not be empty, got {describe(array)}")
    if array.ndim == 4:
        # Conv weights are read in implicit-GEMM order (out, kh, kw, in), as NVIDIA's
        # channels-last kernels and its ASP 2:4 tool do: N:M groups run over input
        # channels at each kernel position, like nm_mask(w, axis=1).
        array = array.transpose(0, 2, 3, 1)
    return array.reshape(array.shape[0], -1)


def _exact_nm(mask2d: np.ndarray):
    rows, cols = mask2d.shape
    for m in _NM_GROUPS:
        if cols % m or m > cols:
            continue
        # The first row decides n; most masks fail on it, before the full pass.
        first = mask2d[0].reshape(-1, m).sum(axis=1)
        n = int(first[0])
        if not (0 < n < m and (first == n).all()):
            continue
        counts = mask2d.reshape(rows, cols // m, m).sum(axis=2, dtype=np.int32)
        if (counts == n).all():
            return n, m
    return None


def _constant_on_blocks(mask2d: np.ndarray, edge: int) -> bool:
    rows, cols = mask2d.shape
    blocks = mask2d.reshape(rows // edge, edge, cols // edge, edge)
    return bool((blocks.any(axis=(1, 3)) == blocks.all(axis=(1, 3))).all())


def _block_edge(mask2d: np.ndarray):
    rows, cols = mask2d.shape
    if rows % 2 or cols % 2:
        return None
    # Every larger edge implies 2 x 2 blocks: neighbouring rows and columns equal in pairs.
    if not (np.array_equal(mask2d[0::2], mask2d[1::2]) and np.array_equal(mask2d[:, 0::2], mask2d[:, 1::2])):
        return None
    for edge in _BLOCK_EDGES:
        if rows % edge == 0 and cols % edge == 0 and _constant_on_blocks(mask2d, edge):
            return edge
    return None


def _analyse(mask2d: np.ndarray) -> Pattern:
    rows, cols = mask2d.shape
    n_kept = int(np.count_nonzero(mask2d))
    density = n_kept / mask2d.size
    row_kept = mask2d.any(axis=1)
    col_kept = mask2d.any(axis=0)
    kept_rows, kept_cols = int(row_kept.sum()), int(col_kept.sum())
    base = dict(density=density, shape=(rows, cols), kept_rows=kept_rows, kept_cols=kept_cols)
    if n_kept == mask2d.size:
        return Pattern("dense", **base)
    # All kept weights fill the kept rows x kept cols exactly: a smaller dense GEMM.
    if n_kept == kept_rows * kept_cols:
        return Pattern("structured", **base)
    # Blocks before N:M: a block mask can also happen to keep n of every m.
    edge = _block_edge(mask2d)
    if edge is not None:
        return Pattern("block", block_shape=(edge, edge), **base)
    nm = _exact_nm(mask2d)
    if nm is not None:
        return Pattern("n:m", n=nm[0], m=nm[1], **base)
    return Pattern("unstructured", **base)


class _MaskInfo:
    """A read-only 2-D mask with its pattern and per-platform statistics, computed once."""

    __slots__ = ("mask2d", "pattern", "stats")

    def __init__(self, mask2d: np.ndarray):
        self.mask2d = mask2d
        self.pattern = _analyse(mask2d)
        self.stats: dict = {}

    def max_kept_per_group(self, m: int) -> int:
        """The most weights kept in any group of ``m`` consecutive inputs (``m + 1`` if rows don't split into groups)."""
        key = ("max_per_group", m)
        if key not in self.stats:
            rows, cols = self.mask2d.shape
            if cols % m:
                self.stats[key] = m + 1
            else:
                counts = self.mask2d.reshape(rows, cols // m, m).sum(axis=2, dtype=np.int32)
                self.stats[key] = int(counts.max())
        return self.stats[key]

    def interleaved_entries(self, units: int, relative_index_bits: int) -> tuple[int, int]:
        """(stored entries on the busiest unit, total stored entries) for an EIE-style layout.

        Rows are dealt round-robin over ``units``; each unit stores its rows'
        weights column by column with relative indices, and a run of
        ``2**relative_index_bits`` zeros needs a padding entry (Han et al. 2016).
        """
        key = ("interleaved", units, relative_index_bits)
        if key not in self.stats:
            self.stats[key] = _interleaved_entries(self.mask2d, units, relative_index_bits)
        return self.stats[key]


def _interleaved_entries(mask2d: np.ndarray, units: int, relative_index_bits: int) -> tuple[int, int]:
    rows, cols = mask2d.shape
    rows_per_unit = -(-rows // units)
    padded = np.zeros((rows_per_unit * units, cols), bool)
    padded[:rows] = mask2d
    # sequences[u, c, r]: unit u's r-th row in column c, in storage order.
    sequences = padded.reshape(rows_per_unit, units, cols).transpose(1, 2, 0).reshape(units * cols, rows_per_unit)
    seq_id, position = np.nonzero(sequences)
    previous = np.empty_like(position)
    previous[0:1] = -1
    previous[1:] = np.where(seq_id[1:] == seq_id[:-1], position[:-1], -1)
    zeros_before = position - previous - 1
    padding = zeros_before >> relative_index_bits if relative_index_bits > 0 else np.zeros_like(zeros_before)
    unit_of_entry = seq_id // cols
    per_unit = np.bincount(unit_of_entry, weights=1 + padding, minlength=units)
    return int(per_unit.max(initial=0)), int(per_unit.sum())


_cache: OrderedDict = OrderedDict()


def _mask_info(mask) -> _MaskInfo:
    """Pattern analysis of ``mask``, shared between identical masks (an LRU keyed by content)."""
    mask2d = _as_mask2d(mask)
    key = (mask2d.shape, hashlib.blake2b(np.packbits(mask2d).tobytes(), digest_size=16).digest())
    info = _cache.get(key)
    if info is None:
        frozen = mask2d.copy()
        frozen.setflags(write=False)
        info = _MaskInfo(frozen)
        _cache[key] = info
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return info


def describe_pattern(mask) -> Pattern:
    """Classify a keep-mask the way hardware would see it.

    The first kind that fits wins: ``"dense"`` (nothing pruned); ``"structured"``
    (the kept weights are exactly some whole rows x whole columns, i.e. a
    smaller dense matrix); ``"block"`` (constant on aligned square blocks of
    edge 2 to 64); ``"n:m"`` (exactly ``n`` kept in every group of ``m``
    consecutive inputs, ``m`` in 4, 8, 16, 32); otherwise ``"unstructured"``.

    Args:
        mask: boolean (or 0/1) array, ``(out, in)`` or ``(out_ch, in_ch, kh, kw)``; not modified.

    Returns:
        A frozen :class:`Pattern`.

    >>> import numpy as np
    >>> p = describe_pattern(np.array([[1, 1, 1], [0, 0, 0]], bool))
    >>> p.kind, p.kept_rows, p.density
    ('structured', 1, 0.5)
    >>> describe_pattern(np.kron(np.eye(2, dtype=bool), np.ones((4, 4), bool))).block_shape
    (4, 4)
    >>> describe_pattern(np.array([[1, 0], [0, 1]], bool)).kind
    'unstructured'
    """
    return _mask_info(mask).pattern
