"""The checks accept every right answer and reject every naive one with its own hint.

* the library's reference passes every check, for several seeds;
* every naive implementation of an exercise's mistakes fails, and the report
  names its mistake (so the learner sees the targeted hint);
* at least two *different* correct implementations per exercise pass
  (sort-based, partition-based, loop-based, random tie order, lists / 0-1 ints).
"""

from __future__ import annotations

import numpy as np
import pytest

from hwprune_edu.grading import BUGGY, EXERCISES, check
from hwprune_edu.grading.checks import make_exercise_cases

PLAIN = [name for name in EXERCISES if not name.startswith("expose_")]


def _wrapped(fn):
    # check() refuses the library's own functions; a learner calling them would be wrapping them too.
    return lambda *args, **kwargs: fn(*args, **kwargs)


@pytest.mark.parametrize("name", PLAIN)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_passes_every_case(name, seed):
    report = check(name, _wrapped(EXERCISES[name].reference), seed=seed)
    assert report.passed, str(report)
    assert report.score == 1.0
    assert not report.notes


NAIVE_CASES = [(name, m) for name, exercise in EXERCISES.items() if not name.startswith(("expose_", "fix_"))
               for m in exercise.mistakes if m.naive is not None]


@pytest.mark.parametrize("exercise,mistake", NAIVE_CASES, ids=[f"{e}-{m.id}" for e, m in NAIVE_CASES])
def test_each_naive_implementation_fails_with_its_hint(exercise, mistake):
    report = check(exercise, mistake.naive)
    assert not report.passed
    assert mistake.id in report.mistakes, str(report)
    hint = next(m.hint for m in EXERCISES[exercise].mistakes if m.id == mistake.id)
    # Alone, or beside the one other mistake that gives the very same output.
    assert any(hint in c.hint for c in report.cases)


EVERY_NAIVE = [(name, m) for name, exercise in EXERCISES.items() if not name.startswith("expose_")
               for m in exercise.mistakes if m.naive is not None]


def test_no_known_wrong_version_is_told_about_another_mistake():
    """Every known wrong version (each exercise's naive mistakes, the spot-the-bug copies, the blog's originals),
    on every case: a hint names its own mistake (alone, or beside the one other that gives the same output) or
    none, on degenerate inputs (1 element, amount 0, 0:4) as on any other, generic mistakes included."""
    assert len(EVERY_NAIVE) > 150
    misnamed = []
    for seed in (0, 3):
        for name, mistake in EVERY_NAIVE:
            for case in check(name, mistake.naive, seed=seed).cases:
                named = set(case.mistake.split("+")) - {""}
                if named and mistake.id not in named:
                    misnamed.append((seed, name, mistake.id, case.name, case.mistake))
    assert not misnamed, misnamed


@pytest.mark.parametrize("target", sorted(BUGGY))
def test_the_blogs_originals_are_named_by_one_mistake_each(target):
    # Each original makes one mistake; a case blaming a second one (off-by-one for the ties bug) would mislead.
    report = check(target, BUGGY[target])
    assert len(report.mistakes) == 1, str(report)


def test_what_a_function_got_right_rules_an_explanation_out():
    """Right everywhere but at amount 0: an inverted mask or "amount = what to keep" would have failed the other
    cases too, so the hint on the amount-0 cases names the guard that is missing, alone."""
    from hwprune_edu.pruning import magnitude_mask

    def unguarded_at_zero(weights, amount):
        keep = magnitude_mask(np.asarray(weights), amount)
        return np.zeros_like(keep) if np.isclose(float(amount), 0.0) else keep

    report = check("magnitude_mask", _wrapped(unguarded_at_zero))
    failing = [c for c in report.cases if not c.passed]
    assert failing and all(c.mistake == "zero_amount" for c in failing), str(report)


def test_one_output_two_readings_names_both():
    # The weights of a 1-D layer with nothing pruned: w[keep] (dropping) and np.where(keep, w, 0) look the same.
    report = check("threshold_mask", lambda weights, threshold: np.asarray(weights)[np.abs(weights) > threshold])
    one = next(c for c in report.cases if c.input.startswith("weights=[-0.31]"))
    assert set(one.mistake.split("+")) == {"dropped_entries", "returned_weights"}, one
    assert "Either:" in one.hint


def test_an_error_on_a_conv_weight_is_not_blamed_on_2d_code_unless_it_says_so():
    from hwprune_edu.grading.exercise import Attempt
    from hwprune_edu.grading.exercises import nm_mask

    conv = next(c for c in nm_mask.EXERCISE.make_cases(0) if "conv" in c.name)
    def attempt(message):
        return Attempt(nm_mask.EXERCISE, conv, "error", error={"type": "ValueError", "message": message, "line": ""})
    only_2d = next(m for m in nm_mask.EXERCISE.mistakes if m.id == "only_2d")
    assert only_2d.recognise(attempt("too many values to unpack (expected 2)"))
    assert not only_2d.recognise(attempt("weights.shape[0] must be a multiple of m=4"))


def test_every_catalogued_mistake_has_a_naive_implementation_or_is_generic():
    generic = {"signature", "returns_none", "mutated_input", "only_2d", "dropped_entries", "returned_weights",
               "inverted_mask", "flattened", "not_exposed"}
    for name, exercise in EXERCISES.items():
        if name.startswith("expose_"):
            continue
        missing = {m.id for m in exercise.mistakes if m.naive is None} - generic
        assert not missing, f"{name}: no naive implementation for {missing}"


def test_buggy_versions_for_exercise_5_fail_their_checks():
    for target, buggy in BUGGY.items():
        assert not check(target, buggy).passed


# ---------------------------------------------------------------- correct alternatives

def _keep_from_pruned(shape, pruned_flat_indices):
    keep = np.ones(int(np.prod(shape)), dtype=bool)
    keep[list(pruned_flat_indices)] = False
    return keep.reshape(shape)


def _k(amount, n):
    return amount if isinstance(amount, int) else int(round(amount * n))


def threshold_loops(weights, threshold):
    keep = np.zeros(weights.shape, dtype=bool)
    for index in np.ndindex(weights.shape):
        keep[index] = abs(weights[index]) > threshold
    return keep


def threshold_list_of_ints(weights, threshold):
    return (np.abs(weights) > threshold).astype(int).tolist()


def magnitude_argpartition(weights, amount):
    w = np.abs(np.asarray(weights)).ravel()
    k = _k(amount, w.size)
    if k == 0:
        return np.ones(weights.shape, dtype=bool)
    return _keep_from_pruned(weights.shape, np.argpartition(w, k - 1)[:k])


def magnitude_loop_later_ties_first(weights, amount):
    flat = [abs(float(x)) for x in np.ravel(weights)]
    k = _k(amount, len(flat))
    order = sorted(range(len(flat)), key=lambda i: (flat[i], -i))  # ties: the later entry goes first
    return _keep_from_pruned(np.shape(weights), order[:k])


def magnitude_random_ties(weights, amount, _rng=np.random.default_rng(3)):
    w = np.abs(np.asarray(weights)).ravel()
    k = _k(amount, w.size)
    shuffle = _rng.permutation(w.size)
    order = shuffle[np.argsort(w[shuffle], kind="stable")]
    return _keep_from_pruned(weights.shape, order[:k]).astype(float)


def global_concat_argsort(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    k = _k(amount, flat.size)
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:k]] = False
    return [part.reshape(w.shape) for part, w in zip(np.split(keep, np.cumsum([w.size for w in weights_list])[:-1]),
                                                     weights_list)]


def global_threshold_then_ties(weights_list, amount):
    flat = np.concatenate([np.abs(w).ravel() for w in weights_list])
    k = _k(amount, flat.size)
    keep = np.ones(flat.size, dtype=bool)
    if k:
        cut = np.partition(flat, k - 1)[k - 1]
        keep[flat < cut] = False
        tied = np.flatnonzero(flat == cut)[::-1]  # prune the last tied entries first
        keep[tied[: k - int((flat < cut).sum())]] = False
    masks, start = [], 0
    for w in weights_list:
        masks.append(keep[start:start + w.size].reshape(w.shape))
        start += w.size
    return tuple(masks)


def structured_vectorised(weights, amount, *, axis=0, norm=1):
    rows = np.moveaxis(np.abs(weights), axis, 0).reshape(weights.shape[axis], -1)
    scores = (rows**norm).sum(axis=1) ** (1 / norm)
    k = _k(amount, scores.size)
    keep_slices = np.ones(scores.size, dtype=bool)
    keep_slices[np.argsort(scores, kind="stable")[:k]] = False
    shape = [1] * weights.ndim
    shape[axis] = -1
    return np.broadcast_to(keep_slices.reshape(shape), weights.shape)


def structured_loops(weights, amount, *, axis=0, norm=1):
    n = weights.shape[axis]
    scores = [np.linalg.norm(np.take(weights, j, axis=axis).ravel(), ord=norm) for j in range(n)]
    k = _k(amount, n)
    order = sorted(range(n), key=lambda j: (scores[j], -j))
    keep = np.ones(weights.shape, dtype=int)
    for j in order[:k]:
        index = [slice(None)] * weights.ndim
        index[axis] = j
        keep[tuple(index)] = 0
    return keep


def nm_argsort(weights, n=2, m=4, *, axis=1):
    moved = np.moveaxis(np.abs(weights), axis, -1)
    groups = moved.reshape(-1, m)
    keep = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(keep, np.argsort(groups, axis=1)[:, m - n:], True, axis=1)
    return np.moveaxis(keep.reshape(moved.shape), -1, axis)


def nm_loops(weights, n=2, m=4, *, axis=1):
    moved = np.moveaxis(np.asarray(weights), axis, -1)
    keep = np.zeros(moved.shape, dtype=bool)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index]
        for start in range(0, row.size, m):
            group = sorted(range(start, start + m), key=lambda i: (-abs(row[i]), -i))  # ties: later kept first
            for i in group[:n]:
                keep[index + (i,)] = True
    return np.moveaxis(keep, -1, axis)


def block_vectorised(weights, amount, *, block=(4, 4)):
    br, bc = block
    matrix = np.abs(weights).reshape(weights.shape[0], -1)
    r, c = matrix.shape
    sums = matrix.reshape(r // br, br, c // bc, bc).sum(axis=(1, 3))
    keep = np.ones(sums.size, dtype=bool)
    keep[np.argsort(sums.ravel(), kind="stable")[:_k(amount, sums.size)]] = False
    return np.kron(keep.reshape(sums.shape), np.ones((br, bc), dtype=bool)).reshape(weights.shape)


def block_loops(weights, amount, *, block=(4, 4)):
    br, bc = block
    matrix = np.abs(weights).reshape(weights.shape[0], -1)
    tiles = [(float(matrix[i:i + br, j:j + bc].sum()), i, j)
             for i in range(0, matrix.shape[0], br) for j in range(0, matrix.shape[1], bc)]
    keep = np.ones(matrix.shape, dtype=bool)
    for _, i, j in sorted(tiles, key=lambda t: (t[0], -t[1], -t[2]))[:_k(amount, len(tiles))]:
        keep[i:i + br, j:j + bc] = False
    return keep.reshape(weights.shape)


def scores_vectorised(activations, method="mean_abs"):
    axes = (0,) if activations.ndim == 2 else (0, 2, 3)
    if method == "apoz":
        return np.mean(activations > 0, axis=axes)  # after ReLU, > 0 and != 0 agree
    if method == "rms":
        return np.sqrt(np.mean(activations**2, axis=axes))
    return np.mean(np.abs(activations), axis=axes)


def scores_loops(activations, method="mean_abs"):
    out = []
    for j in range(activations.shape[1]):
        values = activations[:, j].ravel().astype(float)
        if method == "apoz":
            out.append(sum(v != 0 for v in values) / len(values))
        elif method == "rms":
            out.append((sum(v * v for v in values) / len(values)) ** 0.5)
        else:
            out.append(sum(abs(v) for v in values) / len(values))
    return out


def remove_fancy(layers, layer_index, keep):
    new = [(w.copy(), b.copy()) for w, b in layers]
    w, b = layers[layer_index]
    w2, b2 = layers[layer_index + 1]
    new[layer_index] = (w[keep], b[keep])
    new[layer_index + 1] = (w2[:, keep], b2.copy())
    return new


def remove_with_delete(layers, layer_index, keep):
    gone = np.flatnonzero(~np.asarray(keep))
    out = []
    for i, (w, b) in enumerate(layers):
        if i == layer_index:
            w, b = np.delete(w, gone, axis=0), np.delete(b, gone)
        elif i == layer_index + 1:
            w = np.delete(w, gone, axis=1)
        out.append([w, b])
    return out


def weight_pruning_where(network, threshold):
    weights = network["weights"]
    layers = [weights] if isinstance(weights, np.ndarray) else weights
    masks = [np.abs(w) > threshold for w in layers]
    pruned = [np.where(m, w, 0.0) for w, m in zip(layers, masks)]
    if isinstance(weights, np.ndarray):
        return {**network, "weights": pruned[0], "masks": masks[0]}
    return {**network, "weights": pruned, "masks": masks}


def weight_pruning_multiply(network, threshold):
    weights = network["weights"]
    single = isinstance(weights, np.ndarray)
    layers = [weights] if single else list(weights)
    masks = [(np.abs(w) > threshold).astype(int) for w in layers]
    pruned = [w * m for w, m in zip(layers, masks)]  # -0.0 for pruned negatives: harmless
    return {"weights": pruned, "masks": masks}


def activation_vectorised(network, activation_threshold):
    weights, biases = list(network["weights"]), list(network["biases"])
    keeps = []
    for i in range(len(weights)):
        if i == len(weights) - 1:
            keeps.append(np.ones(weights[i].shape[0], dtype=bool))
            break
        keep = np.abs(network["activations"][i]).mean(axis=0) > activation_threshold
        keeps.append(keep)
        weights[i], biases[i] = weights[i][keep], biases[i][keep]
        weights[i + 1] = weights[i + 1][:, keep]
    return {"weights": weights, "biases": biases, "keep": keeps}


def activation_loops(network, activation_threshold):
    weights = [w.copy() for w in network["weights"]]
    biases = [b.copy() for b in network["biases"]]
    keeps = [[1] * w.shape[0] for w in weights]
    for i in range(len(weights) - 1):
        acts = network["activations"][i]
        for j in reversed(range(acts.shape[1])):
            if np.mean(np.abs(acts[:, j])) <= activation_threshold:
                keeps[i][j] = 0
                weights[i] = np.delete(weights[i], j, axis=0)
                biases[i] = np.delete(biases[i], j)
                weights[i + 1] = np.delete(weights[i + 1], j, axis=1)
    return {"weights": weights, "biases": biases, "keep": keeps,
            "activations": [a[:, np.array(k, dtype=bool)] for a, k in zip(network["activations"], keeps)]}


def macs_product(m, n, k):
    return m * n * k


def macs_numpy(m, n, k):
    return np.prod([m, n, k], dtype=np.int64)  # a NumPy integer: harmless


def bytes_formula(m, n, k, *, bytes_per_element=4):
    return (m * k + k * n + m * n) * bytes_per_element


def bytes_per_matrix(m, n, k, *, bytes_per_element=4):
    return float(sum(rows * cols * bytes_per_element for rows, cols in ((m, k), (k, n), (m, n))))


def intensity_formula(m, n, k, *, bytes_per_element=4):
    return 2 * m * n * k / ((m * k + k * n + m * n) * bytes_per_element)


def intensity_numpy(m, n, k, *, bytes_per_element=4):
    flops = np.float64(2) * m * n * k
    return flops / np.float64(bytes_formula(m, n, k, bytes_per_element=bytes_per_element))


def roofline_max(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return max(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s)


def roofline_branches(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    compute_s = flops / peak_flops
    memory_s = bytes_moved / bandwidth_bytes_per_s
    if compute_s >= memory_s:
        return np.array([compute_s])  # a one-element array: accepted with a note
    return memory_s


def systolic_ceil(m, n, k, rows, cols):
    import math

    return (2 * rows + cols + m - 2) * math.ceil(k / rows) * math.ceil(n / cols)


def systolic_fold_loop(m, n, k, rows, cols):
    total = 0
    for _ in range(0, k, rows):
        for _ in range(0, n, cols):
            total += 2 * rows + cols + m - 2
    return float(total)


def wanda_vectorised(weights, inputs, amount=None, *, n=None, m=None):
    w = np.asarray(weights, dtype=np.float64)
    scores = np.abs(w) * np.linalg.norm(np.asarray(inputs).reshape(-1, w.shape[1]), axis=0)
    if m is not None:
        order = np.argsort(scores.reshape(-1, m), axis=1)[:, : m - n]
        keep = np.ones((scores.size // m, m), dtype=bool)
        np.put_along_axis(keep, order, False, axis=1)
        return keep.reshape(w.shape)
    k = amount if isinstance(amount, int) else round(amount * w.shape[1])
    keep = np.ones(w.shape, dtype=bool)
    np.put_along_axis(keep, np.argsort(scores, axis=1)[:, :k], False, axis=1)
    return keep


def wanda_loops(weights, inputs, amount=None, *, n=None, m=None):
    import math

    w = np.asarray(weights, dtype=np.float64)
    x = np.asarray(inputs, dtype=np.float64).reshape(-1, w.shape[1])
    norms = [math.sqrt(sum(v * v for v in x[:, j])) for j in range(w.shape[1])]
    keep = [[True] * w.shape[1] for _ in range(w.shape[0])]
    for i in range(w.shape[0]):
        groups = [list(range(w.shape[1]))] if m is None else [list(range(g, g + m)) for g in range(0, w.shape[1], m)]
        for group in groups:
            k = (amount if isinstance(amount, int) else round(amount * w.shape[1])) if m is None else m - n
            for j in sorted(group, key=lambda j: -abs(w[i, j]) * norms[j])[len(group) - k:]:
                keep[i][j] = False
    return keep


def column_step_obs(weights, inputs, column, prune_rows, *, damp=0.01):
    w = np.array(weights, dtype=np.float64)
    x = np.asarray(inputs, dtype=np.float64)
    h = x.T @ x
    h += damp * np.mean(np.diag(h)) * np.eye(h.shape[0])
    hinv = np.linalg.inv(h[column:, column:])
    for r in np.flatnonzero(prune_rows):
        w[r, column:] -= w[r, column] / hinv[0, 0] * hinv[0]
        w[r, column] = 0.0
    return w


def column_step_cholesky(weights, inputs, column, prune_rows, *, damp=0.01):
    w = np.array(weights, dtype=np.float64)
    x = np.asarray(inputs, dtype=np.float64)
    h = x.T @ x
    h[np.diag_indices_from(h)] += damp * np.mean(np.diag(h))
    u = np.linalg.cholesky(np.linalg.inv(h[column:, column:])).T  # row 0 = Hinv_F[0] / sqrt(Hinv_F[0, 0])
    error = np.where(prune_rows, w[:, column], 0.0) / u[0, 0]
    w[:, column:] -= np.outer(error, u[0])
    w[np.asarray(prune_rows), column] = 0.0
    return w


ALTERNATIVES = {
    "threshold_mask": [threshold_loops, threshold_list_of_ints],
    "magnitude_mask": [magnitude_argpartition, magnitude_loop_later_ties_first, magnitude_random_ties],
    "global_magnitude_masks": [global_concat_argsort, global_threshold_then_ties],
    "structured_mask": [structured_vectorised, structured_loops],
    "nm_mask": [nm_argsort, nm_loops],
    "block_mask": [block_vectorised, block_loops],
    "neuron_scores": [scores_vectorised, scores_loops],
    "remove_neurons": [remove_fancy, remove_with_delete],
    "weight_pruning": [weight_pruning_where, weight_pruning_multiply],
    "activation_pruning": [activation_vectorised, activation_loops],
    "gemm_macs": [macs_product, macs_numpy],
    "gemm_bytes": [bytes_formula, bytes_per_matrix],
    "gemm_arithmetic_intensity": [intensity_formula, intensity_numpy],
    "roofline_latency": [roofline_max, roofline_branches],
    "systolic_cycles": [systolic_ceil, systolic_fold_loop],
    "wanda_mask": [wanda_vectorised, wanda_loops],
    "sparsegpt_column_step": [column_step_obs, column_step_cholesky],
}
ALTERNATIVE_CASES = [(name, fn) for name, fns in ALTERNATIVES.items() for fn in fns]


@pytest.mark.parametrize("name,fn", ALTERNATIVE_CASES, ids=[f.__name__ for _, f in ALTERNATIVE_CASES])
@pytest.mark.parametrize("seed", [0, 5])
def test_different_correct_implementations_pass(name, fn, seed):
    report = check(name, fn, seed=seed)
    assert report.passed, str(report)


def test_every_exercise_has_two_correct_alternatives():
    assert all(len(ALTERNATIVES[name]) >= 2 for name in PLAIN if not name.startswith("fix_"))


def test_harmless_differences_pass_with_a_note():
    report = check("threshold_mask", threshold_list_of_ints)
    assert report.passed and any("0/1" in note for note in report.notes)
    report = check("weight_pruning", weight_pruning_multiply)
    assert report.passed and report.notes


def test_hidden_cases_cover_the_edges():
    names = " ".join(c.name for c in make_exercise_cases("magnitude_mask"))
    for tag in ("ties", "1 element", "conv 4-D", "amount 0", "amount 1.0", "non-square", "float32"):
        assert tag in names
    assert make_exercise_cases("nm_mask", 0)[2].arguments["weights"].tolist() != \
        make_exercise_cases("nm_mask", 1)[2].arguments["weights"].tolist()


def test_public_cases_do_not_depend_on_the_seed():
    for name in PLAIN:
        first = [c for c in make_exercise_cases(name, 0) if c.public]
        other = [c for c in make_exercise_cases(name, 9) if c.public]
        assert [c.show() for c in first] == [c.show() for c in other]


def test_check_refuses_the_library_function_and_non_functions():
    from hwprune_edu import pruning

    assert "library" in check("magnitude_mask", pruning.magnitude_mask).problem
    report = check("magnitude_mask", None)
    assert not report.passed and report.score == 0.0


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(ValueError, match="exercise id"):
        check("magnitude_masks", lambda w, a: w)


def test_under_nbgrader_a_check_ends_in_its_score_and_uses_the_instructors_seed(monkeypatch):
    from IPython.lib.pretty import pretty

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    wrong = check("threshold_mask", lambda weights, threshold: np.abs(weights) >= threshold)
    assert 0 < wrong.score < 1 and float(pretty(wrong)) == wrong.score
    assert "<table" in wrong._repr_html_()
    assert float(pretty(check("threshold_mask", threshold_loops))) == 1.0
    before = check("magnitude_mask", lambda weights, amount: weights).cases
    monkeypatch.setenv("HWPRUNE_EDU_GRADING_SEED", "424242")
    graded = check("magnitude_mask", lambda weights, amount: weights).cases
    assert [c.name for c in graded] == [c.name for c in before]
    assert all(g.input == b.input for g, b in zip(graded, before) if b.name.startswith("public"))
    hidden = [(g.input, b.input) for g, b in zip(graded, before) if b.name.startswith("hidden") and "random" in b.name]
    assert hidden and all(g != b for g, b in hidden)


def test_stderr_of_the_learners_function_is_captured(capsys):
    import sys

    def noisy(weights, threshold):
        print("debugging", file=sys.stderr)
        return np.abs(weights) > threshold

    assert check("threshold_mask", noisy).passed
    assert "debugging" not in capsys.readouterr().err


def test_a_changed_signature_is_recognised():
    report = check("nm_mask", lambda weights, n=2, m=4: nm_argsort(weights, n, m))  # no axis argument
    assert "signature" in report.mistakes


# ---------------------------------------------------------------- exercise 5: exposing inputs

EXPOSING = {
    "weight_pruning": {"network": {"weights": np.array([[0.5, 0.05], [0.2, 0.3]])}, "threshold": 0.1},
    "magnitude_mask": {"weights": np.array([0.5, 0.5, 0.2, 1.0]), "amount": 2},
    "nm_mask": {"weights": np.arange(1.0, 9.0).reshape(4, 2), "n": 2, "m": 4, "axis": 0},
    "neuron_scores": {"activations": np.array([[1.0, 0.5], [-1.0, 0.5]]), "method": "mean_abs"},
    "activation_pruning": {"network": {"weights": [np.ones((3, 2)), np.ones((1, 3))],
                                       "biases": [np.zeros(3), np.zeros(1)],
                                       "activations": [np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]])]},
                           "activation_threshold": 0.1},
}
# The blog's weight_pruning, as published, returns no masks: every input exposes it.
HARMLESS = {
    "magnitude_mask": {"weights": np.array([0.1, 0.2, 0.3]), "amount": 1},
    "nm_mask": {"weights": np.arange(1.0, 9.0).reshape(2, 4)},
    "neuron_scores": {"activations": np.array([[1.0, 0.5], [1.0, 0.5]])},
    "activation_pruning": {"network": {"weights": [np.ones((2, 2)), np.ones((1, 2))], "biases": [np.zeros(2), np.zeros(1)],
                                       "activations": [np.array([[1.0, 0.5], [1.0, 0.5]])]},
                           "activation_threshold": 0.1},
}


@pytest.mark.parametrize("target", sorted(BUGGY))
def test_an_exposing_input_passes(target):
    assert check(f"expose_{target}", lambda: EXPOSING[target]).passed


@pytest.mark.parametrize("target", sorted(HARMLESS))
def test_a_harmless_input_gets_the_hint(target):
    report = check(f"expose_{target}", lambda: HARMLESS[target])
    assert not report.passed and report.mistakes == {"not_exposed"}
    assert "right answer" in report.cases[0].message


@pytest.mark.parametrize("returned,words", [
    ({"weights": np.ones(200), "amount": 1}, "keep it small"),
    ({"weights": np.array([1.0, np.nan]), "amount": 1}, "reference rejects"),
    ({"weights": np.ones(3), "amount": 1, "axis": 0}, "unknown argument"),
    ({"amount": 1}, "missing argument"),
    ([np.ones(3), 1], "expected a dict"),
])
def test_invalid_exposing_inputs_are_explained(returned, words):
    report = check("expose_magnitude_mask", lambda: returned)
    assert not report.passed and words in report.cases[0].message


def test_a_crash_of_the_buggy_version_counts_as_exposed():
    from hwprune_edu.grading.exercises import magnitude_mask
    from hwprune_edu.grading.expose import expose_judge

    def crashes_on_ties(weights, amount):
        if len(set(np.abs(weights).ravel())) < np.size(weights):
            raise IndexError("boom")
        return magnitude_argpartition(weights, amount)

    judge = expose_judge(magnitude_mask.EXERCISE, crashes_on_ties)
    verdict = judge(None, {"weights": np.array([0.5, 0.5, 1.0]), "amount": 1})
    assert verdict.passed and "crashes" in verdict.message
    assert not judge(None, {"weights": np.array([0.1, 0.5, 1.0]), "amount": 1}).passed


# ---------------------------------------------------------------- check keeps every promise

class _Escape(BaseException):
    """A learner's own BaseException."""


class _BadKey:
    def __str__(self):
        raise RuntimeError("no str for you")

    __repr__ = __str__


HARDWARE = ("gemm_macs", "gemm_bytes", "gemm_arithmetic_intensity", "roofline_latency", "systolic_cycles")


@pytest.mark.parametrize("name", HARDWARE)
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), 10**400, "power"])
def test_check_never_raises_on_odd_numbers(name, value):
    def fn(*args, **kwargs):
        if value == "power":
            return args[0] ** args[1] * args[2] if len(args) > 2 else 10**400
        return value

    report = check(name, fn)
    assert not report.passed and report.cases
    shown = str(report)
    assert "could not judge" not in shown, shown


@pytest.mark.parametrize("returned", [lambda: (_ for _ in ()).throw(_Escape()), lambda: {_BadKey(): 1},
                                      lambda: {"weights": [np.ones((2, 2)), [1.0, [2.0]]], "biases": [1]}])
def test_check_never_raises_on_odd_exceptions_or_values(returned):
    for name in ("weight_pruning", "magnitude_mask"):
        report = check(name, lambda *args, **kwargs: returned())
        assert not report.passed and report.cases


def test_an_exception_whose_message_raises_is_reported():
    class Weird(Exception):
        def __str__(self):
            raise ValueError("nope")

    def fn(weights, threshold):
        raise Weird()

    report = check("threshold_mask", fn)
    assert "Weird" in report.cases[0].message


@pytest.mark.parametrize("timeout_s,error", [(0, ValueError), (-1, ValueError), (float("nan"), ValueError),
                                             (float("inf"), ValueError), ("2", TypeError), (True, TypeError)])
def test_check_validates_timeout_s(timeout_s, error):
    with pytest.raises(error, match="timeout_s"):
        check("threshold_mask", lambda weights, threshold: weights > threshold, timeout_s=timeout_s)


@pytest.mark.parametrize("seed,error", [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (None, TypeError)])
def test_check_validates_seed(seed, error):
    with pytest.raises(error, match="seed"):
        check("threshold_mask", lambda weights, threshold: weights > threshold, seed=seed)


def test_a_float32_intensity_passes_and_a_near_miss_shows_enough_digits():
    def intensity32(m, n, k, *, bytes_per_element=4):
        macs, moved = np.float32(m * n * k), np.float32(bytes_per_element * (m * k + k * n + m * n))
        return np.float32(2) * macs / moved

    assert check("gemm_arithmetic_intensity", intensity32).passed
    off = check("gemm_arithmetic_intensity", lambda m, n, k, *, bytes_per_element=4:
                2 * m * n * k / (bytes_per_element * (m * k + k * n + m * n)) * (1 + 1e-5))
    message = next(c.message for c in off.cases if not c.passed)
    expected, got = message.split("expected ")[1].split(", got ")
    assert expected.split()[0] != got.split()[0], message


# ---------------------------------------------------------------- fairness: every mistake caught, never misnamed

ISSUE_MISTAKES = [  # the wrong answers learners hand in most, each with the mistake it must be named as
    ("magnitude_mask", "off_by_one"), ("magnitude_mask", "floor_not_round"), ("global_magnitude_masks", "floor_not_round"),
    ("structured_mask", "floor_not_round"), ("block_mask", "floor_not_round"), ("nm_mask", "n_zero_slice"),
    ("threshold_mask", "squared"), ("systolic_cycles", "missing_n_folds"), ("systolic_cycles", "fill_drain_constant"),
    ("systolic_cycles", "folds_swapped"), ("gemm_bytes", "fixed_element_size"), ("gemm_bytes", "weights_only"),
    ("gemm_arithmetic_intensity", "flops_doubled"), ("gemm_macs", "additions_only"), ("remove_neurons", "next_layer_rows"),
]


@pytest.mark.parametrize("name,mistake_id", ISSUE_MISTAKES)
@pytest.mark.parametrize("seed", [0, 3])
def test_common_wrong_answers_are_rejected_and_never_misnamed(name, mistake_id, seed):
    naive = next(m.naive for m in EXERCISES[name].mistakes if m.id == mistake_id)
    report = check(name, naive, seed=seed)
    assert not report.passed and mistake_id in report.mistakes, str(report)
    for case in report.cases:
        named = set(case.mistake.split("+")) - {""}
        assert not named or mistake_id in named, (case.name, case.mistake)


def test_floor_and_round_are_told_apart_in_every_seed():
    for name in ("magnitude_mask", "global_magnitude_masks", "structured_mask", "block_mask"):
        floor = next(m.naive for m in EXERCISES[name].mistakes if m.id == "floor_not_round")
        for seed in range(5):
            assert not check(name, floor, seed=seed).passed, (name, seed)


def test_a_square_next_layer_exposes_slicing_its_rows():
    naive = next(m.naive for m in EXERCISES["remove_neurons"].mistakes if m.id == "next_layer_rows")
    report = check("remove_neurons", naive)
    assert any("square" in c.name and c.mistake == "next_layer_rows" for c in report.cases), str(report)


def test_the_mutation_hint_never_suggests_dropping_entries():
    from hwprune_edu.grading.common_mistakes import MUTATED

    assert "w[keep]" not in MUTATED.hint


# ---------------------------------------------------------------- ragged layers get a message of their own

def test_a_ragged_weight_pruning_dict_is_told_what_came_back():
    report = check("weight_pruning", lambda network, threshold: {"weights": [np.ones((2, 2)), [1.0, [2.0]]],
                                                                  "biases": [1]})
    by_name = {c.name: c.message for c in report.cases}
    shapes = "(4, 3), (2, 4), (1, 2)"
    assert by_name["hidden 1 (layers of different shapes)"] == (
        f"'weights' holds 2 item(s) of shapes (2, 2), ragged, expected a list of 3 arrays, one per layer, of shapes {shapes}")
    assert "expected one array of shape (3, 3), like the input" in by_name["public 1 (the blog's example)"]


def test_layers_in_one_object_array_are_named_as_such():
    from hwprune_edu import interview

    def object_array(network, threshold):
        result = interview.weight_pruning(network, threshold)
        if isinstance(result["weights"], list):
            stacked = np.empty(len(result["weights"]), dtype=object)
            stacked[:] = result["weights"]
            result = dict(result, weights=stacked)
        return result

    report = check("weight_pruning", object_array)
    message = next(c.message for c in report.cases if "different shapes" in c.name)
    assert "one NumPy object array of 3 item(s) (shapes (4, 3), (2, 4), (1, 2))" in message
    assert "a list of 3 arrays, one per layer" in message


def test_a_layer_that_mixes_numbers_and_lists_is_not_called_rows():
    from hwprune_edu.grading.judging import ragged_text

    assert ragged_text([[1.0, 2.0], [3.0]]) == "ragged rows (lengths [2, 1])"
    assert ragged_text([1.0, [2.0]]) == "a ragged nested list (items of shapes a number and (1,))"


# (a list of layers given as nested lists, [[[0.5, 0.05]], [[0.2], [0.3]]], is valid: two layers, read as such)
@pytest.mark.parametrize("weights,words", [
    ([[0.5, 0.05], [0.2]], "network['weights'] has ragged rows (lengths [2, 1]): a weight matrix is rectangular"),
    ([np.array([[0.5, 0.05]]), [[0.2], [0.3, 1.0]]], "network['weights'][1] has ragged rows (lengths [1, 2])"),
])
def test_an_exposing_input_with_ragged_layers_is_explained(weights, words):
    report = check("expose_weight_pruning", lambda: {"network": {"weights": weights}, "threshold": 0.1})
    assert not report.passed and words in report.cases[0].message, report.cases[0].message
    assert "inhomogeneous" not in report.cases[0].message  # NumPy's own words are not the course's


def test_layers_given_as_nested_lists_are_layers_in_an_exposing_input():
    report = check("expose_weight_pruning", lambda: {"network": {"weights": [[[0.5, 0.05]], [[0.2], [0.3]]]},
                                                     "threshold": 0.1})
    assert report.passed and "inhomogeneous" not in report.cases[0].message, report.cases[0].message
