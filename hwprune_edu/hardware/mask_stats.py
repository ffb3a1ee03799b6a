"""Read a keep-mask as hardware sees it: its sparsity pattern, and the counts a sparse format needs.

Hardware can only exploit a pattern it can *see* in how the weights are stored,
so the simulator is never told the pattern: it reads it from the mask, as the
same :class:`~hwprune_edu.pruning.patterns.Pattern` a pruner is given. Masks
are 2-D ``(out, in)`` as in PyTorch; a conv mask ``(out_ch, in_ch, kh, kw)`` is
read as its im2col matrix ``(out_ch, in_ch*kh*kw)``, so N:M groups run along
the flattened input dimension ``K``.

:func:`describe_mask` returns a :class:`MaskStats`: the pattern, the kept
fraction and kept rows/columns, and (computed when first asked, then kept by
that object) the per-format counts of the cost model. A
:class:`~hwprune_edu.hardware.workload.Layer` reads its mask once, when built.

>>> import numpy as np
>>> two_four = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (2, 2))  # 2 of every 4 inputs kept
>>> describe_pattern(two_four)
Pattern(kind='n:m', n=2, m=4, block=None)
>>> describe_mask(two_four).density
0.5
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hwprune_edu.pruning.patterns import Pattern
from hwprune_edu.util.validation import as_mask, check_fraction, check_int, check_positive_int, describe

__all__ = ["MaskStats", "describe_mask", "describe_pattern"]

# Groups sizes tried for N:M, smallest first so 2:4 is reported as 2:4, not 4:8.
_NM_GROUPS = (4, 8, 16, 32)
# Square block edges tried, largest first so the coarsest true block is reported.
_BLOCK_EDGES = (64, 32, 16, 8, 4, 2)


@dataclass(frozen=True, eq=False)
class MaskStats:
    """What a keep-mask looks like to hardware (from :func:`describe_mask`).

    Attributes:
        pattern: the :class:`~hwprune_edu.pruning.patterns.Pattern` the mask is read as.
        density: kept fraction of the whole mask, in ``[0, 1]``.
        shape: the 2-D ``(rows, cols)`` = ``(out, in)`` view that was read.
        kept_rows, kept_cols: rows/columns with at least one kept weight
            (for ``"structured"`` the mask is exactly this smaller dense block).
        mask2d: a read-only copy of that 2-D view (``None`` for a layer without a mask: all kept).

    >>> stats = describe_mask(np.array([[1, 1, 1], [0, 0, 0]], bool))
    >>> stats.pattern.kind, stats.kept_rows, stats.kept_cols, stats.density
    ('structured', 1, 3, 0.5)
    >>> MaskStats.dense(2, 3)
    MaskStats(pattern=Pattern(kind='dense', n=0, m=0, block=None), density=1.0, shape=(2, 3), kept_rows=2, kept_cols=3)
    """

    pattern: Pattern
    density: float
    shape: tuple[int, int]
    kept_rows: int
    kept_cols: int
    mask2d: np.ndarray | None = field(default=None, repr=False)
    # The per-format counts, filled when first asked for: each is a pass over the mask,
    # and a slider or a sweep costs the same layer on several platforms.
    _counts: dict = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.pattern, Pattern):
            raise TypeError(f"pattern must be a Pattern (see parse_pattern), got {describe(self.pattern)}")
        object.__setattr__(self, "density", check_fraction(self.density, name="density", meaning=" (the kept fraction)"))
        if not isinstance(self.shape, (tuple, list)) or len(self.shape) != 2:
            raise TypeError(f"shape must be the (rows, cols) pair of the 2-D mask, got {describe(self.shape)}")
        rows, cols = (check_positive_int(v, name="shape") for v in self.shape)
        object.__setattr__(self, "shape", (rows, cols))
        object.__setattr__(self, "kept_rows", check_int(self.kept_rows, name="kept_rows", minimum=0, maximum=rows))
        object.__setattr__(self, "kept_cols", check_int(self.kept_cols, name="kept_cols", minimum=0, maximum=cols))
        if self.mask2d is not None:
            mask2d = as_mask(self.mask2d, (rows, cols), name="mask2d")
            if mask2d is self.mask2d and mask2d.flags.writeable:  # keep a read-only copy, as describe_mask does
                mask2d = mask2d.copy()
            mask2d.setflags(write=False)
            object.__setattr__(self, "mask2d", mask2d)

    @classmethod
    def dense(cls, rows: int, cols: int) -> MaskStats:
        """The statistics of an all-kept ``(rows, cols)`` mask, without building it."""
        rows, cols = check_positive_int(rows, name="rows"), check_positive_int(cols, name="cols")
        return cls(Pattern("dense"), 1.0, (rows, cols), rows, cols)

    def _matrix(self) -> np.ndarray:
        return self.mask2d if self.mask2d is not None else np.ones(self.shape, bool)

    def max_kept_per_group(self, m: int) -> int:
        """The most weights kept in any group of ``m`` consecutive inputs (``m + 1`` if rows don't split into groups).

        >>> describe_mask(np.tile([True, True, False, False], (2, 2))).max_kept_per_group(4)
        2
        """
        key = ("max_per_group", m)
        if key not in self._counts:
            rows, cols = self.shape
            if cols % m:
                self._counts[key] = m + 1
            else:
                counts = self._matrix().reshape(rows, cols // m, m).sum(axis=2, dtype=np.int32)
                self._counts[key] = int(counts.max())
        return self._counts[key]

    def block_stored(self, edge: int) -> int:
        """Weights a block-sparse format of ``edge x edge`` blocks stores: every block keeping a weight, whole.

        Blocks at the right and bottom edges are cut to the matrix; a kept
        block's pruned weights are stored as explicit zeros.

        >>> describe_mask(np.eye(4, dtype=bool)).block_stored(2)
        8
        """
        key = ("block_stored", edge)
        if key not in self._counts:
            rows, cols = self.shape
            if self.mask2d is None:
                self._counts[key] = rows * cols
            else:
                block_rows, block_cols = -(-rows // edge), -(-cols // edge)
                padded = np.zeros((block_rows * edge, block_cols * edge), bool)
                padded[:rows, :cols] = self.mask2d
                kept = padded.reshape(block_rows, edge, block_cols, edge).any(axis=(1, 3))
                heights = np.minimum(edge, rows - edge * np.arange(block_rows))
                widths = np.minimum(edge, cols - edge * np.arange(block_cols))
                self._counts[key] = int(heights @ kept @ widths)
        return self._counts[key]

    def interleaved_entries(self, units: int, relative_index_bits: int) -> tuple[int, int]:
        """(stored entries on the busiest unit, total stored entries) for an EIE-style layout.

        Rows are dealt round-robin over ``units``; each unit stores its rows'
        weights column by column with relative indices, and a run of
        ``2**relative_index_bits`` zeros needs a padding entry (Han et al. 2016).

        >>> describe_mask(np.eye(4, dtype=bool)).interleaved_entries(2, 4)
        (2, 4)
        """
        key = ("interleaved", units, relative_index_bits)
        if key not in self._counts:
            if self.mask2d is None:  # all kept: no zero runs, the unit with the most rows is the busiest
                rows, cols = self.shape
                self._counts[key] = (-(-rows // units) * cols, rows * cols)
            else:
                self._counts[key] = _interleaved_entries(self._matrix(), units, relative_index_bits)
        return self._counts[key]


def _as_mask2d(mask) -> np.ndarray:
    array = as_mask(mask, name="mask")
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


def _read_pattern(mask2d: np.ndarray, n_kept: int, kept_rows: int, kept_cols: int) -> Pattern:
    if n_kept == mask2d.size:
        return Pattern("dense")
    # All kept weights fill the kept rows x kept cols exactly: a smaller dense GEMM.
    if n_kept == kept_rows * kept_cols:
        return Pattern("structured")
    # Blocks before N:M: a block mask can also happen to keep n of every m.
    edge = _block_edge(mask2d)
    if edge is not None:
        return Pattern("block", block=(edge, edge))
    nm = _exact_nm(mask2d)
    if nm is not None:
        return Pattern("n:m", n=nm[0], m=nm[1])
    return Pattern("unstructured")


def describe_mask(mask) -> MaskStats:
    """Read a keep-mask the way hardware would: its pattern (see :func:`describe_pattern`) and its counts.

    Args:
        mask: boolean (or 0/1) array, ``(out, in)`` or ``(out_ch, in_ch, kh, kw)``; not modified
            (the result keeps a read-only copy, so later changes to ``mask`` do not leak in).

    Returns:
        A frozen :class:`MaskStats`.

    >>> stats = describe_mask(np.kron(np.eye(2, dtype=bool), np.ones((4, 4), bool)))
    >>> stats.pattern.name, stats.shape, stats.kept_rows
    ('block 4x4', (8, 8), 8)
    """
    mask2d = _as_mask2d(mask)
    if np.may_share_memory(mask2d, mask):  # a view of the caller's array: keep our own
        mask2d = mask2d.copy()
    mask2d.setflags(write=False)
    n_kept = int(np.count_nonzero(mask2d))
    kept_rows = int(np.count_nonzero(mask2d.any(axis=1)))
    kept_cols = int(np.count_nonzero(mask2d.any(axis=0)))
    pattern = _read_pattern(mask2d, n_kept, kept_rows, kept_cols)
    return MaskStats(pattern, n_kept / mask2d.size, mask2d.shape, kept_rows, kept_cols, mask2d)


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


def describe_pattern(mask) -> Pattern:
    """The sparsity pattern hardware sees in a keep-mask.

    The first kind that fits wins: ``"dense"`` (nothing pruned); ``"structured"``
    (the kept weights are exactly some whole rows x whole columns, i.e. a
    smaller dense matrix); ``"block"`` (constant on aligned square blocks of
    edge 2 to 64); ``"n:m"`` (exactly ``n`` kept in every group of ``m``
    consecutive inputs, ``m`` in 4, 8, 16, 32); otherwise ``"unstructured"``.

    Args:
        mask: boolean (or 0/1) array, ``(out, in)`` or ``(out_ch, in_ch, kh, kw)``; not modified.

    Returns:
        A :class:`~hwprune_edu.pruning.patterns.Pattern`, the type
        :func:`~hwprune_edu.pruning.patterns.prune_to` takes.

    >>> describe_pattern(np.array([[1, 1, 1], [0, 0, 0]], bool)).kind
    'structured'
    >>> describe_pattern(np.kron(np.eye(2, dtype=bool), np.ones((4, 4), bool))).block
    (4, 4)
    >>> describe_pattern(np.array([[1, 0], [0, 1]], bool)).name
    'unstructured'
    """
    return describe_mask(mask).pattern
