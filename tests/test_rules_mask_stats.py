"""Pattern reading on widths that are not powers of two: a group size that does not divide the row is skipped."""

import numpy as np
import pytest

from hwprune_edu.hardware import describe_mask, describe_pattern
from hwprune_edu.hardware.mask_stats import MaskStats
from hwprune_edu.pruning import Pattern


@pytest.mark.parametrize("rows", [2, 3, 12])
def test_twelve_column_unstructured_mask_is_read_without_error(rows):
    rng = np.random.default_rng(rows)
    mask = rng.random((rows, 12)) < 0.5
    # The first group of 4 keeps 3 in row 0 and 1 in the last row: never an exact N:M.
    mask[0, :4] = [True, True, True, False]
    mask[-1, :4] = [True, False, False, False]
    mask[0, 4:6] = [False, True]  # no two rows or columns pair up: not a block mask
    stats = describe_mask(mask)
    assert stats.pattern == describe_pattern(mask)
    assert stats.pattern.kind == "unstructured"
    assert stats.density == mask.sum() / mask.size


@pytest.mark.parametrize(
    "cols, n, m",
    [(12, 2, 4), (12, 1, 4), (20, 3, 4), (24, 5, 8), (40, 3, 8), (48, 7, 16), (96, 9, 32)],
)
def test_exact_nm_is_found_on_widths_that_are_not_powers_of_two(cols, n, m):
    rows = 6
    # Row r keeps group positions (r, r+1, ..., r+n-1) mod m: exactly n of every m, shifting per row.
    positions = (np.arange(cols)[None, :] % m - np.arange(rows)[:, None]) % m
    mask = positions < n
    pattern = describe_pattern(mask)
    assert (pattern.kind, pattern.n, pattern.m) == ("n:m", n, m)


@pytest.mark.parametrize("cols", [6, 10, 14, 18])
def test_widths_no_group_size_divides_are_unstructured(cols):
    mask = np.zeros((4, cols), dtype=bool)
    mask[np.arange(4), [0, 1, 2, 3]] = True
    mask[0, -1] = True
    assert describe_pattern(mask).kind == "unstructured"


# ---------------------------------------------------------------- the per-format counts, against loop references


def interleaved_reference(mask2d, units, relative_index_bits):
    """EIE storage, one entry at a time: rows dealt round-robin over units, each unit stores its rows column by column,
    and every run of 2**bits zeros before an entry costs one padding entry (Han et al. 2016); bits = 0: no padding."""
    rows, cols = mask2d.shape
    per_unit = [0] * units
    for unit in range(units):
        unit_rows = list(range(unit, rows, units))
        for c in range(cols):
            zeros = 0
            for r in unit_rows:
                if mask2d[r, c]:
                    padding = zeros // 2**relative_index_bits if relative_index_bits > 0 else 0
                    per_unit[unit] += 1 + padding
                    zeros = 0
                else:
                    zeros += 1
    return max(per_unit), sum(per_unit)


@pytest.mark.parametrize("rows, cols, units, bits, density", [
    (40, 6, 2, 4, 0.3), (97, 5, 3, 4, 0.1), (64, 3, 4, 2, 0.2), (33, 4, 1, 1, 0.4), (50, 7, 5, 0, 0.3),
    (7, 9, 16, 4, 0.5), (128, 2, 2, 3, 0.05),
])
def test_interleaved_entries_match_the_loop_reference(rows, cols, units, bits, density):
    # Long runs of zeros in every unit's column, several entries per column: padding counts on every sequence.
    rng = np.random.default_rng(rows * cols + bits)
    mask = rng.random((rows, cols)) < density
    assert describe_mask(mask).interleaved_entries(units, bits) == interleaved_reference(mask, units, bits)


@pytest.mark.parametrize("bits", [0, 1, 2, 4])
def test_interleaved_padding_of_a_later_column_counts_from_that_columns_previous_entry(bits):
    # One unit; columns 0 and 1 each hold entries at rows 0 and 20, so 19 zeros sit before each column's second
    # entry. Column 1's run must be counted from its own row-0 entry, not from the first entry of column 0.
    mask = np.zeros((24, 2), bool)
    mask[[0, 20], 0] = True
    mask[[0, 20], 1] = True
    pad = 19 >> bits if bits else 0
    assert describe_mask(mask).interleaved_entries(1, bits) == (4 + 2 * pad, 4 + 2 * pad)
    assert describe_mask(mask).interleaved_entries(1, bits) == interleaved_reference(mask, 1, bits)


def test_interleaved_padding_counts_the_zeros_before_a_columns_first_entry():
    # 16 zeros above the first entry of a column need one padding entry with 4-bit indices; 15 need none.
    for zeros, pad in ((15, 0), (16, 1), (31, 1), (32, 2)):
        mask = np.zeros((zeros + 1, 3), bool)
        mask[zeros, 1] = True
        assert describe_mask(mask).interleaved_entries(1, 4) == (1 + pad, 1 + pad), zeros


def test_interleaved_entries_of_an_all_pruned_mask_are_zero():
    assert describe_mask(np.zeros((4, 4), bool)).interleaved_entries(2, 4) == (0, 0)
    assert describe_mask(np.zeros((3, 5), bool)).interleaved_entries(8, 0) == (0, 0)


def test_counts_are_cached_per_argument():
    mask = np.zeros((32, 8), bool)
    mask[:, :3] = True  # 3 kept in the first group of 4, 3 in each group of 8
    mask[::2, 4] = True
    stats = describe_mask(mask)
    assert stats.max_kept_per_group(4) == 3
    assert stats.max_kept_per_group(8) == 4
    assert stats.max_kept_per_group(3) == 4  # 8 columns do not split into groups of 3: more than any n
    assert stats.interleaved_entries(2, 4) == interleaved_reference(mask, 2, 4)
    assert stats.interleaved_entries(4, 4) == interleaved_reference(mask, 4, 4)
    assert stats.interleaved_entries(4, 1) == interleaved_reference(mask, 4, 1)
    assert stats.max_kept_per_group(4) == 3  # asked again, after the other counts
    assert stats.interleaved_entries(2, 4) == interleaved_reference(mask, 2, 4)


def test_block_counts_are_cached_per_edge():
    mask = np.zeros((32, 8), bool)
    mask[:, :3] = True
    mask[::2, 4] = True
    stats = describe_mask(mask)
    # 2x2 blocks: columns 0-5 keep a weight in every pair of rows, 16 * 3 blocks of 4; 4x4 blocks: all 16 of 16.
    assert (stats.block_stored(2), stats.block_stored(4)) == (192, 256)
    assert stats.block_stored(2) == 192  # asked again


@pytest.mark.parametrize("cols, m", [(6, 4), (12, 8), (4, 8), (20, 16)])
def test_max_kept_per_group_is_m_plus_one_when_rows_do_not_split(cols, m):
    assert describe_mask(np.ones((2, cols), bool)).max_kept_per_group(m) == m + 1
    assert MaskStats.dense(2, cols).max_kept_per_group(m) == m + 1


def test_dense_stats_are_the_stats_of_an_all_kept_mask():
    stats = MaskStats.dense(6, 8)
    read = describe_mask(np.ones((6, 8), bool))
    assert stats.mask2d is None
    for got in (stats, read):
        assert (got.pattern, got.density, got.shape, got.kept_rows, got.kept_cols) == (Pattern("dense"), 1.0, (6, 8), 6, 8)
        assert got.max_kept_per_group(4) == 4 and got.max_kept_per_group(8) == 8
        assert got.interleaved_entries(4, 4) == (16, 48) == interleaved_reference(np.ones((6, 8), bool), 4, 4)
        assert got.interleaved_entries(4, 0) == (16, 48)
    assert type(stats.density) is float


@pytest.mark.parametrize("rows, cols, name, value", [(0, 3, "rows", 0), (3, -1, "cols", -1), (2, 0, "cols", 0)])
def test_dense_stats_name_the_bad_size(rows, cols, name, value):
    with pytest.raises(ValueError, match=rf"^{name} must be >= 1, got {value}$"):
        MaskStats.dense(rows, cols)


def test_nm_groups_as_wide_as_the_row_are_found():
    # A 2:4 mask of 4-wide rows, not a block mask (no two rows equal in pairs), not structured.
    mask = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]], bool)
    assert describe_pattern(mask) == Pattern("n:m", n=2, m=4)
    eight = np.array([[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 0], [0, 1, 0, 1, 0, 1, 0, 0]], bool)
    assert describe_pattern(eight) == Pattern("n:m", n=3, m=8)  # the groups of 4 keep 3 and 0: not 4-wide N:M


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.uint8, np.float32, np.float64])
def test_zero_one_masks_of_any_number_type_read_as_the_boolean_mask(dtype):
    mask = np.tile([[1, 1, 0, 0], [0, 1, 0, 1]], (2, 2))
    stats, expected = describe_mask(mask.astype(dtype)), describe_mask(mask.astype(bool))
    assert stats.mask2d.dtype == bool
    np.testing.assert_array_equal(stats.mask2d, expected.mask2d)
    # Column 2 of every group of 4 is pruned in both rows: 6 of the 8 columns keep something.
    assert (stats.pattern, stats.density, stats.kept_rows, stats.kept_cols) == (Pattern("n:m", n=2, m=4), 0.5, 4, 6)


@pytest.mark.parametrize("bad", [np.int8(2), np.int8(-1), np.float64(0.5), np.float64(2.0)])
def test_number_masks_with_values_other_than_zero_and_one_are_refused(bad):
    mask = np.ones((2, 4), dtype=bad.dtype)
    mask[1, 3] = bad
    with pytest.raises(ValueError, match=rf"^mask must contain only True/False \(or 0/1\), got other values \(an array "
                                         rf"of shape \(2, 4\) and dtype {bad.dtype}\)$"):
        describe_mask(mask)


@pytest.mark.parametrize("make", [lambda m: m, lambda m: m.reshape(2, 1, 1, 8)])
def test_describe_mask_keeps_its_own_copy_and_leaves_the_callers_array_writable(make):
    mask = make(np.tile([[True, True, False, False], [False, True, False, True]], (1, 2)))
    stats = describe_mask(mask)
    mask[...] = False  # the caller changes its array afterwards
    assert stats.mask2d.sum() == 8 and stats.pattern == Pattern("n:m", n=2, m=4)  # read before the change
    assert mask.flags.writeable and not stats.mask2d.flags.writeable
    assert not np.may_share_memory(stats.mask2d, mask)


def test_block_stored_cuts_the_edge_blocks_to_the_matrix():
    # 5 x 6 in 4 x 4 blocks: block heights 4, 1 and widths 4, 2. Kept: block (0, 0), 16 weights, and the corner
    # block (1, 1), 1 row x 2 columns = 2 weights, not 16.
    mask = np.zeros((5, 6), dtype=bool)
    mask[0, 0] = mask[4, 5] = True
    assert describe_mask(mask).block_stored(4) == 18


# MaskStats checks every field when built (so dataclasses.replace is checked too), normalises what it keeps and
# holds a read-only mask; the exact messages are what a learner building one by hand reads.
_FIELDS = dict(pattern=Pattern("dense"), density=1.0, shape=(2, 3), kept_rows=2, kept_cols=3)


@pytest.mark.parametrize("change, error, message", [
    (dict(pattern="dense"), TypeError, r"^pattern must be a Pattern \(see parse_pattern\), got str 'dense'$"),
    (dict(density=1.5), ValueError, r"^density must be in \[0, 1\] \(the kept fraction\), got 1.5$"),
    (dict(density=True), TypeError, r"^density must be a number in \[0, 1\] \(the kept fraction\), got bool True$"),
    (dict(shape=(2,)), TypeError, r"^shape must be the \(rows, cols\) pair of the 2-D mask, got a tuple"),
    (dict(shape=(2, 3, 4)), TypeError, r"^shape must be the \(rows, cols\) pair of the 2-D mask, got a tuple"),
    (dict(shape=6), TypeError, r"^shape must be the \(rows, cols\) pair of the 2-D mask, got int 6$"),
    (dict(shape=(0, 3)), ValueError, r"^shape must be >= 1, got 0$"),
    (dict(shape=(2, 2.5)), TypeError, r"^shape must be an int"),
    (dict(kept_rows=5), ValueError, r"^kept_rows must be <= 2, got 5$"),
    (dict(kept_rows=-1), ValueError, r"^kept_rows must be >= 0, got -1$"),
    (dict(kept_cols=9), ValueError, r"^kept_cols must be <= 3, got 9$"),
    (dict(kept_cols=-1), ValueError, r"^kept_cols must be >= 0, got -1$"),
    (dict(kept_cols=1.0), TypeError, r"^kept_cols must be an int"),
    (dict(mask2d=np.ones((3, 2), bool)), ValueError, r"^mask2d must have shape \(2, 3\)"),
])
def test_mask_stats_names_each_bad_field_exactly(change, error, message):
    with pytest.raises(error, match=message):
        MaskStats(**{**_FIELDS, **change})


def test_mask_stats_normalises_its_fields():
    from fractions import Fraction
    stats = MaskStats(Pattern("dense"), Fraction(1, 2), [np.int64(2), 3], np.int64(1), np.int32(3))
    assert stats.density == 0.5 and type(stats.density) is float
    assert stats.shape == (2, 3) and type(stats.shape) is tuple and all(type(v) is int for v in stats.shape)
    assert (stats.kept_rows, stats.kept_cols) == (1, 3) and type(stats.kept_rows) is int and type(stats.kept_cols) is int
    # Edges are allowed: no kept row or column, every one kept.
    assert MaskStats(Pattern("dense"), 0.0, (2, 3), 0, 0).kept_rows == 0


def test_mask_stats_holds_a_read_only_mask_and_never_the_callers_writable_one():
    mask = np.array([[True, False, True], [False, False, True]])
    stats = MaskStats(**{**_FIELDS, "mask2d": mask})
    assert stats.mask2d is not mask and not stats.mask2d.flags.writeable and mask.flags.writeable
    mask[0, 0] = False  # the caller's later edits do not reach the statistics
    assert stats.mask2d[0, 0]
    frozen = mask.copy()
    frozen.setflags(write=False)
    assert MaskStats(**{**_FIELDS, "mask2d": frozen}).mask2d is frozen  # already read-only: shared, not copied
    read = describe_mask(mask)
    assert not read.mask2d.flags.writeable and not np.may_share_memory(read.mask2d, mask)
    with pytest.raises(ValueError, match="read-only"):
        read.mask2d[0, 0] = True
