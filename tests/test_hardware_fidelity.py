"""The published rows the simulator is checked against (hardware/fidelity.toml) and the targets they pin."""

import pytest

from hwprune_edu.hardware import PROFILES
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
    assert {"tpu_mlp0", "tpu_mlp1", "tpu_lstm0", "tpu_cnn0", "gpu_24_speedup_tutorial", "gpu_gemv_bandwidth",
            "cpu_csr_break_even_memory", "mcu_cmsis_cifar10"} <= set(inside)


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
