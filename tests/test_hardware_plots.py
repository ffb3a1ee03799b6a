"""The simulator's plots draw what they claim (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.hardware import linear, simulate  # noqa: E402
from hwprune_edu.viz.simulator import latency_breakdown, latency_vs_sparsity, roofline_chart  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_roofline_has_a_roof_and_points_per_platform():
    reports = [simulate([linear(b, 256, 256) for b in (1, 16, 256)], p) for p in ("cpu-avx2", "npu-systolic")]
    ax = roofline_chart(reports)
    lines = ax.get_lines()
    assert len(lines) == 4
    assert len(lines[1].get_xdata()) == 3  # the cpu layers
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_latency_vs_sparsity_shows_unstructured_flat_on_the_gpu():
    (ax,) = latency_vs_sparsity((64, 256, 256), profiles=["gpu-ampere"], densities=[0.1, 0.5, 1.0])
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"unstructured", "structured", "2:4", "block"}
    assert np.allclose(lines["unstructured"].get_ydata(), 1.0)
    assert lines["2:4"].get_ydata()[0] > 1.0


def test_latency_breakdown_has_a_bar_per_layer():
    report = simulate([linear(1, 64, 64, name="a"), linear(64, 512, 512, name="b")], "gpu-ampere")
    ax = latency_breakdown(report)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert len(ax.patches) == 4  # roofline + overhead bar per layer


def test_plots_reject_non_reports():
    with pytest.raises(TypeError, match="reports must be a SimulationReport"):
        roofline_chart([1, 2])
    with pytest.raises(ValueError, match="pattern must be one of"):
        latency_vs_sparsity((1, 8, 8), profiles=["cpu-avx2"], patterns=["diagonal"])


def test_roofline_points_never_sit_above_their_roof():
    from hwprune_edu.hardware import PROFILES, linear, simulate
    from hwprune_edu.viz.simulator import roofline_chart

    reports = [simulate([linear(b, 1024, 1024) for b in (1, 16, 256, 4096)], name) for name in sorted(PROFILES)]
    ax = roofline_chart(reports)
    lines = ax.get_lines()
    for roof, points in zip(lines[0::2], lines[1::2]):
        roof_x, roof_y = roof.get_data()
        for x, y in zip(*points.get_data()):
            assert y <= np.interp(x, roof_x, roof_y) * 1.01, (roof.get_label(), x, y)
