"""Calibration against this machine: structure only (the rank correlation is a benchmark figure)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwprune_edu.hardware import Hardware, calibrate, compare_with_measured, linear, simulate  # noqa: E402


def test_calibrate_returns_a_host_profile_and_restores_threads():
    threads = torch.get_num_threads()
    host = calibrate(repeats=1)
    assert torch.get_num_threads() == threads
    assert isinstance(host, Hardware) and host.name == "host"
    assert host.peak_macs_per_s > 0 and host.memory_bandwidth_bytes_per_s > 0 and host.overhead_s > 0
    assert "measured by calibrate()" in host.sources["overhead_s"]
    assert simulate([linear(1, 8, 8)], host).layers[0].bound == "overhead"


def test_compare_with_measured_returns_per_shape_results():
    threads = torch.get_num_threads()
    shapes = [(1, 16, 16), (8, 64, 32), (32, 128, 128)]
    result = compare_with_measured("cpu-avx2", shapes, repeats=1)
    assert torch.get_num_threads() == threads
    assert result.shapes == tuple(shapes) and result.profile == "cpu-avx2"
    assert result.predicted_s.shape == result.measured_s.shape == (3,)
    assert np.all(result.measured_s > 0) and np.all(result.predicted_s > 0)
    assert -1.0 <= result.spearman <= 1.0
    assert "Spearman rho" in str(result) and str(result).count("\n") == 4


def test_compare_with_measured_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"shapes\[1\] must be a \(batch, in_features, out_features\) tuple"):
        compare_with_measured("cpu-avx2", [(1, 2, 3), (1, 2)])
    with pytest.raises(ValueError, match=r"shapes\[0\]\[0\] must be >= 1"):
        compare_with_measured("cpu-avx2", [(0, 2, 3), (1, 2, 3)])
    with pytest.raises(ValueError, match="at least 2"):
        compare_with_measured("cpu-avx2", [(1, 2, 3)])
