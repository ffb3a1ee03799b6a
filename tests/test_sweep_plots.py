"""Sweep pictures (hwprune_edu.viz.sweeps) draw what they claim (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.studies.results import SweepPoint, SweepTable  # noqa: E402
from hwprune_edu.viz.sweeps import plot_accuracy_vs_sparsity, plot_speedups  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def sweep_table(finetuned=True):
    def point(pattern, target, accuracy):
        return SweepPoint(pattern, target, target, accuracy, accuracy + 0.01 if finetuned else None, 100)

    points = (
        point("unstructured", 0.5, 0.95), point("unstructured", 0.9, 0.90),
        point("structured", 0.5, 0.85), point("structured", 0.9, 0.60),
        point("2:4", 0.5, 0.94), point("1:4", 0.75, 0.92),
    )
    return SweepTable(points, dense_accuracy=0.96, layer=2, finetune_steps=40 if finetuned else 0)


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
