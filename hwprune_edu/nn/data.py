"""The course's data and models: digits, MNIST-1D or any arrays as :class:`Splits`; MLPs and CNNs; train and evaluate.

Two data sets ship offline: scikit-learn's 8x8 digits (:func:`load_digits`,
easy: a dense MLP reaches 97 %) and MNIST-1D (:func:`load_mnist1d`, made by
the ``mnist1d`` package's generator: hard enough that pruning costs
accuracy). :func:`from_arrays` turns any other arrays into the same
:class:`Splits`. Everything is seeded, so a notebook that trains a model prints the same
accuracy on every run on the same machine. The models are wide on purpose
(``64-1024-1024-10``): matrix work, not Python overhead, dominates their
measured time, so pruning them shows up in a stopwatch.

>>> data = load_digits()
>>> tuple(data.x_train.shape), tuple(data.x_test.shape), data.n_classes
((1077, 64), (360, 64), 10)
>>> model = digits_mlp(hidden=(32,))
>>> _ = train(model, data, epochs=2, progress=False)
>>> 0.0 <= evaluate(model, data) <= 1.0
True
"""

from __future__ import annotations

import functools
import math
import random
import sys
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from hwprune_edu.nn.checks import SKLEARN_SEED_MAX, check_finite_loss, check_lr, check_module, check_seed, model_dtype
from hwprune_edu.nn.scoped import evaluating, fixed_threads, training_mode
from hwprune_edu.nn.splits import SPLITS, Splits, check_splits, from_arrays
from hwprune_edu.util.validation import check_int, check_number, check_positive_int, describe

__all__ = ["Splits", "SPLITS", "from_arrays", "load_digits", "load_mnist1d", "mlp", "digits_mlp", "digits_cnn",
           "mnist1d_cnn", "train", "finetune", "steps_per_epoch", "evaluate", "progress_bar"]  # Splits, SPLITS and
# from_arrays live in nn.splits (below this module, so the searches can check data without training code).


# 60 / 20 / 20 of the 1797 images: 360 test images, so one point of accuracy is 3.6 images.
_VAL_FRACTION = 0.2
_TEST_FRACTION = 0.2
# MNIST-1D's paper uses 4,000 + 1,000 signals; 10,000 gives a 2,000-signal test split (one point = 20 signals).
MNIST1D_SAMPLES = 10_000
# Pixels of the digits images are integers 0..16 (scikit-learn's 4x4-block counts).
_PIXEL_MAX = 16.0


def load_digits(seed: int = 0) -> Splits:
    """Load scikit-learn's digits (ships with it, no download) and split them 60/20/20, stratified.

    Args:
        seed: seed of the split; the same seed gives the same split on every machine.

    Returns:
        A :class:`Splits` holding train / validation / test tensors.

    >>> load_digits(seed=1)
    Splits(digits: train=1077, val=360, test=360, features=64, classes=10, seed=1)
    """
    from sklearn.datasets import load_digits as sklearn_digits

    seed = check_seed(seed, maximum=SKLEARN_SEED_MAX)  # scikit-learn's random_state range
    bunch = sklearn_digits()
    x = (bunch.data / _PIXEL_MAX).astype(np.float32)
    return _split_three_ways(x, bunch.target.astype(np.int64), seed, image_shape=(1, 8, 8), name="digits")


def _split_three_ways(x: np.ndarray, y: np.ndarray, seed: int, *, image_shape: tuple[int, ...], name: str) -> Splits:
    """60 / 20 / 20, stratified, seeded (scikit-learn's ``train_test_split`` twice)."""
    from sklearn.model_selection import train_test_split

    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=_TEST_FRACTION, random_state=seed, stratify=y
    )
    val_of_rest = _VAL_FRACTION / (1.0 - _TEST_FRACTION)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_of_rest, random_state=seed, stratify=y_rest
    )
    return from_arrays(x_train, y_train, x_val, y_val, x_test, y_test, n_classes=int(y.max()) + 1,
                       image_shape=image_shape, seed=seed, name=name)


def load_mnist1d(seed: int = 0, *, n_samples: int = MNIST1D_SAMPLES) -> Splits:
    """MNIST-1D (Greydanus 2020), generated here by the ``mnist1d`` package: 40-sample signals of 10 digits, split 60/20/20.

    The package's ``make_dataset`` builds the signals from its ten templates
    (random padding, shear, translation, noise); it never downloads (only its
    ``get_dataset`` does, and that is not used). It reseeds NumPy's global
    RNG, so the global state is saved and restored around it. A dense MLP
    stays far from 100 % here (about 75 %; a CNN about 94 % in the paper),
    so pruning costs accuracy and the methods can be told apart.

    Args:
        seed: seed of the generator *and* of the split.
        n_samples: signals in total (a multiple of 10; 10,000 by default).

    Returns:
        A :class:`Splits` with ``image_shape=(1, 1, 40)`` (a 1-row image, for ``Conv2d`` with ``(1, k)`` kernels).

    >>> load_mnist1d(n_samples=100)
    Splits(mnist1d: train=60, val=20, test=20, features=40, classes=10, seed=0)
    """
    seed = check_seed(seed, maximum=SKLEARN_SEED_MAX)  # mnist1d seeds NumPy's legacy RNG: [0, 2**32 - 1]
    n_samples = check_positive_int(n_samples, name="n_samples")
    if n_samples % 10 or n_samples < 50:
        raise ValueError(f"n_samples must be a multiple of 10 and >= 50 (balanced classes), got {n_samples}")
    x, y = _mnist1d_signals(seed, n_samples)
    return _split_three_ways(x, y, seed, image_shape=(1, 1, x.shape[1]), name="mnist1d")


@functools.lru_cache(maxsize=4)
def _mnist1d_signals(seed: int, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed, args.train_split = n_samples, seed, 1.0  # all in one pool: we split it ourselves
    state, py_state = np.random.get_state(), random.getstate()
    try:
        dataset = make_dataset(args)
    finally:
        np.random.set_state(state)
        random.setstate(py_state)
    x, y = dataset["x"].astype(np.float32), dataset["y"].astype(np.int64)
    x.flags.writeable = y.flags.writeable = False  # cached: shared by every call
    return x, y


def mlp(n_features: int, hidden: Sequence[int], n_classes: int, *, seed: int = 0) -> nn.Sequential:
    """A ReLU MLP ``Linear -> ReLU -> ... -> Linear(n_classes)`` for any flat features.

    Args:
        n_features: inputs per sample (``data.n_features``).
        hidden: widths of the hidden layers.
        n_classes: outputs (``data.n_classes``).
        seed: seed of the initial weights (the global RNG is left alone).

    Returns:
        An ``nn.Sequential`` of ``Linear`` and ``ReLU`` modules.

    >>> mlp(40, (16,), 10)
    Sequential(
      (0): Linear(in_features=40, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=10, bias=True)
    )
    """
    n_features = check_positive_int(n_features, name="n_features")
    n_classes = check_positive_int(n_classes, name="n_classes")
    widths = _check_widths(hidden, "hidden")
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        n_in = n_features
        for width in widths:
            layers += [nn.Linear(n_in, width), nn.ReLU()]
            n_in = width
        layers.append(nn.Linear(n_in, n_classes))
        return nn.Sequential(*layers)


def digits_mlp(hidden: Sequence[int] = (1024, 1024), *, seed: int = 0) -> nn.Sequential:
    """A ReLU MLP for the 64 digit pixels: ``Linear -> ReLU -> ... -> Linear(10)``.

    Args:
        hidden: widths of the hidden layers; the default ``64-1024-1024-10``
            is wide enough that matrix products dominate its run time.
        seed: seed of the initial weights.

    Returns:
        An ``nn.Sequential`` of ``Linear`` and ``ReLU`` modules.

    >>> digits_mlp(hidden=(16,))
    Sequential(
      (0): Linear(in_features=64, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=10, bias=True)
    )
    """
    return mlp(64, hidden, 10, seed=seed)


def digits_cnn(channels: Sequence[int] = (32, 64), *, seed: int = 0) -> nn.Sequential:
    """A small CNN for the 1x8x8 digit images: ``(Conv2d -> BatchNorm2d -> ReLU) x k -> MaxPool -> Linear``.

    The first module reshapes the 64 flat pixels to ``(1, 8, 8)``, so the
    CNN takes the same :class:`Splits` tensors as the MLP. Convolutions are
    3x3 with padding 1 (8x8 stays 8x8) and no bias (BatchNorm has one).

    Args:
        channels: output channels of each conv block.
        seed: seed of the initial weights.

    Returns:
        An ``nn.Sequential``: ``Unflatten``, conv blocks, ``MaxPool2d(2)``,
        ``Flatten`` and ``Linear(channels[-1] * 16, 10)``.

    >>> cnn = digits_cnn(channels=(4, 8))
    >>> [type(m).__name__ for m in cnn]  # doctest: +NORMALIZE_WHITESPACE
    ['Unflatten', 'Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d', 'BatchNorm2d', 'ReLU',
     'MaxPool2d', 'Flatten', 'Linear']
    >>> tuple(cnn(torch.zeros(2, 64)).shape)
    (2, 10)
    """
    widths = _check_widths(channels, "channels")
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = [nn.Unflatten(1, (1, 8, 8))]
        n_in = 1
        for width in widths:
            layers += [nn.Conv2d(n_in, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            n_in = width
        # 8x8 -> 4x4 after pooling: the Linear sees 16 consecutive columns per channel.
        layers += [nn.MaxPool2d(2), nn.Flatten(), nn.Linear(n_in * 16, 10)]
        return nn.Sequential(*layers)


def mnist1d_cnn(channels: Sequence[int] = (32, 64, 128), *, kernel: int = 5, length: int = 40, n_classes: int = 10,
                seed: int = 0) -> nn.Sequential:
    """A small 1-D CNN for MNIST-1D, written with ``Conv2d`` and ``(1, k)`` kernels (our model family has no Conv1d).

    The first module views the ``length`` flat samples as a ``(1, 1, length)``
    image. Each block is ``Conv2d((1, kernel)) -> BatchNorm2d -> ReLU``; the
    first keeps the length, the others halve it (stride ``(1, 2)``), so the
    layers differ in how much work one channel costs: the lesson's point that
    a unit of one layer is not worth a unit of another. As in the paper's
    CNN (Greydanus 2020: three conv layers, about 94 % test accuracy).

    Args:
        channels: output channels of each block.
        kernel: odd kernel length (padding keeps ``kernel // 2`` on each side).
        length: samples per signal (40 for MNIST-1D).
        n_classes: outputs.
        seed: seed of the initial weights.

    Returns:
        An ``nn.Sequential``: ``Unflatten``, conv blocks, ``Flatten``, ``Linear``.

    >>> cnn = mnist1d_cnn(channels=(4, 8))
    >>> [type(m).__name__ for m in cnn]  # doctest: +NORMALIZE_WHITESPACE
    ['Unflatten', 'Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d', 'BatchNorm2d', 'ReLU', 'Flatten', 'Linear']
    >>> cnn[1].kernel_size, cnn[4].stride, tuple(cnn(torch.zeros(2, 40)).shape)
    ((1, 5), (1, 2), (2, 10))
    """
    widths = _check_widths(channels, "channels")
    kernel = check_positive_int(kernel, name="kernel")
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd (symmetric padding), got {kernel}")
    length = check_positive_int(length, name="length")
    n_classes = check_positive_int(n_classes, name="n_classes")
    seed = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = [nn.Unflatten(1, (1, 1, length))]
        n_in, n_out = 1, length
        for i, width in enumerate(widths):
            stride = 1 if i == 0 else 2
            layers += [nn.Conv2d(n_in, width, (1, kernel), stride=(1, stride), padding=(0, kernel // 2), bias=False),
                       nn.BatchNorm2d(width), nn.ReLU()]
            n_in, n_out = width, (n_out + 2 * (kernel // 2) - kernel) // stride + 1
        layers += [nn.Flatten(), nn.Linear(n_in * n_out, n_classes)]
        return nn.Sequential(*layers)


def progress_bar(iterable: Any = None, *, progress: bool = True, **options: Any) -> Any:
    """A ``tqdm.auto`` bar, shown only where it renders: a Jupyter widget, or text on a terminal.

    Text bars redraw with carriage returns and ANSI codes; written to a log
    file, a CI console or a pipe they leave control characters behind, so
    when stderr is not a terminal (and no notebook widget is in use) the bar
    is disabled. ``options`` go to ``tqdm`` (``desc``, ``total``, ``unit`` ...).

    >>> bar = progress_bar(range(3), progress=False)
    >>> list(bar), bar.disable
    ([0, 1, 2], True)
    """
    from tqdm.auto import tqdm  # tqdm.auto probes for Jupyter widgets on import: pay for it only when needed

    is_widget = any("notebook" in cls.__module__ for cls in tqdm.__mro__)  # tqdm.auto chose tqdm.notebook
    shown = _check_flag(progress, "progress") and (is_widget or _stderr_is_terminal())
    return tqdm(iterable, disable=not shown, **options)


def _stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def _check_widths(widths: Any, name: str) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise TypeError(f"{name} must be a sequence of positive ints, got {describe(widths)}")
    if len(widths) == 0:
        raise ValueError(f"{name} must name at least one layer width, got an empty sequence")
    return tuple(check_positive_int(w, name=f"{name}[{i}]") for i, w in enumerate(widths))


def train(
    model: nn.Module,
    data: Splits,
    epochs: int = 10,
    *,
    lr: float = 1e-3,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    progress: bool = True,
    max_steps: int | None = None,
    num_threads: int | None = 1,
) -> list[dict[str, float]]:
    """Train ``model`` in place on the train split with Adam and cross-entropy; report each epoch.

    Like every PyTorch optimiser loop, this updates ``model``'s parameters in
    place (copy it first with ``copy.deepcopy`` to keep the original).
    Shuffling uses a ``torch.Generator`` seeded with ``seed`` and any other
    randomness (dropout) a forked global RNG seeded with it too, so the same
    call gives the same weights on every run on this machine. Pruning masks
    registered with ``torch.nn.utils.prune`` stay applied while training.

    Args:
        model: a module mapping ``(batch, 64)`` features to 10 logits.
        data: what :func:`load_digits` returns.
        epochs: passes over the train split (``0`` trains nothing).
        lr: Adam's learning rate, a finite number > 0.
        batch_size: samples per step.
        weight_decay: Adam's L2 penalty.
        seed: seed of the shuffling.
        progress: show a ``tqdm.auto`` bar (a widget in Jupyter, text in a terminal).
        max_steps: stop after this many optimiser steps in total (for short fine-tunes).
        num_threads: torch threads while training, restored afterwards
            (``None``: leave torch's setting). 1 by default: these small
            models gain little from more threads, and when other programs
            keep the cores busy, torch's threads wait on each other at every
            operation (10x slower is common on a shared 2-core machine).

    Returns:
        One record per epoch: ``{"epoch", "loss", "val_accuracy"}`` (mean train loss).

    Raises:
        ValueError: for bad arguments, and when the loss becomes NaN or
            infinite (a learning rate too large for the model): training
            stops and the model's parameters are put back as they were.

    >>> d = load_digits()
    >>> m = digits_mlp(hidden=(16,))
    >>> log = train(m, d, epochs=1, progress=False)
    >>> sorted(log[0])
    ['epoch', 'loss', 'val_accuracy']
    """
    data = check_splits(data)
    model = check_module(model)
    epochs = check_int(epochs, name="epochs", minimum=0)
    batch_size = check_positive_int(batch_size, name="batch_size")
    seed = check_seed(seed)
    if max_steps is not None:
        max_steps = check_int(max_steps, name="max_steps", minimum=0)
    lr = check_lr(lr)
    weight_decay = check_number(weight_decay, name="weight_decay", low=0)
    progress = _check_flag(progress, "progress")
    dtype, device = model_dtype(model)
    # The splits hold float32 features; a float64 (or half) model trains on them in its own dtype.
    x, y = data.x_train.to(device=device, dtype=dtype), data.y_train.to(device)
    before = {key: value.detach().clone() for key, value in model.state_dict().items()}
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    history: list[dict[str, float]] = []
    steps = 0
    with training_mode(model), fixed_threads(num_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        bar = progress_bar(range(epochs), progress=progress, desc="train", unit="epoch", leave=False)
        for epoch in bar:
            order = torch.randperm(len(x), generator=generator)
            total_loss, n_seen = 0.0, 0
            for start in range(0, len(x), batch_size):
                if max_steps is not None and steps >= max_steps:
                    break
                index = order[start : start + batch_size]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(_forward(model, x[index], data), y[index])
                try:
                    check_finite_loss(loss.item(), step=steps + 1, lr=lr, updated=steps > 0)
                except ValueError as err:
                    bar.close()
                    model.load_state_dict(before)  # hand back the model as it came, not a NaN one
                    raise ValueError(f"{err}. The model's parameters are as they were before train().") from None
                loss.backward()
                optimizer.step()
                steps += 1
                total_loss += loss.item() * len(index)
                n_seen += len(index)
            val_accuracy = evaluate(model, data, split="val")
            record = {"epoch": epoch + 1, "loss": total_loss / max(n_seen, 1), "val_accuracy": val_accuracy}
            history.append(record)
            bar.set_postfix(loss=f"{record['loss']:.3f}", val=f"{val_accuracy:.3f}")
            if max_steps is not None and steps >= max_steps:
                break
        bar.close()
    return history


def steps_per_epoch(data: Splits, batch_size: int = 64) -> int:
    """Optimiser steps in one epoch of ``data``'s train split at ``batch_size`` (the last batch may be short).

    >>> steps_per_epoch(load_digits())  # 1077 images in batches of 64
    17
    """
    data = check_splits(data)
    return math.ceil(len(data.x_train) / check_positive_int(batch_size, name="batch_size"))


def finetune(
    model: nn.Module,
    data: Splits,
    steps: int,
    *,
    lr: float = 1e-3,
    batch_size: int = 64,
    seed: int = 0,
    num_threads: int | None = 1,
) -> list[dict[str, float]]:
    """A short fine-tune: :func:`train` ``model`` in place for exactly ``steps`` Adam steps, without a progress bar.

    The epochs it needs are counted from the train split's size, so callers
    think in steps (NetAdapt's "short-term fine-tune") rather than epochs.

    Args:
        model, data, lr, batch_size, seed, num_threads: as in :func:`train`.
        steps: optimiser steps in total (``0`` trains nothing).

    Returns:
        :func:`train`'s records, one per epoch started.

    >>> d = load_digits()
    >>> [r["epoch"] for r in finetune(digits_mlp(hidden=(8,)), d, 20)]  # 17 steps per epoch of 1077 images
    [1, 2]
    """
    data = check_splits(data)
    steps = check_int(steps, name="steps", minimum=0)
    batch_size = check_positive_int(batch_size, name="batch_size")
    epochs = math.ceil(steps / steps_per_epoch(data, batch_size))
    return train(model, data, epochs, lr=lr, batch_size=batch_size, seed=seed, progress=False, max_steps=steps,
                 num_threads=num_threads)


def evaluate(model: nn.Module, data: Splits, split: str = "test", *, batch_size: int = 1024) -> float:
    """Accuracy of ``model`` on one split (the test split by default), in eval mode.

    BatchNorm uses its running statistics; the model's train/eval mode is
    restored afterwards and its parameters are not touched.

    Args:
        model: a module mapping features to logits.
        data: what :func:`load_digits` returns.
        split: ``"train"``, ``"val"`` or ``"test"``.
        batch_size: samples per forward pass.

    Returns:
        The fraction of correctly classified samples, in [0, 1].

    >>> d = load_digits()
    >>> evaluate(digits_mlp(hidden=(8,)), d) < 0.3  # untrained: about chance (0.1)
    True
    """
    data = check_splits(data)
    model = check_module(model)
    x, y = data.split(split)
    batch_size = check_positive_int(batch_size, name="batch_size")
    dtype, device = model_dtype(model)
    correct = 0
    with evaluating(model), torch.no_grad():
        for start in range(0, len(x), batch_size):
            logits = _forward(model, x[start : start + batch_size].to(device=device, dtype=dtype), data)
            correct += int((logits.argmax(dim=1).cpu() == y[start : start + batch_size]).sum())
    return correct / len(y)


def _forward(model: nn.Module, x: torch.Tensor, data: Splits) -> torch.Tensor:
    """``model(x)``, with torch's shape errors turned into one naming the model and the data."""
    try:
        logits = model(x)
    except RuntimeError as err:
        raise ValueError(f"model does not run on data's features (batches of shape {tuple(x.shape)}): {err}") from None
    if logits.ndim != 2 or logits.shape[1] < data.n_classes:
        raise ValueError(f"model must map a batch of features to (batch, {data.n_classes}) logits for data's "
                         f"{data.n_classes} classes, got outputs of shape {tuple(logits.shape)}")
    return logits


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {describe(value)}")
    return bool(value)

