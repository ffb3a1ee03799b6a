"""A data set as the course uses it: :class:`Splits` (train / validation / test tensors) and :func:`from_arrays`.

:func:`~hwprune_edu.nn.data.load_digits` and :func:`~hwprune_edu.nn.data.load_mnist1d`
build one from the shipped data; :func:`from_arrays` from any arrays. Everything
that trains or evaluates takes a ``Splits`` and checks it with :func:`check_splits`.

>>> x, y = np.zeros((6, 4)), np.array([0, 1, 0, 1, 0, 1])
>>> from_arrays(x[:2], y[:2], x[2:4], y[2:4], x[4:], y[4:]).n_features
4
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import torch

from hwprune_edu.nn.checks import to_numpy
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["SPLITS", "Splits", "from_arrays", "check_splits"]

#: The three splits a :class:`Splits` object holds.
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Splits:
    """A data set split three ways (train / validation / test), as float32 features and int64 labels.

    What :func:`load_digits`, :func:`load_mnist1d` and :func:`from_arrays`
    return, and what :func:`train`, :func:`evaluate`, the searches and the
    studies take. Features are flat (one row per sample); ``image_shape``
    says how to view them as images (the CNNs do it themselves).

    Built directly, it checks its fields' types and shapes (not the
    features' values: :func:`from_arrays` does that too).

    >>> x, y = np.zeros((8, 64)), np.arange(8) % 2
    >>> d = from_arrays(x[:4], y[:4], x[4:6], y[4:6], x[6:], y[6:], image_shape=(1, 8, 8))
    >>> d.image_shape, d.x_val.dtype, d.y_val.dtype
    ((1, 8, 8), torch.float32, torch.int64)
    >>> x, y = d.split("test")
    >>> len(x) == len(y) == 2
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

    def __post_init__(self) -> None:
        n_features = None
        for split in SPLITS:
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.ndim != 2 or len(x) == 0:
                raise TypeError(f"x_{split} must be a non-empty 2-D float tensor (samples, features), got {_describe(x)}")
            if not isinstance(y, torch.Tensor) or y.dtype != torch.int64 or y.shape != (len(x),):
                raise TypeError(f"y_{split} must be an int64 tensor of {len(x)} labels (one per sample of "
                                f"x_{split}), got {_describe(y)}")
            if n_features is not None and x.shape[1] != n_features:
                raise ValueError(f"x_{split} must have the {n_features} features x_train has, got {x.shape[1]}")
            n_features = x.shape[1]
        n_classes = check_int(self.n_classes, name="n_classes", minimum=2)
        for split in SPLITS:
            y = getattr(self, f"y_{split}")
            if int(y.min()) < 0 or int(y.max()) >= n_classes:
                raise ValueError(f"y_{split} must hold labels in [0, {n_classes - 1}] (n_classes={n_classes}), "
                                 f"got {int(y.min())} to {int(y.max())}")
        shape = _image_shape(self.image_shape, n_features)
        check_int(self.seed, name="seed", minimum=0)
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty str, got {describe(self.name)}")
        object.__setattr__(self, "image_shape", shape)  # frozen: the checked tuple replaces a list or np ints

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """``(features, labels)`` of the split ``"train"``, ``"val"`` or ``"test"``.

        >>> x, y = np.zeros((6, 3)), np.arange(6) % 2
        >>> tuple(from_arrays(x[:4], y[:4], x[4:5], y[4:5], x[5:], y[5:]).split("val")[0].shape)
        (1, 3)
        """
        if not isinstance(name, str) or name not in SPLITS:
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
    # Labels all equal (all 3, say) would pass a range check with n_classes = 4, and train a constant.
    distinct = np.unique(labels["train"])
    if distinct.size < 2:
        raise ValueError(f"y_train must hold at least 2 distinct labels (a classifier needs two classes), "
                         f"got every label equal to {int(distinct[0])}")
    largest = max(int(y.max()) for y in labels.values())
    if n_classes is None:
        n_classes = largest + 1
    n_classes = check_int(n_classes, name="n_classes", minimum=1)
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2 (a classifier needs two classes), got {n_classes}")
    for split, y in labels.items():
        if int(y.max()) >= n_classes:
            raise ValueError(f"y_{split} must hold labels in [0, {n_classes - 1}] (n_classes={n_classes}), "
                             f"got {int(y.max())}")
    shape = (n_features,) if image_shape is None else _image_shape(image_shape, n_features)
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {describe(name)}")
    tensors = [t for split in SPLITS for t in (torch.from_numpy(features[split]), torch.from_numpy(labels[split]))]
    return Splits(*tensors, image_shape=shape, n_classes=int(n_classes), seed=check_int(seed, name="seed", minimum=0),
                  name=name)


def _image_shape(image_shape: Any, n_features: int) -> tuple[int, ...]:
    if isinstance(image_shape, np.ndarray) and image_shape.ndim == 1:
        image_shape = image_shape.tolist()
    if isinstance(image_shape, (str, bytes)) or not isinstance(image_shape, Sequence) or not image_shape:
        raise TypeError(f"image_shape must be a non-empty tuple of positive ints, e.g. (1, 8, 8), "
                        f"got {describe(image_shape)}")
    shape = tuple(check_positive_int(d, name=f"image_shape[{i}]") for i, d in enumerate(image_shape))
    if math.prod(shape) != n_features:
        raise ValueError(f"image_shape {shape} must hold the {n_features} features of one sample, "
                         f"got {math.prod(shape)}")
    return shape


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return describe(value)


def _as_numpy(array: Any, name: str) -> np.ndarray:
    if isinstance(array, torch.Tensor):
        return to_numpy(array, name=name)
    if isinstance(array, (np.ndarray, list, tuple)):
        try:
            return np.asarray(array)
        except ValueError:  # NumPy >= 1.24 refuses ragged nested lists
            raise ValueError(f"{name} must be a rectangular array, but it is ragged (rows of different lengths)") from None
    raise TypeError(f"{name} must be a NumPy array, a torch tensor or a list, got {describe(array)}")


def _features(array: Any, name: str) -> np.ndarray:
    x = _as_numpy(array, name)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"{name} must be (samples, features...), got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{name} must hold at least one sample, got an empty split")
    # np.array copies even when x is already float32 and contiguous: the Splits never shares the caller's memory
    x = np.array(x.reshape(len(x), -1), dtype=np.float32, order="C")
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
    return np.array(y, dtype=np.int64, order="C")  # a copy, as for the features


def check_splits(data: Any, *, name: str = "data") -> Splits:
    """``data`` itself if it is a :class:`Splits`; a TypeError naming the argument otherwise.

    >>> check_splits(None)
    Traceback (most recent call last):
    ...
    TypeError: data must be a Splits (what load_digits(), load_mnist1d() or from_arrays() return), got None
    """
    if not isinstance(data, Splits):
        raise TypeError(f"{name} must be a Splits (what load_digits(), load_mnist1d() or from_arrays() return), "
                        f"got {describe(data)}")
    return data


