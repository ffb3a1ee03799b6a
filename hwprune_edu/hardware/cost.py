"""The cost model: one function of (layer, hardware profile, sparsity pattern).

Latency is the roofline ``max(compute_s, memory_s)`` plus the platform's fixed
per-layer overhead, where ``memory_s`` is weight bytes over the weight memory's
bandwidth (times the kernel's sustained fraction of it) plus activation bytes
over the activation memory's; energy is MACs performed times energy per MAC
(divided by the kernel's efficiency: a slow sparse kernel burns energy on index
work too) plus bytes times energy per byte of the memory they come from
(Horowitz, ISSCC 2014, see ``profiles``). A first-order model: caches, on-chip
register and buffer traffic, and kernel tuning are not modelled.

Each layer runs on the fastest kernel its platform has for its mask: the dense
kernel (always there; it multiplies the zeros) or a declared sparse kernel that
can hold the mask (an N:M kernel takes any mask with at most n kept in every
group of m; CSR, block and EIE formats take any mask). ``simulate(..., kernel="csr")``
forces one. The dense kernel runs only the rows and columns that keep a weight:
a unit with no kept weight outputs a constant (its bias), which folds into the
next layer, and an input no weight reads is never needed, so deploying the layer
without them is exact (``remove_neurons`` does it). That deployment step is the
simulator's assumption, not something a dense kernel finds in a masked tensor
by itself; a random unstructured mask almost never has such rows (all ``K``
inputs of a row pruned at sparsity ``s``: probability ``s ** K``).

Adding zeros to a mask never increases a layer's latency: every kernel's time
only falls, and the set of kernels that can hold the mask only grows. Energy has
no such guarantee: the runtime minimises time, and the fastest kernel is not
always the most frugal (a switch from a sparse format to a hair-faster dense run
multiplies the zeros it stored).

The three small formulas learners re-implement are public and pure:
:func:`systolic_cycles`, :func:`gemm_arithmetic_intensity`, :func:`roofline_latency`.

>>> report = simulate([linear(1, 1024, 1024)], "gpu-ampere")
>>> report.layers[0].bound
'overhead'
"""

from __future__ import annotations

import math

from hwprune_edu.util.validation import check_number, check_positive_int, describe
from hwprune_edu.hardware.profiles import Hardware, SparseKernel, get_profile
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
    2101248.0
    """
    gemm_macs(m, n, k)  # validates the sizes
    size = _check_bytes_per_element(bytes_per_element)
    return size * (int(m) * int(k) + int(k) * int(n) + int(m) * int(n))


def _check_bytes_per_element(bytes_per_element) -> float:
    # > 0 and finite; fractional sizes are real (int4 weights are 0.5 bytes).
    return check_number(bytes_per_element, name="bytes_per_element", low=0, closed="neither",
                        meaning=" (4 for fp32, 2 for fp16, 1 for int8)")


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
    _check_bytes_per_element(bytes_per_element)
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
    flops = check_number(flops, name="flops", low=0)
    bytes_moved = check_number(bytes_moved, name="bytes_moved", low=0)
    peak_flops = check_number(peak_flops, name="peak_flops", low=0, closed="neither")
    bandwidth = check_number(bandwidth_bytes_per_s, name="bandwidth_bytes_per_s", low=0, closed="neither")
    return max(flops / peak_flops, bytes_moved / bandwidth)


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
    return _tiled(m, n, k, hw)[0]


def _tiled(m: int, n: int, k: int, hw: Hardware) -> tuple[int, int]:
    """(cycles, MACs executed including tile padding) of a dense GEMM on a tiled platform."""
    tiles = -(-m // hw.tile_m) * -(-n // hw.tile_n)
    k_tiles = -(-k // hw.tile_k)
    # Split-K (cuBLAS, CUTLASS): too few output tiles to fill the units, so each
    # tile's K loop is cut into slices run on idle units and summed after.
    # A batch-1 GEMV then uses every SM instead of one per 128 outputs.
    split = min(hw.units // tiles, k_tiles) if hw.split_k and tiles < hw.units else 1
    waves = -(-tiles * split // hw.units)
    tile_macs = hw.tile_m * hw.tile_n * -(-k_tiles // split) * hw.tile_k
    return math.ceil(waves * tile_macs * hw.units / hw.macs_per_cycle), tiles * split * tile_macs


def _systolic(m: int, n: int, k: int, hw: Hardware) -> tuple[int, int]:
    """(cycles, MACs executed on the whole array, padding included) of a dense GEMM on a systolic array."""
    rows, cols = hw.systolic_rows, hw.systolic_cols
    folds = -(-k // rows) * -(-n // cols)
    cycles = _systolic_cycles(m, n, k, rows, cols)
    if hw.weight_double_buffering:
        # The next fold's weights shift in while this fold streams its M rows:
        # after the first fold, a fold costs max(M, R) cycles, not a full fill.
        cycles = min(cycles, 2 * rows + cols + m - 2 + (folds - 1) * max(m, rows))
    return cycles, folds * rows * cols * m


def _dense_cycles(m: int, n: int, k: int, hw: Hardware) -> tuple[int, int]:
    """(cycles, MACs executed) of the dense kernel: the hardware multiplies its padding too."""
    if m == 0 or n == 0 or k == 0:
        return 0, 0
    if hw.dataflow == "systolic":
        return _systolic(m, n, k, hw)
    return _tiled(m, n, k, hw)


def _takes(kernel: SparseKernel, stats) -> bool:
    """Whether ``kernel`` can hold this mask: N:M formats need at most n kept per group; the others take any mask."""
    if not kernel.m:
        return True
    if stats.pattern.kind == "dense":
        return False
    return stats.max_kept_per_group(kernel.m) <= kernel.n


def _run(layer: Layer, hw: Hardware, kernel: SparseKernel | None) -> tuple:
    """Latency, energy and the counts behind them of ``layer`` on one kernel (``None`` = dense)."""
    stats = layer.mask_stats
    m = layer.m
    weight_bits = hw.weight_bits if layer.weight_bits is None else layer.weight_bits
    if kernel is None:
        # The dense kernel runs the rows and columns that keep a weight: a unit
        # with none outputs a constant that folds into the next layer, an input
        # with none is never read, so the layer is deployed without them (as
        # remove_neurons would); the zeros inside the kept block are multiplied.
        if stats.pattern.kind == "dense":
            n, k, input_elements = layer.n, layer.k, layer.input_elements
        else:
            n, k = stats.kept_rows, stats.kept_cols
            input_elements = layer.input_elements * k // layer.k
        stored = n * k
        effective_macs = m * stored
        cycles, executed_macs = _dense_cycles(m, n, k, hw)
        efficiency = bandwidth_efficiency = active = 1.0
        weight_bytes = weight_traffic = stored * weight_bits / 8
    else:
        n, k, input_elements = layer.n, layer.k, layer.input_elements
        efficiency, bandwidth_efficiency = kernel.compute_efficiency, kernel.bandwidth_efficiency
        active = layer.activation_density if kernel.skips_zero_activations else 1.0
        if kernel.m:  # N:M hardware format: n of every m stored, the dense tiles at m/n x the rate
            stored = n * k * kernel.n / kernel.m
            effective_macs = m * stored
            dense_cycles, dense_executed = _dense_cycles(m, n, k, hw)
            cycles = math.ceil(dense_cycles * kernel.n / kernel.m / efficiency)
            executed_macs = dense_executed * kernel.n / kernel.m
        elif kernel.min_block:  # block-sparse: the dense tiles, minus the blocks that are all zero
            stored = stats.block_stored(kernel.min_block)
            effective_macs = m * stored
            dense_cycles, dense_executed = _dense_cycles(m, n, k, hw)
            cycles = math.ceil(dense_cycles * stored / (n * k) / efficiency)
            executed_macs = dense_executed * stored / (n * k)
        elif kernel.interleave_units:  # EIE: rows dealt over PEs, the busiest PE sets the time
            busiest, stored = stats.interleaved_entries(kernel.interleave_units, kernel.relative_index_bits)
            effective_macs = m * stored * active
            per_unit_macs_per_cycle = hw.macs_per_cycle / kernel.interleave_units
            cycles = math.ceil(m * busiest * active / (per_unit_macs_per_cycle * efficiency))
            executed_macs = effective_macs
        else:  # CSR: pay per kept weight, no tiles ...
            stored = round(stats.density * stats.shape[0] * stats.shape[1])
            effective_macs = executed_macs = m * stored * active
            cycles = math.ceil(effective_macs / (hw.macs_per_cycle * efficiency))
            # ... but no faster than the smallest dense GEMM with this K (one tile's K
            # loop on one unit): a tiny layer cannot beat the dense kernel by skipping zeros.
            cycles = max(cycles, _dense_cycles(1, 1, k, hw)[0])
        weight_bytes = stored * (weight_bits + kernel.index_bits) / 8
        weight_traffic = weight_bytes
    if hw.rereads_weights:
        # A platform that works on one input vector at a time re-reads the stored
        # weights for each row (EIE), and only the columns of non-zero inputs.
        weight_traffic = weight_bytes * m * active
    activation_bytes = (input_elements + m * n) * hw.activation_bits / 8
    compute_s = cycles / hw.clock_hz
    memory_s = (weight_traffic / (hw.memory_bandwidth_bytes_per_s * bandwidth_efficiency)
                + activation_bytes / hw.activation_bandwidth_bytes_per_s)
    latency_s = max(compute_s, memory_s) + hw.overhead_s
    # Energy counts the MACs the hardware executes (tile padding included: the
    # units multiply it too), and a kernel at a fraction of dense efficiency
    # spends that much more per MAC (index decoding, gathers), not only more time.
    energy_j = (executed_macs * hw.energy_per_mac_j / efficiency + weight_traffic * hw.energy_per_byte_j
                + activation_bytes * hw.activation_energy_per_byte_j)
    return (latency_s, energy_j, kernel, n, k, effective_macs, cycles, weight_bytes, weight_traffic,
            activation_bytes, compute_s, memory_s)


def _kernel_named(hw: Hardware, name: str) -> SparseKernel | None:
    if name == "dense":
        return None
    for key, kernel in hw.sparse_kernels.items():
        if name in (key, kernel.name):
            return kernel
    known = ", ".join(repr(k.name) for k in [None, *hw.sparse_kernels.values()] if k) or "none"
    raise ValueError(f"kernel must be None (the fastest), 'dense' or a kernel {hw.name} declares ({known}), got {name!r}")


def _cost_layer(layer: Layer, hw: Hardware, forced: SparseKernel | None | str) -> LayerCost:
    stats = layer.mask_stats
    if forced == "fastest":
        # The runtime's choice: of every kernel that can hold the mask, the
        # fastest wins (then the most frugal; dense first on a tie). Each
        # kernel's latency only falls as zeros are added and the set of kernels
        # that can hold a mask only grows, so the chosen latency only falls too.
        best = _run(layer, hw, None)
        for kernel in hw.sparse_kernels.values():
            if _takes(kernel, stats):
                candidate = _run(layer, hw, kernel)
                if candidate[:2] < best[:2]:
                    best = candidate
    else:
        if forced is not None and not _takes(forced, stats):
            raise ValueError(
                f"kernel {forced.name!r} needs at most {forced.n} kept of every {forced.m} inputs; layer "
                f"{layer.name!r} keeps {stats.max_kept_per_group(forced.m)} in some group"
            )
        best = _run(layer, hw, forced)
    (latency_s, energy_j, kernel, n, k, effective_macs, cycles, weight_bytes, weight_traffic, activation_bytes,
     compute_s, memory_s) = best
    bytes_moved = weight_traffic + activation_bytes
    if hw.overhead_s > max(compute_s, memory_s):
        bound = "overhead"
    else:
        bound = "compute" if compute_s >= memory_s else "memory"
    return LayerCost(
        name=layer.name,
        pattern=stats.pattern.kind,
        density=stats.density,
        kernel="dense" if kernel is None else kernel.name,
        m=layer.m,
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
        energy_j=energy_j,
        bound=bound,
        utilisation=effective_macs / (hw.peak_macs_per_s * latency_s) if latency_s else 0.0,
    )


def simulate(layers, hardware, *, kernel: str | None = None) -> SimulationReport:
    """Estimate latency, energy and cycles of running ``layers`` one after another on ``hardware``.

    Each layer runs on the fastest kernel the platform has for its mask, as a
    runtime picks among its kernels: the dense kernel (always there) and every
    declared sparse kernel that can hold the mask. Adding zeros to a mask
    therefore never makes a layer slower; it can make it dearer in energy, when
    the faster kernel multiplies zeros the slower one skipped.

    Args:
        layers: a :class:`~hwprune_edu.hardware.workload.Layer` or a list of them
            (from :func:`linear`, :func:`conv2d`, :func:`mlp_layers`).
        hardware: a ``Hardware`` or a profile name such as ``"gpu-ampere"``.
        kernel: ``None`` (the fastest, per layer), ``"dense"``, or the name of a
            kernel the profile declares, to force it on every layer (to show
            what a slow kernel costs); an N:M kernel refuses a mask it cannot hold.

    Returns:
        A :class:`~hwprune_edu.hardware.report.SimulationReport` with totals
        ``latency_s``, ``energy_j``, ``cycles``, a ``fits`` flag and one row per layer.

    >>> import numpy as np
    >>> two_four = np.tile([[1, 1, 0, 0], [0, 0, 1, 1]], (2048, 1024)).astype(bool)
    >>> dense = simulate(linear(4096, 4096, 4096), "gpu-ampere")
    >>> sparse = simulate(linear(4096, 4096, 4096, weight_mask=two_four), "gpu-ampere")
    >>> sparse.layers[0].kernel, round(dense.latency_s / sparse.latency_s, 2)
    ('2:4 sparse tensor core', 1.49)
    >>> simulate(linear(4096, 4096, 4096, weight_mask=two_four), "gpu-ampere", kernel="dense").layers[0].kernel
    'dense'
    """
    hw = get_profile(hardware)
    if kernel is None:
        forced = "fastest"
    elif isinstance(kernel, str):
        forced = _kernel_named(hw, kernel)
    else:
        raise TypeError(f"kernel must be None, 'dense' or a kernel's name (str), got {describe(kernel)}")
    if isinstance(layers, Layer):
        layers = [layers]
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"layers must be a Layer or a list of Layers, got {describe(layers)}")
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layers[{index}] must be a Layer (from linear, conv2d or mlp_layers), got {describe(layer)}"
            )
    rows = tuple(_cost_layer(layer, hw, forced) for layer in layers)
    return SimulationReport(hw, rows)


