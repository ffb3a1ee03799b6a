"""Shared input checks (hwprune_edu.util.validation): check_fraction's interval ends, types and messages."""

import math

import numpy as np
import pytest

from hwprune_edu.util.validation import check_fraction, check_number


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


# ---------------------------------------------------------------- resolve_amount, check_int, as_weights, as_mask


def test_resolve_amount_takes_fractions_numpy_scalars_and_0d_arrays():
    from fractions import Fraction

    from hwprune_edu.util.validation import resolve_amount

    for fraction in (Fraction(1, 4), np.float32(0.25), np.float16(0.25), np.array(0.25)):
        assert resolve_amount(fraction, 10) == 2  # round(2.5) == 2, as in torch
    for count in (np.int64(3), np.uint8(3), np.array(3)):
        assert resolve_amount(count, 10) == 3
    with pytest.raises(ValueError, match=r"^amount as a fraction must be in \[0, 1\], got 1.5$"):
        resolve_amount(Fraction(3, 2), 10)
    with pytest.raises(TypeError, match=r"^amount must be an int \(a count\) or a float in \[0, 1\] \(a fraction\), got bool"):
        resolve_amount(np.bool_(True), 10)


def test_check_int_bounds_and_0d_arrays():
    from hwprune_edu.util.validation import check_int

    assert check_int(np.array(4), name="n", minimum=1, maximum=4) == 4
    with pytest.raises(ValueError, match=r"^n must be <= 4, got 5$"):
        check_int(5, name="n", maximum=4)
    with pytest.raises(TypeError, match=r"^n must be an int, got an array of shape \(\) and dtype float64$"):
        check_int(np.array(2.0), name="n")


def test_check_number_needs_a_name_and_a_known_interval_kind():
    from hwprune_edu.util.validation import check_number

    with pytest.raises(TypeError, match="name must be the argument's name"):
        check_number(1.0, name=None)
    with pytest.raises(ValueError, match=r"^closed must be one of"):
        check_number(1.0, name="x", closed="open")


def test_tensors_that_numpy_cannot_read_are_named_with_the_fix():
    torch = pytest.importorskip("torch")
    from hwprune_edu.util.validation import as_mask, as_weights

    np.testing.assert_array_equal(as_weights(torch.ones(2, 3)), np.ones((2, 3), np.float32))  # a CPU tensor is an array
    for bad in (torch.ones(2, requires_grad=True), torch.ones(2, dtype=torch.bfloat16), torch.empty(2, device="meta")):
        with pytest.raises(TypeError, match=r"^w must be an array of real numbers that NumPy can read, got a Tensor of "
                                            r"shape \(2,\) .*tensor.detach\(\).cpu\(\).float\(\).numpy\(\)$"):
            as_weights(bad, name="w")
    with pytest.raises(TypeError, match=r"^keep must be an array of real numbers that NumPy can read, got a Tensor"):
        as_mask(torch.ones(2, dtype=torch.bfloat16), (2,), name="keep")


def test_as_mask_without_a_shape_takes_any_shape():
    from hwprune_edu.util.validation import as_mask

    assert as_mask(np.ones((2, 3, 4), np.int8)).shape == (2, 3, 4)
    with pytest.raises(TypeError, match=r"^mask must be a boolean array, got None$"):
        as_mask(None)


# ---------------------------------------------------------------- util.tables and util.notebooks check their arguments


def test_tables_refuse_malformed_rows_and_cells():
    from hwprune_edu.util.tables import HtmlCell, Table, format_columns, format_si, html_table

    with pytest.raises(ValueError, match=r"^rows must hold at least the header row"):
        format_columns([])  # was an IndexError
    with pytest.raises(ValueError, match=r"^rows\[1\] must have 2 cells"):
        format_columns([("a", "b"), ("1",)])
    with pytest.raises(TypeError, match=r"^rows\[1\] must hold str cells"):
        format_columns([("a",), (1,)])
    with pytest.raises(TypeError, match=r"^value must be a real number, got str"):
        format_si("1", "s")
    assert format_si(np.array(2.5e-6), "s") == format_si(np.float32(2.5e-6), "s") == "2.5 us"
    with pytest.raises(ValueError, match=r"^colspan must be an int >= 1"):
        HtmlCell("x", colspan=0)
    with pytest.raises(TypeError, match=r"^title must be a str"):
        html_table(["a"], [["1"]], title=None)
    with pytest.raises(TypeError, match=r"^title must be a str"):
        Table(["a"], [[1]], title=3)


def test_execute_notebook_checks_its_arguments_before_starting_a_kernel(tmp_path):
    from hwprune_edu.util.notebooks import execute_notebook

    with pytest.raises(ValueError, match=r"^path must be an existing .ipynb file, got .* \(a folder\)$"):
        execute_notebook(tmp_path)
    notebook = tmp_path / "n.ipynb"
    notebook.write_text("{}")
    for timeout in (0, -5, math.nan, math.inf):  # 0 and -5 used to mean "no limit"
        with pytest.raises(ValueError, match=r"^timeout_s must be"):
            execute_notebook(notebook, timeout_s=timeout)
    with pytest.raises(TypeError, match=r"^timeout_s must be a number"):
        execute_notebook(notebook, timeout_s="30")
    with pytest.raises(TypeError, match=r"^save must be True or False"):
        execute_notebook(notebook, save="yes")


def test_numbers_too_large_for_a_float_are_described_by_their_side_of_the_interval():
    from fractions import Fraction

    with pytest.raises(ValueError, match=r"^x must be in \[0, inf\), got a negative number of 401 digits$"):
        check_number(-10**400, name="x", low=0)
    with pytest.raises(ValueError, match=r"^x must be a number that fits a float, got a number of 400 digits$"):
        check_number(Fraction(10**400, 3), name="x")
