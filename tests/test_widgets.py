"""The sparsity explorer and notebook 03's tables and charts: driven without a browser (headless, Agg)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.hardware import PROFILES, ComparisonResult, describe_pattern, get_profile, linear, simulate  # noqa: E402
from hwprune_edu.util.tables import Table  # noqa: E402
from hwprune_edu.viz.explorer import (  # noqa: E402
    BATCH_OPTIONS,
    BLOCK_EDGE,
    EXPLORER_PATTERNS,
    Exploration,
    channel_sweep,
    cliff_conv,
    explore,
    pattern_cases,
    pattern_mask,
    predicted_vs_measured_chart,
    profile_table,
    sparsity_explorer,
    speedup_grid,
    tile_cliff_chart,
)

BIG = dict(batch=1024, in_features=4096, out_features=4096)  # compute-bound on the GPU, past its launch overhead


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------------------------------------ Table


def test_table_aligns_text_and_escapes_html():
    table = Table(["name", "value"], [["<a>", 1], ["bb", 22]], title="T & t")
    assert str(table).splitlines() == ["T & t", "name  value", "<a>   1", "bb    22"]
    assert repr(table) == str(table)
    html = table._repr_html_()
    assert "&lt;a&gt;" in html and "T &amp; t" in html and html.count("<tr>") == 3
    assert table.column("value") == ("1", "22")


def test_table_rejects_ragged_rows_and_unknown_columns():
    with pytest.raises(ValueError, match=r"rows\[1\] must have 2 cells"):
        Table(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="header must be one of"):
        Table(["a"], [[1]]).column("b")


# ------------------------------------------------------------------------------------------------ masks


@pytest.mark.parametrize(
    "pattern, kind", [("unstructured", "unstructured"), ("2:4", "n:m"), ("structured rows", "structured"), ("block", "block")]
)
def test_pattern_mask_is_read_back_as_its_pattern(pattern, kind):
    mask = pattern_mask(pattern, (128, 256), 0.5, seed=3)
    assert mask.shape == (128, 256) and mask.dtype == bool
    assert describe_pattern(mask).kind == kind
    assert mask.mean() == pytest.approx(0.5, abs=0.01)
    assert np.array_equal(mask, pattern_mask(pattern, (128, 256), 0.5, seed=3))  # deterministic


def test_pattern_mask_follows_sparsity_except_for_2_4():
    assert pattern_mask("unstructured", (64, 64), 0.9).mean() == pytest.approx(0.1, abs=1e-3)
    assert pattern_mask("structured rows", (64, 64), 0.75).any(axis=1).sum() == 16
    assert pattern_mask("2:4", (64, 64), 0.9).mean() == 0.5  # the hardware format fixes 50 %
    assert pattern_mask("block", (64, 64), 0.0).all()
    assert describe_pattern(pattern_mask("block", (128, 128), 0.5)).block_shape == (BLOCK_EDGE, BLOCK_EDGE)


def test_pattern_mask_returns_a_fresh_writable_array_and_seeds_matter():
    first = pattern_mask("unstructured", (32, 32), 0.5, seed=0)
    first[:] = False  # must not corrupt the cached weights
    assert pattern_mask("unstructured", (32, 32), 0.5, seed=0).mean() == 0.5
    assert not np.array_equal(pattern_mask("unstructured", (32, 32), 0.5, seed=0),
                              pattern_mask("unstructured", (32, 32), 0.5, seed=1))


@pytest.mark.parametrize(
    "args, error, message",
    [
        (("diagonal", (8, 8), 0.5), ValueError, "pattern must be one of"),
        (("unstructured", (8, 8), 1.0), ValueError, r"sparsity must be a number in \[0, 1\)"),
        (("unstructured", (8, 8), -0.1), ValueError, "sparsity must be"),
        (("unstructured", (8, 8), True), ValueError, "sparsity must be"),
        (("unstructured", (8,), 0.5), TypeError, "shape must be an"),
        (("unstructured", (0, 8), 0.5), ValueError, r"shape\[0\] must be >= 1"),
        (("2:4", (8, 6), 0.5), ValueError, "in_features divisible by 4"),
        (("block", (64, 48), 0.5), ValueError, f"divisible by {BLOCK_EDGE}"),
    ],
)
def test_pattern_mask_rejects_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        pattern_mask(*args)


def test_pattern_mask_rejects_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be >= 0"):
        pattern_mask("unstructured", (8, 8), 0.5, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        pattern_mask("unstructured", (8, 8), 0.5, seed=1.5)


def test_pattern_cases_breaks_2_4_in_exactly_one_group():
    cases = pattern_cases((64, 128))
    assert list(cases)[3:5] == ["2:4 exact", "2:4 but one group 3:4"]
    exact, broken = cases["2:4 exact"], cases["2:4 but one group 3:4"]
    assert np.argwhere(exact != broken).tolist() == [[0, int(np.flatnonzero(~exact[0, :4])[0])]]
    assert broken[0, :4].sum() == 3
    assert describe_pattern(exact).kind == "n:m" and describe_pattern(broken).kind == "unstructured"


# ------------------------------------------------------------------------------------------------ explore


def test_explore_teaching_points_on_dense_kernel_hardware():
    for platform in ("gpu-ampere", "npu-systolic", "mcu-m4"):
        for sparsity in (0.5, 0.9):
            result = explore(sparsity, "unstructured", platform, **BIG)
            assert result.kernel == "dense" and result.speedup == pytest.approx(1.0)
            assert "its dense kernel runs and multiplies the zeros too" in result.why() or "overhead" in result.why()


def test_explore_2_4_on_the_gpu_is_at_most_2x_and_structured_rows_help_everywhere():
    two_four = explore(0.5, "2:4", "gpu-ampere", **BIG)
    assert two_four.kernel == "2:4 sparse tensor core" and 1.5 < two_four.speedup <= 2.0
    assert two_four.sparsity == 0.5
    for platform in PROFILES:
        rows = explore(0.5, "structured rows", platform, batch=64, in_features=2048, out_features=2048)
        assert rows.pattern_read == "structured" and rows.speedup > 1.2, platform


def test_explore_sparse_kernels_win_only_past_break_even():
    assert explore(0.5, "unstructured", "cpu-avx2").speedup < 1 < explore(0.95, "unstructured", "cpu-avx2").speedup
    assert explore(0.05, "unstructured", "sparse-eie", batch=1).speedup < 1 < explore(0.5, "unstructured", "sparse-eie",
                                                                                      batch=1).speedup
    slow = explore(0.5, "unstructured", "cpu-avx2")
    assert "costs more than the zeros it skips" in slow.why()
    assert "break-even" in explore(0.9, "unstructured", "cpu-avx2").why()


def test_explore_explains_overhead_and_unpruned_layers():
    assert "too small for pruning to matter" in explore(0.5, "structured rows", "gpu-ampere", batch=1).why()
    unpruned = explore(0.0, "unstructured", "cpu-avx2")
    assert unpruned.pattern_read == "dense" and unpruned.speedup == 1.0 and "nothing was pruned" in unpruned.why()


def test_explore_show_prints_the_table_and_draws_two_bars(capsys):
    _, ax = plt.subplots()
    result = explore(0.3, "2:4", "gpu-ampere", show=True, ax=ax, **BIG)
    out = capsys.readouterr().out
    assert out.startswith("gpu-ampere: Linear 4096 -> 4096, batch 1024; 2:4 pruning at 50% sparsity")
    assert "2:4 is always 50 % sparse" in out and f"speed-up {result.speedup:.2f}x" in out
    assert len(ax.patches) == 2
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx([result.dense.latency_s * 1e6, result.pruned.latency_s * 1e6])
    assert "1.92x" in ax.get_title()


def test_explore_reports_a_layer_that_does_not_fit():
    result = explore(0.5, "structured rows", "mcu-m4", batch=1024)
    assert not result.pruned.fits
    text = str(result)
    assert "WARNING: does not fit" in text and text.splitlines()[3].split()[-1] == "NO"
    assert "does not fit" in result._repr_html_()


def test_explore_matches_a_direct_simulation():
    result = explore(0.7, "block", "gpu-ampere", batch=256, in_features=512, out_features=256, seed=2)
    mask = pattern_mask("block", (256, 512), 0.7, seed=2)
    direct = simulate([linear(256, 512, 256, weight_mask=mask)], "gpu-ampere")
    assert result.pruned.latency_s == direct.latency_s
    assert result.sparsity == pytest.approx(0.7, abs=0.01) and result.platform == "gpu-ampere"


def test_explore_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown hardware profile"):
        explore(0.5, "unstructured", "tpu")
    with pytest.raises(ValueError, match="batch must be >= 1"):
        explore(0.5, "unstructured", "cpu-avx2", batch=0)


# ------------------------------------------------------------------------------------------------ the widget


def _controls(demo):
    sparsity, pattern, platform, batch = demo.children[:4]
    return sparsity, pattern, platform, batch


def test_explorer_starts_with_the_requested_values_and_runs_once(capsys):
    demo = sparsity_explorer(pattern="block", platform="sparse-eie", batch=1, in_features=256, out_features=256)
    sparsity, pattern, platform, batch = _controls(demo)
    assert (sparsity.value, pattern.value, platform.value, batch.value) == (0.5, "block", "sparse-eie", 1)
    assert tuple(pattern.options) == EXPLORER_PATTERNS and tuple(batch.options) == BATCH_OPTIONS
    assert set(platform.options) == set(PROFILES)
    assert isinstance(demo.result, Exploration) and demo.result.kernel == "eie-csc"
    assert demo.kwargs == {"sparsity": 0.5, "pattern": "block", "platform": "sparse-eie", "batch": 1}
    assert "sparse-eie: Linear 256 -> 256, batch 1; block pruning" in capsys.readouterr().out


def test_explorer_follows_each_control(capsys):
    demo = sparsity_explorer(in_features=256, out_features=256)
    sparsity, pattern, platform, batch = _controls(demo)
    platform.value = "cpu-avx2"
    assert demo.result.platform == "cpu-avx2" and demo.result.kernel == "csr"
    sparsity.value = 0.95
    assert demo.result.sparsity == pytest.approx(0.95, abs=0.01) and demo.result.speedup > 1
    pattern.value = "structured rows"
    assert demo.result.pattern_read == "structured" and demo.result.kernel == "dense"
    batch.value = 1024
    assert demo.result.batch == 1024
    expected = explore(0.95, "structured rows", "cpu-avx2", batch=1024, in_features=256, out_features=256)
    assert demo.result.speedup == expected.speedup
    assert "structured rows pruning at 95% sparsity" in capsys.readouterr().out


def test_explorer_update_reads_the_controls_again():
    demo = sparsity_explorer(in_features=256, out_features=256)
    first = demo.result
    demo.update()
    assert demo.result is not first and demo.result.speedup == first.speedup
    with demo.children[1].hold_trait_notifications():  # change two controls, then run once
        demo.children[1].value = "2:4"
        demo.children[2].value = "sparse-eie"
    demo.update()
    assert demo.kwargs["pattern"] == "2:4" and demo.result.kernel == "eie-csc"
    assert demo.result.speedup == explore(0.5, "2:4", "sparse-eie", in_features=256, out_features=256).speedup


def test_explorer_rejects_bad_starting_values():
    with pytest.raises(ValueError, match="pattern must be one of"):
        sparsity_explorer(pattern="2:8")
    with pytest.raises(ValueError, match="platform must be one of"):
        sparsity_explorer(platform="tpu")
    with pytest.raises(ValueError, match="batch must be one of"):
        sparsity_explorer(batch=3)
    with pytest.raises(ValueError, match="sparsity must be"):
        sparsity_explorer(sparsity=1.5)


# ------------------------------------------------------------------------------------------------ tables and charts


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
    too_big = speedup_grid({"rows": pattern_mask("structured rows", (2048, 2048), 0.5)}, batch=1, profiles=["mcu-m4"])
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
