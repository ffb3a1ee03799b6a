"""The sparsity-pattern vocabulary (hwprune_edu.pruning.patterns): names, the pruners behind them, the simulator's reading."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.hardware import describe_pattern
from hwprune_edu.pruning import (
    PATTERN_KINDS,
    Pattern,
    block_mask,
    magnitude_mask,
    nm_mask,
    parse_pattern,
    prune_to,
    structured_mask,
)


def weights(shape=(16, 32), seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name, expected, canonical",
    [
        ("unstructured", Pattern("unstructured"), "unstructured"),
        ("  Structured ", Pattern("structured"), "structured"),
        ("2:4", Pattern("n:m", n=2, m=4), "2:4"),
        ("1 : 8", Pattern("n:m", n=1, m=8), "1:8"),
        ("block 4x4", Pattern("block", block=(4, 4)), "block 4x4"),
        ("Block8x2", Pattern("block", block=(8, 2)), "block 8x2"),
        ("dense", Pattern("dense"), "dense"),
    ],
)
def test_pattern_names_parse_to_their_canonical_form(name, expected, canonical):
    assert parse_pattern(name) == expected
    assert parse_pattern(name).name == canonical
    assert parse_pattern(expected) is expected


def test_only_nm_and_dense_patterns_have_a_fixed_sparsity():
    assert parse_pattern("2:4").fixed_sparsity == 0.5
    assert parse_pattern("1:4").fixed_sparsity == 0.75
    assert parse_pattern("2:8").fixed_sparsity == 0.75
    assert parse_pattern("unstructured").fixed_sparsity is None
    assert parse_pattern("block 4x4").fixed_sparsity is None
    assert parse_pattern("dense").fixed_sparsity == 0.0


@pytest.mark.parametrize("bad, error, words", [
    (4, TypeError, "pattern name"),
    (None, TypeError, "pattern name"),
    ("channels", ValueError, "'channels'"),
    ("0:4", ValueError, "0 < N < M"),
    ("4:4", ValueError, "0 < N < M"),
    ("5:4", ValueError, "0 < N < M"),
    ("block 0x4", ValueError, "at least 1x1"),
    ("block", ValueError, "must give the tile size, e.g. 'block 4x4'"),
])
def test_bad_pattern_names_are_named_in_the_error(bad, error, words):
    with pytest.raises(error, match=words):
        parse_pattern(bad)


# --------------------------------------------------------------------------- masks


@pytest.mark.parametrize("pattern, target, reference", [
    ("unstructured", 0.6, lambda w: magnitude_mask(w, 0.6)),
    ("structured", 0.25, lambda w: structured_mask(w, 0.25, axis=0)),
    ("2:4", None, lambda w: nm_mask(w, 2, 4, axis=1)),
    ("1:8", 0.875, lambda w: nm_mask(w, 1, 8, axis=1)),
    ("block 4x4", 0.5, lambda w: block_mask(w, 0.5, block=(4, 4))),
    ("block 8x16", 0.5, lambda w: block_mask(w, 0.5, block=(8, 16))),
])
def test_prune_to_is_the_library_pruner(pattern, target, reference):
    w = weights()
    before = w.copy()
    keep = prune_to(w, pattern, target)
    assert keep.dtype == bool and keep.shape == w.shape
    assert np.array_equal(keep, reference(w))
    assert np.array_equal(w, before)


@pytest.mark.parametrize("pattern, kind, detail", [
    ("structured", "structured", None),
    ("2:4", "n:m", (2, 4)),
    ("1:4", "n:m", (1, 4)),
    ("2:8", "n:m", (2, 8)),
    ("block 4x4", "block", (4, 4)),
    ("unstructured", "unstructured", None),
])
def test_the_simulator_reads_each_pattern_back(pattern, kind, detail):
    keep = prune_to(weights((64, 64), seed=3), pattern, parse_pattern(pattern).fixed_sparsity or 0.5)
    read = describe_pattern(keep)
    assert read.kind == kind
    if kind == "n:m":
        assert (read.n, read.m) == detail
    if kind == "block":
        assert read.block == detail


@settings(max_examples=40, deadline=None)
@given(
    target=st.floats(0.0, 1.0),
    pattern=st.sampled_from(["unstructured", "structured", "block 4x4", "block 2x8"]),
    seed=st.integers(0, 2**16),
)
def test_prune_to_prunes_the_rounded_count_of_its_units(target, pattern, seed):
    w = weights((16, 32), seed)
    keep = prune_to(w, pattern, target)
    # The unit that is pruned whole: a weight, a row of 32, or a tile.
    unit = {"unstructured": 1, "structured": 32, "block 4x4": 16, "block 2x8": 16}[pattern]
    n_units = w.size // unit
    assert np.count_nonzero(~keep) == round(target * n_units) * unit


def test_nm_patterns_refuse_another_sparsity():
    assert np.array_equal(prune_to(weights(), "2:4", 0.5), prune_to(weights(), "2:4"))
    with pytest.raises(ValueError, match=r"sparsity must be 0.5 for pattern '2:4'"):
        prune_to(weights(), "2:4", 0.6)


@pytest.mark.parametrize("target, error, words", [
    (None, ValueError, "sparsity is needed"),
    (1.5, ValueError, r"in \[0, 1\] \(a fraction of the layer's weights\)"),
    (float("nan"), ValueError, r"in \[0, 1\] \(a fraction of the layer's weights\)"),
    (True, TypeError, "fraction"),
    ("half", TypeError, "fraction"),
])
def test_bad_sparsities_are_named_in_the_error(target, error, words):
    with pytest.raises(error, match=words):
        prune_to(weights(), "unstructured", target)


def test_prune_to_rejects_weights_it_cannot_tile():
    with pytest.raises(ValueError, match="multiple of m=4"):
        prune_to(weights((4, 6)), "2:4")
    with pytest.raises(ValueError, match="tile the weight matrix"):
        prune_to(weights((4, 6)), "block 4x4", 0.5)
    with pytest.raises(ValueError, match="2-D or 4-D"):
        prune_to(np.ones(8), "unstructured", 0.5)


def test_dense_keeps_everything_and_refuses_a_sparsity():
    assert prune_to(weights(), "dense").all() and prune_to(weights(), "dense", 0).all()
    with pytest.raises(ValueError, match=r"sparsity must be 0 for pattern 'dense' \(nothing is pruned\)"):
        prune_to(weights(), "dense", 0.5)


def test_a_pattern_of_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match=r"kind must be one of \('dense', 'structured'"):
        Pattern("channels")
    assert set(PATTERN_KINDS) == {"dense", "structured", "n:m", "block", "unstructured"}


@pytest.mark.parametrize("name, sparsity", [
    ("dense", None), ("structured", 0.5), ("2:4", None), ("1:8", None), ("block 4x4", 0.5), ("block 32x32", 0.5),
    ("unstructured", 0.5),
])
def test_what_is_pruned_is_read_back_as_the_same_pattern(name, sparsity):
    # Square blocks and row pruning: the cases where pruning and reading use one Pattern value.
    keep = prune_to(weights((128, 128), seed=5), name, sparsity)
    assert describe_pattern(keep) == parse_pattern(name)
    assert parse_pattern(describe_pattern(keep).name) == describe_pattern(keep)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(kind="n:m", n=5, m=4), ValueError, r"^n must be <= 3"),  # fixed_sparsity would be negative
    (dict(kind="n:m", n=2.9, m=4), TypeError, r"^n must be an int"),
    (dict(kind="n:m", n=0, m=4), ValueError, r"^n must be >= 1"),
    (dict(kind="block", block=None), TypeError, r"^block must be a \(rows, cols\) pair"),
    (dict(kind="block", block=(0, 4)), ValueError, r"^block must be >= 1"),
    (dict(kind="dense", n=2, m=4), ValueError, r"^n and m belong to an 'n:m' pattern only"),
    (dict(kind="structured", block=(4, 4)), ValueError, r"^block belongs to a 'block' pattern only"),
    (dict(kind=["dense"]), ValueError, r"^kind must be one of"),
])
def test_pattern_checks_its_fields(kwargs, error, message):
    with pytest.raises(error, match=message):
        Pattern(**kwargs)


def test_pattern_fields_are_plain_ints_whatever_was_passed():
    pattern = Pattern("block", block=[np.int64(4), 2])
    assert pattern.block == (4, 2) and type(pattern.block[0]) is int and pattern == parse_pattern("block 4x2")
    assert Pattern("n:m", n=np.int32(2), m=np.int64(4)) == parse_pattern("2:4")
