"""Golden values of the cost model: one small layer per platform, dense and on every declared sparse kernel.

Every expected number below is worked out by hand from the formulas in
``hardware/cost.py`` and the values in ``hardware/platforms/*.toml``; the
arithmetic is in the comment beside it. The layers have widths that are not
powers of two, K that is not a multiple of the tile where the tile is > 1, and
cycle counts with a fractional part, so a floor for a ceil, an int for a round,
an unpadded K or a divided-for-multiplied efficiency changes a number here.

Formulas used (cost.py):
  tiled dense        tiles = ceil(M/tm) * ceil(N/tn); split = min(units // tiles, ceil(K/tk)) if split_k and
                     tiles < units, else 1; cycles = ceil(ceil(tiles*split / units) * tm*tn*ceil(ceil(K/tk)/split)*tk
                     * units / macs_per_cycle); executed MACs = tiles * split * tm*tn*ceil(ceil(K/tk)/split)*tk
  systolic dense     cycles = (2R + C + M - 2) * ceil(K/R) * ceil(N/C); executed MACs = ceil(K/R)*ceil(N/C) * R*C * M
  dense kernel       runs the kept rows x kept cols (all-zero rows and columns dropped)
  N:M kernel         stored = N*K*n/m, cycles = ceil(dense_cycles * n/m / efficiency), executed = dense executed * n/m
  block kernel       stored = weights of the b x b blocks keeping one, cycles = ceil(dense_cycles * stored/(N*K) / eff)
  CSR kernel         stored = round(density * rows * cols), cycles = ceil(M*stored / (macs_per_cycle * efficiency))
  EIE kernel         stored = entries incl. padding, cycles = ceil(M*busiest_PE / (macs_per_cycle/64 * efficiency))
  weight_bytes = stored * (weight_bits + index_bits) / 8;  activation_bytes = (M*K + M*N) * activation_bits / 8
  weight traffic = weight_bytes, or M * weight_bytes where the platform re-reads weights per input (EIE)
  latency = max(cycles/clock, traffic/(weight_bw * bandwidth_efficiency) + ab/act_bw) + overhead
  energy  = executed_macs * J/MAC / efficiency + traffic * J/B(weights) + ab * J/B(activations)
Without ``kernel=`` the fastest kernel runs; the golden tests of a sparse kernel force it by name.
"""

import numpy as np
import pytest

from hwprune_edu.hardware import (
    SparseKernel,
    conv2d,
    describe_pattern,
    gemm_arithmetic_intensity,
    gemm_bytes,
    gemm_macs,
    get_profile,
    linear,
    roofline_latency,
    simulate,
    systolic_cycles,
    tiled_cycles,
)

REL = 1e-12


def expect(row, *, kernel, cycles, weight_bytes, activation_bytes, effective_macs, latency_s, energy_j, bound,
           intensity, utilisation, compute_s, memory_s, weight_reads=1):
    assert row.kernel == kernel
    assert row.compute_cycles == cycles
    assert row.weight_bytes == pytest.approx(weight_bytes, rel=REL)
    assert row.activation_bytes == pytest.approx(activation_bytes, rel=REL)
    assert row.bytes_moved == pytest.approx(weight_reads * weight_bytes + activation_bytes, rel=REL)
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
# 4.6e-12 J/MAC, 1.6e-10 J/B; one csr kernel (efficiency 0.1, 32 index bits, 30 % of the bandwidth sustained).


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
        energy_j=2.97104e-07,  # executed 10 tiles * 184 = 1840 MACs * 4.6e-12 = 8.464e-9, + 1804*1.6e-10 = 2.8864e-7
        bound="overhead",  # 2e-6 > 3.52e-8
        intensity=1.5299334811529934,  # 2*1380 / 1804
        utilisation=0.0035315342981075584,  # 1380 / (64*3e9 * 2.035234375e-6)
    )


def test_golden_cpu_csr_unstructured_rounds_the_stored_count():
    # 59 of 12*21 = 252 kept (rows 0-1 and 17 of row 2): 59/252*12*21 = 58.99999999999999 in floats, round -> 59.
    mask = first_kept((12, 21), 59)
    layer = linear(5, 21, 12, weight_mask=mask)
    assert layer.pattern.kind == "unstructured"
    assert simulate(layer, "cpu-avx2", kernel="csr").layers[0].density == 59 / 252  # the report shows the kept share
    # Dense is faster here (32 cycles, 1668 B at full bandwidth: 2.0326e-6 s), so the runtime picks it; force CSR.
    assert simulate(layer, "cpu-avx2").layers[0].kernel == "dense"
    expect(
        simulate(layer, "cpu-avx2", kernel="csr").layers[0],
        kernel="csr",
        cycles=47,  # M*stored = 5*59 = 295 MACs / (64 * 0.1) = 46.09375 -> ceil 47
        weight_bytes=472,  # 59 * (32 + 32 index bits) / 8
        activation_bytes=660,  # (5*21 + 5*12) * 4
        effective_macs=295,
        compute_s=1.5666666666666668e-08,  # 47 / 3e9
        memory_s=4.361979166666667e-08,  # 472 / (5.12e10 * 0.3) = 3.0729e-8, + 660 / 5.12e10 = 1.2891e-8
        latency_s=2.0436197916666667e-06,  # 4.362e-8 + 2e-6
        energy_j=1.9469e-07,  # 295*4.6e-12/0.1 = 1.357e-8, + 1132*1.6e-10 = 1.8112e-7
        bound="overhead",
        intensity=0.5212014134275619,  # 2*295 / 1132
        utilisation=0.0007518317935648295,  # 295 / (1.92e11 * 2.04362e-6)
    )


def test_golden_cpu_csr_block():
    # linear(5, 20, 12), 2x2 blocks: the first 11 of the 6x10 blocks kept (row-major) = 44 weights.
    mask = blocks(first_kept((6, 10), 11), 2)
    layer = linear(5, 20, 12, weight_mask=mask)
    assert (layer.pattern.kind, layer.pattern.block) == ("block", (2, 2))
    expect(
        simulate(layer, "cpu-avx2", kernel="csr").layers[0],
        kernel="csr",
        cycles=35,  # 5*44 = 220 / 6.4 = 34.375 -> 35
        weight_bytes=352,  # round(44/240*12*20) = 44 (43.99999999999999 in floats) * 64 bits / 8
        activation_bytes=640,  # (5*20 + 5*12) * 4
        effective_macs=220,
        compute_s=1.1666666666666667e-08,  # 35 / 3e9
        memory_s=3.541666666666666e-08,  # 352 / (5.12e10 * 0.3) = 2.2917e-8, + 640 / 5.12e10 = 1.25e-8
        latency_s=2.0354166666666667e-06,
        energy_j=1.6884e-07,  # 220*4.6e-12/0.1 = 1.012e-8, + 992*1.6e-10 = 1.5872e-7
        bound="overhead",
        intensity=0.4435483870967742,  # 440 / 992
        utilisation=0.0005629477993858752,  # 220 / (1.92e11 * 2.0354167e-6)
    )
    # The runtime picks dense: only block rows 0-1 (4 of 12 rows) keep weights, so it runs a 4 x 20 GEMM:
    # tiles 5, waves 2, 2*160*4/64 = 20 cycles; (320 + (100 + 20)*4) B / 5.12e10 = 1.5625e-8 s + 2e-6.
    chosen = simulate(layer, "cpu-avx2").layers[0]
    assert (chosen.kernel, chosen.n, chosen.k, chosen.compute_cycles) == ("dense", 4, 20, 20)
    assert chosen.latency_s == pytest.approx(2.015625e-06, rel=REL)


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
        energy_j=2.6336e-07,  # executed 10 tiles * 160 = 1600 MACs * 4.6e-12 = 7.36e-9, + 1600*1.6e-10 = 2.56e-7
        bound="overhead",
        intensity=1.5,  # 2400 / 1600
        utilisation=0.003076923076923077,  # 1200 / (1.92e11 * 2.03125e-6)
    )


def test_golden_report_totals_round_the_cycles():
    report = simulate(
        [linear(5, 23, 12), linear(5, 20, 12, weight_mask=blocks(first_kept((6, 10), 11), 2))], "cpu-avx2"
    )
    # The block layer runs dense on its 4 kept rows (see test_golden_cpu_csr_block): 2.015625e-6 s,
    # 5 tiles * 160 = 800 MACs * 4.6e-12 = 3.68e-9 J + 800 B * 1.6e-10 = 1.28e-7 J, 4*20*4 = 320 weight bytes.
    assert report.latency_s == pytest.approx(4.050859375e-06, rel=REL)  # 2.035234375e-6 + 2.015625e-6
    assert report.energy_j == pytest.approx(4.28784e-07, rel=REL)  # 2.97104e-7 + 1.3168e-7
    assert report.cycles == 12153  # round(4.050859375e-6 * 3e9 = 12152.578125)
    assert report.weight_bytes == 1424  # 1104 + 320
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
        energy_j=1.8925714285714284e-07,  # executed 1600/2 = 800 MACs * 4.6e-12/0.7 = 5.257e-9, + 1150*1.6e-10 = 1.84e-7
        bound="overhead",
        intensity=1.0434782608695652,  # 1200 / 1150
        utilisation=0.0015451472718493481,  # 600 / (1.92e11 * 2.0224609375e-6)
    )


# ---------------------------------------------------------------- gpu-ampere
# 1.41e9 Hz, 110,592 MAC/cycle over 108 SMs (1024 each), tile 16 x 128 x 32, split-K, 1.555e12 B/s, fp16,
# 5 us overhead, 1.5e-12 J/MAC, 1.6e-10 J/B; 2:4 sparse tensor cores (2 index bits per kept weight, efficiency
# 0.75), a block-sparse kernel for 32x32 blocks (efficiency 0.7, no index bits) and sputnik csr (0.1, 32 bits, 0.5).


def test_golden_gpu_dense_pads_k_to_the_tile():
    # linear(batch 20, in 40, out 200): K = 40 is padded to ceil(40/32)*32 = 64, in 2 split-K slices of 32.
    expect(
        simulate(linear(20, 40, 200), "gpu-ampere").layers[0],
        kernel="dense",
        # tiles ceil(20/16)*ceil(200/128) = 4 < 108 SMs: split = min(108 // 4, ceil(40/32)) = 2, 8 tile-slices in
        # 1 wave, each 16*128*ceil(2/2)*32 = 65536 MACs: 65536 * 108 / 110592 = 64 cycles
        cycles=64,
        weight_bytes=16000,  # 200*40 * 2 bytes
        activation_bytes=9600,  # (20*40 + 20*200) * 2
        effective_macs=160000,  # 20*200*40
        compute_s=4.5390070921985815e-08,  # 64 / 1.41e9
        memory_s=1.6463022508038586e-08,  # 25600 / 1.555e12
        latency_s=5.045390070921986e-06,  # compute 4.539e-8 + 5e-6
        energy_j=4.882432e-06,  # executed 8 * 65536 = 524288 MACs * 1.5e-12 = 7.86432e-7, + 25600*1.6e-10 = 4.096e-6
        bound="overhead",
        intensity=12.5,  # 320000 / 25600
        utilisation=0.00020336790262289278,  # 160000 / (110592*1.41e9 * 5.04539e-6)
    )


@pytest.mark.parametrize("n_kept", [2, 1], ids=["2:4", "1:4 stored as 2:4"])
def test_golden_gpu_two_four_sparse_tensor_cores(n_kept):
    layer = linear(20, 40, 200, weight_mask=shifted_nm((200, 40), n_kept))
    assert (layer.pattern.kind, layer.pattern.n) == ("n:m", n_kept)
    # 2:4 is the fastest for both: sputnik csr needs 4 (1:4) to 8 (2:4) cycles for the non-zeros but no fewer than
    # the smallest dense GEMM with K = 40 (one 16x128 tile, split in 2: 64 cycles), and 43 < 64.
    assert simulate(layer, "gpu-ampere").layers[0].kernel == "2:4 sparse tensor core"
    expect(
        simulate(layer, "gpu-ampere", kernel="2:4 sparse tensor core").layers[0],
        kernel="2:4 sparse tensor core",
        cycles=43,  # ceil(64 dense cycles * 2/4 / 0.75 = 42.67)
        weight_bytes=9000,  # 200*40*2/4 = 4000 stored (a 1:4 group keeps an explicit zero) * (16 + 2) / 8
        activation_bytes=9600,
        effective_macs=80000,  # 20 * 4000
        compute_s=3.049645390070922e-08,  # 43 / 1.41e9
        memory_s=1.1961414790996784e-08,  # 18600 / 1.555e12
        latency_s=5.0304964539007095e-06,
        energy_j=3.500288e-06,  # executed 524288/2 = 262144 MACs * 1.5e-12/0.75 = 5.24288e-7, + 18600*1.6e-10 = 2.976e-6
        bound="overhead",
        intensity=8.602150537634408,  # 160000 / 18600
        utilisation=0.0001019850034723854,  # 80000 / (1.5593472e14 * 5.0304965e-6)
    )


def test_golden_gpu_32x32_blocks_run_block_sparse():
    # linear(20, 64, 96): 3 x 2 blocks of 32 x 32, the first pruned, 5 kept = 5120 weights.
    keep = np.ones((3, 2), dtype=bool)
    keep[0, 0] = False
    layer = linear(20, 64, 96, weight_mask=blocks(keep, 32))
    assert layer.pattern.block == (32, 32)
    expect(
        simulate(layer, "gpu-ampere", kernel="block-sparse").layers[0],
        kernel="block-sparse",
        # dense (20, 96, 64): tiles 2, split min(54, 2) = 2, 1 wave of 16*128*32 = 65536 MACs: 64 cycles, 262144 executed
        cycles=77,  # ceil(64 * 5120/6144 / 0.7 = 76.19)
        weight_bytes=10240,  # round(5/6*96*64) = 5120 * 16 bits / 8
        activation_bytes=6400,  # (20*64 + 20*96) * 2
        effective_macs=102400,
        compute_s=5.460992907801419e-08,  # 77 / 1.41e9
        memory_s=1.070096463022508e-08,  # 16640 / 1.555e12
        latency_s=5.054609929078015e-06,  # compute side + 5e-6
        energy_j=3.1305142857142855e-06,  # 262144*5/6 executed * 1.5e-12/0.7 = 4.6811e-7, + 16640*1.6e-10 = 2.6624e-6
        bound="overhead",
        intensity=12.307692307692308,  # 204800 / 16640
        utilisation=0.00012991804769551366,  # 102400 / (1.5593472e14 * 5.0546e-6)
    )
    # On so small a layer the block kernel loses to dense (64 cycles: 5.0454e-6 s), the runtime's pick.
    assert simulate(layer, "gpu-ampere").layers[0].kernel != "block-sparse"


def test_golden_gpu_4x4_blocks_are_too_small_for_the_block_kernel():
    # Same layer, one 4x4 block pruned: the kernel needs 32x32 blocks, and groups of 4 keep 4 > 2 (no 2:4).
    keep = np.ones((24, 16), dtype=bool)
    keep[0, 0] = False
    layer = linear(20, 64, 96, weight_mask=blocks(keep, 4))
    assert layer.pattern.block == (4, 4)
    expect(
        simulate(layer, "gpu-ampere").layers[0],
        kernel="dense",
        cycles=64,  # tiles ceil(20/16)*ceil(96/128) = 2, split 2, 1 wave, 16*128*32 * 108 / 110592
        weight_bytes=12288,  # all 96*64 weights * 2 bytes
        activation_bytes=6400,
        effective_macs=122880,  # 20*96*64
        compute_s=4.5390070921985815e-08,
        memory_s=1.2018006430868168e-08,  # 18688 / 1.555e12
        latency_s=5.045390070921986e-06,
        energy_j=3.383296e-06,  # executed 2*2*65536 = 262144 * 1.5e-12 = 3.93216e-7, + 18688*1.6e-10 = 2.99008e-6
        bound="overhead",
        intensity=13.150684931506849,  # 245760 / 18688
        utilisation=0.00015618654921438165,  # 122880 / (1.5593472e14 * 5.04539e-6)
    )


# ---------------------------------------------------------------- npu-systolic
# 7e8 Hz, 256 x 256 weight-stationary array (65,536 MAC/cycle), weights 3.4e10 B/s, activations 3.584e11 B/s,
# int8, no overhead, 3e-13 J/MAC, 1.6e-10 J/B weights, 1.25e-11 J/B activations; dense only.


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
        # executed: 2 folds * 256*256 PEs * 4 rows = 524288 MACs * 3e-13 = 1.572864e-7, + 6000*1.6e-10 = 9.6e-7,
        # + 1280*1.25e-11 = 1.6e-8
        energy_j=1.1332864e-06,
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
        energy_j=3.266432e-07,  # 1 fold * 65536 * 4 = 262144 * 3e-13 = 7.86432e-8, + 1500*1.6e-10 = 2.4e-7, + 640*1.25e-11 = 8e-9
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
    mask = first_kept((20, 300), 3001)
    mask[:, 0] = True  # every row keeps a weight: nothing for the dense kernel to drop
    layer = linear(4, 300, 20, weight_mask=mask)
    assert layer.pattern.kind == "unstructured"
    row = simulate(layer, "npu-systolic").layers[0]
    dense = simulate(linear(4, 300, 20), "npu-systolic").layers[0]
    assert (row.kernel, row.compute_cycles, row.weight_bytes, row.energy_j) == ("dense", 1540, 6000, dense.energy_j)
    assert row.energy_j == pytest.approx(1.1332864e-06, rel=REL)


# ---------------------------------------------------------------- mcu-m4
# 1.68e8 Hz, 0.5 MAC/cycle sustained (SIMD pairs: tile 1 x 1 x 2), weights from flash at 4.48e8 B/s, activations from SRAM at
# 6.72e8 B/s, int8, no overhead, 3e-13 J/MAC, 1.25e-11 J/B flash, 1.25e-12 J/B SRAM; dense only.


def test_golden_mcu_dense_pads_k_to_the_simd_pair():
    # linear(batch 3, in 7, out 5): K = 7 is padded to 8.
    expect(
        simulate(linear(3, 7, 5), "mcu-m4").layers[0],
        kernel="dense",
        cycles=240,  # 3*5 = 15 tiles and waves, tile MACs ceil(7/2)*2 = 8: 15*8*1/0.5 = 240 (not 210)
        weight_bytes=35,  # 5*7
        activation_bytes=36,  # 3*7 + 3*5
        effective_macs=105,
        compute_s=1.4285714285714286e-06,  # 240 / 1.68e8
        memory_s=1.3169642857142858e-07,  # 35/4.48e8 = 7.8125e-8, + 36/6.72e8 = 5.357e-8
        latency_s=1.4285714285714286e-06,
        energy_j=5.185e-10,  # executed 15*8 = 120 MACs * 3e-13 = 3.6e-11, + 35*1.25e-11 = 4.375e-10, + 36*1.25e-12 = 4.5e-11
        bound="compute",
        intensity=2.9577464788732395,  # 210 / 71
        utilisation=0.875,  # 105 / (0.5*1.68e8 * 1.4286e-6) = 105/120
    )
    # 20 kept: rows 0-1 and 6 of row 2; rows 3-4 keep nothing and are dropped: a 3 x 7 dense GEMM,
    # 9 tiles * 8 / 0.5 = 144 cycles, 3*7 = 21 weight bytes.
    pruned = simulate(linear(3, 7, 5, weight_mask=first_kept((5, 7), 20)), "mcu-m4").layers[0]
    assert (pruned.pattern, pruned.kernel, pruned.compute_cycles, pruned.weight_bytes) == ("unstructured", "dense", 144, 21)


# ---------------------------------------------------------------- sparse-eie
# 8e8 Hz, 64 PEs at 1 MAC/cycle each, tile 1 x 1 x 1, 4.096e11 B/s, 4-bit weights, 16-bit activations, no overhead,
# 9e-13 J/MAC, 1.25e-12 J/B; weights re-read once per input row (M times); one interleaved CSC kernel ("eie-csc",
# efficiency 0.8, 4-bit relative indices, output rows dealt round-robin over the 64 PEs, zero inputs skipped).
# linear(batch 3, in 12, out 40): 40 rows, one per PE (PEs 40-63 idle).


def test_golden_eie_dense():
    expect(
        simulate(linear(3, 12, 40), "sparse-eie").layers[0],
        kernel="dense",
        cycles=24,  # tiles 3*40 = 120, waves ceil(120/64) = 2, tile MACs 12: 2*12*64/64
        weight_bytes=240,  # 40*12 * 4 bits / 8, read 3 times: 720 bytes of traffic
        activation_bytes=312,  # (3*12 + 3*40) * 16 / 8
        effective_macs=1440,
        compute_s=3e-08,  # 24 / 8e8
        memory_s=2.51953125e-09,  # (720 + 312) / 4.096e11
        latency_s=3e-08,
        weight_reads=3,
        energy_j=2.586e-09,  # 120 tiles * 12 = 1440 executed * 9e-13 = 1.296e-9, + 720*1.25e-12 = 9e-10, + 312*1.25e-12
        bound="compute",
        intensity=2.7906976744186047,  # 2880 / 1032
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
        # cycles = ceil(3 * busiest / (64/64 * 0.8)); weights stored*(4+4)/8 bytes, read 3 times;
        # memory = (3*stored + 312) / 4.096e11; energy = 3*stored*9e-13/0.8 + 3*stored*1.25e-12 + 312*1.25e-12
        ("2:4", 23, 2.875e-08, 2.51953125e-09, 2.1e-09, 1.3953488372093024, 0.4891304347826087),
        # 3*6/0.8 = 22.5 -> 23; 720*9e-13/0.8 = 8.1e-10 + 720*1.25e-12 = 9e-10 + 3.9e-10; 1440/1032; 720/(5.12e10*2.875e-8)
        ("unstructured", 27, 3.375e-08, 1.38427734375e-09, 9.95625e-10, 0.8994708994708994, 0.14756944444444445),
        # 3*7/0.8 = 26.25 -> 27; 255*9e-13/0.8 = 2.86875e-10 + 3.1875e-10 + 3.9e-10; 510/567; 255/(5.12e10*3.375e-8)
        ("block", 23, 2.875e-08, 1.962890625e-09, 1.5585e-09, 1.2238805970149254, 0.3342391304347826),
        # 3*6/0.8 -> 23; 492*9e-13/0.8 = 5.535e-10 + 6.15e-10 + 3.9e-10; 984/804; 492/(5.12e10*2.875e-8)
    ],
)
def test_golden_eie_sparse_kernels(case, cycles, compute_s, memory_s, energy_j, intensity, utilisation):
    mask, (kind, busiest, stored) = EIE_CASES[case]
    assert int(mask.sum()) == stored  # one row per PE: no column run reaches 16 zeros, so no padding entries
    assert mask.reshape(40, 12).sum(axis=1).max() == busiest
    layer = linear(3, 12, 40, weight_mask=mask)
    assert layer.pattern.kind == kind
    expect(
        simulate(layer, "sparse-eie", kernel="eie-csc").layers[0],
        kernel="eie-csc",
        cycles=cycles,
        weight_bytes=stored,  # stored * (4 + 4) / 8
        activation_bytes=312,
        effective_macs=3 * stored,
        compute_s=compute_s,
        memory_s=memory_s,
        latency_s=compute_s,  # compute-bound, no overhead
        weight_reads=3,
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
    row = simulate(layer, "sparse-eie", kernel="eie-csc").layers[0]  # dense would run only the few kept rows
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
    row = simulate(linear(2, 4, 130, weight_mask=mask), "sparse-eie", kernel="eie-csc").layers[0]
    assert row.kernel == "eie-csc"
    assert row.weight_bytes == 391  # 130*3 + 1 entries, no run of 16 zeros
    assert row.compute_cycles == 23  # busiest PE 0 (or 1): 3 rows * 3 = 9 entries; ceil(2*9/0.8 = 22.5)


def test_block_kernel_stores_every_32x32_block_that_keeps_a_weight():
    keep = np.ones((3, 2), dtype=bool)
    keep[2, 1] = False
    assert describe_pattern(blocks(keep, 32)).block == (32, 32)
    # 64x64 blocks, a quarter kept (4 per block row, shifted so the mask is no smaller dense matrix).
    quarter = (np.arange(16)[None, :] - np.arange(16)[:, None]) % 16 < 4
    layer = linear(1024, 1024, 1024, weight_mask=blocks(quarter, 64))
    row = simulate(layer, "gpu-ampere").layers[0]
    assert row.kernel == "block-sparse"
    assert row.weight_bytes == 1024 * 256 * 2  # exactly the kept weights: every kept 32-block is full
    # 16x16 blocks: a kept 16-block fills only part of its 32-block, and the zeros around it are stored.
    small = np.zeros((64, 64), dtype=bool)
    small[::2, ::2] = True  # one 16-block kept in each 32x32 block ...
    small[1, 1] = True  # ... and one more, so the mask is no smaller dense matrix
    forced = simulate(linear(1024, 1024, 1024, weight_mask=blocks(small, 16)), "gpu-ampere", kernel="block-sparse")
    assert forced.layers[0].weight_bytes == 1024 * 1024 * 2  # 4x the kept weights: nothing skipped
    assert simulate(linear(1024, 1024, 1024, weight_mask=blocks(small, 16)), "gpu-ampere").layers[0].kernel == "dense"


# ---------------------------------------------------------------- edges of the formulas


def test_golden_gpu_split_k_when_the_units_do_not_divide_evenly():
    # linear(batch 16, in 1024, out 640): tiles ceil(16/16)*ceil(640/128) = 5 < 108 SMs, ceil(1024/32) = 32 K-tiles.
    # split = min(108 // 5, 32) = 21 (108 / 5 = 21.6 is no slice count), waves ceil(5*21 / 108) = 1,
    # each slice runs ceil(32/21) = 2 K-tiles (32/21 = 1.52 is no loop count): 16*128*2*32 = 131072 MACs.
    expect(
        simulate(linear(16, 1024, 640), "gpu-ampere").layers[0],
        kernel="dense",
        cycles=128,  # 1 wave * 131072 * 108 / 110592
        weight_bytes=1310720,  # 640*1024 * 2
        activation_bytes=53248,  # (16*1024 + 16*640) * 2
        effective_macs=10485760,  # 16*640*1024
        compute_s=9.078014184397163e-08,  # 128 / 1.41e9
        memory_s=8.771498392282958e-07,  # 1363968 / 1.555e12
        latency_s=5.877149839228297e-06,  # memory side + 5e-6
        # executed 5 tiles * 21 slices * 131072 = 13762560 MACs * 1.5e-12 = 2.064384e-5, + 1363968*1.6e-10 = 2.1823488e-4
        energy_j=2.3887872e-04,
        bound="overhead",
        intensity=15.375375375375375,  # 2*10485760 / 1363968
        utilisation=0.011441693908366074,  # 10485760 / (1.5593472e14 * 5.8771e-6)
    )


@pytest.mark.parametrize("name", ["cpu-avx2", "gpu-ampere", "npu-systolic", "mcu-m4", "sparse-eie"])
def test_an_all_pruned_layer_costs_only_the_overhead(name):
    # No kept row: the dense kernel runs a 0 x 0 GEMM: no cycle, no MAC, no byte (no input column is read).
    hw = get_profile(name)
    row = simulate(linear(3, 8, 6, weight_mask=np.zeros((6, 8), dtype=bool)), hw).layers[0]
    assert (row.kernel, row.n, row.k, row.compute_cycles, row.effective_macs) == ("dense", 0, 0, 0, 0)
    assert (row.weight_bytes, row.activation_bytes, row.bytes_moved, row.energy_j) == (0, 0, 0, 0)
    assert row.latency_s == hw.overhead_s
    assert (row.arithmetic_intensity, row.utilisation) == (0.0, 0.0)  # 0 bytes and (npu, mcu, eie) 0 s: defined as 0
    assert row.bound == ("overhead" if hw.overhead_s else "compute")


def test_golden_conv_reads_the_kept_share_of_its_input_rounded_down():
    # conv2d(batch 1, 2 -> 4 channels, 3x3 kernel, 5x5 input): M = 3*3 = 9, K = 2*3*3 = 18, N = 4, 1*2*5*5 = 50 inputs.
    # Column 0 (channel 0 at kernel position (0, 0)) pruned in every filter: the dense kernel runs K = 17 and reads
    # 50 * 17 // 18 = 47 input elements (850/18 = 47.2: whole elements).
    mask = np.ones((4, 2, 3, 3), dtype=bool)
    mask[:, 0, 0, 0] = False
    row = simulate(conv2d(1, 2, 4, 3, 5, weight_mask=mask), "npu-systolic").layers[0]
    assert (row.pattern, row.m, row.n, row.k) == ("structured", 9, 4, 17)
    expect(
        row,
        kernel="dense",
        cycles=775,  # (2*256 + 256 + 9 - 2) * ceil(17/256) * ceil(4/256)
        weight_bytes=68,  # 4*17 int8
        activation_bytes=83,  # 47 inputs + 9*4 outputs, 1 byte each
        effective_macs=612,  # 9*4*17
        compute_s=1.107142857142857e-06,  # 775 / 7e8
        memory_s=2.2315848214285718e-09,  # 68/3.4e10 = 2e-9, + 83/3.584e11 = 2.316e-10
        latency_s=1.107142857142857e-06,
        # 1 fold * 65536 PEs * 9 rows = 589824 MACs * 3e-13 = 1.769472e-7, + 68*1.6e-10 = 1.088e-8, + 83*1.25e-11
        energy_j=1.888647e-07,
        bound="compute",
        intensity=8.105960264900663,  # 1224 / 151
        utilisation=1.2049521169354839e-05,  # 612 / (65536*7e8 * 1.107e-6)
    )


# ---------------------------------------------------------------- what a learner reads on a wrong call


def test_gemm_bytes_and_intensity_default_to_fp32():
    assert gemm_bytes(1, 2, 3) == 44  # 4 bytes * (1*3 + 3*2 + 1*2)
    assert gemm_arithmetic_intensity(1, 2, 3) == 12 / 44  # 2*6 FLOPs / 44 bytes


def test_roofline_accepts_zero_work_and_fractional_rates():
    assert roofline_latency(0, 0, peak_flops=1e12, bandwidth_bytes_per_s=1e9) == 0
    assert roofline_latency(0.5, 0.25, peak_flops=0.5, bandwidth_bytes_per_s=0.5) == 1.0  # max(0.5/0.5, 0.25/0.5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gemm_macs(0, 1, 1), "m must be >= 1, got 0"),
        (lambda: gemm_macs(1, 0, 1), "n must be >= 1, got 0"),
        (lambda: gemm_macs(1, 1, 0), "k must be >= 1, got 0"),
        (lambda: gemm_bytes(1, -2, 1), "n must be >= 1, got -2"),
        (lambda: systolic_cycles(1, 0, 1, 4, 4), "n must be >= 1, got 0"),
        (lambda: systolic_cycles(0, 1, 1, 4, 4), "m must be >= 1, got 0"),
        (lambda: systolic_cycles(1, 1, 0, 4, 4), "k must be >= 1, got 0"),
        (lambda: systolic_cycles(1, 1, 1, 0, 4), "rows must be >= 1, got 0"),
        (lambda: systolic_cycles(1, 1, 1, 4, 0), "cols must be >= 1, got 0"),
        (lambda: tiled_cycles(0, 1, 1, "gpu-ampere"), "m must be >= 1, got 0"),
        (lambda: tiled_cycles(1, 0, 1, "gpu-ampere"), "n must be >= 1, got 0"),
        (lambda: tiled_cycles(1, 1, -1, "gpu-ampere"), "k must be >= 1, got -1"),
        (lambda: gemm_arithmetic_intensity(1, 1, 1, bytes_per_element=0),
         "bytes_per_element must be in (0, inf) (4 for fp32, 2 for fp16, 1 for int8), got 0.0"),
        (lambda: roofline_latency(-1, 0, 1, 1), "flops must be in [0, inf), got -1.0"),
        (lambda: roofline_latency(0, -0.5, 1, 1), "bytes_moved must be in [0, inf), got -0.5"),
        (lambda: roofline_latency(0, 0, 0, 1), "peak_flops must be in (0, inf), got 0.0"),
        (lambda: roofline_latency(0, 0, 1, -2.0), "bandwidth_bytes_per_s must be in (0, inf), got -2.0"),
        (lambda: simulate(linear(1, 4, 4), "gpu-ampere", kernel="csr"),
         "kernel must be None (the fastest), 'dense' or a kernel gpu-ampere declares "
         "('2:4 sparse tensor core', 'block-sparse', 'sputnik csr'), got 'csr'"),
        (lambda: simulate(linear(1, 4, 4), "npu-systolic", kernel="csr"),
         "kernel must be None (the fastest), 'dense' or a kernel npu-systolic declares (none), got 'csr'"),
        (lambda: simulate(linear(1, 8, 4), "gpu-ampere", kernel="2:4 sparse tensor core"),
         "kernel '2:4 sparse tensor core' needs at most 2 kept of every 4 inputs; layer 'linear' keeps 4 in some group"),
    ],
)
def test_cost_model_errors_name_the_argument_and_show_the_value(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert str(error.value) == message


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: gemm_macs(1, 2.5, 1), "n must be an int, got float 2.5"),
        (lambda: simulate(linear(1, 4, 4), "gpu-ampere", kernel=3),
         "kernel must be None, 'dense' or a kernel's name (str), got int 3"),
        (lambda: simulate({"a": 1}, "gpu-ampere"), "layers must be a Layer or a list of Layers, got a dict"),
        (lambda: simulate((linear(1, 4, 4), "fc2"), "gpu-ampere"),
         "layers[1] must be a Layer (from linear, conv2d or mlp_layers), got str 'fc2'"),
    ],
)
def test_cost_model_type_errors_name_the_argument_and_show_the_value(call, message):
    with pytest.raises(TypeError) as error:
        call()
    assert str(error.value) == message


# ---------------------------------------------------------------- the runtime's choice on a tie

# A block kernel of 1x1 blocks at full efficiency and no index bits costs what dense costs on a dense mask.
TOY_BLOCKS = SparseKernel("toy 1x1 blocks", compute_efficiency=1.0, index_bits=0, min_block=1, source="a test's toy kernel")


def test_dense_wins_an_exact_tie():
    toy = get_profile("cpu-avx2").replace(sparse_kernels={"block": TOY_BLOCKS})
    layer = linear(5, 23, 12)
    dense, blocked = (simulate(layer, toy, kernel=name).layers[0] for name in ("dense", "toy 1x1 blocks"))
    assert (blocked.latency_s, blocked.energy_j) == (dense.latency_s, dense.energy_j)  # 35 cycles, 2.97104e-7 J both
    assert simulate(layer, toy).layers[0].kernel == "dense"


def test_the_more_frugal_kernel_wins_a_latency_tie():
    # Three weights pruned: the 1x1-block kernel stores 273 of 276 weights, ceil(35 * 273/276) = 35 cycles as dense,
    # and with a near-infinite memory both are overhead + compute: the same latency. It reads and multiplies fewer:
    # executed 1840 * 273/276 = 1820 MACs * 4.6e-12 = 8.372e-9, + (1092 + 700) B * 1.6e-10 = 2.8672e-7.
    toy = get_profile("cpu-avx2").replace(
        sparse_kernels={"block": TOY_BLOCKS}, memory_bandwidth_bytes_per_s=1e15, activation_bandwidth_bytes_per_s=1e15
    )
    mask = np.ones((12, 23), dtype=bool)
    mask[0, 0] = mask[5, 7] = mask[11, 22] = False
    layer = linear(5, 23, 12, weight_mask=mask)
    dense, blocked = (simulate(layer, toy, kernel=name).layers[0] for name in ("dense", "toy 1x1 blocks"))
    assert dense.latency_s == blocked.latency_s == pytest.approx(2e-6 + 35 / 3e9, rel=REL)
    assert (dense.energy_j, blocked.energy_j) == (pytest.approx(2.97104e-07, rel=REL), pytest.approx(2.95092e-07, rel=REL))
    assert simulate(layer, toy).layers[0].kernel == "toy 1x1 blocks"


# ---------------------------------------------------------------- rules no shipped profile exercises


def test_csr_floor_is_one_tile_of_the_k_loop_on_one_unit():
    # A one-unit, one-lane toy CPU (tile 1 x 1 x 1, 64 MAC/cycle): the smallest dense GEMM with K = 640 is one
    # 1x1 tile, 640 MACs * 1 unit / 64 = 10 cycles. A 2-row or 2-column GEMM would be 2 tiles in 2 waves: 20.
    toy = get_profile("cpu-avx2").replace(units=1, tile_n=1)
    mask = np.zeros((8, 640), dtype=bool)
    mask[np.arange(8), np.arange(8) * 7] = True  # 8 kept: 5 * 8 / (64 * 0.1) = 6.25 -> 7 cycles, below the floor
    row = simulate(linear(5, 640, 8, weight_mask=mask), toy, kernel="csr").layers[0]
    assert row.compute_cycles == 10


def test_a_csr_kernel_that_skips_zero_inputs_does_that_share_of_the_work():
    # A toy CSR kernel with EIE's zero-input detection, on inputs 25 % non-zero: 5 rows * 59 kept * 0.25 = 73.75 MACs,
    # ceil(73.75 / (64 * 0.1)) = 12 cycles (47 when every input is non-zero, see the golden CSR test).
    skipping = SparseKernel("skipping csr", compute_efficiency=0.1, index_bits=32, bandwidth_efficiency=0.3,
                            skips_zero_activations=True, source="a test's toy kernel")
    toy = get_profile("cpu-avx2").replace(sparse_kernels={"csr": skipping})
    layer = linear(5, 21, 12, weight_mask=first_kept((12, 21), 59), activation_density=0.25)
    row = simulate(layer, toy, kernel="skipping csr").layers[0]
    assert row.effective_macs == pytest.approx(73.75, rel=REL)
    assert row.compute_cycles == 12
    assert row.energy_j == pytest.approx(73.75 * 4.6e-12 / 0.1 + (472 + 660) * 1.6e-10, rel=REL)
