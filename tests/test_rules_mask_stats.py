"""Pattern reading on widths that are not powers of two: a group size that does not divide the row is skipped."""

import numpy as np
import pytest

from hwprune_edu.hardware import describe_mask, describe_pattern


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
