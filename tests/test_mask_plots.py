"""Mask pictures (hwprune_edu.viz.masks) draw what they claim (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from matplotlib.figure import Figure  # noqa: E402

from hwprune_edu.pruning import prune_to  # noqa: E402
from hwprune_edu.viz.masks import pattern_label, show_masks  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def weights():
    return np.random.default_rng(0).standard_normal((32, 64))


@pytest.mark.parametrize("pattern, target, label", [
    ("unstructured", 0.5, "unstructured"),
    ("structured", 0.25, "structured (24 of 32 rows)"),
    ("2:4", None, "2:4"),
    ("2:8", None, "2:8"),
    ("block 4x4", 0.5, "block 4x4"),
])
def test_pattern_label_names_what_the_simulator_reads(weights, pattern, target, label):
    assert pattern_label(prune_to(weights, pattern, target)) == label


def test_pattern_label_of_dense_and_column_masks():
    assert pattern_label(np.ones((4, 4), bool)) == "dense"
    assert pattern_label(np.array([[1, 0], [1, 0]], bool)) == "structured (1 of 2 columns)"
    assert pattern_label(np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], bool)) == "structured (2 x 2 kept)"


def test_show_masks_draws_one_titled_panel_per_mask(weights):
    masks = {name: prune_to(weights, name, 0.5 if name != "2:4" else None)
             for name in ("unstructured", "structured", "2:4", "block 4x4")}
    before = {name: mask.copy() for name, mask in masks.items()}
    fig = show_masks(masks)
    assert isinstance(fig, Figure)
    axes = fig.axes
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
    keep = prune_to(weights, "2:4")
    (ax,) = show_masks({"2:4": keep}, corner=(8, 16), grid=4).axes
    assert np.array_equal(np.asarray(ax.images[0].get_array()), keep[:8, :16])
    assert ax.get_xlabel() == "top-left 8x16 of 32x64"
    assert ax.get_title().endswith("50.0% pruned\nread as 2:4")
    # Grid lines between the 4-wide groups: 1 horizontal (at 3.5) and 3 vertical.
    positions = sorted(tuple(line.get_xdata()) + tuple(line.get_ydata()) for line in ax.get_lines())
    assert len(ax.get_lines()) == 1 + 3
    assert any(3.5 in p for p in positions)


def test_grid_is_skipped_on_large_pictures():
    (ax,) = show_masks({"dense": np.ones((256, 256), bool)}, grid=4).axes
    assert ax.get_lines() == []


def test_show_masks_draws_on_given_axes_and_conv_masks():
    fig, given = plt.subplots(1, 2)
    conv = np.ones((4, 2, 3, 3), bool)
    conv[:, 0] = False  # input channel 0 pruned at every kernel position
    assert show_masks({"a": np.ones((4, 4), bool), "conv": conv}, axes=given) is fig
    axes = list(given)
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
