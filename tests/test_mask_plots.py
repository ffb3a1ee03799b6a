"""Granularity pictures (hwprune_edu.viz.masks) draw what they claim (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.viz.masks import pattern_label, plot_accuracy_vs_sparsity, plot_speedups, show_masks  # noqa: E402
from hwprune_edu.studies.results import SweepPoint, SweepTable  # noqa: E402
from hwprune_edu.studies.sweeps import pattern_mask  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def weights():
    return np.random.default_rng(0).standard_normal((32, 64))


def sweep_table(finetuned=True):
    def point(pattern, target, accuracy):
        return SweepPoint(pattern, target, target, accuracy, accuracy + 0.01 if finetuned else None, 100)

    points = (
        point("unstructured", 0.5, 0.95), point("unstructured", 0.9, 0.90),
        point("structured", 0.5, 0.85), point("structured", 0.9, 0.60),
        point("2:4", 0.5, 0.94), point("1:4", 0.75, 0.92),
    )
    return SweepTable(points, dense_accuracy=0.96, layer=2, finetune_steps=40 if finetuned else 0)


@pytest.mark.parametrize("pattern, target, label", [
    ("unstructured", 0.5, "unstructured"),
    ("structured", 0.25, "structured (24 of 32 rows)"),
    ("2:4", None, "2:4"),
    ("2:8", None, "2:8"),
    ("block 4x4", 0.5, "block 4x4"),
])
def test_pattern_label_names_what_the_simulator_reads(weights, pattern, target, label):
    assert pattern_label(pattern_mask(weights, pattern, target)) == label


def test_pattern_label_of_dense_and_column_masks():
    assert pattern_label(np.ones((4, 4), bool)) == "dense"
    assert pattern_label(np.array([[1, 0], [1, 0]], bool)) == "structured (1 of 2 columns)"
    assert pattern_label(np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], bool)) == "structured (2 x 2 kept)"


def test_show_masks_draws_one_titled_panel_per_mask(weights):
    masks = {name: pattern_mask(weights, name, 0.5 if name != "2:4" else None)
             for name in ("unstructured", "structured", "2:4", "block 4x4")}
    before = {name: mask.copy() for name, mask in masks.items()}
    axes = show_masks(masks)
    assert len(axes) == 4
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == "unstructured\n50.0% pruned\nread as unstructured"
    assert titles[2] == "2:4\n50.0% pruned\nread as 2:4"
    assert titles[3] == "block 4x4\n50.0% pruned\nread as block 4x4"
    assert axes[0].images[0].get_array().shape == (32, 64)
    assert axes[0].get_xlabel() == "32x64 (rows = output neurons)"
    # The picture is the mask: kept = 1, pruned = 0.
    assert np.array_equal(np.asarray(axes[1].images[0].get_array()), masks["structured"])
    assert all(np.array_equal(masks[name], before[name]) for name in masks)


def test_corner_zooms_the_picture_but_not_the_statistics(weights):
    keep = pattern_mask(weights, "2:4")
    (ax,) = show_masks({"2:4": keep}, corner=(8, 16), grid=4)
    assert np.array_equal(np.asarray(ax.images[0].get_array()), keep[:8, :16])
    assert ax.get_xlabel() == "top-left 8x16 of 32x64"
    assert ax.get_title().endswith("50.0% pruned\nread as 2:4")
    # Grid lines between the 4-wide groups: 1 horizontal (at 3.5) and 3 vertical.
    positions = sorted(tuple(line.get_xdata()) + tuple(line.get_ydata()) for line in ax.get_lines())
    assert len(ax.get_lines()) == 1 + 3
    assert any(3.5 in p for p in positions)


def test_grid_is_skipped_on_large_pictures():
    (ax,) = show_masks({"dense": np.ones((256, 256), bool)}, grid=4)
    assert ax.get_lines() == []


def test_show_masks_draws_on_given_axes_and_conv_masks():
    _, given = plt.subplots(1, 2)
    conv = np.ones((4, 2, 3, 3), bool)
    conv[:, 0] = False  # input channel 0 pruned at every kernel position
    axes = show_masks({"a": np.ones((4, 4), bool), "conv": conv}, axes=given)
    assert axes == list(given)
    assert axes[1].images[0].get_array().shape == (4, 18)
    assert "50.0% pruned" in axes[1].get_title()


@pytest.mark.parametrize("masks, kwargs, error, words", [
    ([np.ones((2, 2))], {}, TypeError, "dict"),
    ({}, {}, ValueError, "at least one mask"),
    ({"x": np.full((2, 2), 0.5)}, {}, ValueError, "boolean"),
    ({"x": np.ones(4, bool)}, {}, ValueError, "2-D"),
    ({"x": np.ones((2, 2), bool)}, {"corner": 0}, ValueError, "corner"),
    ({"x": np.ones((2, 2), bool)}, {"grid": "4"}, TypeError, "grid"),
    ({"x": np.ones((2, 2), bool)}, {"axes": []}, ValueError, "one Axes per mask"),
])
def test_show_masks_names_bad_input(masks, kwargs, error, words):
    with pytest.raises(error, match=words):
        show_masks(masks, **kwargs)


def test_accuracy_plot_has_curves_points_and_the_dense_line():
    table = sweep_table()
    ax = plot_accuracy_vs_sparsity(table)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["unstructured", "structured", "2:4", "1:4", "dense"]
    assert list(lines["structured"].get_xdata()) == [50.0, 90.0]
    assert list(lines["structured"].get_ydata()) == [0.85, 0.60]
    assert lines["2:4"].get_linestyle() == "None"  # a single point, not a curve
    assert lines["2:4"].get_marker() != lines["1:4"].get_marker()
    assert lines["2:4"].get_markersize() > lines["1:4"].get_markersize()  # coinciding points stay visible
    assert list(lines["dense"].get_ydata()) == [0.96, 0.96]
    assert ax.get_title() == "right after pruning"


def test_finetuned_panel_matches_colours_and_plots_finetuned_accuracy():
    table = sweep_table()
    _, (left, right) = plt.subplots(1, 2)
    plot_accuracy_vs_sparsity(table, left)
    plot_accuracy_vs_sparsity(table, right, which="finetuned")
    assert [line.get_color() for line in left.get_lines()] == [line.get_color() for line in right.get_lines()]
    assert list(right.get_lines()[0].get_ydata()) == pytest.approx([0.96, 0.91])
    assert right.get_title() == "after a 40-step fine-tune"


def test_accuracy_plot_names_bad_input():
    with pytest.raises(ValueError, match="finetune_steps > 0"):
        plot_accuracy_vs_sparsity(sweep_table(finetuned=False), which="finetuned")
    with pytest.raises(ValueError, match="which"):
        plot_accuracy_vs_sparsity(sweep_table(), which="both")
    with pytest.raises(TypeError, match="SweepTable"):
        plot_accuracy_vs_sparsity([1, 2])
    with pytest.raises(TypeError, match="LatencyTable"):
        plot_speedups(sweep_table())


def test_speedup_bars_one_per_pattern_and_platform():
    from hwprune_edu.nn.data import digits_mlp
    from hwprune_edu.studies.sweeps import latency_by_pattern

    table = latency_by_pattern(digits_mlp(hidden=(64, 64)), 2, ["unstructured", "structured", "2:4"],
                               profiles=["cpu-avx2", "npu-systolic"], batch=64)
    ax = plot_speedups(table)
    heights = [bar.get_height() for bar in ax.patches]
    assert len(heights) == 3 * 2
    expected = [table.speedup(p, name) for p in table.patterns for name in table.profiles]
    assert heights == pytest.approx(expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cpu-avx2", "npu-systolic"]
    assert ax.get_yscale() == "log"
    assert "1x" in [t.get_text() for t in ax.get_yticklabels()]
    low, high = ax.get_ylim()
    assert low < min(heights) and max(heights) < high
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["unstructured (50%)", "structured (50%)", "2:4 (50%)"]
    assert plot_speedups(table, legend=False).get_legend() is None
