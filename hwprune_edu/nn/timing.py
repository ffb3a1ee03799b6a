"""Stopwatch on this machine: a model's latency, and the measurements that check the simulator against real time.

:func:`measure_latency` times a model's forward pass (median of many).
:func:`calibrate` measures this machine's GEMM rate, memory bandwidth and
per-call overhead and returns a ``"host"`` profile built by
:func:`hwprune_edu.hardware.host_profile`; :func:`compare_with_measured`
times ``F.linear`` on a list of shapes and scores the simulator's predictions
with :func:`hwprune_edu.hardware.compare_latencies`. The simulator's side
is NumPy only; timing needs torch, so it lives here.

>>> from torch import nn
>>> 0 < measure_latency(nn.Sequential(nn.Linear(8, 8)), batch=2, repeats=2, warmup=0) < 1
True
"""

from __future__ import annotations

import statistics
import time
import warnings
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from hwprune_edu.hardware import ComparisonResult, Hardware, compare_latencies, get_profile, host_profile
from hwprune_edu.hardware.calibrate import check_linear_shapes
from hwprune_edu.nn.checks import check_module, check_seed, model_dtype
from hwprune_edu.nn.family import sample_shape
from hwprune_edu.nn.scoped import evaluating, fixed_threads
from hwprune_edu.util.validation import check_int, check_positive_int

__all__ = ["measure_latency", "calibrate", "compare_with_measured"]


def measure_latency(
    model: nn.Module,
    batch: int = 256,
    *,
    input_shape: Sequence[int] | None = None,
    repeats: int = 30,
    warmup: int = 5,
    num_threads: int = 1,
    seed: int = 0,
) -> float:
    """Median wall-clock time of one forward pass of ``batch`` samples on this machine, in seconds.

    Runs ``warmup`` passes first (allocator, caches, lazy init), then times
    ``repeats`` passes one by one with ``time.perf_counter`` and returns the
    median, which ignores the odd slow pass when other processes share the
    CPU. torch's intra-op threads are fixed to ``num_threads`` while timing
    (1 by default: the most stable figure on a shared machine) and restored
    afterwards. The model runs in eval mode under ``torch.inference_mode``;
    its mode is restored. Pruning masks stay as they are, so a masked model
    pays for re-applying its mask on every call: fold them first with
    :func:`~hwprune_edu.nn.make_masks_permanent` to time dense kernels on sparse weights.

    Args:
        model: any module; ``input_shape`` is inferred for models starting
            with ``Linear`` or ``Unflatten``.
        batch: samples per forward pass.
        input_shape: shape of one sample, e.g. ``(64,)``.
        repeats: timed passes (the median is returned).
        warmup: untimed passes first (at least one always runs: it checks that the input fits).
        num_threads: torch threads while timing.
        seed: seed of the random input.

    Returns:
        The median latency in seconds.

    >>> t = measure_latency(nn.Sequential(nn.Linear(8, 8)), batch=4, repeats=3, warmup=1)
    >>> 0 < t < 1
    True
    """
    batch = check_positive_int(batch, name="batch")
    repeats = check_positive_int(repeats, name="repeats")
    warmup = check_int(warmup, name="warmup", minimum=0)
    seed = check_seed(seed)
    model = check_module(model)
    if input_shape is None and not isinstance(model, nn.Sequential):
        raise ValueError("input_shape is needed for a model that is not an nn.Sequential, e.g. (64,)")
    shape = sample_shape(model, input_shape)
    generator = torch.Generator().manual_seed(seed)
    dtype, device = model_dtype(model)  # time the model in its own dtype: float64 and half models too
    x = torch.rand((batch, *shape), generator=generator).to(device=device, dtype=dtype)
    times_s = []
    with evaluating(model), fixed_threads(num_threads), torch.inference_mode():
        try:
            model(x)  # the first pass doubles as a check that input_shape fits the model
        except RuntimeError as err:
            raise ValueError(f"model does not run on inputs of shape {tuple(x.shape)} (batch, *input_shape): {err}") from None
        for _ in range(warmup - 1):
            model(x)
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times_s.append(time.perf_counter() - start)
    return statistics.median(times_s)


def _best_time_s(fn: Callable[[], object], *, repeats: int, min_batch_s: float = 2e-3, max_calls: int = 10_000) -> float:
    """Best-of-``repeats`` seconds per call, each repeat timing enough calls to last ``min_batch_s``.

    The best, not the median: a tiny call's time is dominated by the clock's
    resolution and by other processes, and the fastest repeat is the one least
    disturbed, which is what a rate or an overhead should be.
    """
    start = time.perf_counter()
    fn()  # warm-up (allocations, lazy init)
    first = time.perf_counter() - start
    calls = int(min(max_calls, max(1, min_batch_s / max(first, 1e-9))))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def calibrate(*, num_threads: int = 1, repeats: int = 5, seed: int = 0) -> Hardware:
    """Measure this machine with PyTorch and return a ``"host"`` profile (takes about a second).

    Measures: the dense GEMM rate of ``F.linear`` on a ``256 x 1024 x 1024``
    fp32 problem; memory bandwidth from an elementwise add over 32 MB arrays
    (read + write); the per-call overhead of a ``1 x 1`` ``F.linear``; the
    CSR kernel's cost per stored weight (``torch.sparse`` at density 0.2 on a
    ``64 x 1024 x 1024`` product, as a fraction of the dense rate). Cycles of
    the host profile are nominal 1 GHz ticks (see :func:`hwprune_edu.hardware.host_profile`).

    Args:
        num_threads: torch threads during the measurement (restored after).
        repeats: best-of count for every timing.
        seed: seeds the random operands.

    Returns:
        A ``Hardware`` named ``"host"`` whose ``sources`` say what was measured.

    >>> host = calibrate(repeats=1)  # doctest: +SKIP
    >>> host.peak_macs_per_s > 1e8  # doctest: +SKIP
    True
    """
    num_threads = check_positive_int(num_threads, name="num_threads")
    repeats = check_positive_int(repeats, name="repeats")
    generator = torch.Generator().manual_seed(check_seed(seed))
    with fixed_threads(num_threads), torch.no_grad():
        x = torch.randn(256, 1024, generator=generator)
        w = torch.randn(1024, 1024, generator=generator)
        gemm_s = _best_time_s(lambda: F.linear(x, w), repeats=repeats)
        macs_per_s = 256 * 1024 * 1024 / gemm_s
        big = torch.randn(8 * 2**20, generator=generator)  # 32 MB of fp32, beyond most caches
        out = torch.empty_like(big)
        copy_s = _best_time_s(lambda: torch.add(big, 1.0, out=out), repeats=repeats)
        bandwidth = 2 * big.numel() * 4 / copy_s
        tiny_x, tiny_w = torch.ones(1, 1), torch.ones(1, 1)
        overhead_s = _best_time_s(lambda: F.linear(tiny_x, tiny_w), repeats=repeats)
        csr_efficiency = _csr_efficiency(generator, repeats, macs_per_s)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    measured = f"measured by calibrate() on this machine, {stamp}, {num_threads} torch thread(s)"
    sources = {
        "macs_per_cycle": f"{measured}: F.linear 256x1024x1024 fp32 at {macs_per_s / 1e9:.1f} GMAC/s",
        "memory_bandwidth_bytes_per_s": f"{measured}: 32 MB elementwise add (read + write) at {bandwidth / 1e9:.1f} GB/s",
        "overhead_s": f"{measured}: 1x1 F.linear call at {overhead_s * 1e6:.2f} us",
        "csr": (f"{measured}: torch.sparse CSR (int32 indices) at density {_CSR_DENSITY} on a "
                f"{'x'.join(map(str, _CSR_SHAPE))} product: a stored weight costs {1 / csr_efficiency:.1f} MACs at the "
                "dense rate above; weights stream at cpu-avx2's assumed 30 % of bandwidth"),
    }
    return host_profile(
        macs_per_s, bandwidth, overhead_s, csr_compute_efficiency=csr_efficiency, sources=sources,
        description="this machine, measured with PyTorch",
    )


# The CSR rate is measured where it is compute-bound (64 rows reuse each stored weight) and near the
# densities where CSR and dense trade places on CPUs, 10-30 % (Hoefler et al., JMLR 2021).
_CSR_SHAPE = (64, 1024, 1024)  # batch, in, out
_CSR_DENSITY = 0.2


def _csr_efficiency(generator: torch.Generator, repeats: int, macs_per_s: float) -> float:
    """CSR's rate per stored weight (multiply-accumulates per second) over the profile's dense rate, at most 1.

    The cost model runs a CSR layer at ``macs_per_s * compute_efficiency`` per stored weight and row, so the
    efficiency is measured against that same dense rate (``macs_per_s``, from the 256-row GEMM), not against a
    dense product of the CSR's own shape: a 64-row GEMM runs below the 256-row rate.
    """
    batch, n_in, n_out = _CSR_SHAPE
    x = torch.randn(batch, n_in, generator=generator)
    w = torch.randn(n_out, n_in, generator=generator)
    # Exactly round(density * size) kept weights, at random places.
    kept = torch.randperm(w.numel(), generator=generator)[: round(_CSR_DENSITY * w.numel())]
    mask = torch.zeros(w.numel(), dtype=torch.bool)
    mask[kept] = True
    with warnings.catch_warnings():
        # PyTorch warns that sparse CSR is "beta" and that invariant checks are off; both are known here.
        warnings.simplefilter("ignore", UserWarning)
        csr = (w * mask.view_as(w)).to_sparse_csr()
        # int32 indices, as the profile's CSR kernel declares (32 index bits per kept weight).
        sparse = torch.sparse_csr_tensor(csr.crow_indices().int(), csr.col_indices().int(), csr.values(), csr.shape)
    x_t = x.T.contiguous()
    # Best of repeats, as every other calibrate() timing: the least disturbed run is the kernel's rate.
    sparse_s = _best_time_s(lambda: torch.sparse.mm(sparse, x_t), repeats=repeats)
    return min(1.0, batch * kept.numel() / sparse_s / macs_per_s)


def compare_with_measured(
    profile: Hardware | str, shapes: Sequence, *, num_threads: int = 1, repeats: int = 3, seed: int = 0
) -> ComparisonResult:
    """Time ``torch.nn.functional.linear`` on each shape and rank-correlate with the simulator's prediction.

    Args:
        profile: a ``Hardware`` (typically from :func:`calibrate`) or a profile name.
        shapes: ``(batch, in_features, out_features)`` tuples, at least 2.
        num_threads: torch threads while timing (restored after); use the
            same value as for :func:`calibrate`.
        repeats: best-of count per shape.
        seed: seeds the random operands.

    Returns:
        A :class:`hwprune_edu.hardware.ComparisonResult` (from :func:`hwprune_edu.hardware.compare_latencies`).

    >>> result = compare_with_measured("cpu-avx2", [(1, 16, 16), (64, 256, 256)], repeats=1)
    >>> result.predicted_s.shape, -1.0 <= result.spearman <= 1.0
    ((2,), True)
    """
    hardware = get_profile(profile)
    if isinstance(shapes, np.ndarray) and shapes.ndim == 2:
        shapes = shapes.tolist()  # an (n, 3) array of shapes is the same list of tuples
    shapes = check_linear_shapes(shapes)
    repeats = check_positive_int(repeats, name="repeats")
    num_threads = check_positive_int(num_threads, name="num_threads")
    generator = torch.Generator().manual_seed(check_seed(seed))
    measured_s = []
    with fixed_threads(num_threads), torch.no_grad():
        for batch, n_in, n_out in shapes:
            x = torch.randn(batch, n_in, generator=generator)
            w = torch.randn(n_out, n_in, generator=generator)
            b = torch.randn(n_out, generator=generator)
            measured_s.append(_best_time_s(lambda: F.linear(x, w, b), repeats=repeats))
    return compare_latencies(hardware, shapes, measured_s)
