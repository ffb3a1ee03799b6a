"""Scoped torch state: run a block with a model's train/eval mode or torch's thread count set, then restore it.

Evaluating, costing, hooking and timing a model all switch it to eval mode
(BatchNorm uses its running statistics, Dropout is off) and must hand it back
as they found it, even when the block raises. :func:`training_mode` and
:func:`evaluating` do that once for all of them; :func:`fixed_threads` does
the same for ``torch.set_num_threads``.

>>> from torch import nn
>>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
>>> with evaluating(model):
...     model.training, model[1].training
(False, False)
>>> model.training, model[1].training
(True, True)
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

import torch
from torch import nn

from hwprune_edu.util.validation import check_positive_int, describe

__all__ = ["training_mode", "evaluating", "fixed_threads"]


def training_mode(model: nn.Module, mode: bool = True) -> contextlib.AbstractContextManager[nn.Module]:
    """Run a block with ``model.train(mode)``, then give every submodule back its own earlier mode.

    Restoring each submodule's flag (not just calling ``model.train(previous)``)
    keeps a deliberately frozen part, e.g. a BatchNorm left in eval mode inside
    a training model, as it was.

    Args:
        model: any module.
        mode: ``True`` for training mode, ``False`` for eval mode.

    Yields:
        ``model`` itself, in the requested mode.

    >>> from torch import nn
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
    >>> with training_mode(model):
    ...     model[1].training
    True
    >>> model[1].training
    False
    """
    # Checked here, not on entering the block: a mistake shows where the call is written.
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    if not isinstance(mode, (bool, np.bool_)):
        raise TypeError(f"mode must be True (training) or False (eval), got {describe(mode)}")
    return _training_mode(model, bool(mode))


@contextlib.contextmanager
def _training_mode(model: nn.Module, mode: bool) -> Iterator[nn.Module]:
    previous = [(module, module.training) for module in model.modules()]
    model.train(mode)
    try:
        yield model
    finally:
        for module, was_training in previous:
            module.training = was_training


def evaluating(model: nn.Module) -> contextlib.AbstractContextManager[nn.Module]:
    """Run a block with ``model`` in eval mode, then restore its modes: ``training_mode(model, False)``.

    >>> from torch import nn
    >>> model = nn.Linear(2, 2)
    >>> with evaluating(model):
    ...     model.training
    False
    >>> model.training
    True
    """
    return training_mode(model, False)


def fixed_threads(num_threads: Any) -> contextlib.AbstractContextManager[None]:
    """Run a block with ``torch.set_num_threads(num_threads)``, then restore the previous count.

    ``None`` leaves torch's setting alone: what a function's ``num_threads=None``
    means when its caller already fixed the threads.

    >>> before = torch.get_num_threads()
    >>> with fixed_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if num_threads is None:
        return contextlib.nullcontext()
    return _fixed_threads(check_positive_int(num_threads, name="num_threads"))


@contextlib.contextmanager
def _fixed_threads(num_threads: int) -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
