"""Profiles, workloads, pattern reading and bad input of the toy hardware simulator."""

import dataclasses
import math

import numpy as np
import pytest

from hwprune_edu.hardware import (
    PROFILES,
    Hardware,
    conv2d,
    describe_mask,
    describe_pattern,
    get_profile,
    linear,
    mlp_layers,
    simulate,
)

from hardware_masks import n_m_mask, rows_mask, unstructured_mask

NUMERIC_FIELDS = [f.name for f in dataclasses.fields(Hardware) if f.type in ("float", "int")]


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_constant_carries_a_source(name):
    profile = PROFILES[name]
    assert len(NUMERIC_FIELDS) >= 15  # clock, rates, tiles, bandwidth, bits, overhead, energy, capacities
    missing = [f for f in NUMERIC_FIELDS if not profile.sources.get(f, "").strip()]
    if profile.dataflow != "systolic":
        missing = [f for f in missing if not f.startswith("systolic_")]
    assert missing == [], f"{name} has constants without a source: {missing}"
    for kind, kernel in profile.sparse_kernels.items():
        assert kernel.source.strip(), f"{name}'s {kind} kernel has no source"
        assert 0 < kernel.compute_efficiency <= 1


def test_energy_figures_cite_horowitz():
    for profile in PROFILES.values():
        assert "Horowitz" in profile.sources["energy_per_mac_j"]
        assert "Horowitz" in profile.sources["energy_per_byte_j"]
    assert PROFILES["cpu-avx2"].energy_per_mac_j == pytest.approx(4.6e-12)
    assert PROFILES["cpu-avx2"].energy_per_byte_j == pytest.approx(640e-12 / 4)


def test_a100_constants_match_the_whitepaper():
    gpu = PROFILES["gpu-ampere"]
    assert 2 * gpu.peak_macs_per_s == pytest.approx(312e12, rel=0.01)
    assert gpu.memory_bandwidth_bytes_per_s == 1555e9 and gpu.units == 108


def test_profiles_are_frozen_and_read_only():
    cpu = get_profile("cpu-avx2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cpu.clock_hz = 1.0
    with pytest.raises(TypeError):
        cpu.sparse_kernels["n:m"] = None
    with pytest.raises(TypeError):
        PROFILES["mine"] = cpu


def test_get_profile_passes_hardware_through_and_lists_known_names():
    cpu = PROFILES["cpu-avx2"]
    assert get_profile(cpu) is cpu
    with pytest.raises(ValueError, match="known profiles: 'cpu-avx2', 'gpu-ampere', 'mcu-m4', 'npu-systolic', 'sparse-eie'"):
        get_profile("gpu-hopper")
    with pytest.raises(TypeError, match="hardware must be"):
        get_profile(3)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_channel_multiple_rounds_up_to_the_tile(name):
    profile = PROFILES[name]
    multiple = profile.channel_multiple
    assert multiple >= 1
    assert profile.round_channels(multiple + 1) == 2 * multiple
    assert profile.round_channels(multiple) == multiple


def test_linear_and_conv_become_the_documented_gemms():
    layer = linear(32, 784, 256)
    assert (layer.m, layer.n, layer.k, layer.macs) == (32, 256, 784, 32 * 256 * 784)
    conv = conv2d(2, 3, 16, (3, 5), (32, 30), stride=(1, 2), padding=(1, 2))
    out_h, out_w = (32 + 2 - 3) // 1 + 1, (30 + 4 - 5) // 2 + 1
    assert (conv.m, conv.n, conv.k) == (2 * out_h * out_w, 16, 3 * 3 * 5)
    assert conv.input_elements == 2 * 3 * 32 * 30


def test_mlp_layers_uses_nonzero_weights_as_the_mask():
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(64, 32)) * rows_mask((64, 32), 40)
    w1 = rng.normal(size=(10, 64))
    layers = mlp_layers([(w0, np.zeros(64)), (w1, np.zeros(10))], batch=8)
    assert [layer.name for layer in layers] == ["fc0", "fc1"]
    assert layers[0].pattern.kind == "structured" and layers[0].mask_stats.kept_rows == 40
    assert layers[1].pattern.kind == "dense"
    assert simulate(layers, "cpu-avx2").layers[0].n == 40


@pytest.mark.parametrize(
    "mask, kind",
    [
        (np.ones((8, 8), bool), "dense"),
        (rows_mask((8, 8), 3), "structured"),
        (n_m_mask((8, 16)), "n:m"),
        (np.kron(np.array([[1, 0], [0, 1]], bool), np.ones((8, 8), bool)), "block"),
        (unstructured_mask((32, 32), 0.3), "unstructured"),
    ],
)
def test_describe_pattern_reads_each_kind(mask, kind):
    pattern = describe_pattern(mask)
    assert pattern.kind == kind
    assert describe_mask(mask).pattern == pattern
    assert describe_mask(mask).density == pytest.approx(mask.mean())
    with pytest.raises(dataclasses.FrozenInstanceError):
        pattern.kind = "dense"
    with pytest.raises(dataclasses.FrozenInstanceError):
        describe_mask(mask).density = 1.0


def test_describe_pattern_reports_its_parameters():
    assert describe_pattern(n_m_mask((8, 32), n=1, m=8)).n == 1
    assert describe_pattern(n_m_mask((8, 32), n=1, m=8)).m == 8
    block = np.kron(np.array([[1, 0], [0, 1]], bool), np.ones((8, 8), bool))
    assert describe_pattern(block).block == (8, 8)
    structured = np.zeros((6, 5), bool)
    structured[np.ix_([0, 2], [1, 3, 4])] = True
    stats = describe_mask(structured)
    assert (stats.pattern.kind, stats.kept_rows, stats.kept_cols) == ("structured", 2, 3)


def test_two_four_in_all_but_one_group_is_not_n_m():
    mask = n_m_mask((16, 16))
    mask[3, :4] = [True, True, True, False]
    assert describe_pattern(mask).kind != "n:m"


def test_masks_are_not_mutated():
    mask = unstructured_mask((16, 16), 0.4)
    before = mask.copy()
    simulate([linear(4, 16, 16, weight_mask=mask)], "sparse-eie")
    assert np.array_equal(mask, before) and mask.flags.writeable


def test_a_layer_reads_its_mask_once_and_keeps_its_own_copy():
    mask = n_m_mask((64, 64), seed=1)
    layer = linear(256, 64, 64, weight_mask=mask)
    before = simulate([layer], "gpu-ampere").latency_s
    mask[:] = True  # the caller's array changes after the layer was built
    assert layer.pattern.kind == "n:m" and not layer.mask_stats.mask2d.flags.writeable
    assert simulate([layer], "gpu-ampere").latency_s == before
    assert linear(256, 64, 64, weight_mask=mask).pattern.kind == "dense"
    assert linear(4, 8, 2).mask_stats.mask2d is None  # a dense layer builds no mask array


def test_mask_statistics_are_the_same_for_equal_masks_read_twice():
    mask = unstructured_mask((96, 64), 0.3, seed=2)
    first, second = describe_mask(mask), describe_mask(mask.copy())
    assert first is not second  # nothing is shared between reads
    assert first.interleaved_entries(64, 4) == second.interleaved_entries(64, 4)
    assert first.max_kept_per_group(4) == second.max_kept_per_group(4)


def test_structured_mask_costs_the_same_as_the_smaller_layer():
    for name in PROFILES:
        masked = simulate([linear(64, 512, 300, weight_mask=rows_mask((300, 512), 100))], name)
        smaller = simulate([linear(64, 512, 100)], name)
        assert masked.latency_s == pytest.approx(smaller.latency_s)
        assert masked.energy_j == pytest.approx(smaller.energy_j)


# Bad input -------------------------------------------------------------------


@pytest.mark.parametrize("args, match", [((0, 4, 4), "batch must be >= 1, got 0"), ((1, -3, 4), "in_features"), ((1, 4, 0), "out_features")])
def test_linear_rejects_non_positive_sizes(args, match):
    with pytest.raises(ValueError, match=match):
        linear(*args)


def test_linear_rejects_non_integer_sizes():
    with pytest.raises(TypeError, match="batch must be an int"):
        linear(1.5, 4, 4)
    with pytest.raises(TypeError, match="batch must be an int"):
        linear(True, 4, 4)


def test_mask_shape_must_match_the_layer():
    with pytest.raises(ValueError, match=r"weight_mask must have the weights' shape \(8, 4\).*got shape \(4, 8\)"):
        linear(1, 4, 8, weight_mask=np.ones((4, 8), bool))
    with pytest.raises(ValueError, match=r"\(16, 3, 3, 3\)"):
        conv2d(1, 3, 16, 3, 8, weight_mask=np.ones((16, 27), bool))


def test_conv_rejects_bad_geometry():
    with pytest.raises(ValueError, match="batch must be >= 1"):
        conv2d(0, 3, 16, 3, 8)
    with pytest.raises(ValueError, match="does not fit"):
        conv2d(1, 3, 16, 5, 3)
    with pytest.raises(ValueError, match="stride must be >= 1"):
        conv2d(1, 3, 16, 3, 8, stride=0)
    with pytest.raises(TypeError, match="kernel must be an int or a pair"):
        conv2d(1, 3, 16, (3, 3, 3), 8)


def test_describe_pattern_rejects_non_masks():
    with pytest.raises(ValueError, match="only True/False"):
        describe_pattern(np.array([[0.5, 1.0]]))
    with pytest.raises(ValueError, match="2-D .* or 4-D"):
        describe_pattern(np.ones(4, bool))
    with pytest.raises(TypeError, match="boolean array"):
        describe_pattern(np.array([["a"]]))
    with pytest.raises(ValueError, match="must not be empty"):
        describe_pattern(np.ones((0, 3), bool))


def test_mlp_layers_rejects_bad_lists():
    with pytest.raises(ValueError, match=r"layers\[1\]\[0\] \(W\) must have 8 input columns"):
        mlp_layers([(np.ones((8, 4)), np.zeros(8)), (np.ones((2, 5)), np.zeros(2))], batch=1)
    with pytest.raises(TypeError, match="non-empty list"):
        mlp_layers([], batch=1)
    with pytest.raises(TypeError, match=r"layers\[0\] must be a \(W, b\) pair"):
        mlp_layers([np.ones((2, 2))], batch=1)
    with pytest.raises(ValueError, match="batch must be >= 1"):
        mlp_layers([(np.ones((2, 2)), np.zeros(2))], batch=0)


def test_simulate_rejects_non_layers():
    with pytest.raises(TypeError, match=r"layers\[1\] must be a Layer"):
        simulate([linear(1, 4, 4), (1, 4, 4)], "cpu-avx2")
    with pytest.raises(TypeError, match="layers must be a Layer or a list"):
        simulate("fc", "cpu-avx2")
    with pytest.raises(ValueError, match="known profiles"):
        simulate([linear(1, 4, 4)], "cpu")


def test_empty_layer_list_costs_nothing():
    report = simulate([], "gpu-ampere")
    assert (report.latency_s, report.energy_j, report.cycles, report.fits) == (0.0, 0.0, 0, True)
    assert math.isfinite(report.peak_activation_bytes)


def test_conv_nm_mask_over_input_channels_is_read_as_nm():
    # nm_mask(axis=1) on a conv weight groups input channels at each kernel position,
    # the layout NVIDIA's 2:4 conv kernels use; the simulator must see it as 2:4.
    import numpy as np

    from hwprune_edu.hardware import conv2d, describe_pattern
    from hwprune_edu.pruning import nm_mask

    w = np.random.default_rng(0).standard_normal((16, 8, 3, 3))
    keep = nm_mask(w, 2, 4, axis=1)
    pattern = describe_pattern(keep)
    assert (pattern.kind, pattern.n, pattern.m) == ("n:m", 2, 4)
    assert conv2d(1, 8, 16, 3, 8, weight_mask=keep).pattern.kind == "n:m"


# Profile fixes with a number behind them ----------------------------------------------------------------


def test_npu_accumulates_in_32_bits_and_the_mcu_rate_is_sustained_not_peak():
    assert PROFILES["npu-systolic"].energy_per_mac_j == pytest.approx(0.2e-12 + 0.1e-12)  # int8 mult + 32-bit add
    mcu = PROFILES["mcu-m4"]
    assert mcu.macs_per_cycle < 1 and "CMSIS-NN" in mcu.sources["macs_per_cycle"]  # SMLAD's 2/cycle is a peak


def test_gpu_tile_is_labelled_a_toy_and_cutlass_is_cited_right():
    source = PROFILES["gpu-ampere"].sources["tile_n"]
    assert "toy" in source and "128 x 256 x 64" in source


def test_tpu_weight_double_buffering_is_an_option_off_by_default():
    npu = PROFILES["npu-systolic"]
    assert npu.weight_double_buffering == 0
    layer = linear(1024, 1024, 1024)  # 16 folds of M = 1024 rows
    plain = simulate(layer, npu).layers[0].compute_cycles
    assert plain == (2 * 256 + 256 + 1024 - 2) * 16  # SCALE-Sim's formula: a full fill per fold
    buffered = simulate(layer, npu.replace(weight_double_buffering=1)).layers[0].compute_cycles
    assert buffered == (2 * 256 + 256 + 1024 - 2) + 15 * max(1024, 256)  # only the first fold pays the fill
    one_fold = linear(8, 256, 256)
    assert simulate(one_fold, npu.replace(weight_double_buffering=1)).layers[0].compute_cycles == \
        simulate(one_fold, npu).layers[0].compute_cycles


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_platform_file_sets_every_field(name):
    assert set(NUMERIC_FIELDS) - {"systolic_rows", "systolic_cols"} <= set(PROFILES[name].sources)


# ---------------------------------------------------------------- numbers checked at every entry point


@pytest.mark.parametrize("size, error", [("4", TypeError), ([2], TypeError), (-4, ValueError), (0, ValueError),
                                         (math.nan, ValueError), (True, TypeError), (1j, TypeError), (math.inf, ValueError)])
def test_gemm_bytes_checks_bytes_per_element(size, error):
    from hwprune_edu.hardware import gemm_arithmetic_intensity, gemm_bytes

    # '4' used to return '4444...' and [2] a list; -4, 0, NaN, True and 1j were multiplied through.
    with pytest.raises(error, match="bytes_per_element"):
        gemm_bytes(2, 3, 4, bytes_per_element=size)
    with pytest.raises(error, match="bytes_per_element"):
        gemm_arithmetic_intensity(2, 3, 4, bytes_per_element=size)


def test_gemm_bytes_takes_fractional_and_numpy_sizes():
    from fractions import Fraction

    from hwprune_edu.hardware import gemm_bytes

    assert gemm_bytes(1, 2, 3, bytes_per_element=0.5) == 0.5 * (3 + 6 + 2)  # int4 weights
    assert gemm_bytes(1, 2, 3, bytes_per_element=np.float32(2)) == gemm_bytes(1, 2, 3, bytes_per_element=Fraction(2)) == 22


@pytest.mark.parametrize("argument", ["flops", "bytes_moved", "peak_flops", "bandwidth_bytes_per_s"])
@pytest.mark.parametrize("value, error", [(math.nan, ValueError), (True, TypeError), (math.inf, ValueError), ("1", TypeError)])
def test_roofline_latency_refuses_nan_bool_and_inf(argument, value, error):
    from hwprune_edu.hardware import roofline_latency

    kwargs = dict(flops=2e9, bytes_moved=1e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9)
    kwargs[argument] = value
    with pytest.raises(error, match=rf"^{argument} must be"):
        roofline_latency(**kwargs)


@pytest.mark.parametrize("field, value, error", [
    ("overhead_s", -1, ValueError),  # was a negative latency
    ("weight_bits", -8, ValueError),  # was a negative energy
    ("clock_hz", 0, ValueError),  # was a ZeroDivisionError in simulate
    ("clock_hz", math.nan, ValueError),
    ("energy_per_mac_j", math.inf, ValueError),
    ("macs_per_cycle", True, TypeError),
    ("units", 2.5, TypeError),
    ("tile_n", 0, ValueError),
    ("split_k", 2, ValueError),
    ("memory_bandwidth_bytes_per_s", "51.2e9", TypeError),
    ("name", None, TypeError),
    ("sparse_kernels", {"csr": "fast"}, TypeError),
])
def test_hardware_checks_every_field_on_replace(field, value, error):
    with pytest.raises(error, match=rf"\b{field} must"):
        get_profile("cpu-avx2").replace(**{field: value})


def test_hardware_accepts_numpy_and_fraction_values_and_unbounded_memories():
    from fractions import Fraction

    hw = get_profile("cpu-avx2").replace(clock_hz=np.float32(2e9), units=np.int64(2), overhead_s=Fraction(1, 10**6),
                                         activation_memory_bytes=math.inf)
    assert (type(hw.clock_hz), hw.units, hw.overhead_s) == (float, 2, 1e-6)
    assert simulate(linear(1, 64, 64), hw).latency_s > 0
    with pytest.raises(ValueError, match="systolic_rows and systolic_cols must be >= 1"):
        get_profile("cpu-avx2").replace(dataflow="systolic")


@pytest.mark.parametrize("name", [None, "", "  ", 3, ["fc"]])
def test_layers_need_a_non_empty_str_name(name):
    # linear(name=None) used to be accepted; printing the report failed later.
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        linear(1, 4, 4, name=name)
    with pytest.raises(TypeError, match="name must be a non-empty str"):
        conv2d(1, 3, 4, 3, 8, name=name)


def test_weight_bits_of_a_layer_is_checked_with_the_number_vocabulary():
    with pytest.raises(TypeError, match=r"^weight_bits must be a number in \[1, 64\]"):
        linear(1, 4, 4, weight_bits=True)
    with pytest.raises(ValueError, match=r"^weight_bits must be in \[1, 64\]"):
        linear(1, 4, 4, weight_bits=math.nan)
    assert linear(1, 4, 4, weight_bits=np.float32(4)).weight_bits == 4.0


def test_spearman_refuses_nan_instead_of_ranking_it():
    from hwprune_edu.hardware import spearman

    with pytest.raises(ValueError, match=r"^a must be finite"):  # used to return 0.5
        spearman([1.0, np.nan, 3.0, 4.0], [1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"^b must be finite"):
        spearman([1, 2, 3, 4], [1, 2, np.inf, 4])
    assert spearman(np.array([1, 2, 3], np.float16), (3, 2, 1)) == -1.0


def test_load_profile_names_the_file_and_the_field():
    from pathlib import Path

    from hwprune_edu.hardware.profiles import load_profile

    text = (Path(__file__).parent.parent / "hwprune_edu/hardware/platforms/cpu-avx2.toml").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"^x.toml: text is not valid TOML"):
        load_profile("name = ", where="x.toml")
    with pytest.raises(ValueError, match=r"^x.toml: units must be >= 1, got 0"):
        load_profile(text.replace("value = 4\n", "value = 0\n", 1), where="x.toml")
    with pytest.raises(TypeError, match=r"^text must be the profile's TOML text"):
        load_profile(None)


@pytest.mark.parametrize("changes, error, message", [
    (dict(index_bits=-1), ValueError, r"^index_bits must be in \[0, inf\) \(kernel 'k'\)"),
    (dict(compute_efficiency=math.nan), ValueError, r"^compute_efficiency must be in \(0, 1\]"),
    (dict(n=2), ValueError, r"^n and m of an N:M kernel must satisfy 0 < n <= m"),
    (dict(n=2, m=4, min_block=4), ValueError, r"^a kernel has one format"),
    (dict(m=4.0, n=2), TypeError, r"^m must be an int"),
    (dict(skips_zero_activations=1), TypeError, r"^skips_zero_activations must be True or False"),
    (dict(name=""), TypeError, r"^name must be a non-empty str"),
])
def test_sparse_kernels_check_every_field(changes, error, message):
    from hwprune_edu.hardware import SparseKernel

    with pytest.raises(error, match=message):
        SparseKernel(**{**dict(name="k", compute_efficiency=0.5, index_bits=2, source="toy"), **changes})


def test_layers_and_mask_stats_built_by_hand_are_checked_too():
    from hwprune_edu.hardware import Layer, MaskStats

    layer = linear(2, 8, 4)
    fields = {f.name: getattr(layer, f.name) for f in dataclasses.fields(Layer)}
    with pytest.raises(ValueError, match=r"^n and k must match mask_stats"):
        Layer(**{**fields, "n": 5})
    with pytest.raises(ValueError, match=r"^activation_density must be in \(0, 1\]"):
        Layer(**{**fields, "activation_density": 0})
    stats = layer.mask_stats
    with pytest.raises(ValueError, match=r"^kept_rows must be <= 4"):
        MaskStats(stats.pattern, 1.0, (4, 8), 5, 8)
    with pytest.raises(ValueError, match=r"^mask2d must have shape \(4, 8\)"):
        MaskStats(stats.pattern, 1.0, (4, 8), 4, 8, np.ones((8, 4), bool))
    mask = np.ones((4, 8), bool)
    built = MaskStats(stats.pattern, 1.0, (4, 8), 4, 8, mask)
    mask[0, 0] = False  # the record keeps its own read-only copy
    assert built.mask2d.all() and not built.mask2d.flags.writeable
