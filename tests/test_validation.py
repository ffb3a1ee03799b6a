"""Shared input checks (hwprune_edu.util.validation): check_fraction's interval ends, types and messages."""

import math

import numpy as np
import pytest

from hwprune_edu.util.validation import check_fraction


@pytest.mark.parametrize("value", [0, 0.25, 1, np.float32(0.5)])
def test_closed_interval_accepts_both_ends_and_returns_a_float(value):
    result = check_fraction(value, name="sparsity")
    assert isinstance(result, float) and result == float(value)


@pytest.mark.parametrize("value, zero_ok, one_ok, interval", [
    (0.0, False, True, r"\(0, 1\]"),
    (1.0, True, False, r"\[0, 1\)"),
    (-0.1, True, True, r"\[0, 1\]"),
    (1.5, True, True, r"\[0, 1\]"),
    (math.nan, True, True, r"\[0, 1\]"),
])
def test_values_outside_the_interval_are_named_with_it(value, zero_ok, one_ok, interval):
    with pytest.raises(ValueError, match=rf"^budget must be in {interval} \(of dense\), got"):
        check_fraction(value, name="budget", zero_ok=zero_ok, one_ok=one_ok, meaning=" (of dense)")


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.5", None])
def test_non_numbers_and_bools_are_type_errors(value):
    with pytest.raises(TypeError, match=r"^x must be a number in \[0, 1\], got"):
        check_fraction(value, name="x")
