"""The teaching invariants: what each platform does (and does not) gain from each pattern."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.hardware import PROFILES, describe_pattern, linear, simulate

from hardware_masks import n_m_mask, rows_mask, unstructured_mask

DENSITIES = [0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99]


def latency(layer, profile):
    return simulate([layer], profile).latency_s


def energy(layer, profile):
    return simulate([layer], profile).energy_j


# Dense kernels: unstructured sparsity buys nothing ---------------------------


@pytest.mark.parametrize("profile", ["npu-systolic", "mcu-m4"])
@pytest.mark.parametrize("batch", [1, 256])
@pytest.mark.parametrize("density", DENSITIES)
def test_unstructured_masks_give_no_speedup_on_dense_only_platforms(profile, batch, density):
    mask = unstructured_mask((512, 512), density, seed=int(density * 100))
    assert describe_pattern(mask).kind == "unstructured"
    sparse = simulate([linear(batch, 512, 512, weight_mask=mask)], profile)
    dense = simulate([linear(batch, 512, 512)], profile)
    assert sparse.layers[0].kernel == "dense"
    assert sparse.latency_s == dense.latency_s
    assert sparse.energy_j == dense.energy_j


@pytest.mark.parametrize("batch", [1, 256])
def test_gpu_unstructured_kernel_wins_only_at_high_sparsity(batch):
    dense = simulate([linear(batch, 1024, 1024)], "gpu-ampere")
    for density in (0.5, 0.3):
        mask = unstructured_mask((1024, 1024), density, seed=9)
        row = simulate([linear(batch, 1024, 1024, weight_mask=mask)], "gpu-ampere").layers[0]
        assert row.kernel == "dense" and row.latency_s == dense.latency_s
    sparse = simulate([linear(batch, 1024, 1024, weight_mask=unstructured_mask((1024, 1024), 0.02, seed=9))], "gpu-ampere")
    assert sparse.layers[0].kernel == "sputnik csr"
    assert sparse.latency_s < dense.latency_s


# Sparse tensor cores: exactly 2:4 or nothing ----------------------------------


def test_two_four_on_a_large_compute_bound_gemm_gives_what_real_kernels_measure():
    # Real 2:4 GEMMs reach 1.3-1.7x on large GEMMs, not the 2x math peak (see gpu-ampere.toml).
    mask = n_m_mask((4096, 4096), seed=3)
    dense = simulate([linear(4096, 4096, 4096)], "gpu-ampere")
    sparse = simulate([linear(4096, 4096, 4096, weight_mask=mask)], "gpu-ampere")
    assert dense.layers[0].bound == sparse.layers[0].bound == "compute"
    assert sparse.layers[0].kernel == "2:4 sparse tensor core"
    assert 1.3 <= dense.latency_s / sparse.latency_s <= 1.7


def test_a_batch_one_gemv_on_the_gpu_follows_the_bytes():
    # Split-K spreads a GEMV over every SM: memory-bound, as real GEMVs are, not stuck on one SM per 128 outputs.
    for width in (1024, 4096, 8192):
        row = simulate([linear(1, width, width)], "gpu-ampere").layers[0]
        assert row.memory_s > 5 * row.compute_s
        assert row.bound in ("memory", "overhead")
    assert simulate([linear(1, 4096, 4096)], "gpu-ampere").layers[0].bound == "memory"


@settings(max_examples=30, deadline=None)
@given(
    batch=st.sampled_from([1, 7, 64, 300, 2048]),
    rows=st.sampled_from([8, 100, 256, 1000]),
    groups=st.integers(1, 300),
    seed=st.integers(0, 10_000),
)
def test_two_four_speedup_never_exceeds_2x_on_any_layer(batch, rows, groups, seed):
    mask = n_m_mask((rows, 4 * groups), seed=seed)
    dense = latency(linear(batch, 4 * groups, rows), "gpu-ampere")
    sparse_layer = linear(batch, 4 * groups, rows, weight_mask=mask)
    assert dense / latency(sparse_layer, "gpu-ampere") <= 2.0 + 1e-12
    assert latency(sparse_layer, "gpu-ampere") <= dense


def test_two_four_in_all_but_one_group_gets_no_sparse_tensor_core_speedup():
    mask = n_m_mask((2048, 2048), seed=4)
    mask[100, 40:44] = [True, True, True, False]  # one group keeps 3 of 4
    layer = linear(2048, 2048, 2048, weight_mask=mask)
    report = simulate([layer], "gpu-ampere")
    assert report.layers[0].kernel == "dense"  # no other kernel is faster at 50 % density
    assert report.latency_s == latency(linear(2048, 2048, 2048), "gpu-ampere")


def test_a_sparser_than_two_four_mask_still_runs_on_sparse_tensor_cores():
    # Sparse tensor cores take at most 2 of every 4; a 2:4 mask that loses one
    # more weight (or a 2:8 mask, whose every 4-group keeps <= 2) still fits.
    mask = n_m_mask((1024, 1024), seed=6)
    sparser = mask.copy()
    sparser[7, np.flatnonzero(mask[7, :4])[0]] = False
    assert describe_pattern(sparser).kind == "unstructured"
    exact, fewer = (simulate([linear(1024, 1024, 1024, weight_mask=m)], "gpu-ampere") for m in (mask, sparser))
    assert fewer.layers[0].kernel == exact.layers[0].kernel != "dense"
    assert fewer.latency_s <= exact.latency_s and fewer.energy_j <= exact.energy_j
    from hwprune_edu.pruning import nm_mask

    two_eight = nm_mask(np.random.default_rng(0).standard_normal((64, 64)), 2, 8)
    assert simulate([linear(64, 64, 64, weight_mask=two_eight)], "gpu-ampere").layers[0].kernel != "dense"


def test_other_n_m_ratios_are_not_two_four():
    mask = n_m_mask((1024, 1024), n=4, m=8, seed=5)
    assert describe_pattern(mask).kind == "n:m"
    report = simulate([linear(1024, 1024, 1024, weight_mask=mask)], "gpu-ampere")
    assert report.layers[0].kernel == "dense"


# Channels: a speed-up everywhere, but in steps of the tile --------------------


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_removing_output_channels_speeds_up_every_platform(profile):
    full = simulate([linear(64, 1024, 1024)], profile)
    half = simulate([linear(64, 1024, 1024, weight_mask=rows_mask((1024, 1024), 512))], profile)
    assert half.latency_s < full.latency_s
    assert half.energy_j < full.energy_j


def test_one_channel_past_the_systolic_tile_costs_about_a_whole_tile():
    cols = PROFILES["npu-systolic"].systolic_cols
    at_tile, one_past, two_tiles = (
        latency(linear(8192, 256, n_out), "npu-systolic") for n_out in (cols, cols + 1, 2 * cols)
    )
    assert one_past / two_tiles > 0.95  # C + 1 costs about as much as 2C ...
    assert one_past / at_tile > 1.8  # ... and nearly twice C: the cliff
    widths = np.arange(cols - 8, 2 * cols + 8)
    latencies = np.array([latency(linear(8192, 256, int(n)), "npu-systolic") for n in widths])
    assert (np.diff(latencies) < 0).any() or np.ptp(latencies) > 0  # not smooth in width
    assert (latencies[widths > cols] >= 0.95 * latencies[-9]).all()  # a plateau past the cliff


def test_gpu_wave_quantisation_makes_one_tile_too_many_cost_a_wave():
    gpu = PROFILES["gpu-ampere"]
    m_one_wave = gpu.tile_m * gpu.units  # one output tile per SM
    one = simulate([linear(m_one_wave, 4096, gpu.tile_n)], gpu).layers[0]
    more = simulate([linear(m_one_wave + 1, 4096, gpu.tile_n)], gpu).layers[0]
    assert more.compute_cycles == 2 * one.compute_cycles
    assert more.latency_s >= one.latency_s


# EIE: zero skipping pays, but the format costs --------------------------------


@pytest.mark.parametrize("density", [0.05, 0.1, 0.3])
def test_sparse_eie_gains_from_unstructured_sparsity(density):
    mask = unstructured_mask((1024, 1024), density, seed=6)
    sparse = simulate([linear(1, 1024, 1024, weight_mask=mask)], "sparse-eie")
    dense = simulate([linear(1, 1024, 1024)], "sparse-eie")
    assert sparse.layers[0].kernel == "eie-csc"
    assert sparse.latency_s < dense.latency_s
    assert sparse.energy_j < dense.energy_j


@pytest.mark.parametrize("density", [0.95, 0.99])
def test_sparse_eie_index_overhead_makes_very_low_sparsity_slower_than_dense(density):
    mask = unstructured_mask((1024, 1024), density, seed=7)
    layer = linear(1, 1024, 1024, weight_mask=mask)
    dense = latency(linear(1, 1024, 1024), "sparse-eie")
    assert simulate([layer], "sparse-eie", kernel="eie-csc").latency_s > dense  # the CSC format would be slower ...
    assert simulate([layer], "sparse-eie").layers[0].kernel == "dense"  # ... so the dense path runs
    assert latency(layer, "sparse-eie") == dense


def test_sparse_eie_pads_long_zero_runs():
    # A single kept weight per PE column after 40 zeros needs 40 // 16 = 2 padding entries (4-bit relative index).
    mask = np.zeros((64 * 41, 2), bool)
    mask[64 * 40 :, 0] = True  # each PE: 40 zeros, then one weight
    mask[:64, 1] = True  # each PE: one weight, no zeros before it
    report = simulate([linear(1, 2, 64 * 41, weight_mask=mask)], "sparse-eie")
    assert report.layers[0].pattern == "unstructured"
    stored_entries = report.layers[0].effective_macs
    assert stored_entries == 64 * (1 + 40 // 16) + 64


# CPU: CSR only pays below its break-even density ------------------------------

CPU = PROFILES["cpu-avx2"]
CSR = CPU.sparse_kernels["csr"]
COMPUTE_BREAK_EVEN = CSR.compute_efficiency  # a non-zero costs 1/efficiency dense MACs
# Memory-bound: density * (value + index bits) / sustained fraction = value bits.
MEMORY_BREAK_EVEN = CSR.bandwidth_efficiency * CPU.weight_bits / (CPU.weight_bits + CSR.index_bits)


def test_cpu_csr_break_even_is_where_unstructured_kernels_really_pay():
    # 70-90 % sparsity on a memory-bound layer (Hoefler et al. 2021), 90 % when compute-bound.
    assert 0.70 <= 1 - MEMORY_BREAK_EVEN <= 0.90
    assert 1 - COMPUTE_BREAK_EVEN == pytest.approx(0.9)


@pytest.mark.parametrize(
    "batch, break_even",
    [(256, COMPUTE_BREAK_EVEN), (1, MEMORY_BREAK_EVEN)],
    ids=["compute-bound", "memory-bound"],
)
def test_cpu_csr_wins_only_below_its_break_even_density(batch, break_even):
    dense = latency(linear(batch, 1024, 1024), "cpu-avx2")
    below = linear(batch, 1024, 1024, weight_mask=unstructured_mask((1024, 1024), 0.8 * break_even, seed=8))
    above = linear(batch, 1024, 1024, weight_mask=unstructured_mask((1024, 1024), 1.2 * break_even, seed=8))
    assert simulate([below], "cpu-avx2").layers[0].kernel == "csr"
    assert latency(below, "cpu-avx2") < dense
    forced = simulate([above], "cpu-avx2", kernel="csr")
    assert forced.latency_s > dense  # CSR would be slower here ...
    chosen = simulate([above], "cpu-avx2")
    assert chosen.layers[0].kernel == "dense" and chosen.latency_s == dense  # ... so the dense kernel runs


@settings(max_examples=25, deadline=None)
@given(batch=st.sampled_from([1, 4, 32, 512]), density=st.floats(0.2, 0.99), seed=st.integers(0, 1000))
def test_cpu_unstructured_masks_above_both_break_evens_run_dense(batch, density, seed):
    mask = unstructured_mask((256, 256), density, seed=seed)
    report = simulate([linear(batch, 256, 256, weight_mask=mask)], "cpu-avx2")
    assert report.layers[0].kernel == "dense"
    assert report.latency_s == latency(linear(batch, 256, 256), "cpu-avx2")
    assert simulate([linear(batch, 256, 256, weight_mask=mask)], "cpu-avx2", kernel="csr").latency_s > report.latency_s


# Gaining zeros in an exploited pattern never costs more ------------------------


@settings(max_examples=40, deadline=None)
@given(
    rows=st.sampled_from([16, 64, 130]),
    cols=st.sampled_from([16, 64, 96]),
    density=st.floats(0.02, 0.9),
    drop=st.floats(0.0, 0.9),
    batch=st.sampled_from([1, 16, 256]),
    seed=st.integers(0, 10_000),
)
def test_unstructured_zeros_never_cost_more_where_exploited(rows, cols, density, drop, batch, seed):
    before = unstructured_mask((rows, cols), density, seed=seed)
    after = before & (np.random.default_rng(seed + 1).random((rows, cols)) >= drop)
    for profile, kernel in (("cpu-avx2", "csr"), ("sparse-eie", "eie-csc")):
        kinds = describe_pattern(before).kind, describe_pattern(after).kind
        if not all(kind in ("unstructured", "block") for kind in kinds):
            continue
        a, b = (simulate([linear(batch, cols, rows, weight_mask=m)], profile) for m in (before, after))
        assert b.latency_s <= a.latency_s  # the runtime's choice: never slower
        # On the sparse kernel itself, never slower nor dearer (a kernel switch may trade energy for speed).
        a, b = (simulate([linear(batch, cols, rows, weight_mask=m)], profile, kernel=kernel) for m in (before, after))
        assert b.latency_s <= a.latency_s
        assert b.energy_j <= a.energy_j


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(2, 300),
    cols=st.integers(1, 300),
    kept_before=st.integers(1, 300),
    removed=st.integers(0, 300),
    batch=st.sampled_from([1, 9, 128, 1000]),
)
def test_removing_more_channels_never_costs_more_anywhere(rows, cols, kept_before, removed, batch):
    kept_before = min(kept_before, rows)
    kept_after = max(1, kept_before - removed)
    before, after = (linear(batch, cols, rows, weight_mask=rows_mask((rows, cols), kept)) for kept in (kept_before, kept_after))
    for profile in PROFILES:
        assert simulate([after], profile).latency_s <= simulate([before], profile).latency_s
        # On the dense kernel, fewer channels are also never dearer (the runtime's pick may trade energy for speed).
        a, b = (simulate([layer], profile, kernel="dense") for layer in (before, after))
        assert b.latency_s <= a.latency_s
        assert b.energy_j <= a.energy_j


@pytest.mark.parametrize("profile", ["gpu-ampere", "sparse-eie"])
def test_two_four_to_one_four_never_costs_more(profile):
    two = n_m_mask((512, 512), n=2, seed=9)
    one = two & (np.cumsum(two.reshape(512, 128, 4), axis=2) == 1).reshape(512, 512)
    assert describe_pattern(one).n == 1
    a, b = (simulate([linear(64, 512, 512, weight_mask=mask)], profile) for mask in (two, one))
    assert b.latency_s <= a.latency_s and b.energy_j <= a.energy_j
    assert b.layers[0].kernel != "dense"


# Overheads and fit ------------------------------------------------------------


def test_tiny_layers_are_launch_bound_on_the_gpu():
    row = simulate([linear(1, 16, 16)], "gpu-ampere").layers[0]
    assert row.bound == "overhead"
    assert row.latency_s == pytest.approx(PROFILES["gpu-ampere"].overhead_s, rel=0.01)


def test_mcu_reports_models_that_do_not_fit():
    big = simulate([linear(1, 1024, 1024), linear(1, 1024, 1024)], "mcu-m4")
    assert not big.fits
    assert any("weights need" in warning for warning in big.warnings)
    small = simulate([linear(1, 64, 64)], "mcu-m4")
    assert small.fits and small.warnings == ()
    wide = simulate([linear(256, 1024, 8)], "mcu-m4")  # 8 KB of weights, 256 KB of input
    assert any("activations need" in warning for warning in wide.warnings)


def test_npu_dense_cycles_are_the_systolic_formula():
    from hwprune_edu.hardware import systolic_cycles

    row = simulate([linear(100, 300, 700)], "npu-systolic").layers[0]
    assert row.compute_cycles == systolic_cycles(100, 700, 300, 256, 256)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_totals_add_up_and_bounds_are_consistent(profile):
    layers = [linear(1, 64, 64), linear(128, 512, 256), linear(4, 2048, 2048, weight_mask=unstructured_mask((2048, 2048), 0.1))]
    report = simulate(layers, profile)
    assert report.latency_s == pytest.approx(sum(row.latency_s for row in report.layers))
    assert report.energy_j == pytest.approx(sum(row.energy_j for row in report.layers))
    assert report.cycles == round(report.latency_s * PROFILES[profile].clock_hz)
    for row in report.layers:
        assert row.bound in ("compute", "memory", "overhead")
        assert row.latency_s >= max(row.compute_s, row.memory_s)
        assert 0 < row.utilisation <= 1 + 1e-9
        # Weights are moved once per call, or once per input row where the platform re-reads them (EIE).
        reads = row.m if PROFILES[profile].rereads_weights else 1
        assert row.bytes_moved == pytest.approx(reads * row.weight_bytes + row.activation_bytes)
