"""The course's data set and models: scikit-learn's 8x8 digits, an MLP and a small CNN, train and evaluate.

Everything is seeded, so a notebook that trains a model prints the same
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

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from hwprune_edu.nn.scoped import evaluating, fixed_threads, training_mode
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["Digits", "load_digits", "digits_mlp", "digits_cnn", "train", "finetune", "evaluate", "SPLITS"]

#: The three splits a :class:`Digits` object holds.
SPLITS = ("train", "val", "test")

# 60 / 20 / 20 of the 1797 images: 360 test images, so one point of accuracy is 3.6 images.
_VAL_FRACTION = 0.2
_TEST_FRACTION = 0.2
# Pixels of the digits images are integers 0..16 (scikit-learn's 4x4-block counts).
_PIXEL_MAX = 16.0


@dataclass(frozen=True)
class Digits:
    """The 8x8 digits, split three ways, as float32 features and int64 labels.

    Features are the 64 pixels flattened row by row and scaled to [0, 1];
    ``image_shape`` says how to view them as images (the CNN does it itself).

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
    image_shape: tuple[int, int, int] = (1, 8, 8)
    n_classes: int = 10
    seed: int = 0

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
        """Number of input features (64 pixels)."""
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(self.split(name)[1])}" for name in SPLITS)
        return f"Digits({sizes}, features={self.n_features}, classes={self.n_classes}, seed={self.seed})"


def load_digits(seed: int = 0) -> Digits:
    """Load scikit-learn's digits (ships with it, no download) and split them 60/20/20, stratified.

    Args:
        seed: seed of the split; the same seed gives the same split on every machine.

    Returns:
        A :class:`Digits` holding train / validation / test tensors.

    >>> load_digits(seed=1)
    Digits(train=1077, val=360, test=360, features=64, classes=10, seed=1)
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    seed = check_int(seed, name="seed", minimum=0)
    bunch = sklearn_digits()
    x = (bunch.data / _PIXEL_MAX).astype(np.float32)
    y = bunch.target.astype(np.int64)
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=_TEST_FRACTION, random_state=seed, stratify=y
    )
    val_of_rest = _VAL_FRACTION / (1.0 - _TEST_FRACTION)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val_of_rest, random_state=seed, stratify=y_rest
    )
    tensors = [torch.from_numpy(np.ascontiguousarray(a)) for a in (x_train, y_train, x_val, y_val, x_test, y_test)]
    return Digits(*tensors, seed=seed)


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
    widths = _check_widths(hidden, "hidden")
    seed = check_int(seed, name="seed", minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        n_in = 64
        for width in widths:
            layers += [nn.Linear(n_in, width), nn.ReLU()]
            n_in = width
        layers.append(nn.Linear(n_in, 10))
        return nn.Sequential(*layers)


def digits_cnn(channels: Sequence[int] = (32, 64), *, seed: int = 0) -> nn.Sequential:
    """A small CNN for the 1x8x8 digit images: ``(Conv2d -> BatchNorm2d -> ReLU) x k -> MaxPool -> Linear``.

    The first module reshapes the 64 flat pixels to ``(1, 8, 8)``, so the
    CNN takes the same :class:`Digits` tensors as the MLP. Convolutions are
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


def _check_widths(widths: Any, name: str) -> tuple[int, ...]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise TypeError(f"{name} must be a sequence of positive ints, got {describe(widths)}")
    if len(widths) == 0:
        raise ValueError(f"{name} must name at least one layer width, got an empty sequence")
    return tuple(check_positive_int(w, name=f"{name}[{i}]") for i, w in enumerate(widths))


def _check_data(data: Any) -> Digits:
    if not isinstance(data, Digits):
        raise TypeError(f"data must be what load_digits() returns (a Digits), got {describe(data)}")
    return data


def train(
    model: nn.Module,
    data: Digits,
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
    from tqdm.auto import tqdm  # tqdm.auto probes for Jupyter widgets on import: pay for it only when training

    x, y = data.x_train, data.y_train
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    history: list[dict[str, float]] = []
    steps = 0
    with training_mode(model), fixed_threads(num_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        bar = tqdm(range(epochs), desc="train", unit="epoch", disable=not progress, leave=False)
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


def finetune(
    model: nn.Module,
    data: Digits,
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
    epochs = math.ceil(steps / math.ceil(len(data.x_train) / batch_size))
    return train(model, data, epochs, lr=lr, batch_size=batch_size, seed=seed, progress=False, max_steps=steps,
                 num_threads=num_threads)


def evaluate(model: nn.Module, data: Digits, split: str = "test", *, batch_size: int = 1024) -> float:
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

