"""The sparsity explorer (hwprune_edu.viz.explorer), driven without a browser (headless, Agg); and the Table it prints."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from hwprune_edu.hardware import PROFILES, linear, simulate  # noqa: E402
from hwprune_edu.pruning import prune_to  # noqa: E402
from hwprune_edu.util.tables import Table  # noqa: E402
from hwprune_edu.viz.explorer import BATCH_OPTIONS, Exploration, explore, sparsity_explorer  # noqa: E402
from hwprune_edu.viz.simulator import SPARSITY_PATTERNS  # noqa: E402

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


# ------------------------------------------------------------------------------------------------ explore


def test_explore_teaching_points_on_dense_kernel_hardware():
    for platform in ("npu-systolic", "mcu-m4"):
        for sparsity in (0.5, 0.9):
            result = explore(sparsity, "unstructured", platform, **BIG)
            assert result.kernel == "dense" and result.speedup == pytest.approx(1.0)
            assert "its dense kernel runs and multiplies the zeros too" in result.why() or "overhead" in result.why()
    gpu = explore(0.5, "unstructured", "gpu-ampere", **BIG)  # its CSR kernel exists but is slower at 50 %
    assert gpu.kernel == "dense" and gpu.speedup == pytest.approx(1.0)
    assert "could run the block-sparse kernel" in gpu.why() and "keeps the dense kernel" in gpu.why()


def test_explore_2_4_on_the_gpu_is_at_most_2x_and_structured_rows_help_everywhere():
    two_four = explore(0.5, "2:4", "gpu-ampere", **BIG)
    assert two_four.kernel == "2:4 sparse tensor core" and 1.3 <= two_four.speedup <= 1.7
    assert two_four.sparsity == 0.5
    for platform in PROFILES:
        rows = explore(0.5, "structured", platform, batch=64, in_features=2048, out_features=2048)
        assert rows.pattern_read == "structured" and rows.speedup > 1.2, platform


def test_explore_sparse_kernels_win_only_past_break_even():
    forced = explore(0.5, "unstructured", "cpu-avx2", kernel="csr")
    assert forced.speedup < 1 < explore(0.95, "unstructured", "cpu-avx2").speedup
    assert explore(0.05, "unstructured", "sparse-eie", batch=1, kernel="eie-csc").speedup < 1
    assert explore(0.5, "unstructured", "sparse-eie", batch=1).speedup > 1
    assert "costs more than the zeros it skips" in forced.why()
    assert "break-even" in explore(0.9, "unstructured", "cpu-avx2", kernel="csr").why()
    chosen = explore(0.5, "unstructured", "cpu-avx2")  # the runtime does not take the slower kernel
    assert chosen.kernel == "dense" and chosen.speedup == 1.0 and "could run the csr kernel" in chosen.why()


def test_explore_explains_overhead_and_unpruned_layers():
    small = explore(0.5, "structured", "gpu-ampere", batch=1, in_features=256, out_features=256)
    assert "too small for pruning to matter" in small.why()
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
    assert f"{result.speedup:.2f}x" in ax.get_title() and "2:4 sparse tensor core" in ax.get_title()


def test_explore_reports_a_layer_that_does_not_fit():
    result = explore(0.5, "structured", "mcu-m4", batch=1024)
    assert not result.pruned.fits
    text = str(result)
    assert "WARNING: does not fit" in text and text.splitlines()[3].split()[-1] == "NO"
    assert "does not fit" in result._repr_html_()


def test_explore_matches_a_direct_simulation():
    result = explore(0.7, "block 32x32", "gpu-ampere", batch=256, in_features=512, out_features=256, seed=2)
    mask = prune_to(np.random.default_rng(2).standard_normal((256, 512)), "block 32x32", 0.7)
    direct = simulate([linear(256, 512, 256, weight_mask=mask)], "gpu-ampere")
    assert result.pruned.latency_s == direct.latency_s
    assert result.sparsity == pytest.approx(0.7, abs=0.01) and result.platform == "gpu-ampere"
    assert result.pattern == "block 32x32" and result.pattern_read == "block"


def test_explore_takes_any_pattern_of_the_vocabulary():
    one_four = explore(0.3, "1:4", "sparse-eie", in_features=256, out_features=256)
    assert one_four.sparsity == 0.75 and one_four.pattern_read == "n:m"
    assert "(1:4 is always 75 % sparse: the slider does not apply to it)" in one_four.notes()
    assert explore(0.5, "Block 16x16", "cpu-avx2", in_features=256, out_features=256).pattern == "block 16x16"


def test_explore_is_deterministic_and_seeds_matter():
    # EIE's time depends on where the kept weights sit, so another seed shows as another latency.
    def run(seed):
        return explore(0.5, "unstructured", "sparse-eie", batch=1, in_features=256, out_features=256, seed=seed)

    first, again, other = run(0), run(0), run(1)
    assert first.sparsity == again.sparsity == other.sparsity == 0.5
    assert first.pruned.latency_s == again.pruned.latency_s != other.pruned.latency_s


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((0.5, "unstructured", "tpu"), {}, ValueError, "unknown hardware profile"),
        ((0.5, "unstructured", "cpu-avx2"), {"batch": 0}, ValueError, "batch must be >= 1"),
        ((0.5, "diagonal", "cpu-avx2"), {}, ValueError, "pattern must be one of"),
        ((0.5, "block", "cpu-avx2"), {}, ValueError, "must give the tile size"),
        ((1.0, "unstructured", "cpu-avx2"), {}, ValueError, r"sparsity must be in \[0, 1\) \(the pruned fraction\)"),
        ((-0.1, "unstructured", "cpu-avx2"), {}, ValueError, "sparsity must be"),
        ((True, "unstructured", "cpu-avx2"), {}, TypeError, "sparsity must be"),
        ((0.5, "unstructured", "cpu-avx2"), {"out_features": 0}, ValueError, "out_features must be >= 1"),
        ((0.5, "2:4", "cpu-avx2"), {"in_features": 6}, ValueError, "multiple of m=4"),
        ((0.5, "block 32x32", "cpu-avx2"), {"in_features": 48, "out_features": 64}, ValueError,
         "must tile the weight matrix"),
        ((0.5, "unstructured", "cpu-avx2"), {"seed": -1}, ValueError, "seed must be >= 0"),
        ((0.5, "unstructured", "cpu-avx2"), {"seed": 1.5}, TypeError, "seed must be an int"),
    ],
)
def test_explore_rejects_bad_input(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        explore(*args, **kwargs)


# ------------------------------------------------------------------------------------------------ the widget


def _controls(demo):
    sparsity, pattern, platform, batch = demo.children[:4]
    return sparsity, pattern, platform, batch


def test_explorer_starts_with_the_requested_values_and_runs_once(capsys):
    demo = sparsity_explorer(pattern="block 32x32", platform="sparse-eie", batch=1, in_features=256, out_features=256)
    sparsity, pattern, platform, batch = _controls(demo)
    assert (sparsity.value, pattern.value, platform.value, batch.value) == (0.5, "block 32x32", "sparse-eie", 1)
    assert tuple(pattern.options) == SPARSITY_PATTERNS and tuple(batch.options) == BATCH_OPTIONS
    assert set(platform.options) == set(PROFILES)
    assert isinstance(demo.result, Exploration) and demo.result.kernel == "eie-csc"
    assert demo.kwargs == {"sparsity": 0.5, "pattern": "block 32x32", "platform": "sparse-eie", "batch": 1}
    assert "sparse-eie: Linear 256 -> 256, batch 1; block 32x32 pruning" in capsys.readouterr().out


def test_explorer_follows_each_control(capsys):
    demo = sparsity_explorer(in_features=256, out_features=256)
    sparsity, pattern, platform, batch = _controls(demo)
    platform.value = "cpu-avx2"
    assert demo.result.platform == "cpu-avx2" and demo.result.kernel == "dense"  # CSR is slower at 50 %
    sparsity.value = 0.95
    assert demo.result.sparsity == pytest.approx(0.95, abs=0.01) and demo.result.speedup > 1
    assert demo.result.kernel == "csr"
    pattern.value = "structured"
    assert demo.result.pattern_read == "structured" and demo.result.kernel == "dense"
    batch.value = 1024
    assert demo.result.batch == 1024
    expected = explore(0.95, "structured", "cpu-avx2", batch=1024, in_features=256, out_features=256)
    assert demo.result.speedup == expected.speedup
    assert "structured pruning at 95% sparsity" in capsys.readouterr().out


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
    with pytest.raises(ValueError, match="pattern must be one of"):
        sparsity_explorer(pattern="block")
    with pytest.raises(ValueError, match="platform must be one of"):
        sparsity_explorer(platform="tpu")
    with pytest.raises(ValueError, match="batch must be one of"):
        sparsity_explorer(batch=3)
    with pytest.raises(ValueError, match="sparsity must be"):
        sparsity_explorer(sparsity=1.5)


def test_explorer_text_form_reads_as_an_invitation_not_a_widget_dump(capsys):
    from hwprune_edu.viz.explorer import EXPLORER_TEXT

    demo = sparsity_explorer()
    capsys.readouterr()
    assert repr(demo) == EXPLORER_TEXT
    assert demo._repr_mimebundle_()["text/plain"] == EXPLORER_TEXT
