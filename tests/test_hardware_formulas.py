"""The small public formulas (SCALE-Sim cycles, arithmetic intensity, roofline, Spearman) and rendering."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.hardware import (
    PROFILES,
    gemm_arithmetic_intensity,
    gemm_bytes,
    gemm_macs,
    linear,
    roofline_latency,
    simulate,
    spearman,
    systolic_cycles,
    tiled_cycles,
)

sizes = st.integers(1, 5000)


@settings(max_examples=200, deadline=None)
@given(m=sizes, n=sizes, k=sizes, rows=st.integers(1, 512), cols=st.integers(1, 512))
def test_systolic_cycles_is_the_scale_sim_formula(m, n, k, rows, cols):
    expected = (2 * rows + cols + m - 2) * math.ceil(k / rows) * math.ceil(n / cols)
    assert systolic_cycles(m, n, k, rows, cols) == expected


def test_systolic_cycles_known_values():
    assert systolic_cycles(1, 1, 1, 1, 1) == 2
    assert systolic_cycles(100, 256, 256, 256, 256) == 2 * 256 + 256 + 100 - 2
    assert systolic_cycles(100, 257, 513, 256, 256) == (2 * 256 + 256 + 100 - 2) * 3 * 2


@pytest.mark.parametrize("bad", [0, -1])
def test_systolic_cycles_rejects_non_positive_sizes(bad):
    with pytest.raises(ValueError, match="m must be >= 1"):
        systolic_cycles(bad, 1, 1, 4, 4)
    with pytest.raises(ValueError, match="rows must be >= 1"):
        systolic_cycles(1, 1, 1, bad, 4)


@settings(max_examples=100, deadline=None)
@given(m=sizes, n=sizes, k=sizes, bpe=st.sampled_from([0.5, 1, 2, 4]))
def test_arithmetic_intensity_is_flops_over_bytes(m, n, k, bpe):
    assert gemm_macs(m, n, k) == m * n * k
    assert gemm_bytes(m, n, k, bytes_per_element=bpe) == bpe * (m * k + k * n + m * n)
    intensity = gemm_arithmetic_intensity(m, n, k, bytes_per_element=bpe)
    assert intensity == pytest.approx(2 * m * n * k / (bpe * (m * k + k * n + m * n)))


def test_arithmetic_intensity_rejects_bad_input():
    with pytest.raises(ValueError, match=r"bytes_per_element must be (a number )?in \(0, inf\)"):
        gemm_arithmetic_intensity(1, 1, 1, bytes_per_element=0)
    with pytest.raises(ValueError, match="k must be >= 1"):
        gemm_arithmetic_intensity(1, 1, 0)


def test_roofline_latency_takes_the_slower_side():
    assert roofline_latency(2e12, 1.0, 1e12, 1e9) == pytest.approx(2.0)  # compute-bound
    assert roofline_latency(1.0, 3e9, 1e12, 1e9) == pytest.approx(3.0)  # memory-bound
    with pytest.raises(ValueError, match=r"peak_flops must be (a number )?in \(0, inf\)"):
        roofline_latency(1, 1, 0, 1)
    with pytest.raises(ValueError, match=r"^flops must be in \[0, inf\), got -1.0"):
        roofline_latency(-1, 1, 1, 1)


@settings(max_examples=50, deadline=None)
@given(m=st.integers(1, 3000), n=st.integers(1, 3000), k=st.integers(1, 3000))
def test_dense_simulation_is_never_faster_than_the_roofline(m, n, k):
    for profile in PROFILES.values():
        row = simulate([linear(m, k, n)], profile).layers[0]
        ideal_compute_s = m * n * k / profile.peak_macs_per_s
        assert row.compute_s >= ideal_compute_s * (1 - 1e-12)
        assert row.latency_s >= profile.overhead_s


def test_tiled_cycles_matches_the_simulator():
    cpu = PROFILES["cpu-avx2"]
    assert simulate([linear(3, 100, 77)], cpu).layers[0].compute_cycles == tiled_cycles(3, 77, 100, cpu)
    assert tiled_cycles(1, 8, 16, "cpu-avx2") == tiled_cycles(1, 1, 16, "cpu-avx2")  # one 8-lane vector


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=40), st.integers(0, 1000))
def test_spearman_matches_the_textbook_definition(values, seed):
    a = np.array(values)
    b = a + np.random.default_rng(seed).normal(size=a.size) * (1 + np.abs(a).max())
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return
    rank_a = np.array([(a < x).sum() + ((a == x).sum() + 1) / 2 for x in a])
    rank_b = np.array([(b < x).sum() + ((b == x).sum() + 1) / 2 for x in b])
    assert spearman(a, b) == pytest.approx(np.corrcoef(rank_a, rank_b)[0, 1], abs=1e-9)


def test_spearman_edge_cases():
    assert spearman([1, 2, 3], [2, 4, 8]) == 1.0
    assert spearman([1, 2, 3], [9, 4, 1]) == -1.0
    with pytest.raises(ValueError, match="must not be constant"):
        spearman([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        spearman([1, 2, 3], [1, 2])


# Rendering -------------------------------------------------------------------


def test_report_renders_as_text_with_a_row_per_layer():
    report = simulate([linear(1, 64, 64, name="first"), linear(8, 64, 10, name="head")], "cpu-avx2")
    text = str(report)
    lines = text.splitlines()
    assert lines[0].startswith("cpu-avx2: latency")
    assert "bound" in lines[1] and "latency" in lines[1] and "energy" in lines[1]
    assert lines[2].startswith("first") and lines[3].startswith("head")
    assert len(lines) == 4
    assert "cpu-avx2" in repr(report) and "layers=2" in repr(report)


def test_report_renders_as_escaped_html_with_warnings():
    report = simulate([linear(1, 2048, 2048, name="<big>")], "mcu-m4")
    page = report._repr_html_()
    assert page.count("<tr>") == 2  # header + one layer
    assert "&lt;big&gt;" in page and "<big>" not in page
    assert "does not fit" in page and "WARNING: does not fit" in str(report)


def test_report_rows_as_dicts():
    rows = simulate([linear(4, 16, 16)], "gpu-ampere").as_dicts()
    assert rows[0]["m"] == 4 and rows[0]["bound"] == "overhead"
    assert set(rows[0]) >= {"macs", "effective_macs", "compute_cycles", "bytes_moved", "arithmetic_intensity", "utilisation"}
