"""The torch side of the one validation vocabulary: models, input tensors, seeds, learning rates, training losses.

:mod:`hwprune_edu.util.validation` checks numbers and NumPy arrays; this
module adds what only makes sense with torch at hand, so every entry point of
:mod:`hwprune_edu.nn` refuses a meta model, a 1-D batch or an unusable seed
with the same message naming the argument, and accepts what a learner
naturally passes: NumPy's float64 arrays for a float32 model, a tensor that
still requires grad, a bfloat16 batch, ``np.int64`` seeds.

>>> from torch import nn
>>> model = nn.Linear(3, 2)
>>> as_batch(np.ones((4, 3)), model, name="inputs").dtype  # float64 data for a float32 model
torch.float32
>>> check_seed(np.int64(7))
7
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from hwprune_edu.util.validation import SEED_MAX, check_int, check_lr, describe

__all__ = ["check_module", "model_dtype", "as_batch", "to_numpy", "check_seed", "check_lr", "check_finite_loss",
           "TORCH_SEED_MAX", "SKLEARN_SEED_MAX"]

#: torch's generators take seeds in [0, 2**64 - 1]; a negative seed silently wraps around (-1 is 2**64 - 1).
TORCH_SEED_MAX = 2**64 - 1
#: scikit-learn's ``random_state`` and NumPy's legacy ``np.random.seed`` (used by mnist1d) take [0, 2**32 - 1].
SKLEARN_SEED_MAX = SEED_MAX


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}, dtype {value.dtype} on {value.device}"
    return describe(value)


def check_module(model: Any, *, name: str = "model", allow_meta: bool = False) -> nn.Module:
    """``model`` itself if it is an ``nn.Module`` whose parameters and buffers hold data (not on the meta device).

    ``allow_meta=True`` accepts a meta model, for what needs only shapes.

    >>> check_module(nn.Linear(2, 2, device="meta"))
    Traceback (most recent call last):
    ...
    ValueError: model has parameters on the meta device (shapes without data): build it on the CPU, or load its weights first (model.to_empty(device='cpu') and then load_state_dict)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module, got {_describe(model)}")
    tensors = [*model.parameters(), *model.buffers()]
    if not allow_meta and any(t.is_meta for t in tensors):
        raise ValueError(
            f"{name} has parameters on the meta device (shapes without data): build it on the CPU, or load its "
            "weights first (model.to_empty(device='cpu') and then load_state_dict)"
        )
    return model


def model_dtype(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    """The floating dtype and device of ``model``'s first floating parameter or buffer (float32 on the CPU if none).

    >>> model_dtype(nn.Linear(2, 2).double())
    (torch.float64, device(type='cpu'))
    """
    for tensor in (*model.parameters(), *model.buffers()):
        if tensor.is_floating_point():
            return tensor.dtype, tensor.device
    return torch.float32, torch.device("cpu")


def as_batch(x: Any, model: nn.Module | None, *, name: str, min_ndim: int = 2, finite: bool = True) -> torch.Tensor:
    """``x`` as a batch of samples ``(n, ...)`` in ``model``'s dtype and device, checked.

    The result may share memory with a tensor ``x`` already in that dtype, so
    callers must not write to it (none in this package does); arrays are copied.

    Tensors, NumPy arrays and nested lists of real numbers are accepted; a
    tensor that requires grad is detached (the caller's graph is left alone)
    and any float or integer dtype is cast to the model's (NumPy's default
    float64 for a float32 model, bfloat16 data for any model). Refused, with
    ``name`` in the message: meta tensors (no data), complex or non-numeric
    values, fewer than ``min_ndim`` dimensions, NaN or infinities.

    Args:
        x: the samples.
        model: whose dtype and device the batch takes (``None``: float32 on the CPU).
        name: the argument's name, used in error messages.
        min_ndim: the fewest dimensions a batch has (2: samples and features).
        finite: refuse NaN and infinities.

    Returns:
        A floating-point tensor.

    >>> as_batch(torch.ones(3, requires_grad=True), None, name="x", min_ndim=1).requires_grad
    False
    >>> as_batch(torch.ones(4), None, name="inputs")
    Traceback (most recent call last):
    ...
    ValueError: inputs must be a batch of samples with at least 2 dimensions (samples, features...), got a tensor of shape (4,), dtype torch.float32 on cpu
    """
    dtype, device = model_dtype(model) if model is not None else (torch.float32, torch.device("cpu"))
    if isinstance(x, torch.Tensor):
        tensor = x.detach()
    elif isinstance(x, (np.ndarray, list, tuple)) or np.isscalar(x):
        if isinstance(x, (str, bytes)):
            raise TypeError(f"{name} must be a tensor or array of numbers, got {_describe(x)}")
        try:
            array = np.asarray(x)
        except ValueError:
            raise ValueError(f"{name} must be a rectangular array, but it is ragged (rows of different lengths)") from None
        except (TypeError, RuntimeError) as err:  # e.g. a list of tensors that need .detach(), or of bfloat16 ones
            raise TypeError(f"{name} must be one tensor or array of numbers (stack a list of tensors with "
                            f"torch.stack, detached), got a {type(x).__name__} NumPy cannot read: {err}") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be a tensor or array of real numbers, got {_describe(array)}")
        # A copy (a read-only or memory-mapped array is never shared). Signed and bool ints as int64, which torch
        # has; unsigned ones as float64, since uint64 values >= 2**63 would wrap in int64.
        wanted = None if array.dtype.kind == "f" else np.float64 if array.dtype.kind == "u" else np.int64
        tensor = torch.from_numpy(np.array(array, dtype=wanted))
    else:
        raise TypeError(f"{name} must be a torch tensor or a NumPy array of samples, got {_describe(x)}")
    if tensor.is_meta:
        raise ValueError(f"{name} is a meta tensor (a shape without data): create it on the CPU, got {_describe(tensor)}")
    if tensor.is_complex():
        raise TypeError(f"{name} must hold real numbers, got {_describe(tensor)}")
    if tensor.ndim < min_ndim:
        need = " (samples, features...)" if min_ndim == 2 else ""
        raise ValueError(f"{name} must be a batch of samples with at least {min_ndim} dimensions{need}, got {_describe(tensor)}")
    tensor = tensor.to(device=device, dtype=dtype)
    if finite and tensor.numel() and not bool(torch.isfinite(tensor).all()):
        n_bad = int((~torch.isfinite(tensor)).sum())
        raise ValueError(f"{name} must be finite, but it holds {n_bad} NaN or infinite value(s) in the model's "
                         f"dtype {dtype} ({_describe(x)})")
    return tensor


def to_numpy(t: torch.Tensor, *, name: str) -> np.ndarray:
    """Tensor ``t``'s values as a NumPy array: detached, on the CPU, bfloat16 widened to float32 (NumPy has no bfloat16).

    A CPU tensor's array shares its memory: read it, don't write to it.

    >>> to_numpy(torch.ones(2, dtype=torch.bfloat16, requires_grad=True), name="weight").dtype
    dtype('float32')
    """
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, got {_describe(t)}")
    if t.is_meta:
        raise ValueError(f"{name} is on the meta device (a shape without data): there are no values to read")
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.float()  # exact: every bfloat16 is a float32
    return t.numpy()


def check_seed(seed: Any, *, name: str = "seed", maximum: int = TORCH_SEED_MAX) -> int:
    """``seed`` as an ``int`` in ``[0, maximum]``: NumPy ints accepted, bool and floats refused.

    torch would wrap a negative seed around silently and reject a float or a
    huge int with an error that does not say which argument was wrong.

    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be >= 0, got -1
    """
    seed = check_int(seed, name=name, minimum=0)
    if seed > maximum:
        raise ValueError(f"{name} must be <= {maximum} (2**{int(math.log2(maximum + 1))} - 1), got {seed}")
    return seed


def check_finite_loss(loss: float, *, step: int, lr: float, updated: bool) -> None:
    """Stop training with a ValueError naming ``lr`` when the loss is NaN or infinite.

    ``step`` counts optimiser steps from 1; ``updated`` says whether any step
    was taken yet (if not, the learning rate cannot be the cause).

    >>> check_finite_loss(float("nan"), step=3, lr=10.0, updated=True)
    Traceback (most recent call last):
    ...
    ValueError: training diverged: the loss became nan at step 3; lr=10 is probably too large for this model (try 10x smaller)
    """
    if math.isfinite(loss):
        return
    if not updated:
        raise ValueError(
            f"the loss is {loss} before any update (lr={lr:g} is not the cause): the model's parameters or "
            "outputs are not finite"
        )
    raise ValueError(
        f"training diverged: the loss became {loss} at step {step}; lr={lr:g} is probably too large for this "
        "model (try 10x smaller)"
    )
