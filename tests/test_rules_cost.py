"""Golden values of the cost model: one small layer per platform, dense and on every declared sparse kernel.

Every expected number below is worked out by hand from the formulas in
``hardware/cost.py`` and the values in ``hardware/platforms/*.toml``; the
arithmetic is in the comment beside it. The layers have widths that are not
powers of two, K that is not a multiple of the tile where the tile is > 1, and
cycle counts with a fractional part, so a floor for a ceil, an int for a round,
an unpadded K or a divided-for-multiplied efficiency changes a number here.

Formulas used (cost.py):
  tiled dense cycles = ceil(ceil(ceil(M/tm) * ceil(N/tn) / units) * tm*tn*ceil(K/tk)*tk * units / macs_per_cycle)
  systolic cycles    = (2R + C + M - 2) * ceil(K/R) * ceil(N/C)
  N:M kernel         stored = N*K*n/m, cycles = ceil(dense_cycles * n/m / efficiency)
  CSR / block kernel stored = round(density * rows * cols), cycles = ceil(M*stored / (macs_per_cycle * efficiency))
  EIE kernel         stored = entries incl. padding, cycles = ceil(M*busiest_PE / (macs_per_cycle/64 * efficiency))
  weight_bytes = stored * (weight_bits + index_bits) / 8;  activation_bytes = (M*K + M*N) * activation_bits / 8
  latency = max(cycles/clock, wb/weight_bw + ab/act_bw) + overhead
  energy  = effective_macs * J/MAC / efficiency + wb * J/B(weights) + ab * J/B(activations)
"""

import numpy as np
import pytest

from hwprune_edu.hardware import SparseKernel, describe_pattern, get_profile, linear, simulate

REL = 1e-12


def expect(row, *, kernel, cycles, weight_bytes, activation_bytes, effective_macs, latency_s, energy_j, bound,
           intensity, utilisation, compute_s, memory_s):
    assert row.kernel == kernel
    assert row.compute_cycles == cycles
    assert row.weight_bytes == pytest.approx(weight_bytes, rel=REL)
    assert row.activation_bytes == pytest.approx(activation_bytes, rel=REL)
    assert row.bytes_moved == pytest.approx(weight_bytes + activation_bytes, rel=REL)
    assert row.effective_macs == pytest.approx(effective_macs, rel=REL)
    assert row.compute_s == pytest.approx(compute_s, rel=REL)
    assert row.memory_s == pytest.approx(memory_s, rel=REL)
    assert row.latency_s == pytest.approx(latency_s, rel=REL)
    assert row.energy_j == pytest.approx(energy_j, rel=REL)
    assert row.bound == bound
    assert row.arithmetic_intensity == pytest.approx(intensity, rel=REL)
    assert row.utilisation == pytest.approx(utilisation, rel=REL)


def first_kept(shape, n_kept):
    """The first ``n_kept`` entries in row-major order kept: unstructured once it ends mid-row."""
    return np.arange(np.prod(shape)).reshape(shape) < n_kept


def shifted_nm(shape, n, m=4):
    """Exactly ``n`` of every ``m`` kept, the kept positions shifting by one per row (so not a block mask)."""
    rows, cols = shape
    return (np.arange(cols)[None, :] + np.arange(rows)[:, None]) % m < n


def blocks(block_keep, edge):
    return np.kron(block_keep, np.ones((edge, edge), dtype=bool))


# ---------------------------------------------------------------- cpu-avx2
# 3.0e9 Hz, 64 MAC/cycle, 4 units, tile 1 x 8 x 1, 5.12e10 B/s (weights and activations), fp32, 2 us overhead,
# 4.6e-12 J/MAC, 1.6e-10 J/B; csr kernels (efficiency 0.1, 32 index bits) for unstructured and block masks.


def test_golden_cpu_dense():
    # linear(batch 5, in 23, out 12): M=5, K=23, N=12.
    row = simulate(linear(5, 23, 12), "cpu-avx2").layers[0]
    expect(
        row,
        kernel="dense",
        cycles=35,  # tiles 5*ceil(12/8)=10, waves ceil(10/4)=3, tile MACs 1*8*23=184: ceil(3*184*4/64)=ceil(34.5)
        weight_bytes=1104,  # 12*23 weights * 32 bits / 8
        activation_bytes=700,  # (5*23 + 5*12) * 32 / 8
        effective_macs=1380,  # 5*12*23
        compute_s=1.1666666666666667e-08,  # 35 / 3e9
        memory_s=3.5234375e-08,  # (1104 + 700) / 5.12e10
        latency_s=2.035234375e-06,  # memory side 3.5234375e-8 + 2e-6 overhead
        energy_j=2.94988e-07,  # 1380*4.6e-12 = 6.348e-9, + 1804*1.6e-10 = 2.8864e-7
        bound="overhead",  # 2e-6 > 3.52e-8
        intensity=1.5299334811529934,  # 2*1380 / 1804
        utilisation=0.0035315342981075584,  # 1380 / (64*3e9 * 2.035234375e-6)
    )


def test_golden_cpu_csr_unstructured_rounds_the_stored_count():
    # 59 of 12*21 = 252 kept (rows 0-1 and 17 of row 2): 59/252*12*21 = 58.99999999999999 in floats, round -> 59.
    mask = first_kept((12, 21), 59)
    layer = linear(5, 21, 12, weight_mask=mask)
    assert layer.pattern.kind == "unstructured"
    expect(
        simulate(layer, "cpu-avx2").layers[0],
        kernel="csr",
        cycles=47,  # M*stored = 5*59 = 295 MACs / (64 * 0.1) = 46.09375 -> ceil 47
        weight_bytes=472,  # 59 * (32 + 32 index bits) / 8
        activation_bytes=660,  # (5*21 + 5*12) * 4
        effective_macs=295,
        compute_s=1.5666666666666668e-08,  # 47 / 3e9
        memory_s=2.2109375e-08,  # (472 + 660) / 5.12e10
        latency_s=2.022109375e-06,  # 2.2109375e-8 + 2e-6
        energy_j=1.9469e-07,  # 295*4.6e-12/0.1 = 1.357e-8, + 1132*1.6e-10 = 1.8112e-7
        bound="overhead",
        intensity=0.5212014134275619,  # 2*295 / 1132
        utilisation=0.0007598294891112571,  # 295 / (1.92e11 * 2.022109375e-6)
    )


def test_golden_cpu_csr_block():
    # linear(5, 20, 12), 2x2 blocks: the first 11 of the 6x10 blocks kept (row-major) = 44 weights.
    mask = blocks(first_kept((6, 10), 11), 2)
    layer = linear(5, 20, 12, weight_mask=mask)
    assert (layer.pattern.kind, layer.pattern.block) == ("block", (2, 2))
    expect(
        simulate(layer, "cpu-avx2").layers[0],
        kernel="csr",
        cycles=35,  # 5*44 = 220 / 6.4 = 34.375 -> 35
        weight_bytes=352,  # round(44/240*12*20) = 44 (43.99999999999999 in floats) * 64 bits / 8
        activation_bytes=640,  # (5*20 + 5*12) * 4
        effective_macs=220,
        compute_s=1.1666666666666667e-08,  # 35 / 3e9
        memory_s=1.9375e-08,  # 992 / 5.12e10
        latency_s=2.019375e-06,
        energy_j=1.6884e-07,  # 220*4.6e-12/0.1 = 1.012e-8, + 992*1.6e-10 = 1.5872e-7
        bound="overhead",
        intensity=0.4435483870967742,  # 440 / 992
        utilisation=0.0005674197874754978,  # 220 / (1.92e11 * 2.019375e-6)
    )


def test_golden_cpu_two_four_has_no_kernel_and_runs_dense():
    layer = linear(5, 20, 12, weight_mask=shifted_nm((12, 20), 2))
    assert (layer.pattern.kind, layer.pattern.n, layer.pattern.m) == ("n:m", 2, 4)
    expect(
        simulate(layer, "cpu-avx2").layers[0],
        kernel="dense",
        cycles=30,  # tiles 10, waves 3, tile MACs 8*20 = 160: 3*160*4/64 = 30
        weight_bytes=960,  # all 240 weights, zeros too, * 4 bytes, no index
        activation_bytes=640,
        effective_macs=1200,  # 5*12*20: the zeros are multiplied
        compute_s=1e-08,  # 30 / 3e9
        memory_s=3.125e-08,  # 1600 / 5.12e10
        latency_s=2.03125e-06,
        energy_j=2.6152e-07,  # 1200*4.6e-12 = 5.52e-9, + 1600*1.6e-10 = 2.56e-7
        bound="overhead",
        intensity=1.5,  # 2400 / 1600
        utilisation=0.003076923076923077,  # 1200 / (1.92e11 * 2.03125e-6)
    )


def test_golden_report_totals_round_the_cycles():
    report = simulate(
        [linear(5, 23, 12), linear(5, 20, 12, weight_mask=blocks(first_kept((6, 10), 11), 2))], "cpu-avx2"
    )
    assert report.latency_s == pytest.approx(4.054609375e-06, rel=REL)  # 2.035234375e-6 + 2.019375e-6
    assert report.energy_j == pytest.approx(4.63828e-07, rel=REL)  # 2.94988e-7 + 1.6884e-7
    assert report.cycles == 12164  # round(4.054609375e-6 * 3e9 = 12163.828125)
    assert report.weight_bytes == 1456  # 1104 + 352
    assert report.peak_activation_bytes == 700


def test_golden_nm_kernel_declared_by_a_new_profile():
    """A profile that adds an N:M kernel (no model code changes): efficiency 0.7 stretches the cycles and the energy."""
    two_four = SparseKernel("toy 2:4", compute_efficiency=0.7, index_bits=2, n=2, m=4, source="a test's toy kernel")
    toy = get_profile("cpu-avx2").replace(sparse_kernels={"n:m": two_four})
    expect(
        simulate(linear(5, 20, 12, weight_mask=shifted_nm((12, 20), 2)), toy).layers[0],
        kernel="toy 2:4",
        cycles=22,  # ceil(30 dense cycles * 2/4 / 0.7 = 21.43)
        weight_bytes=510,  # 12*20*2/4 = 120 stored * (32 + 2) / 8
        activation_bytes=640,  # (5*20 + 5*12) * 4
        effective_macs=600,  # 5 * 120
        compute_s=7.333333333333334e-09,  # 22 / 3e9
        memory_s=2.24609375e-08,  # 1150 / 5.12e10
        latency_s=2.0224609375e-06,
        energy_j=1.8794285714285715e-07,  # 600*4.6e-12/0.7 = 3.943e-9, + 1150*1.6e-10 = 1.84e-7
        bound="overhead",
        intensity=1.0434782608695652,  # 1200 / 1150
        utilisation=0.0015451472718493481,  # 600 / (1.92e11 * 2.0224609375e-6)
    )


# ---------------------------------------------------------------- gpu-ampere
# 1.41e9 Hz, 110,592 MAC/cycle over 108 SMs (1024 each), tile 16 x 128 x 32, 1.555e12 B/s, fp16, 5 us overhead,
# 1.5e-12 J/MAC, 1.6e-10 J/B; 2:4 sparse tensor cores (2 index bits per kept weight, efficiency 1.0) and a
# block-sparse kernel for 32x32 blocks (efficiency 0.7, no index bits).


def test_golden_gpu_dense_pads_k_to_the_tile():
    # linear(batch 20, in 40, out 200): K = 40 is padded to ceil(40/32)*32 = 64.
    expect(
        simulate(linear(20, 40, 200), "gpu-ampere").layers[0],
        kernel="dense",
        cycles=128,  # tiles ceil(20/16)*ceil(200/128) = 4, 1 wave, 16*128*64 MACs * 108 / 110592 = 128 (not 80)
        weight_bytes=16000,  # 200*40 * 2 bytes
        activation_bytes=9600,  # (20*40 + 20*200) * 2
        effective_macs=160000,  # 20*200*40
        compute_s=9.078014184397163e-08,  # 128 / 1.41e9
        memory_s=1.6463022508038586e-08,  # 25600 / 1.555e12
        latency_s=5.090780141843971e-06,  # compute 9.078e-8 + 5e-6
        energy_j=4.336e-06,  # 160000*1.5e-12 = 2.4e-7, + 25600*1.6e-10 = 4.096e-6
        bound="overhead",
        intensity=12.5,  # 320000 / 25600
        utilisation=0.0002015546474309361,  # 160000 / (110592*1.41e9 * 5.0907801e-6)
    )


@pytest.mark.parametrize("n_kept", [2, 1], ids=["2:4", "1:4 stored as 2:4"])
def test_golden_gpu_two_four_sparse_tensor_cores(n_kept):
    layer = linear(20, 40, 200, weight_mask=shifted_nm((200, 40), n_kept))
    assert (layer.pattern.kind, layer.pattern.n) == ("n:m", n_kept)
    expect(
        simulate(layer, "gpu-ampere").layers[0],
        kernel="2:4 sparse tensor core",
        cycles=64,  # ceil(128 dense cycles * 2/4 / 1.0)
        weight_bytes=9000,  # 200*40*2/4 = 4000 stored (a 1:4 group keeps an explicit zero) * (16 + 2) / 8
        activation_bytes=9600,
        effective_macs=80000,  # 20 * 4000
        compute_s=4.5390070921985815e-08,  # 64 / 1.41e9
        memory_s=1.1961414790996784e-08,  # 18600 / 1.555e12
        latency_s=5.045390070921986e-06,
        energy_j=3.096e-06,  # 80000*1.5e-12/1.0 = 1.2e-7, + 18600*1.6e-10 = 2.976e-6
        bound="overhead",
        intensity=8.602150537634408,  # 160000 / 18600
        utilisation=0.00010168395131144639,  # 80000 / (1.5593472e14 * 5.04539e-6)
    )


def test_golden_gpu_32x32_blocks_run_block_sparse():
    # linear(20, 64, 96): 3 x 2 blocks of 32 x 32, the first pruned, 5 kept = 5120 weights.
    keep = np.ones((3, 2), dtype=bool)
    keep[0, 0] = False
    layer = linear(20, 64, 96, weight_mask=blocks(keep, 32))
    assert layer.pattern.block == (32, 32)
    expect(
        simulate(layer, "gpu-ampere").layers[0],
        kernel="block-sparse",
        cycles=2,  # 20*5120 = 102400 / (110592 * 0.7 = 77414.4) = 1.32 -> ceil 2
        weight_bytes=10240,  # round(5/6*96*64) = 5120 * 16 bits / 8
        activation_bytes=6400,  # (20*64 + 20*96) * 2
        effective_macs=102400,
        compute_s=1.4184397163120567e-09,  # 2 / 1.41e9
        memory_s=1.070096463022508e-08,  # 16640 / 1.555e12
        latency_s=5.010700964630225e-06,  # memory side + 5e-6
        energy_j=2.8818285714285712e-06,  # 102400*1.5e-12/0.7 = 2.1943e-7, + 16640*1.6e-10 = 2.6624e-6
        bound="overhead",
        intensity=12.307692307692308,  # 204800 / 16640
        utilisation=0.00013105652452293884,  # 102400 / (1.5593472e14 * 5.0107e-6)
    )


def test_golden_gpu_4x4_blocks_are_too_small_for_the_block_kernel():
    # Same layer, one 4x4 block pruned: the kernel needs 32x32 blocks, and groups of 4 keep 4 > 2 (no 2:4).
    keep = np.ones((24, 16), dtype=bool)
    keep[0, 0] = False
    layer = linear(20, 64, 96, weight_mask=blocks(keep, 4))
    assert layer.pattern.block == (4, 4)
    expect(
        simulate(layer, "gpu-ampere").layers[0],
        kernel="dense",
        cycles=128,  # tiles ceil(20/16)*ceil(96/128) = 2, 1 wave, 16*128*64 * 108 / 110592
        weight_bytes=12288,  # all 96*64 weights * 2 bytes
        activation_bytes=6400,
        effective_macs=122880,  # 20*96*64
        compute_s=9.078014184397163e-08,
        memory_s=1.2018006430868168e-08,  # 18688 / 1.555e12
        latency_s=5.090780141843971e-06,
        energy_j=3.1744e-06,  # 122880*1.5e-12 = 1.8432e-7, + 18688*1.6e-10 = 2.99008e-6
        bound="overhead",
        intensity=13.150684931506849,  # 245760 / 18688
        utilisation=0.0001547939692269589,
    )


# ---------------------------------------------------------------- npu-systolic
# 7e8 Hz, 256 x 256 weight-stationary array (65,536 MAC/cycle), weights 3.4e10 B/s, activations 3.584e11 B/s,
# int8, no overhead, 2.3e-13 J/MAC, 1.6e-10 J/B weights, 1.25e-11 J/B activations; dense only.


def test_golden_npu_dense():
    # linear(batch 4, in 300, out 20): two folds along K (300 > 256), one along N.
    expect(
        simulate(linear(4, 300, 20), "npu-systolic").layers[0],
        kernel="dense",
        cycles=1540,  # (2*256 + 256 + 4 - 2) * ceil(300/256) * ceil(20/256) = 770 * 2 * 1
        weight_bytes=6000,  # 20*300 * 1 byte
        activation_bytes=1280,  # 4*300 + 4*20
        effective_macs=24000,
        compute_s=2.2e-06,  # 1540 / 7e8
        memory_s=1.800420168067227e-07,  # 6000/3.4e10 + 1280/3.584e11
        latency_s=2.2e-06,
        energy_j=9.8152e-07,  # 24000*2.3e-13 = 5.52e-9, + 6000*1.6e-10 = 9.6e-7, + 1280*1.25e-11 = 1.6e-8
        bound="compute",
        intensity=6.593406593406593,  # 48000 / 7280
        utilisation=0.00023779931006493506,  # 24000 / (65536*7e8 * 2.2e-6)
    )


def test_golden_npu_structured_runs_the_smaller_gemm():
    # 10 of 20 outputs and 150 of 300 inputs kept: a dense 10 x 150 GEMM reading half the input.
    mask = np.zeros((20, 300), dtype=bool)
    mask[:10, :150] = True
    row = simulate(linear(4, 300, 20, weight_mask=mask), "npu-systolic").layers[0]
    assert (row.pattern, row.n, row.k) == ("structured", 10, 150)
    expect(
        row,
        kernel="dense",
        cycles=770,  # (766 + 4) * ceil(150/256) * ceil(10/256)
        weight_bytes=1500,  # 10*150
        activation_bytes=640,  # 4*300 * 150/300 = 600 inputs read + 4*10 outputs
        effective_macs=6000,  # 4*10*150
        compute_s=1.1e-06,  # 770 / 7e8
        memory_s=4.5903361344537815e-08,  # 1500/3.4e10 + 640/3.584e11
        latency_s=1.1e-06,
        energy_j=2.4938e-07,  # 6000*2.3e-13 = 1.38e-9, + 1500*1.6e-10 = 2.4e-7, + 640*1.25e-11 = 8e-9
        bound="compute",
        intensity=5.607476635514018,  # 12000 / 2140
        utilisation=0.00011889965503246753,
    )


@pytest.mark.parametrize(
    "k, n, folds",
    [(256, 20, 1), (257, 20, 2), (300, 256, 2), (300, 257, 4), (512, 512, 4)],  # ceil(K/256) * ceil(N/256)
)
def test_npu_folds_at_the_array_edges(k, n, folds):
    assert simulate(linear(4, k, n), "npu-systolic").layers[0].compute_cycles == 770 * folds  # (766 + 4) per fold


def test_golden_npu_unstructured_runs_dense():
    layer = linear(4, 300, 20, weight_mask=first_kept((20, 300), 3001))
    assert layer.pattern.kind == "unstructured"
    row = simulate(layer, "npu-systolic").layers[0]
    dense = simulate(linear(4, 300, 20), "npu-systolic").layers[0]
    assert (row.kernel, row.compute_cycles, row.weight_bytes, row.energy_j) == ("dense", 1540, 6000, dense.energy_j)
    assert row.energy_j == pytest.approx(9.8152e-07, rel=REL)


# ---------------------------------------------------------------- mcu-m4
# 1.68e8 Hz, 2 MAC/cycle (SIMD pairs: tile 1 x 1 x 2), weights from flash at 4.48e8 B/s, activations from SRAM at
# 6.72e8 B/s, int8, no overhead, 3e-13 J/MAC, 1.25e-11 J/B flash, 1.25e-12 J/B SRAM; dense only.


def test_golden_mcu_dense_pads_k_to_the_simd_pair():
    # linear(batch 3, in 7, out 5): K = 7 is padded to 8.
    expect(
        simulate(linear(3, 7, 5), "mcu-m4").layers[0],
        kernel="dense",
        cycles=60,  # 3*5 = 15 tiles and waves, tile MACs ceil(7/2)*2 = 8: 15*8*1/2 = 60 (not 52.5 -> 53)
        weight_bytes=35,  # 5*7
        activation_bytes=36,  # 3*7 + 3*5
        effective_macs=105,
        compute_s=3.5714285714285716e-07,  # 60 / 1.68e8
        memory_s=1.3169642857142858e-07,  # 35/4.48e8 = 7.8125e-8, + 36/6.72e8 = 5.357e-8
        latency_s=3.5714285714285716e-07,
        energy_j=5.14e-10,  # 105*3e-13 = 3.15e-11, + 35*1.25e-11 = 4.375e-10, + 36*1.25e-12 = 4.5e-11
        bound="compute",
        intensity=2.9577464788732395,  # 210 / 71
        utilisation=0.875,  # 105 / (2*1.68e8 * 3.5714e-7) = 105/120
    )
    pruned = simulate(linear(3, 7, 5, weight_mask=first_kept((5, 7), 20)), "mcu-m4").layers[0]
    assert (pruned.pattern, pruned.kernel, pruned.compute_cycles, pruned.weight_bytes) == ("unstructured", "dense", 60, 35)


# ---------------------------------------------------------------- sparse-eie
# 8e8 Hz, 64 PEs at 1 MAC/cycle each, tile 1 x 1 x 1, 4.096e11 B/s, 4-bit weights, 16-bit activations, no overhead,
# 9e-13 J/MAC, 1.25e-12 J/B; one interleaved CSC kernel ("eie-csc", efficiency 0.8, 4-bit relative indices,
# output rows dealt round-robin over the 64 PEs) for unstructured, N:M and block masks.
# linear(batch 3, in 12, out 40): 40 rows, one per PE (PEs 40-63 idle).


def test_golden_eie_dense():
    expect(
        simulate(linear(3, 12, 40), "sparse-eie").layers[0],
        kernel="dense",
        cycles=24,  # tiles 3*40 = 120, waves ceil(120/64) = 2, tile MACs 12: 2*12*64/64
        weight_bytes=240,  # 40*12 * 4 bits / 8
        activation_bytes=312,  # (3*12 + 3*40) * 16 / 8
        effective_macs=1440,
        compute_s=3e-08,  # 24 / 8e8
        memory_s=1.34765625e-09,  # 552 / 4.096e11
        latency_s=3e-08,
        energy_j=1.986e-09,  # 1440*9e-13 = 1.296e-9, + 240*1.25e-12 = 3e-10, + 312*1.25e-12 = 3.9e-10
        bound="compute",
        intensity=5.217391304347826,  # 2880 / 552
        utilisation=0.9375,  # 1440 / (64*8e8 * 3e-8) = 1440/1536
    )


EIE_UNSTRUCTURED = np.zeros((40, 12), dtype=bool)
EIE_UNSTRUCTURED[:, [0, 5]] = True
EIE_UNSTRUCTURED[0, :7] = True  # row 0 keeps 7, every other row 2: 85 kept

EIE_BLOCK_KEEP = np.zeros((20, 6), dtype=bool)
EIE_BLOCK_KEEP[:, :2] = True
EIE_BLOCK_KEEP[0, 2] = True  # rows 0-1 keep 6 (three 2x2 blocks), the others 4: 164 kept

EIE_CASES = {
    # mask, (pattern kind, busiest PE's entries, stored entries)
    "2:4": (shifted_nm((40, 12), 2), ("n:m", 6, 240)),
    "unstructured": (EIE_UNSTRUCTURED, ("unstructured", 7, 85)),
    "block": (blocks(EIE_BLOCK_KEEP, 2), ("block", 6, 164)),
}


@pytest.mark.parametrize(
    "case, cycles, compute_s, memory_s, energy_j, intensity, utilisation",
    [
        # cycles = ceil(3 * busiest / (64/64 * 0.8)); memory = (stored*(4+4)/8 + 312) / 4.096e11;
        # energy = 3*stored*9e-13/0.8 + stored*1.25e-12 + 312*1.25e-12
        ("2:4", 23, 2.875e-08, 1.34765625e-09, 1.5e-09, 2.608695652173913, 0.4891304347826087),
        # 3*6/0.8 = 22.5 -> 23; 720*9e-13/0.8 = 8.1e-10 + 3e-10 + 3.9e-10; 1440/552; 720/(5.12e10*2.875e-8)
        ("unstructured", 27, 3.375e-08, 9.6923828125e-10, 7.83125e-10, 1.2846347607052897, 0.14756944444444445),
        # 3*7/0.8 = 26.25 -> 27; 255*9e-13/0.8 = 2.86875e-10 + 1.0625e-10 + 3.9e-10; 510/397; 255/(5.12e10*3.375e-8)
        ("block", 23, 2.875e-08, 1.162109375e-09, 1.1485e-09, 2.0672268907563027, 0.3342391304347826),
        # 3*6/0.8 -> 23; 492*9e-13/0.8 = 5.535e-10 + 2.05e-10 + 3.9e-10; 984/476; 492/(5.12e10*2.875e-8)
    ],
)
def test_golden_eie_sparse_kernels(case, cycles, compute_s, memory_s, energy_j, intensity, utilisation):
    mask, (kind, busiest, stored) = EIE_CASES[case]
    assert int(mask.sum()) == stored  # one row per PE: no column run reaches 16 zeros, so no padding entries
    assert mask.reshape(40, 12).sum(axis=1).max() == busiest
    layer = linear(3, 12, 40, weight_mask=mask)
    assert layer.pattern.kind == kind
    expect(
        simulate(layer, "sparse-eie").layers[0],
        kernel="eie-csc",
        cycles=cycles,
        weight_bytes=stored,  # stored * (4 + 4) / 8
        activation_bytes=312,
        effective_macs=3 * stored,
        compute_s=compute_s,
        memory_s=memory_s,
        latency_s=compute_s,  # compute-bound, no overhead
        energy_j=energy_j,
        bound="compute",
        intensity=intensity,
        utilisation=utilisation,
    )


# ---------------------------------------------------------------- EIE relative-index padding


@pytest.mark.parametrize(
    "zeros, padding",
    [(14, 0), (15, 0), (16, 1), (31, 1), (32, 2)],  # a 4-bit relative index spans up to 15 zeros: floor(z / 16)
)
def test_eie_pads_runs_of_sixteen_zeros_or_more(zeros, padding):
    """Rows are dealt round-robin, so PE 0 holds rows 0, 64, 128, ...: its column 0 is rows 64*i.

    PE 0, column 0: entries at positions z, 2z+1, 2z+2 (a leading run of z zeros, a gap of z, a gap of 0).
    PE 0, column 1: positions 0 and 1 (a new column starts its run afresh). PE 1, column 1: position 0.
    """
    rows = 64 * 67  # 67 rows per PE: room for 2*32 + 3 positions
    mask = np.zeros((rows, 2), dtype=bool)
    for position in (zeros, 2 * zeros + 1, 2 * zeros + 2):
        mask[64 * position, 0] = True
    mask[[0, 64], 1] = True
    mask[1, 1] = True
    layer = linear(1, 2, rows, weight_mask=mask)
    assert layer.pattern.kind == "unstructured"
    row = simulate(layer, "sparse-eie").layers[0]
    busiest = 5 + 2 * padding  # PE 0: 3 + 2 entries, one padding entry per z-run for z >= 16
    stored = busiest + 1  # plus PE 1's single entry
    assert row.weight_bytes == stored  # (4 + 4) bits each
    assert row.effective_macs == stored
    # ceil(1 * busiest / 0.8): 5 -> ceil(6.25) = 7, 7 -> ceil(8.75) = 9, 9 -> ceil(11.25) = 12
    assert row.compute_cycles == {0: 7, 1: 9, 2: 12}[padding]


def test_eie_balances_rows_across_pes():
    """130 rows on 64 PEs: PEs 0 and 1 hold three rows (r, r+64, r+128), the others two; the busiest sets the time."""
    mask = np.ones((130, 4), dtype=bool)
    mask[:, 3] = False
    mask[5, 3] = True  # not a rectangle: unstructured
    row = simulate(linear(2, 4, 130, weight_mask=mask), "sparse-eie").layers[0]
    assert row.kernel == "eie-csc"
    assert row.weight_bytes == 391  # 130*3 + 1 entries, no run of 16 zeros
    assert row.compute_cycles == 23  # busiest PE 0 (or 1): 3 rows * 3 = 9 entries; ceil(2*9/0.8 = 22.5)


def test_block_shapes_read_from_masks_are_what_the_gpu_kernel_checks():
    keep = np.ones((3, 2), dtype=bool)
    keep[2, 1] = False
    assert describe_pattern(blocks(keep, 32)).block == (32, 32)
    big = np.ones((2, 2), dtype=bool)
    big[0, 0] = False
    layer = linear(1, 128, 128, weight_mask=blocks(big, 64))  # 64x64 blocks: a multiple of 32, accepted
    assert layer.pattern.block == (64, 64)
    assert simulate(layer, "gpu-ampere").layers[0].kernel == "block-sparse"
    small = np.ones((8, 8), dtype=bool)
    small[0, 0] = False
    layer = linear(1, 128, 128, weight_mask=blocks(small, 16))  # 16x16 blocks: refused
    assert simulate(layer, "gpu-ampere").layers[0].kernel == "dense"
