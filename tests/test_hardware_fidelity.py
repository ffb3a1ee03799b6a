"""The published rows the simulator is checked against (hardware/fidelity.toml) and the targets they pin."""

import pytest

import tomllib
from importlib import resources

from hwprune_edu.hardware import PROFILES, conv2d, linear, simulate
from hwprune_edu.hardware.fidelity import WORKLOADS, FidelityRow, break_even_sparsity, fidelity_rows

KEYS = {"profile", "quantity", "published", "simulated", "tolerance", "within", "source"}


@pytest.fixture(scope="module")
def rows():
    return fidelity_rows(profiles=["gpu-ampere", "npu-systolic", "cpu-avx2", "mcu-m4"])  # EIE's big masks: the benchmark


def test_every_row_has_a_source_a_workload_and_the_json_keys(rows):
    assert {row.profile for row in rows} == {"gpu-ampere", "npu-systolic", "cpu-avx2", "mcu-m4"}
    for row in rows:
        assert row.source.strip() and row.workload in WORKLOADS and row.profile in PROFILES
        assert set(row.as_dict()) == KEYS and isinstance(row.as_dict()["within"], bool)
        assert row.kind in ("ratio", "points")
        assert row.tolerance <= (0.10 if row.kind == "points" else 2.0)  # toy profiles: 2x at most


def test_rows_outside_their_tolerance_say_why(rows):
    for row in rows:
        if not row.within:
            assert row.note, row.quantity
    inside = [row.workload for row in rows if row.within]
    assert {"tpu_mlp0", "tpu_mlp1", "tpu_lstm0", "tpu_lstm1", "tpu_cnn0", "gpu_24_speedup_tutorial", "gpu_gemv_bandwidth",
            "cpu_csr_break_even_memory", "mcu_cmsis_cifar10", "mcu_mlperf_tiny_ic"} <= set(inside)


def test_within_reads_ratio_and_points_tolerances():
    ratio = FidelityRow("p", "q", "x", 10.0, 19.0, 2.0, "ratio", "s", "w")
    assert ratio.within and not FidelityRow("p", "q", "x", 10.0, 21.0, 2.0, "ratio", "s", "w").within
    assert not FidelityRow("p", "q", "x", 10.0, 4.9, 2.0, "ratio", "s", "w").within
    assert FidelityRow("p", "q", "s", 0.8, 0.9, 0.1, "points", "s", "w").within
    assert not FidelityRow("p", "q", "s", 0.8, 0.91, 0.1, "points", "s", "w").within


def test_the_targets_the_rows_pin():
    two_four = WORKLOADS["gpu_24_speedup_tutorial"]()
    assert 1.3 <= two_four <= 1.7
    assert 0.70 <= break_even_sparsity("cpu-avx2", 1, 2048, 2048) <= 0.90  # memory-bound CPU CSR


def test_tpu_apps_run_at_their_published_intensity_and_count_only_the_array_fill_they_use():
    # Table 1: a FC layer reuses each weight byte once per batch row; the conv workloads stream Table 1's ops per
    # weight byte as batch x output pixels (CNN0 2888, CNN1 1750 -> 1760).
    assert conv2d(8, 256, 256, 3, 19, padding=1).m == 2888 and conv2d(32, 256, 256, 3, (5, 11), padding=1).m == 1760
    # Table 3: LSTM1 keeps 6.3 of 10.5 % of the array's MACs useful, so 60 % of the simulated tiles' TOPS count.
    layer = linear(96, 1024, 1024)
    unfilled = 2 * layer.macs / simulate(layer, "npu-systolic").latency_s / 1e12
    assert WORKLOADS["tpu_lstm1"]() == pytest.approx(unfilled * 6.3 / 10.5)
    assert simulate(layer, "npu-systolic").layers[0].bound == "memory"  # weight-bandwidth bound, as the paper says
    # CNN1's half-empty tiles: the same conv at full fill would be 1 / 0.487 faster.
    cnn1 = conv2d(32, 256, 256, 3, (5, 11), padding=1)
    full = 2 * cnn1.macs / simulate(cnn1, "npu-systolic").latency_s / 1e12
    assert WORKLOADS["tpu_cnn1"]() == pytest.approx(full * 22.5 / (22.5 + 23.7))


def test_approximate_rows_are_marked_and_every_published_row_names_its_table_or_page():
    text = (resources.files("hwprune_edu.hardware") / "fidelity.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text)["row"]
    eie = [entry for entry in entries if entry["profile"] == "sparse-eie"]
    per_layer = [entry for entry in eie if entry["unit"] == "us"]
    assert len(per_layer) == 8 and all(entry["approximate"] for entry in per_layer)
    (throughput,) = [entry for entry in eie if entry["unit"] == "frames/s"]
    assert not throughput["approximate"] and "abstract" in throughput["source"]
    # The abstract's 1.88e4 AlexNet FC frames/s is the three AlexNet rows' sum within 2 %.
    alexnet_us = sum(entry["published"] for entry in per_layer if entry["workload"].startswith("eie_alex"))
    assert 1e6 / alexnet_us == pytest.approx(throughput["published"], rel=0.02)
    for entry in entries:
        if entry["profile"] == "npu-systolic":
            assert "Table 3" in entry["source"] and not entry["approximate"]


def _entries():
    return tomllib.loads((resources.files("hwprune_edu.hardware") / "fidelity.toml").read_text(encoding="utf-8"))["row"]


def test_every_profile_has_at_least_three_published_rows():
    counts = {name: sum(entry["profile"] == name for entry in _entries()) for name in PROFILES}
    assert all(count >= 3 for count in counts.values()), counts


def test_mcu_workloads_have_their_published_models_macs_and_clocks():
    from hwprune_edu.hardware.fidelity import _cmsis_cifar10, _mlperf_ds_cnn, _mlperf_fc_autoencoder, _mlperf_resnet8

    def macs(layers):
        return sum(layer.macs for layer in layers)

    # MACs worked out by hand from the Keras definitions (mlcommons/tiny v0.1) and Lai et al. 2018's network.
    assert macs(_cmsis_cifar10()) == 32 * 32 * 32 * 75 + 16 * 16 * 32 * 800 + 8 * 8 * 64 * 800 + 1024 * 10
    stem, stack1 = 32 * 32 * 16 * 27, 2 * 32 * 32 * 16 * 144
    stack2 = 16 * 16 * 32 * (144 + 288 + 16)
    stack3 = 8 * 8 * 64 * (288 + 576 + 32)
    assert macs(_mlperf_resnet8()) == stem + stack1 + stack2 + stack3 + 64 * 10
    ds_cnn = _mlperf_ds_cnn()
    assert (ds_cnn[0].m, ds_cnn[0].n, ds_cnn[0].k) == (25 * 5, 64, 40)  # TF 'same' stride 2 on 49 x 10 -> 25 x 5
    assert macs(ds_cnn) == 125 * 64 * 40 + 4 * (125 * 64 * 9 + 125 * 64 * 64) + 64 * 12
    assert macs(_mlperf_fc_autoencoder()) == 2 * 640 * 128 + 6 * 128 * 128 + 2 * 128 * 8
    # The simulated time is the profile's own model at the measured board's clock: 0.5 MAC per cycle and compute-bound.
    board = PROFILES["mcu-m4"].replace(name="nucleo", clock_hz=120e6)
    assert WORKLOADS["mcu_mlperf_tiny_ic"]() == pytest.approx(simulate(_mlperf_resnet8(), board).latency_s * 1e3)
    assert simulate(_mlperf_fc_autoencoder(), board).latency_s == pytest.approx(
        macs(_mlperf_fc_autoencoder()) / (0.5 * 120e6), rel=0.01)


def test_mlperf_tiny_rows_cite_their_log_and_board():
    rows = [entry for entry in _entries() if entry["workload"].startswith("mcu_mlperf_tiny")]
    assert len(rows) == 4
    for entry in rows:
        assert "results.txt" in entry["source"] and "inf./sec." in entry["source"] and not entry["approximate"]
        # published = 1000 / the logged median throughput, to the row's four figures
        logged = float(entry["source"].split("Median throughput is ")[1].split(" inf./sec.")[0])
        assert entry["published"] == pytest.approx(1000 / logged, rel=5e-4)
