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
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from hwprune_edu.nn.scoped import evaluating, fixed_threads, training_mode
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["Splits", "SPLITS", "from_arrays", "load_digits", "load_mnist1d", "mlp", "digits_mlp", "digits_cnn",
           "mnist1d_cnn", "train", "finetune", "steps_per_epoch", "evaluate", "progress_bar"]

#: The three splits a :class:`Splits` object holds.
SPLITS = ("train", "val", "test")

# 60 / 20 / 20 of the 1797 images: 360 test images, so one point of accuracy is 3.6 images.
_VAL_FRACTION = 0.2
_TEST_FRACTION = 0.2
# MNIST-1D's paper uses 4,000 + 1,000 signals; 10,000 gives a 2,000-signal test split (one point = 20 signals).
MNIST1D_SAMPLES = 10_000
# Pixels of the digits images are integers 0..16 (scikit-learn's 4x4-block counts).
_PIXEL_MAX = 16.0


@dataclass(frozen=True)
class Splits:
    """A data set split three ways (train / validation / test), as float32 features and int64 labels.

    What :func:`load_digits`, :func:`load_mnist1d` and :func:`from_arrays`
    return, and what :func:`train`, :func:`evaluate`, the searches and the
    studies take. Features are flat (one row per sample); ``image_shape``
    says how to view them as images (the CNNs do it themselves).

    >>> d = load_digits()
    >>> d.image_shape, d.x_val.dtype, d.y_val.dtype
    ((1, 8, 8), torch.float32, torch.int64)
    >>> x, y = d.split("test")
    >>> len(x) == len(y) == 360
    True
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    image_shape: tuple[int, ...] = (1, 8, 8)
    n_classes: int = 10
    seed: int = 0
    name: str = "digits"

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """``(features, labels)`` of the split ``"train"``, ``"val"`` or ``"test"``.

        >>> x, y = load_digits().split("val")
        >>> tuple(x.shape)
        (360, 64)
        """
        if name not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {describe(name)}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    @property
    def n_features(self) -> int:
        """Number of input features per sample (64 pixels for digits)."""
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(self.split(name)[1])}" for name in SPLITS)
        return (f"Splits({self.name}: {sizes}, features={self.n_features}, classes={self.n_classes}, "
                f"seed={self.seed})")


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

    seed = check_int(seed, name="seed", minimum=0)
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


def from_arrays(
    x_train: Any, y_train: Any, x_val: Any, y_val: Any, x_test: Any, y_test: Any, *,
    n_classes: int | None = None, image_shape: Sequence[int] | None = None, seed: int = 0, name: str = "arrays",
) -> Splits:
    """Any data set as the course's :class:`Splits`: features ``(n, ...)`` flattened to float32, labels int64.

    NumPy arrays, torch tensors or nested lists are accepted; the inputs are
    copied, never modified. Every split must be non-empty, features finite
    and of one width, labels integers in ``[0, n_classes)``.

    Args:
        x_train, y_train, x_val, y_val, x_test, y_test: features and labels of each split.
        n_classes: number of classes (default: largest label + 1, at least 2).
        image_shape: how one flat sample is viewed as an image, e.g. ``(1, 1, 40)``
            (default ``(n_features,)``); its product must be the number of features.
        seed: recorded as the split's seed (the split was made by the caller).
        name: the data set's name, shown in ``repr`` and tables.

    Returns:
        A :class:`Splits`.

    Raises:
        TypeError: a split that is not an array, or non-integer labels.
        ValueError: mismatched lengths or widths, NaN or infinite features,
            labels out of range, fewer than 2 classes, an empty split.

    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.standard_normal((30, 4)), np.arange(30) % 3
    >>> from_arrays(x[:20], y[:20], x[20:25], y[20:25], x[25:], y[25:])
    Splits(arrays: train=20, val=5, test=5, features=4, classes=3, seed=0)
    >>> from_arrays(x[:20], y[:19], x[20:25], y[20:25], x[25:], y[25:])
    Traceback (most recent call last):
    ...
    ValueError: y_train must have one label per sample of x_train (20), got 19 labels
    """
    arrays = {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val, "x_test": x_test,
              "y_test": y_test}
    features = {split: _features(arrays[f"x_{split}"], f"x_{split}") for split in SPLITS}
    labels = {split: _labels(arrays[f"y_{split}"], f"y_{split}", len(features[split]), f"x_{split}")
              for split in SPLITS}
    n_features = features["train"].shape[1]
    for split in ("val", "test"):
        if features[split].shape[1] != n_features:
            raise ValueError(f"x_{split} must have the {n_features} features per sample x_train has, "
                             f"got {features[split].shape[1]}")
    largest = max(int(y.max()) for y in labels.values())
    if n_classes is None:
        n_classes = largest + 1
    n_classes = check_int(n_classes, name="n_classes", minimum=1)
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2 (a classifier needs two classes), got {n_classes}: "
                         "every label is 0")
    for split, y in labels.items():
        if int(y.max()) >= n_classes:
            raise ValueError(f"y_{split} must hold labels in [0, {n_classes - 1}] (n_classes={n_classes}), "
                             f"got {int(y.max())}")
    shape = (n_features,) if image_shape is None else tuple(
        check_positive_int(d, name="image_shape[i]") for d in image_shape)
    if math.prod(shape) != n_features:
        raise ValueError(f"image_shape {shape} must hold the {n_features} features of one sample, "
                         f"got {math.prod(shape)}")
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {describe(name)}")
    tensors = [t for split in SPLITS for t in (torch.from_numpy(features[split]), torch.from_numpy(labels[split]))]
    return Splits(*tensors, image_shape=shape, n_classes=int(n_classes), seed=check_int(seed, name="seed", minimum=0),
                  name=name)


def _as_numpy(array: Any, name: str) -> np.ndarray:
    if isinstance(array, torch.Tensor):
        return array.detach().cpu().numpy()
    if isinstance(array, (np.ndarray, list, tuple)):
        return np.asarray(array)
    raise TypeError(f"{name} must be a NumPy array, a torch tensor or a list, got {describe(array)}")


def _features(array: Any, name: str) -> np.ndarray:
    x = _as_numpy(array, name)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must be (samples, features...), got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{name} must hold at least one sample, got an empty split")
    x = np.ascontiguousarray(x.reshape(len(x), -1), dtype=np.float32)  # a copy: the caller's array is left alone
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite, got {int((~np.isfinite(x)).sum())} NaN or infinite values")
    return x


def _labels(array: Any, name: str, n_samples: int, features_name: str) -> np.ndarray:
    y = _as_numpy(array, name)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"{name} must be one label per sample (1-D), got shape {y.shape}")
    if len(y) != n_samples:
        raise ValueError(f"{name} must have one label per sample of {features_name} ({n_samples}), "
                         f"got {len(y)} labels")
    if y.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {int(y.min())}")
    return np.ascontiguousarray(y, dtype=np.int64)


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
    seed = check_int(seed, name="seed", minimum=0)
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
    seed = check_int(seed, name="seed", minimum=0)
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
    seed = check_int(seed, name="seed", minimum=0)
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
    seed = check_int(seed, name="seed", minimum=0)
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
    shown = bool(progress) and (is_widget or _stderr_is_terminal())
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


def _check_data(data: Any) -> Splits:
    if not isinstance(data, Splits):
        raise TypeError(f"data must be a Splits (what load_digits(), load_mnist1d() or from_arrays() return), "
                        f"got {describe(data)}")
    return data


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
        lr: Adam's learning rate.
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

    >>> d = load_digits()
    >>> m = digits_mlp(hidden=(16,))
    >>> log = train(m, d, epochs=1, progress=False)
    >>> sorted(log[0])
    ['epoch', 'loss', 'val_accuracy']
    """
    data = _check_data(data)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    epochs = check_int(epochs, name="epochs", minimum=0)
    batch_size = check_positive_int(batch_size, name="batch_size")
    seed = check_int(seed, name="seed", minimum=0)
    if max_steps is not None:
        max_steps = check_int(max_steps, name="max_steps", minimum=0)
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a number > 0, got {describe(lr)}")
    x, y = data.x_train, data.y_train
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
                loss = loss_fn(model(x[index]), y[index])
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
    data = _check_data(data)
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
    data = _check_data(data)
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
    data = _check_data(data)
    x, y = data.split(split)
    batch_size = check_positive_int(batch_size, name="batch_size")
    correct = 0
    with evaluating(model), torch.no_grad():
        for start in range(0, len(x), batch_size):
            logits = model(x[start : start + batch_size])
            correct += int((logits.argmax(dim=1) == y[start : start + batch_size]).sum())
    return correct / len(y)

