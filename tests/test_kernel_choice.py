"""The runtime's kernel choice: each layer runs the fastest kernel its platform has, so zeros never cost time."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.hardware import PROFILES, SparseKernel, describe_pattern, get_profile, linear, simulate
from hwprune_edu.pruning import Pattern, prune_to

from hardware_masks import n_m_mask, rows_mask, unstructured_mask

FAMILIES = ("dense", "unstructured", "2:4", "block", "rows")


def family_mask(family, shape, density, seed):
    """A mask of one pattern family at about ``density`` (2:4 is always 0.5)."""
    scores = np.random.default_rng(seed).random(shape)
    if family == "dense":
        return np.ones(shape, bool)
    if family == "unstructured":
        return unstructured_mask(shape, density, seed=seed)
    if family == "2:4":
        return n_m_mask(shape, seed=seed)
    if family == "block":
        return prune_to(scores, Pattern("block", block=(16, 16)), 1 - density)
    return rows_mask(shape, max(1, round(density * shape[0])), seed=seed)


def kernel_names(profile):
    return ["dense", *(kernel.name for kernel in PROFILES[profile].sparse_kernels.values())]


def forced(layer, profile, kernel):
    """The layer on one kernel, or None if that kernel cannot hold the mask (an N:M format)."""
    try:
        return simulate(layer, profile, kernel=kernel).layers[0]
    except ValueError:
        return None


@settings(max_examples=int(os.environ.get("HW_EXAMPLES", 60)), deadline=None)
@given(
    family=st.sampled_from(FAMILIES),
    shape=st.sampled_from([(64, 64), (128, 96), (256, 256), (96, 160)]),
    density=st.floats(0.05, 0.95),
    drop=st.floats(0.0, 0.95),
    batch=st.sampled_from([1, 4, 32, 256, 2048]),
    activation_density=st.sampled_from([1.0, 0.35]),
    seed=st.integers(0, 10_000),
)
def test_adding_zeros_never_costs_more_on_any_profile(family, shape, density, drop, batch, activation_density, seed):
    before = family_mask(family, shape, density, seed)
    after = before & (np.random.default_rng(seed + 1).random(shape) >= drop)
    if not after.any():
        after[np.unravel_index(np.argmax(before), shape)] = True
    rows, cols = shape
    layers = [linear(batch, cols, rows, weight_mask=m, activation_density=activation_density) for m in (before, after)]
    for name in PROFILES:
        a, b = (simulate(layer, name).layers[0] for layer in layers)
        # The runtime's choice: never slower, whichever kernels it picks ...
        assert b.latency_s <= a.latency_s * (1 + 1e-12), (name, a.kernel, b.kernel)
        if a.kernel == b.kernel:
            assert b.energy_j <= a.energy_j * (1 + 1e-12), (name, a.kernel)
        # ... and on every kernel, forced, neither slower nor costlier.
        for kernel in kernel_names(name):
            fa, fb = (forced(layer, name, kernel) for layer in layers)
            if fa is None:
                continue
            assert fb is not None, (name, kernel)  # a mask that fits an N:M format still fits with more zeros
            assert fb.latency_s <= fa.latency_s * (1 + 1e-12), (name, kernel)
            assert fb.energy_j <= fa.energy_j * (1 + 1e-12), (name, kernel)


def test_the_fastest_kernel_is_not_always_the_most_frugal():
    # Latency is what the runtime minimises; a kernel switch can trade energy for speed. Here 2:4 sparse tensor
    # cores ran the 2:4 mask (half the tensor-core work); with 15 of 16 of its weights gone, whole rows and columns
    # are empty, so the dense kernel on the rows and columns left is a hair faster, but it multiplies its zeros.
    before = n_m_mask((128, 96), seed=0)
    after = before & (np.random.default_rng(1).random((128, 96)) >= 0.9375)
    a, b = (simulate(linear(2048, 96, 128, weight_mask=m), "gpu-ampere").layers[0] for m in (before, after))
    assert (a.kernel, b.kernel) == ("2:4 sparse tensor core", "dense")
    assert b.latency_s < a.latency_s and b.energy_j > a.energy_j
    frugal = simulate(linear(2048, 96, 128, weight_mask=after), "gpu-ampere", kernel="2:4 sparse tensor core").layers[0]
    assert frugal.energy_j <= a.energy_j  # the same mask on the old kernel: no dearer than before


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_one_extra_zero_never_switches_to_a_slower_kernel(name):
    dense = simulate(linear(64, 512, 512), name).layers[0]
    one_zero = np.ones((512, 512), bool)
    one_zero[3, 7] = False
    row = simulate(linear(64, 512, 512, weight_mask=one_zero), name).layers[0]
    assert row.pattern == "unstructured"
    assert row.latency_s <= dense.latency_s and row.energy_j <= dense.energy_j
    structured = rows_mask((512, 512), 256)
    broken = structured.copy()
    broken[np.flatnonzero(structured.any(axis=1))[0], 5] = False
    a, b = (simulate(linear(64, 512, 512, weight_mask=m), name).layers[0] for m in (structured, broken))
    assert (a.pattern, b.pattern) == ("structured", "unstructured")
    assert b.latency_s <= a.latency_s and b.energy_j <= a.energy_j
    assert b.n == a.n == 256  # the dense kernel still runs the 256 kept rows, not all 512


def test_every_row_names_the_kernel_it_ran():
    two_four = n_m_mask((1024, 1024), seed=1)
    report = simulate([linear(2048, 1024, 1024), linear(2048, 1024, 1024, weight_mask=two_four)], "gpu-ampere")
    assert [row.kernel for row in report.layers] == ["dense", "2:4 sparse tensor core"]


def test_kernel_can_be_forced_by_name_and_slow_kernels_stay_visible():
    mask = unstructured_mask((1024, 1024), 0.5, seed=2)
    layer = linear(1, 1024, 1024, weight_mask=mask)
    chosen = simulate(layer, "cpu-avx2").layers[0]
    forced = simulate(layer, "cpu-avx2", kernel="csr").layers[0]
    assert chosen.kernel == "dense" and forced.kernel == "csr"
    assert forced.latency_s > chosen.latency_s  # at 50 % sparsity CSR is slower: the chart that shows it forces it
    assert simulate(layer, "gpu-ampere", kernel="sputnik").layers[0].kernel == "sputnik csr"  # key or name
    two_four = linear(64, 1024, 1024, weight_mask=n_m_mask((1024, 1024), seed=3))
    assert simulate(two_four, "gpu-ampere", kernel="dense").layers[0].kernel == "dense"


def test_bad_kernel_requests_say_what_exists():
    layer = linear(1, 64, 64)
    with pytest.raises(ValueError, match=r"kernel must be None \(the fastest\), 'dense' or a kernel npu-systolic declares \(none\)"):
        simulate(layer, "npu-systolic", kernel="csr")
    with pytest.raises(ValueError, match="'2:4 sparse tensor core'"):
        simulate(layer, "gpu-ampere", kernel="cusparse")
    with pytest.raises(ValueError, match="needs at most 2 kept of every 4 inputs"):
        simulate(layer, "gpu-ampere", kernel="2:4 sparse tensor core")
    with pytest.raises(TypeError, match="kernel must be None, 'dense' or a kernel's name"):
        simulate(layer, "gpu-ampere", kernel=1)
    with pytest.raises(ValueError, match="must not be 'dense'"):
        SparseKernel("dense", compute_efficiency=1.0, index_bits=0)
    with pytest.raises(ValueError, match=r"bandwidth_efficiency must be in \(0, 1\] \(kernel 'x'\), got 0"):
        SparseKernel("x", compute_efficiency=1.0, index_bits=0, bandwidth_efficiency=0)


def test_a_broken_two_four_mask_runs_the_fastest_kernel_that_holds_it():
    mask = n_m_mask((2048, 2048), seed=4)
    mask[100, 40:44] = [True, True, True, False]  # one group keeps 3 of 4: sparse tensor cores cannot hold it
    row = simulate(linear(2048, 2048, 2048, weight_mask=mask), "gpu-ampere").layers[0]
    assert row.kernel == "dense"  # the simulator's convention; real 2:4 libraries assume the pattern instead
    assert row.latency_s == simulate(linear(2048, 2048, 2048), "gpu-ampere").latency_s


# Activation sparsity -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(PROFILES) - {"sparse-eie"}))
def test_platforms_without_zero_activation_skipping_ignore_activation_density(name):
    mask = unstructured_mask((512, 512), 0.1, seed=5)
    a, b = (simulate(linear(8, 512, 512, weight_mask=mask, activation_density=d), name) for d in (1.0, 0.3))
    assert a.latency_s == b.latency_s and a.energy_j == b.energy_j


def test_eie_skips_zero_activations():
    mask = unstructured_mask((1024, 1024), 0.1, seed=6)
    rows = [simulate(linear(1, 1024, 1024, weight_mask=mask, activation_density=d), "sparse-eie").layers[0]
            for d in (1.0, 0.5, 0.25)]
    assert all(row.kernel == "eie-csc" for row in rows)
    cycles = [row.compute_cycles for row in rows]
    assert cycles[1] == pytest.approx(cycles[0] / 2, abs=1) and cycles[2] == pytest.approx(cycles[0] / 4, abs=1)
    assert rows[0].energy_j > rows[1].energy_j > rows[2].energy_j
    # Dense weights with ReLU-sparse inputs: the zero-skipping kernel beats EIE's dense path too.
    dense_weights = simulate(linear(1, 1024, 1024, activation_density=0.3), "sparse-eie").layers[0]
    assert dense_weights.kernel == "eie-csc"


def test_eie_rereads_weights_for_every_input_vector():
    mask = unstructured_mask((512, 512), 0.1, seed=7)
    one, four = (simulate(linear(b, 512, 512, weight_mask=mask), "sparse-eie").layers[0] for b in (1, 4))
    assert four.weight_bytes == one.weight_bytes  # stored once ...
    assert four.bytes_moved - four.activation_bytes == pytest.approx(4 * one.weight_bytes)  # ... read once per vector


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, ValueError), (True, TypeError), ("0.5", TypeError)])
def test_activation_density_is_checked(bad, error):
    with pytest.raises(error, match="activation_density"):
        linear(1, 4, 4, activation_density=bad)


# Weight precision per layer ---------------------------------------------------


def test_weight_bits_per_layer_cost_weight_only_quantisation():
    gpu = get_profile("gpu-ampere")
    fp16, int8, int4 = (simulate(linear(1, 4096, 4096, weight_bits=b), gpu).layers[0] for b in (None, 8, 4))
    assert fp16.weight_bytes == 4096 * 4096 * gpu.weight_bits / 8
    assert int8.weight_bytes == fp16.weight_bytes / 2 and int4.weight_bytes == fp16.weight_bytes / 4
    assert fp16.bound == int4.bound == "memory"
    assert fp16.memory_s / int4.memory_s > 3.9  # a memory-bound GEMV follows the weight bytes
    assert int4.compute_cycles == fp16.compute_cycles  # weight-only: the math still runs at the compute precision
    two_four = n_m_mask((4096, 4096), seed=8)
    sparse4 = simulate(linear(1, 4096, 4096, weight_mask=two_four, weight_bits=4), gpu).layers[0]
    assert sparse4.weight_bytes == 4096 * 4096 / 2 * (4 + 2) / 8  # values and 2-bit metadata


@pytest.mark.parametrize("bad, error", [(0, ValueError), (100, ValueError), (True, TypeError), ("4", TypeError)])
def test_weight_bits_is_checked(bad, error):
    with pytest.raises(error, match="weight_bits"):
        linear(1, 4, 4, weight_bits=bad)


def test_the_dense_kernel_drops_only_rows_and_columns_with_no_kept_weight():
    # At 90 % random sparsity a row of K = 1024 inputs is all zero with probability 0.9 ** 1024 (about 1e-47): the
    # dense kernel on the NPU runs the whole matrix, zeros multiplied, and gains nothing.
    scattered = unstructured_mask((1024, 1024), 0.1, seed=0)
    dense = simulate(linear(256, 1024, 1024), "npu-systolic").layers[0]
    row = simulate(linear(256, 1024, 1024, weight_mask=scattered), "npu-systolic").layers[0]
    assert (row.kernel, row.n, row.k) == ("dense", 1024, 1024)
    assert row.latency_s == dense.latency_s and row.compute_cycles == dense.compute_cycles
    # Units left with no incoming weight (as global magnitude pruning leaves some) output a constant that folds into
    # the next layer's bias, and inputs no weight reads are never needed: the simulator removes both, exactly as
    # physically removing those units would, and runs the zeros of the rest.
    dead = scattered.copy()
    dead[:256] = False  # 256 units without weights
    dead[:, :128] = False  # 128 inputs no weight reads
    row = simulate(linear(256, 1024, 1024, weight_mask=dead), "npu-systolic").layers[0]
    removed = simulate(linear(256, 896, 768), "npu-systolic").layers[0]
    assert (row.pattern, row.n, row.k) == ("unstructured", 768, 896)
    assert row.latency_s == removed.latency_s and row.compute_cycles == removed.compute_cycles
