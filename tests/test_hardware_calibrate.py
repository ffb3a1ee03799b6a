"""Calibration against this machine: structure only (the rank correlation is a benchmark figure).

The NumPy side (hardware.calibrate) takes measurements as numbers; the torch side (nn.timing) measures."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hwprune_edu.hardware import PROFILES, Hardware, compare_latencies, host_profile, linear, simulate  # noqa: E402
from hwprune_edu.nn.timing import calibrate, compare_with_measured  # noqa: E402


def test_calibrate_returns_a_host_profile_and_restores_threads():
    threads = torch.get_num_threads()
    host = calibrate(repeats=1)
    assert torch.get_num_threads() == threads
    assert isinstance(host, Hardware) and host.name == "host"
    assert host.peak_macs_per_s > 0 and host.memory_bandwidth_bytes_per_s > 0 and host.overhead_s > 0
    assert "measured by calibrate()" in host.sources["overhead_s"]
    assert simulate([linear(1, 8, 8)], host).layers[0].bound == "overhead"
    # The CSR kernel's cost per stored weight is measured too (torch.sparse against F.linear), its bandwidth share kept.
    csr, cpu_csr = host.sparse_kernels["csr"], PROFILES["cpu-avx2"].sparse_kernels["csr"]
    assert 0 < csr.compute_efficiency <= 1 and "torch.sparse CSR" in csr.source and "measured by calibrate()" in csr.source
    assert (csr.index_bits, csr.bandwidth_efficiency) == (cpu_csr.index_bits, cpu_csr.bandwidth_efficiency)
    assert "csr" not in host.sources  # a kernel's source lives in the kernel, not among the profile's fields


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


def test_host_profile_is_cpu_avx2_with_three_measured_numbers():
    host = host_profile(50e9, 20e9, 3e-6, sources={"overhead_s": "my stopwatch"})
    cpu = PROFILES["cpu-avx2"]
    assert host.name == "host" and host.peak_macs_per_s == pytest.approx(50e9)
    assert host.memory_bandwidth_bytes_per_s == 20e9 and host.overhead_s == 3e-6
    assert host.sources["overhead_s"] == "my stopwatch" and "nominal 1 GHz" in host.sources["clock_hz"]
    assert host.weight_bits == cpu.weight_bits and dict(host.sparse_kernels) == dict(cpu.sparse_kernels)
    measured = host_profile(50e9, 20e9, 3e-6, csr_compute_efficiency=0.25, sources={"csr": "timed torch.sparse"})
    csr, cpu_csr = measured.sparse_kernels["csr"], PROFILES["cpu-avx2"].sparse_kernels["csr"]
    assert csr.compute_efficiency == 0.25 and csr.source == "timed torch.sparse" and "csr" not in measured.sources
    assert (csr.index_bits, csr.bandwidth_efficiency) == (cpu_csr.index_bits, cpu_csr.bandwidth_efficiency)
    assert cpu_csr.compute_efficiency == 0.1  # the shared profile is untouched
    # The break-even follows: compute-bound, CSR wins below a density of about its efficiency.
    from hwprune_edu.hardware.fidelity import break_even_sparsity
    assert break_even_sparsity(measured, 256, 1024, 1024) == pytest.approx(0.75, abs=0.03)
    assert break_even_sparsity(host, 256, 1024, 1024) == pytest.approx(0.90, abs=0.03)
    with pytest.raises(ValueError, match=r"sources\['csr'\] says where csr_compute_efficiency was measured"):
        host_profile(50e9, 20e9, 3e-6, sources={"csr": "timed torch.sparse"})  # a source for a number not given
    with pytest.raises(ValueError, match=r"csr_compute_efficiency must be in \(0, 1\]"):
        host_profile(50e9, 20e9, 3e-6, csr_compute_efficiency=1.5)
    with pytest.raises(ValueError, match=r"overhead_s must be in \(0, inf\) \(a measured number\)"):
        host_profile(50e9, 20e9, 0.0)
    with pytest.raises(TypeError, match=r"macs_per_s must be a number in \(0, inf\) \(a measured number\), got bool"):
        host_profile(True, 20e9, 1e-6)


def test_compare_latencies_scores_given_measurements_without_timing():
    shapes = [(1, 16, 16), (8, 64, 32), (32, 128, 128)]
    predicted = [simulate([linear(*s)], "cpu-avx2").latency_s for s in shapes]
    result = compare_latencies("cpu-avx2", shapes, [p * 2 for p in predicted])
    assert result.spearman == 1.0 and result.shapes == tuple(shapes)
    np.testing.assert_allclose(result.predicted_s, predicted)
    np.testing.assert_allclose(result.measured_s, [p * 2 for p in predicted])
    with pytest.raises(ValueError, match=r"measured_s must hold one latency > 0 per shape \(3\)"):
        compare_latencies("cpu-avx2", shapes, [1e-6, 2e-6])
    with pytest.raises(ValueError, match=r"shapes\[1\] must be a \(batch, in_features, out_features\) tuple"):
        compare_latencies("cpu-avx2", [(1, 2, 3), (1, 2)], [1e-6, 2e-6])
