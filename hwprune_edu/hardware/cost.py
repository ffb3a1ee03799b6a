"""The cost model: one function of (layer, hardware profile, sparsity pattern).

Latency is the roofline ``max(compute_s, memory_s)`` plus the platform's fixed
per-layer overhead, where ``memory_s`` is weight bytes over the weight memory's
bandwidth plus activation bytes over the activation memory's; energy is MACs
performed times energy per MAC (divided by the kernel's efficiency: a slow
sparse kernel burns energy on index work too) plus bytes times energy per byte
of the memory they come from (Horowitz, ISSCC 2014, see ``profiles``). The
pattern read from the mask picks the kernel: a platform runs a pattern with a
sparse kernel only if its profile declares one for it, and an N:M kernel also
takes any mask with at most n kept in every group of m; otherwise it runs the
dense kernel and multiplies the zeros too.

The three small formulas learners re-implement are public and pure:
:func:`systolic_cycles`, :func:`gemm_arithmetic_intensity`, :func:`roofline_latency`.

>>> report = simulate([linear(1, 1024, 1024)], "gpu-ampere")
>>> report.layers[0].bound
'overhead'
"""

from __future__ import annotations

import math
import numbers

from hwprune_edu.util.validation import check_positive_int, describe
from hwprune_edu.hardware.profiles import Hardware, get_profile
from hwprune_edu.hardware.report import LayerCost, SimulationReport
from hwprune_edu.hardware.workload import Layer, linear  # noqa: F401  (linear is used in examples)

__all__ = [
    "gemm_macs",
    "gemm_bytes",
    "gemm_arithmetic_intensity",
    "roofline_latency",
    "systolic_cycles",
    "tiled_cycles",
    "simulate",
]


def gemm_macs(m: int, n: int, k: int) -> int:
    """Multiply-accumulates of ``(M x K) @ (K x N)``: ``M * N * K``.

    >>> gemm_macs(2, 3, 4)
    24
    """
    return check_positive_int(m, name="m") * check_positive_int(n, name="n") * check_positive_int(k, name="k")


def gemm_bytes(m: int, n: int, k: int, *, bytes_per_element: float = 4) -> float:
    """Bytes a GEMM must move at least once: read ``A (M x K)`` and ``B (K x N)``, write ``C (M x N)``.

    >>> gemm_bytes(1, 1024, 1024, bytes_per_element=2)  # a GEMV is all weights
    2101248
    """
    gemm_macs(m, n, k)  # validates the sizes
    return bytes_per_element * (m * k + k * n + m * n)


def gemm_arithmetic_intensity(m: int, n: int, k: int, *, bytes_per_element: float = 4) -> float:
    """FLOPs per byte moved, ``2MNK / (bytes_per_element * (MK + KN + MN))`` (a MAC is 2 FLOPs).

    Args:
        m, n, k: the GEMM ``(M x K) @ (K x N)``, each >= 1.
        bytes_per_element: 4 for fp32, 2 for fp16, 1 for int8.

    Returns:
        The arithmetic intensity in FLOP/byte.

    >>> round(gemm_arithmetic_intensity(1, 1024, 1024), 2)  # batch 1: memory-bound everywhere
    0.5
    >>> round(gemm_arithmetic_intensity(1024, 1024, 1024), 1)
    170.7
    """
    if not isinstance(bytes_per_element, numbers.Real) or bytes_per_element <= 0:
        raise ValueError(f"bytes_per_element must be a positive number, got {describe(bytes_per_element)}")
    return 2 * gemm_macs(m, n, k) / gemm_bytes(m, n, k, bytes_per_element=bytes_per_element)


def roofline_latency(flops: float, bytes_moved: float, peak_flops: float, bandwidth_bytes_per_s: float) -> float:
    """Roofline time: the slower of doing the math and moving the bytes, ``max(F / P, B / W)``.

    Args:
        flops: floating-point operations (2 per MAC).
        bytes_moved: bytes read and written.
        peak_flops: peak FLOP/s.
        bandwidth_bytes_per_s: memory bandwidth.

    Returns:
        Latency in seconds (overheads not included).

    >>> roofline_latency(2e9, 1e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9)
    0.002
    """
    for value, name in ((flops, "flops"), (bytes_moved, "bytes_moved")):
        if not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {describe(value)}")
    for value, name in ((peak_flops, "peak_flops"), (bandwidth_bytes_per_s, "bandwidth_bytes_per_s")):
        if not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"{name} must be a number > 0, got {describe(value)}")
    return max(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s)


def systolic_cycles(m: int, n: int, k: int, rows: int, cols: int) -> int:
    """Compute cycles of ``(M x K) @ (K x N)`` on a weight-stationary ``rows x cols`` systolic array.

    SCALE-Sim's analytical model (Samajdar et al., 'SCALE-Sim', arXiv:1811.02883,
    and ISPASS 2020): each fold maps a ``R x C`` tile of the weights; filling,
    streaming ``T = M`` rows and draining takes ``2R + C + T - 2`` cycles, and
    there are ``ceil(K / R) * ceil(N / C)`` folds.

    Args:
        m: rows streamed (batch, or batch x output pixels).
        n: outputs (weight columns mapped to array columns).
        k: reduction length (mapped to array rows).
        rows, cols: the array's ``R x C``.

    Returns:
        ``(2R + C + M - 2) * ceil(K / R) * ceil(N / C)``.

    >>> systolic_cycles(1, 256, 256, 256, 256)  # one fold, mostly fill and drain
    767
    >>> systolic_cycles(1, 257, 256, 256, 256) == systolic_cycles(1, 512, 256, 256, 256)
    True
    """
    m, n, k = (check_positive_int(v, name=name) for v, name in ((m, "m"), (n, "n"), (k, "k")))
    rows, cols = check_positive_int(rows, name="rows"), check_positive_int(cols, name="cols")
    return _systolic_cycles(m, n, k, rows, cols)


def _systolic_cycles(m: int, n: int, k: int, rows: int, cols: int) -> int:
    return (2 * rows + cols + m - 2) * -(-k // rows) * -(-n // cols)


def tiled_cycles(m: int, n: int, k: int, hardware) -> int:
    """Compute cycles of a dense GEMM on a ``"tiled"`` platform, with tile and wave quantisation.

    The ``M x N`` output is cut into ``tile_m x tile_n`` tiles, run in waves of
    ``units`` tiles at once; each tile does ``tile_m * tile_n * ceil(K / tile_k) * tile_k``
    MACs at ``macs_per_cycle / units`` per cycle. One output tile too many
    costs a whole wave: that is the cliff channel rounding avoids.

    >>> gpu = get_profile("gpu-ampere")
    >>> tiled_cycles(16 * 108, 128, 1024, gpu) == tiled_cycles(16 * 108 + 1, 128, 1024, gpu) / 2
    True
    """
    hardware = get_profile(hardware)
    m, n, k = (check_positive_int(v, name=name) for v, name in ((m, "m"), (n, "n"), (k, "k")))
    return _tiled_cycles(m, n, k, hardware)


def _tiled_cycles(m: int, n: int, k: int, hw: Hardware) -> int:
    tiles = -(-m // hw.tile_m) * -(-n // hw.tile_n)
    waves = -(-tiles // hw.units)
    tile_macs = hw.tile_m * hw.tile_n * -(-k // hw.tile_k) * hw.tile_k
    return math.ceil(waves * tile_macs * hw.units / hw.macs_per_cycle)


def _dense_cycles(m: int, n: int, k: int, hw: Hardware) -> int:
    if m == 0 or n == 0 or k == 0:
        return 0
    if hw.dataflow == "systolic":
        return _systolic_cycles(m, n, k, hw.systolic_rows, hw.systolic_cols)
    return _tiled_cycles(m, n, k, hw)


def _kernel_for(layer: Layer, hw: Hardware):
    """The sparse kernel the profile declares for this layer's mask, if the mask fits its format."""
    pattern = layer.pattern
    kernel = hw.sparse_kernels.get(pattern.kind)
    if kernel is not None and kernel.min_block and (pattern.block is None or pattern.block[0] % kernel.min_block):
        kernel = None
    if kernel is not None and not kernel.m:
        return kernel
    # An N:M format takes any mask with at most n kept in every group of m
    # (emptier groups are stored with explicit zeros), e.g. 1:4 or a 2:4 mask
    # that lost one more weight still runs on 2:4 sparse tensor cores.
    nm_kernel = kernel or hw.sparse_kernels.get("n:m")
    if nm_kernel is not None and nm_kernel.m:
        if layer.mask_stats.max_kept_per_group(nm_kernel.m) <= nm_kernel.n:
            return nm_kernel
    return None


def _cost_layer(layer: Layer, hw: Hardware) -> LayerCost:
    stats = layer.mask_stats
    pattern = stats.pattern
    m = layer.m
    input_elements = layer.input_elements
    if pattern.kind == "structured":
        # Whole rows/columns are gone: the platform runs a smaller dense GEMM.
        n, k = stats.kept_rows, stats.kept_cols
        input_elements = input_elements * k // layer.k
    else:
        n, k = layer.n, layer.k
    kernel = None if pattern.kind in ("dense", "structured") else _kernel_for(layer, hw)
    if kernel is None:
        kernel_name = "dense"
        stored = n * k
        index_bits = 0
        effective_macs = m * n * k
        cycles = _dense_cycles(m, n, k, hw)
    else:
        kernel_name = kernel.name
        index_bits = kernel.index_bits
        if kernel.m:  # N:M hardware format: n of every m stored, math at m/n x the rate
            stored = n * k * kernel.n / kernel.m
            effective_macs = m * stored
            cycles = math.ceil(_dense_cycles(m, n, k, hw) * kernel.n / kernel.m / kernel.compute_efficiency)
        elif kernel.interleave_units:
            busiest, stored = stats.interleaved_entries(kernel.interleave_units, kernel.relative_index_bits)
            effective_macs = m * stored
            per_unit_macs_per_cycle = hw.macs_per_cycle / kernel.interleave_units
            cycles = math.ceil(m * busiest / (per_unit_macs_per_cycle * kernel.compute_efficiency))
        else:  # CSR / block-sparse: pay per kept weight, no tiles
            stored = round(stats.density * stats.shape[0] * stats.shape[1])
            effective_macs = m * stored
            cycles = math.ceil(effective_macs / (hw.macs_per_cycle * kernel.compute_efficiency))
    weight_bytes = stored * (hw.weight_bits + index_bits) / 8
    activation_bytes = (input_elements + m * n) * hw.activation_bits / 8
    bytes_moved = weight_bytes + activation_bytes
    compute_s = cycles / hw.clock_hz
    memory_s = weight_bytes / hw.memory_bandwidth_bytes_per_s + activation_bytes / hw.activation_bandwidth_bytes_per_s
    roof_s = max(compute_s, memory_s)
    latency_s = roof_s + hw.overhead_s
    if hw.overhead_s > roof_s:
        bound = "overhead"
    else:
        bound = "compute" if compute_s >= memory_s else "memory"
    return LayerCost(
        name=layer.name,
        pattern=pattern.kind,
        density=stats.density,
        kernel=kernel_name,
        m=m,
        n=n,
        k=k,
        macs=layer.macs,
        effective_macs=effective_macs,
        compute_cycles=cycles,
        weight_bytes=weight_bytes,
        activation_bytes=activation_bytes,
        bytes_moved=bytes_moved,
        arithmetic_intensity=2 * effective_macs / bytes_moved if bytes_moved else 0.0,
        compute_s=compute_s,
        memory_s=memory_s,
        latency_s=latency_s,
        # A kernel at a fraction of dense efficiency spends that much more energy
        # per useful MAC (index decoding, gathers), not only more time.
        energy_j=effective_macs * hw.energy_per_mac_j / (kernel.compute_efficiency if kernel else 1.0)
        + weight_bytes * hw.energy_per_byte_j
        + activation_bytes * hw.activation_energy_per_byte_j,
        bound=bound,
        utilisation=effective_macs / (hw.peak_macs_per_s * latency_s) if latency_s else 0.0,
    )


def simulate(layers, hardware) -> SimulationReport:
    """Estimate latency, energy and cycles of running ``layers`` one after another on ``hardware``.

    Args:
        layers: a :class:`~hwprune_edu.hardware.workload.Layer` or a list of them
            (from :func:`linear`, :func:`conv2d`, :func:`mlp_layers`).
        hardware: a ``Hardware`` or a profile name such as ``"gpu-ampere"``.

    Returns:
        A :class:`~hwprune_edu.hardware.report.SimulationReport` with totals
        ``latency_s``, ``energy_j``, ``cycles``, a ``fits`` flag and one row per layer.

    >>> import numpy as np
    >>> two_four = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (2048, 1024)).astype(bool)
    >>> dense = simulate(linear(4096, 4096, 4096), "gpu-ampere")
    >>> sparse = simulate(linear(4096, 4096, 4096, weight_mask=two_four), "gpu-ampere")
    >>> sparse.layers[0].kernel, round(dense.latency_s / sparse.latency_s, 2)
    ('2:4 sparse tensor core', 1.98)
    """
    hw = get_profile(hardware)
    if isinstance(layers, Layer):
        layers = [layers]
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a Layer or a list of Layers, got {describe(layers)}")
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layers[{index}] must be a Layer (from linear, conv2d or mlp_layers), got {describe(layer)}"
            )
    rows = tuple(_cost_layer(layer, hw) for layer in layers)
    return SimulationReport(hw, rows)


