"""The digits data set, the course models, and seeded training (hwprune_edu.nn.data)."""

import copy

import pytest
import torch
from torch import nn

import numpy as np

from hwprune_edu.nn.data import (
    Splits,
    digits_cnn,
    digits_mlp,
    evaluate,
    finetune,
    from_arrays,
    load_digits,
    load_mnist1d,
    mlp,
    mnist1d_cnn,
    progress_bar,
    train,
)


pytestmark = pytest.mark.usefixtures("one_thread")


def test_splits_are_disjoint_complete_and_scaled(data):
    sizes = [len(data.split(s)[0]) for s in ("train", "val", "test")]
    assert sizes == [1077, 360, 360]  # 60/20/20 of 1797
    rows = torch.cat([data.x_train, data.x_val, data.x_test]).numpy()
    assert float(rows.min()) == 0.0 and float(rows.max()) == 1.0
    assert data.x_train.dtype == torch.float32 and data.y_train.dtype == torch.int64


def test_splits_are_stratified(data):
    # Every class is present in every split in about its overall share (178-183 images each of 1797).
    for name in ("train", "val", "test"):
        counts = torch.bincount(data.split(name)[1], minlength=10)
        share = counts.float() / counts.sum()
        assert torch.all((share - 0.1).abs() < 0.01), (name, counts)


def test_split_is_deterministic_and_seeded():
    a, b, c = load_digits(0), load_digits(0), load_digits(1)
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.x_test, c.x_test)


def test_split_rejects_unknown_names(data):
    with pytest.raises(ValueError, match="split must be one of"):
        data.split("validation")


def test_models_map_digits_to_ten_logits(data):
    mlp, cnn = digits_mlp(hidden=(32, 16)), digits_cnn(channels=(4, 8))
    assert mlp(data.x_val).shape == (360, 10)
    assert cnn(data.x_val).shape == (360, 10)
    assert [m.out_features for m in digits_mlp() if isinstance(m, nn.Linear)] == [1024, 1024, 10]
    kinds = [type(m) for m in cnn]
    assert kinds.count(nn.Conv2d) == 2 and kinds.count(nn.BatchNorm2d) == 2


def test_model_init_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, b, c = digits_mlp(hidden=(8,)), digits_mlp(hidden=(8,)), digits_mlp(hidden=(8,), seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a[0].weight, b[0].weight)
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.parametrize("bad, error", [((), ValueError), ((0,), ValueError), (8, TypeError), (("8",), TypeError)])
def test_bad_widths(bad, error):
    with pytest.raises(error, match="hidden"):
        digits_mlp(hidden=bad)


def test_training_is_exactly_repeatable_and_learns(data):
    runs = []
    for _ in range(2):
        model = digits_mlp(hidden=(32,))
        log = train(model, data, epochs=3, lr=1e-2, progress=False, seed=7)
        runs.append((model, log))
    (m1, log1), (m2, log2) = runs
    assert log1 == log2
    assert all(torch.equal(p, q) for p, q in zip(m1.parameters(), m2.parameters()))
    assert log1[-1]["loss"] < log1[0]["loss"]
    assert evaluate(m1, data) > 0.85


def test_training_seed_changes_the_shuffle(data):
    a, b = digits_mlp(hidden=(8,)), digits_mlp(hidden=(8,))
    train(a, data, epochs=1, progress=False, seed=0)
    train(b, data, epochs=1, progress=False, seed=1)
    assert not torch.equal(a[0].weight, b[0].weight)


def test_max_steps_and_zero_epochs(data):
    model = digits_mlp(hidden=(8,))
    before = model[0].weight.detach().clone()
    assert train(model, data, epochs=0, progress=False) == []
    assert torch.equal(model[0].weight, before)
    log = train(model, data, epochs=5, max_steps=3, progress=False)
    assert len(log) == 1  # stopped inside the first epoch (17 steps of 64)


@pytest.mark.parametrize("steps", [1, 17, 30])
def test_finetune_takes_exactly_its_steps_like_train_with_max_steps(data, steps):
    counted, reference = digits_mlp(hidden=(8,)), digits_mlp(hidden=(8,))
    n_steps = []
    counted[0].weight.register_hook(lambda grad: n_steps.append(1))
    finetune(counted, data, steps, seed=3)
    train(reference, data, epochs=10, max_steps=steps, seed=3, progress=False)
    assert len(n_steps) == steps
    assert torch.equal(counted[0].weight, reference[0].weight)


def test_finetune_zero_steps_and_bad_steps(data):
    model = digits_mlp(hidden=(8,))
    assert finetune(model, data, 0) == []
    with pytest.raises(ValueError, match="steps"):
        finetune(model, data, -1)


def test_cnn_trains_and_evaluate_restores_mode(data):
    cnn = digits_cnn(channels=(4, 8))
    train(cnn, data, epochs=2, progress=False)
    cnn.train()
    accuracy = evaluate(cnn, data, split="val")
    assert cnn.training
    assert 0.5 < accuracy <= 1.0


def test_progress_bar_is_shown_on_a_terminal(data, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    train(digits_mlp(hidden=(4,)), data, epochs=1, progress=True)
    assert "train" in terminal.getvalue()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"data": "digits"}, TypeError, "load_digits"),
        ({"epochs": -1}, ValueError, "epochs"),
        ({"epochs": 1.5}, TypeError, "epochs"),
        ({"lr": 0}, ValueError, "lr"),
        ({"batch_size": 0}, ValueError, "batch_size"),
    ],
)
def test_train_bad_input(data, kwargs, error, match):
    args = {"model": digits_mlp(hidden=(4,)), "data": data, "progress": False, **kwargs}
    with pytest.raises(error, match=match):
        train(**args)


def test_num_threads_is_restored(data):
    before = torch.get_num_threads()
    train(digits_mlp(hidden=(4,)), data, epochs=1, progress=False, num_threads=1)
    assert torch.get_num_threads() == before


def test_repr_is_short(data):
    assert repr(data) == "Splits(digits: train=1077, val=360, test=360, features=64, classes=10, seed=0)"
    assert isinstance(data, Splits)


# --------------------------------------------------------------------------- any arrays, MNIST-1D, the generic MLP


def _arrays(n=40, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((n, features)), np.arange(n) % classes
    return [x[:20], y[:20], x[20:30], y[20:30], x[30:], y[30:]]


def test_from_arrays_accepts_numpy_and_torch_and_copies():
    arrays = _arrays()
    data = from_arrays(*arrays, name="toy")
    assert isinstance(data, Splits) and data.n_classes == 3 and data.n_features == 6
    assert data.x_train.dtype == torch.float32 and data.y_val.dtype == torch.int64
    assert repr(data) == "Splits(toy: train=20, val=10, test=10, features=6, classes=3, seed=0)"
    same = from_arrays(*[torch.as_tensor(a) for a in arrays], name="toy")
    assert torch.equal(same.x_test, data.x_test) and torch.equal(same.y_train, data.y_train)
    data.x_train[0, 0] = 99.0  # the Splits own their copy
    assert arrays[0][0, 0] != 99.0
    images = from_arrays(*[a.reshape(len(a), 2, 3) if i % 2 == 0 else a for i, a in enumerate(arrays)],
                         image_shape=(1, 2, 3))
    assert images.n_features == 6 and images.image_shape == (1, 2, 3)


def test_from_arrays_works_with_training_and_searches():
    data = from_arrays(*_arrays(n=120, features=8, classes=4))
    model = mlp(data.n_features, (16,), data.n_classes)
    train(model, data, epochs=1, progress=False)
    assert 0.0 <= evaluate(model, data) <= 1.0
    finetune(model, data, 3)


@pytest.mark.parametrize("change, error, message", [
    (lambda a: a.__setitem__(1, a[1][:-1]), ValueError, "y_train must have one label per sample of x_train"),
    (lambda a: a[4].__setitem__((0, 0), np.nan), ValueError, "x_test must be finite, got 1 NaN"),
    (lambda a: [a.__setitem__(i, a[i] * 0) for i in (1, 3, 5)], ValueError, "y_train must hold at least 2 distinct labels"),
    # One class that is not class 0 would pass a range check (n_classes inferred as 4) and train a constant.
    (lambda a: [a.__setitem__(i, a[i] * 0 + 3) for i in (1, 3, 5)], ValueError, "at least 2 distinct labels .*got every label equal to 3"),
    (lambda a: a.__setitem__(1, a[1] * 0 + 1), ValueError, "y_train must hold at least 2 distinct labels"),
    (lambda a: a.__setitem__(2, a[2][:0]), ValueError, "x_val must hold at least one sample"),
    (lambda a: a.__setitem__(4, a[4][:, :3]), ValueError, "x_test must have the 6 features"),
    (lambda a: a.__setitem__(1, a[1].astype(float)), TypeError, "y_train must hold integer class labels"),
    (lambda a: a.__setitem__(0, "abc"), TypeError, "x_train must be a NumPy array"),
    (lambda a: a.__setitem__(5, -a[5] - 1), ValueError, "y_test must hold labels >= 0"),
])
def test_from_arrays_names_bad_input(change, error, message):
    arrays = _arrays()
    change(arrays)
    with pytest.raises(error, match=message):
        from_arrays(*arrays)


def test_from_arrays_checks_n_classes_and_image_shape():
    with pytest.raises(ValueError, match=r"y_train must hold labels in \[0, 1\]"):
        from_arrays(*_arrays(), n_classes=2)
    with pytest.raises(ValueError, match="image_shape"):
        from_arrays(*_arrays(), image_shape=(1, 5))
    assert from_arrays(*_arrays(), n_classes=5).n_classes == 5
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        from_arrays(*_arrays(), n_classes=1)
    arrays = _arrays()
    arrays[3] = arrays[3] + 5  # inferred n_classes grows with the labels; a given one is enforced
    assert from_arrays(*arrays).n_classes == 8
    with pytest.raises(ValueError, match=r"y_val must hold labels in \[0, 2\]"):
        from_arrays(*arrays, n_classes=3)


def test_mnist1d_is_generated_locally_seeded_and_hard(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("load_mnist1d must not open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a, b, c = load_mnist1d(n_samples=200), load_mnist1d(n_samples=200), load_mnist1d(seed=1, n_samples=200)
    assert np.array_equal(np.random.get_state()[1], state), "the global NumPy RNG is left alone"
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)
    assert a.n_features == 40 and a.image_shape == (1, 1, 40) and a.name == "mnist1d"
    assert sorted(torch.bincount(torch.cat([a.y_train, a.y_val, a.y_test])).tolist()) == [20] * 10
    with pytest.raises(ValueError, match="multiple of 10"):
        load_mnist1d(n_samples=205)


def test_mlp_and_mnist1d_cnn_shapes():
    assert [m.out_features for m in mlp(40, (32, 16), 7) if isinstance(m, nn.Linear)] == [32, 16, 7]
    cnn = mnist1d_cnn(channels=(4, 8, 16))
    assert tuple(cnn(torch.zeros(3, 40)).shape) == (3, 10)
    assert [m.stride for m in cnn if isinstance(m, nn.Conv2d)] == [(1, 1), (1, 2), (1, 2)]
    assert cnn[-1].in_features == 16 * 10
    with pytest.raises(ValueError, match="kernel must be odd"):
        mnist1d_cnn(kernel=4)
    with pytest.raises(ValueError, match="n_features"):
        mlp(0, (4,), 2)


def test_progress_bars_stay_silent_off_a_terminal(capsys):
    data = load_digits()
    train(digits_mlp(hidden=(8,)), data, epochs=1, progress=True)  # pytest's stderr is not a terminal
    assert capsys.readouterr().err == ""
    assert progress_bar(range(2), progress=True).disable


# --------------------------------------------------------------------------- one lr check; diverging training stops


@pytest.mark.parametrize(("lr", "error"), [(float("inf"), ValueError), (float("nan"), ValueError), (True, TypeError),
                                           (-1e-3, ValueError), ("1e-3", TypeError)])
def test_train_refuses_lrs_that_cannot_train(data, lr, error):
    with pytest.raises(error, match=r"\blr\b"):
        train(digits_mlp(hidden=(4,)), data, epochs=1, lr=lr, progress=False)


def test_train_accepts_numpy_and_fraction_lrs_like_a_float(data):
    from fractions import Fraction

    logs = [train(digits_mlp(hidden=(4,)), data, epochs=1, lr=lr, progress=False, max_steps=3)
            for lr in (1 / 64, np.float32(1 / 64), np.float64(1 / 64), Fraction(1, 64))]
    assert all(log == logs[0] for log in logs)


def test_a_diverging_loss_stops_training_naming_lr_and_restores_the_model(data):
    model = digits_mlp(hidden=(4,))
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(ValueError, match=r"diverged.*lr=1e\+30 is probably too large.*as they were before"):
        train(model, data, epochs=2, lr=1e30, progress=False)
    assert all(torch.equal(before[key], value) for key, value in model.state_dict().items())
    with pytest.raises(ValueError, match="lr=1e\\+30"):  # the searches' fine-tunes stop the same way
        finetune(digits_mlp(hidden=(4,)), data, 5, lr=1e30)


def test_a_model_that_is_not_finite_before_training_is_not_blamed_on_lr(data):
    model = digits_mlp(hidden=(4,))
    with torch.no_grad():
        model[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="before any update.*not the cause"):
        train(model, data, epochs=1, progress=False)


def test_float64_and_half_models_train_and_evaluate_on_float32_splits(data):
    for dtype in (torch.float64, torch.bfloat16):
        model = digits_mlp(hidden=(8,)).to(dtype)
        log = train(model, data, epochs=1, progress=False, max_steps=5)
        assert np.isfinite(log[0]["loss"]) and model[0].weight.dtype == dtype
        assert 0.0 <= evaluate(model, data) <= 1.0


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (2**32, ValueError), (1.0, TypeError), (True, TypeError)])
def test_seeds_are_checked_before_reaching_torch_or_scikit_learn(seed, error):
    with pytest.raises(error, match=r"\bseed\b"):
        load_digits(seed)
    if seed != 2**32:  # torch takes seeds up to 2**64 - 1
        with pytest.raises(error, match=r"\bseed\b"):
            mlp(4, (3,), 2, seed=seed)
    assert load_digits(np.int64(3)).seed == 3


def test_from_arrays_copies_even_float32_contiguous_input():
    arrays = [a.astype(np.float32) if i % 2 == 0 else a for i, a in enumerate(_arrays())]
    data = from_arrays(*arrays)
    data.x_train[0, 0] = 99.0
    assert arrays[0][0, 0] != 99.0
