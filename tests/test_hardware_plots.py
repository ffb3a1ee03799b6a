"""The simulator's charts and tables (hwprune_edu.viz.simulator) draw what they claim (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.hardware import PROFILES, ComparisonResult, describe_pattern, get_profile, linear, simulate  # noqa: E402
from hwprune_edu.pruning import parse_pattern, prune_to  # noqa: E402
from hwprune_edu.viz.simulator import (  # noqa: E402
    SPARSITY_PATTERNS,
    channel_sweep,
    cliff_conv,
    latency_breakdown,
    latency_vs_sparsity,
    pattern_cases,
    predicted_vs_measured_chart,
    profile_table,
    roofline_chart,
    speedup_grid,
    tile_cliff_chart,
)


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
    (ax,) = latency_vs_sparsity((64, 256, 256), profiles=["gpu-ampere"], sparsities=[0.7, 0.5, 0.0])
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == {"unstructured", "structured", "2:4", "block 32x32"} == set(SPARSITY_PATTERNS)
    assert np.allclose(lines["unstructured"].get_ydata(), 1.0)  # below its CSR kernel's break-even
    assert lines["2:4"].get_ydata()[0] > 1.0
    assert list(lines["2:4"].get_xdata()) == [0.5]  # N:M: one point, at its own sparsity


def test_latency_vs_sparsity_costs_the_vocabularys_masks():
    (ax,) = latency_vs_sparsity((16, 128, 64), profiles=["cpu-avx2"], patterns=["unstructured", "1:4"],
                                sparsities=[0.95], seed=3)
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    keep = prune_to(np.random.default_rng(3).standard_normal((64, 128)), "unstructured", 0.95)
    direct = (simulate(linear(16, 128, 64), "cpu-avx2").latency_s
              / simulate(linear(16, 128, 64, weight_mask=keep), "cpu-avx2").latency_s)
    assert lines["unstructured"].get_ydata()[0] == pytest.approx(direct)
    assert list(lines["1:4"].get_xdata()) == [0.75]


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
    with pytest.raises(ValueError, match="tile size"):
        latency_vs_sparsity((1, 64, 64), profiles=["cpu-avx2"], patterns=["block"])
    with pytest.raises(ValueError, match=r"sparsities\[1\] must be in \[0, 1\]"):
        latency_vs_sparsity((1, 8, 8), profiles=["cpu-avx2"], sparsities=[0.5, 1.5])


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


def test_pattern_cases_breaks_2_4_in_exactly_one_group():
    cases = pattern_cases((64, 128))
    assert list(cases)[3:5] == ["2:4 exact", "2:4 but one group 3:4"]
    exact, broken = cases["2:4 exact"], cases["2:4 but one group 3:4"]
    assert np.argwhere(exact != broken).tolist() == [[0, int(np.flatnonzero(~exact[0, :4])[0])]]
    assert broken[0, :4].sum() == 3
    assert describe_pattern(exact).kind == "n:m" and describe_pattern(broken).kind == "unstructured"


def test_pattern_cases_are_the_vocabularys_pruners_on_one_set_of_weights():
    weights = np.random.default_rng(4).standard_normal((64, 128))
    cases = pattern_cases((64, 128), seed=4)
    assert np.array_equal(cases["unstructured 90 %"], prune_to(weights, "unstructured", 0.9))
    assert np.array_equal(cases["rows 50 %"], prune_to(weights, "structured", 0.5))
    assert np.array_equal(cases["blocks 32x32 50 %"], prune_to(weights, "block 32x32", 0.5))
    assert describe_pattern(cases["blocks 32x32 50 %"]) == parse_pattern("block 32x32")


def test_pattern_cases_reject_bad_input():
    with pytest.raises(TypeError, match="shape must be an"):
        pattern_cases((8,))
    with pytest.raises(ValueError, match=r"shape\[0\] must be >= 1"):
        pattern_cases((0, 8))
    with pytest.raises(ValueError, match="multiple of m=4"):
        pattern_cases((32, 30))
    with pytest.raises(ValueError, match="seed must be >= 0"):
        pattern_cases((64, 64), seed=-1)


def test_profile_table_has_every_platform_with_sources():
    table = profile_table()
    assert table.column("platform") == tuple(PROFILES)
    assert all(table.column("source: peak")) and all(table.column("source: bandwidth"))
    assert table.column("channel multiple") == tuple(str(get_profile(p).channel_multiple) for p in PROFILES)
    assert dict(zip(table.column("platform"), table.column("sparse kernels")))["npu-systolic"] == "none"


def test_speedup_grid_matches_direct_simulations_and_marks_misfits():
    cases = pattern_cases((128, 128))
    grid = speedup_grid(cases, batch=8, profiles=["gpu-ampere", "sparse-eie"])
    assert grid.speedup.shape == (7, 2) and grid.platforms == ("gpu-ampere", "sparse-eie")
    mask = cases["unstructured 90 %"]
    direct = simulate(linear(8, 128, 128), "sparse-eie").latency_s / simulate(
        linear(8, 128, 128, weight_mask=mask), "sparse-eie").latency_s
    assert grid.speedup[1, 1] == pytest.approx(direct)
    assert grid.kernels[3] == ("2:4 sparse tensor core", "eie-csc")
    assert grid.fits.all() and "*" not in str(grid)
    rows = prune_to(np.random.default_rng(0).standard_normal((2048, 2048)), "structured", 0.5)
    too_big = speedup_grid({"rows": rows}, batch=1, profiles=["mcu-m4"])
    assert not too_big.fits[0, 0] and str(too_big).endswith("*")


def test_speedup_grid_heatmap_writes_every_ratio():
    grid = speedup_grid(pattern_cases((64, 64)), batch=1, profiles=["cpu-avx2", "mcu-m4"])
    ax = grid.heatmap()
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2f}x" for v in grid.speedup.ravel())
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cpu-avx2", "mcu-m4"]
    assert "<table>" in grid._repr_html_()


def test_speedup_grid_rejects_bad_cases():
    with pytest.raises(TypeError, match="cases must be a non-empty dict"):
        speedup_grid({}, batch=1)
    with pytest.raises(ValueError, match="must be a 2-D"):
        speedup_grid({"x": np.ones(4, bool)}, batch=1)


def test_channel_sweep_shows_the_npu_cliff():
    npu = get_profile("npu-systolic")
    c = npu.channel_multiple
    table = channel_sweep(npu, [c, c + 1, 2 * c])
    cycles = [int(v.replace(",", "")) for v in table.column("compute cycles")]
    assert cycles[1] == cycles[2] == 2 * cycles[0]
    assert table.column("round_channels") == (str(c), str(2 * c), str(2 * c))
    assert table.column("bound") == ("compute",) * 3


def test_channel_sweep_takes_any_layer_and_the_cliff_is_small_when_memory_bound():
    def fc(n):
        return linear(1, 1024, n)

    table = channel_sweep("npu-systolic", [256, 257], make_layer=fc)
    assert table.column("GEMM MxNxK") == ("1x256x1024", "1x257x1024")
    assert table.column("bound") == ("memory", "compute")  # the half-empty fold costs cycles, not bytes
    fc_jump = simulate(fc(257), "npu-systolic").latency_s / simulate(fc(256), "npu-systolic").latency_s
    conv_jump = simulate(cliff_conv(257), "npu-systolic").latency_s / simulate(cliff_conv(256), "npu-systolic").latency_s
    assert fc_jump < 1.2 and conv_jump > 1.9
    with pytest.raises(TypeError, match="make_layer must be a function"):
        channel_sweep("npu-systolic", [1], make_layer=3)


def test_tile_cliff_chart_marks_each_tile_edge():
    axes = tile_cliff_chart(["npu-systolic", "gpu-ampere"], multiples=2)
    assert len(axes) == 2
    npu_edges = sorted(line.get_xdata()[0] for line in axes[0].get_lines()[1:])
    assert npu_edges == [256, 512]
    steps = axes[1].get_lines()[0].get_ydata()
    assert steps[127] < steps[128] == steps[255]  # N = 128 fits one tile; 129 and 256 take two
    assert cliff_conv(8).k == 256 * 9


def test_predicted_vs_measured_chart_plots_every_shape():
    shapes = ((1, 16, 16), (8, 64, 64), (64, 256, 256))
    result = ComparisonResult("host", shapes, np.array([1e-6, 2e-6, 9e-6]), np.array([2e-6, 3e-6, 8e-6]), 1.0)
    ax = predicted_vs_measured_chart(result)
    points = ax.get_lines()[0]
    assert points.get_xdata().tolist() == pytest.approx([2.0, 3.0, 8.0])
    assert ax.get_title() == "host: Spearman rho = 1.00" and ax.get_xscale() == "log"
    with pytest.raises(TypeError, match="ComparisonResult"):
        predicted_vs_measured_chart([1, 2])
