"""Hardware profiles as plain data: one frozen ``Hardware`` per platform, every constant cited.

The cost model (:mod:`hwprune_edu.hardware.cost`) only *reads* these records,
in the spirit of SCALE-Sim's config files: adding a platform means adding a
record here, never touching model code. Each profile declares which sparsity
patterns it can exploit (``sparse_kernels``) and how well; a pattern it does not
declare runs on its dense kernel, zeros and all.

>>> get_profile("npu-systolic").systolic_rows
256
>>> sorted(PROFILES)
['cpu-avx2', 'gpu-ampere', 'mcu-m4', 'npu-systolic', 'sparse-eie']
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

__all__ = ["SparseKernel", "Hardware", "PROFILES", "get_profile"]

# Horowitz, "Computing's energy problem (and what we can do about it)",
# ISSCC 2014, 45 nm, 0.9 V: the one source for every energy figure below.
HOROWITZ = "Horowitz, ISSCC 2014 (45 nm)"
_PJ = 1e-12
_FP32_FMA_J = (3.7 + 0.9) * _PJ  # fp32 mult 3.7 pJ + fp32 add 0.9 pJ
_FP16_FMA_J = (1.1 + 0.4) * _PJ  # fp16 mult 1.1 pJ + fp16 add 0.4 pJ
_INT8_MAC_J = (0.2 + 0.03) * _PJ  # int8 mult 0.2 pJ + int8 add 0.03 pJ
_INT8_MAC_ACC32_J = (0.2 + 0.1) * _PJ  # int8 mult 0.2 pJ + 32-bit add 0.1 pJ
_DRAM_BYTE_J = 640 * _PJ / 4  # DRAM: 640 pJ per 32-bit access
_SRAM_BYTE_J = 5 * _PJ / 4  # 8 KB SRAM: ~5 pJ per 32-bit read
_LARGE_SRAM_BYTE_J = 100 * _PJ / 8  # 1 MB cache: ~100 pJ per 64-bit read


@dataclass(frozen=True)
class SparseKernel:
    """How a platform runs one sparsity pattern (a declaration, read by the cost model).

    Args:
        name: label shown in reports, e.g. ``"csr"``.
        compute_efficiency: fraction of the dense MAC rate achieved per stored
            weight (1.0 = a stored weight costs what a dense MAC costs).
        index_bits: metadata bits stored per kept weight (CSR column index,
            2:4 metadata, EIE relative index).
        n, m: for N:M kernels, the hardware format (keep at most ``n`` of every
            ``m`` along the input dimension); 0 otherwise.
        min_block: for block kernels, the block edge the kernel needs; 0 otherwise.
        interleave_units: if > 0, output rows are dealt round-robin over this many
            processing elements and the busiest one sets the time (EIE's load imbalance).
        relative_index_bits: if > 0, indices are relative and a run of
            ``2**bits`` zeros costs a padding entry (EIE's 4-bit relative index).
        source: where the figures come from.

    >>> SparseKernel("csr", compute_efficiency=0.1, index_bits=32, source="toy").n
    0
    """

    name: str
    compute_efficiency: float
    index_bits: float
    n: int = 0
    m: int = 0
    min_block: int = 0
    interleave_units: int = 0
    relative_index_bits: int = 0
    source: str = ""


@dataclass(frozen=True)
class Hardware:
    """One platform: compute, memory, tiling, overheads, energy and exploitable sparsity.

    Compute is modelled by ``dataflow``: ``"tiled"`` splits the output ``M x N``
    into ``tile_m x tile_n`` tiles spread in waves over ``units`` parallel units
    (SMs, cores, PEs), each doing ``macs_per_cycle / units`` MACs per cycle with
    ``K`` padded to ``tile_k``; ``"systolic"`` uses SCALE-Sim's weight-stationary
    formula for a ``systolic_rows x systolic_cols`` array.

    Weights stream from the memory behind ``memory_bandwidth_bytes_per_s``
    (DRAM, HBM, flash, EIE's SRAM); activations from the one behind
    ``activation_bandwidth_bytes_per_s`` (the same DRAM on CPU/GPU, an on-chip
    buffer on the NPU, MCU and EIE). Use :attr:`channel_multiple` to round
    channel counts to the hardware tile.

    >>> get_profile("gpu-ampere").channel_multiple
    128
    >>> get_profile("cpu-avx2").peak_macs_per_s
    192000000000.0
    """

    name: str
    description: str
    dataflow: str
    clock_hz: float
    macs_per_cycle: float
    units: int
    tile_m: int
    tile_n: int
    tile_k: int
    memory_bandwidth_bytes_per_s: float
    activation_bandwidth_bytes_per_s: float
    weight_bits: float
    activation_bits: float
    overhead_s: float
    energy_per_mac_j: float
    energy_per_byte_j: float
    activation_energy_per_byte_j: float
    weight_memory_bytes: float
    activation_memory_bytes: float
    systolic_rows: int = 0
    systolic_cols: int = 0
    sparse_kernels: Mapping[str, SparseKernel] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        # Read-only views, so a shared profile cannot be changed by accident.
        object.__setattr__(self, "sparse_kernels", MappingProxyType(dict(self.sparse_kernels)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        if self.dataflow not in ("tiled", "systolic"):
            raise ValueError(f"dataflow must be 'tiled' or 'systolic', got {self.dataflow!r}")

    @property
    def peak_macs_per_s(self) -> float:
        """Dense peak multiply-accumulates per second (``macs_per_cycle * clock_hz``)."""
        return self.macs_per_cycle * self.clock_hz

    @property
    def channel_multiple(self) -> int:
        """Output-channel count that fills the hardware's tile: round widths up to a multiple of it.

        >>> get_profile("npu-systolic").channel_multiple
        256
        """
        return self.systolic_cols if self.dataflow == "systolic" else self.tile_n

    def round_channels(self, n_channels: int) -> int:
        """Round ``n_channels`` up to the next multiple of :attr:`channel_multiple` (0 stays 0).

        >>> get_profile("gpu-ampere").round_channels(130)
        256
        """
        multiple = self.channel_multiple
        return int(math.ceil(n_channels / multiple) * multiple)

    def replace(self, **changes) -> "Hardware":
        """A copy with some fields changed (profiles are frozen).

        >>> get_profile("cpu-avx2").replace(units=8).units
        8
        """
        return dataclasses.replace(self, **changes)


_CPU_SRC = {
    "clock_hz": "toy laptop CPU: 4 cores at 3.0 GHz sustained all-core",
    "macs_per_cycle": "Intel 64 and IA-32 Optimization Reference Manual (Haswell onward): 2 FMA ports x 8 fp32 lanes "
    "(256-bit AVX2) = 16 MACs/cycle/core, x 4 cores",
    "units": "4 cores",
    "tile_m": "GEMV/GEMM rows are independent: no quantisation along M",
    "tile_n": "8 fp32 lanes per 256-bit AVX2 register: output features are computed 8 at a time",
    "tile_k": "no quantisation along K (scalar remainder loop)",
    "memory_bandwidth_bytes_per_s": "dual-channel DDR4-3200 (JEDEC JESD79-4): 2 x 3200 MT/s x 8 B = 51.2 GB/s",
    "weight_bits": "fp32",
    "activation_bits": "fp32",
    "overhead_s": "toy: ~2 us framework dispatch per eager op (measure yours with calibrate())",
    "energy_per_mac_j": f"{HOROWITZ}: fp32 mult 3.7 pJ + fp32 add 0.9 pJ",
    "energy_per_byte_j": f"{HOROWITZ}: DRAM 640 pJ per 32-bit access",
    "weight_memory_bytes": "toy laptop: 16 GB DRAM",
    "activation_memory_bytes": "toy laptop: 16 GB DRAM",
    "activation_bandwidth_bytes_per_s": "same DRAM as the weights (toy: caches not modelled)",
    "activation_energy_per_byte_j": f"{HOROWITZ}: DRAM 640 pJ per 32-bit access (toy: caches not modelled)",
}

_GPU_SRC = {
    "clock_hz": "NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020): 1410 MHz boost clock",
    "macs_per_cycle": "A100 whitepaper: 312 TFLOPS dense FP16 tensor = 1024 FMA/clock/SM x 108 SMs",
    "units": "A100 whitepaper: 108 SMs",
    "tile_m": "PTX ISA: the smallest FP16 tensor-core MMA is m16n8k16, so small batches pad M to 16 only "
    "(cuBLAS picks narrow tiles for them)",
    "tile_n": "CUTLASS default threadblock tile 128 x 128 x 32: N in tiles of 128, one tile per SM per wave",
    "tile_k": "CUTLASS default threadblock tile 128 x 128 x 32",
    "memory_bandwidth_bytes_per_s": "A100 whitepaper: 1555 GB/s HBM2 (40 GB)",
    "weight_bits": "FP16 tensor-core inputs",
    "activation_bits": "FP16 tensor-core inputs",
    "overhead_s": "toy: ~5 us per kernel launch, the commonly measured order of CUDA launch latency",
    "energy_per_mac_j": f"{HOROWITZ}: fp16 mult 1.1 pJ + fp16 add 0.4 pJ",
    "energy_per_byte_j": f"{HOROWITZ}: DRAM 640 pJ per 32-bit access (HBM is cheaper; one source kept)",
    "weight_memory_bytes": "A100 whitepaper: 40 GB HBM2",
    "activation_memory_bytes": "A100 whitepaper: 40 GB HBM2",
    "activation_bandwidth_bytes_per_s": "same HBM2 as the weights: A100 whitepaper 1555 GB/s",
    "activation_energy_per_byte_j": f"{HOROWITZ}: DRAM 640 pJ per 32-bit access",
}

_NPU_SRC = {
    "clock_hz": "Jouppi et al., 'In-Datacenter Performance Analysis of a TPU', ISCA 2017: 700 MHz",
    "macs_per_cycle": "Jouppi et al. 2017: 256 x 256 = 65,536 8-bit MACs per cycle",
    "units": "one matrix unit",
    "tile_m": "systolic dataflow: rows stream through, see systolic_cycles",
    "tile_n": "systolic dataflow: tiles of systolic_cols",
    "tile_k": "systolic dataflow: tiles of systolic_rows",
    "systolic_rows": "Jouppi et al. 2017: 256 x 256 weight-stationary matrix unit",
    "systolic_cols": "Jouppi et al. 2017: 256 x 256 weight-stationary matrix unit",
    "memory_bandwidth_bytes_per_s": "Jouppi et al. 2017: 8 GiB DDR3 weight memory at 34 GB/s",
    "weight_bits": "Jouppi et al. 2017: 8-bit integer weights",
    "activation_bits": "Jouppi et al. 2017: 8-bit integer activations",
    "overhead_s": "not modelled (host instruction issue is amortised); systolic fill is in the cycle count",
    "energy_per_mac_j": f"{HOROWITZ}: int8 mult 0.2 pJ + int8 add 0.03 pJ",
    "energy_per_byte_j": f"{HOROWITZ}: DRAM 640 pJ per 32-bit access",
    "weight_memory_bytes": "Jouppi et al. 2017: 8 GiB weight memory",
    "activation_memory_bytes": "Jouppi et al. 2017: 24 MiB Unified Buffer",
    "activation_bandwidth_bytes_per_s": "Jouppi et al. 2017: activations live in the on-chip Unified Buffer, 256 B/cycle "
    "into the matrix unit plus 256 results/cycle back from the accumulators: 2 x 256 B x 700 MHz",
    "activation_energy_per_byte_j": f"{HOROWITZ}: ~100 pJ per 64-bit read of a 1 MB SRAM (the 24 MiB buffer)",
}

_MCU_SRC = {
    "clock_hz": "STM32F407 datasheet (DS8626): Cortex-M4 at 168 MHz",
    "macs_per_cycle": "ARM Cortex-M4 TRM: SMLAD does two 16x16 MACs in one cycle (CMSIS-NN widens int8 to 16 bit)",
    "units": "one core",
    "tile_m": "no quantisation along M",
    "tile_n": "no quantisation along N",
    "tile_k": "SMLAD pairs two K elements per instruction",
    "memory_bandwidth_bytes_per_s": "STM32F4 reference manual RM0090: 128-bit flash line, 5 wait states at 168 MHz "
    "-> 16 B per 6 cycles = 448 MB/s",
    "weight_bits": "CMSIS-NN q7 (int8) weights (Lai, Suda, Chandra 2018)",
    "activation_bits": "CMSIS-NN q7 (int8) activations",
    "overhead_s": "not modelled (bare-metal function call)",
    "energy_per_mac_j": f"{HOROWITZ}: int8 mult 0.2 pJ + 32-bit add 0.1 pJ (45 nm; a real M4 is older and costlier)",
    "energy_per_byte_j": f"{HOROWITZ}: ~100 pJ per 64-bit read of a 1 MB memory, used for flash (toy stand-in)",
    "weight_memory_bytes": "STM32F407 datasheet: 1 MB flash",
    "activation_memory_bytes": "STM32F407 datasheet: 192 KB SRAM (incl. 64 KB CCM)",
    "activation_bandwidth_bytes_per_s": "ARM Cortex-M4 TRM: one 32-bit SRAM access per cycle: 4 B x 168 MHz",
    "activation_energy_per_byte_j": f"{HOROWITZ}: 8 KB SRAM ~5 pJ per 32-bit read",
}

_EIE_SRC = {
    "clock_hz": "Han et al., 'EIE: Efficient Inference Engine on Compressed DNNs', ISCA 2016: 800 MHz",
    "macs_per_cycle": "Han et al. 2016: 64 PEs, one MAC per PE per cycle",
    "units": "Han et al. 2016: 64 processing elements",
    "tile_m": "one activation vector at a time",
    "tile_n": "output rows interleaved over PEs; no tile beyond the PE count",
    "tile_k": "one input column at a time",
    "memory_bandwidth_bytes_per_s": "Han et al. 2016: 64-bit sparse-matrix SRAM read per PE per cycle "
    "-> 64 PEs x 8 B x 800 MHz = 409.6 GB/s on chip",
    "weight_bits": "Han et al. 2016: 4-bit weight index into a 16-entry shared codebook",
    "activation_bits": "Han et al. 2016: 16-bit fixed-point activations",
    "overhead_s": "not modelled",
    "energy_per_mac_j": f"{HOROWITZ}: toy 16-bit fixed MAC ~0.9 pJ (int8 mult 0.2 pJ scaled x4 for 16 bit + 32-bit add "
    "0.1 pJ)",
    "energy_per_byte_j": f"{HOROWITZ}: 8 KB SRAM ~5 pJ per 32-bit read",
    "weight_memory_bytes": "Han et al. 2016: 128 KB sparse-matrix SRAM per PE x 64 PEs = 8 MiB (weights must fit on chip)",
    "activation_memory_bytes": "toy: activation registers/queues are not a limit here",
    "activation_bandwidth_bytes_per_s": "Han et al. 2016: activations are broadcast from on-chip registers/queues; "
    "taken equal to the SRAM figure (never the limit here)",
    "activation_energy_per_byte_j": f"{HOROWITZ}: 8 KB SRAM ~5 pJ per 32-bit read",
}

_CSR = SparseKernel(
    "csr",
    compute_efficiency=0.1,
    index_bits=32,
    source="toy: a CSR non-zero costs 10 dense MACs (gathers, no SIMD reuse), in line with the ~90 % sparsity "
    "unstructured kernels typically need to beat dense on CPUs (Hoefler et al., 'Sparsity in Deep Learning', "
    "JMLR 2021); int32 column index per non-zero. Break-even density: 0.1 on compute-bound layers, "
    "32/(32+32) = 0.5 on memory-bound ones.",
)

PROFILES: Mapping[str, Hardware] = MappingProxyType(
    {
        "cpu-avx2": Hardware(
            name="cpu-avx2",
            description="laptop-class 4-core CPU, AVX2 fp32 FMAs, dense BLAS plus a CSR sparse kernel",
            dataflow="tiled",
            clock_hz=3.0e9,
            macs_per_cycle=4 * 2 * 8,
            units=4,
            tile_m=1,
            tile_n=8,
            tile_k=1,
            memory_bandwidth_bytes_per_s=51.2e9,
            activation_bandwidth_bytes_per_s=51.2e9,
            weight_bits=32,
            activation_bits=32,
            overhead_s=2e-6,
            energy_per_mac_j=_FP32_FMA_J,
            energy_per_byte_j=_DRAM_BYTE_J,
            activation_energy_per_byte_j=_DRAM_BYTE_J,
            weight_memory_bytes=16e9,
            activation_memory_bytes=16e9,
            sparse_kernels={"unstructured": _CSR, "block": _CSR},
            sources=_CPU_SRC,
        ),
        "gpu-ampere": Hardware(
            name="gpu-ampere",
            description="A100-like GPU: FP16 tensor cores, 2:4 sparse tensor cores, HBM2, kernel launch overhead",
            dataflow="tiled",
            clock_hz=1.41e9,
            macs_per_cycle=108 * 1024,
            units=108,
            tile_m=16,
            tile_n=128,
            tile_k=32,
            memory_bandwidth_bytes_per_s=1555e9,
            activation_bandwidth_bytes_per_s=1555e9,
            weight_bits=16,
            activation_bits=16,
            overhead_s=5e-6,
            energy_per_mac_j=_FP16_FMA_J,
            energy_per_byte_j=_DRAM_BYTE_J,
            activation_energy_per_byte_j=_DRAM_BYTE_J,
            weight_memory_bytes=40e9,
            activation_memory_bytes=40e9,
            sparse_kernels={
                "n:m": SparseKernel(
                    "2:4 sparse tensor core",
                    compute_efficiency=1.0,
                    index_bits=2,
                    n=2,
                    m=4,
                    source="A100 whitepaper: 624 TFLOPS sparse FP16 = 2x dense for 2:4 weights (at most 2 kept of "
                    "every 4), 2-bit index metadata per kept value",
                ),
                "block": SparseKernel(
                    "block-sparse",
                    compute_efficiency=0.7,
                    index_bits=0,
                    min_block=32,
                    source="toy: block-sparse GEMM over 32 x 32 blocks at 70 % of dense efficiency per kept block "
                    "(Gray, Radford, Kingma, 'GPU Kernels for Block-Sparse Weights', OpenAI 2017)",
                ),
            },
            sources=_GPU_SRC,
        ),
        "npu-systolic": Hardware(
            name="npu-systolic",
            description="TPU-v1-like 256x256 weight-stationary int8 systolic array, dense only",
            dataflow="systolic",
            clock_hz=700e6,
            macs_per_cycle=256 * 256,
            units=1,
            tile_m=1,
            tile_n=256,
            tile_k=256,
            systolic_rows=256,
            systolic_cols=256,
            memory_bandwidth_bytes_per_s=34e9,
            activation_bandwidth_bytes_per_s=2 * 256 * 700e6,
            weight_bits=8,
            activation_bits=8,
            overhead_s=0.0,
            energy_per_mac_j=_INT8_MAC_J,
            energy_per_byte_j=_DRAM_BYTE_J,
            activation_energy_per_byte_j=_LARGE_SRAM_BYTE_J,
            weight_memory_bytes=8 * 2**30,
            activation_memory_bytes=24 * 2**20,
            sources=_NPU_SRC,
        ),
        "mcu-m4": Hardware(
            name="mcu-m4",
            description="STM32F4-class Cortex-M4 microcontroller: 2-way SIMD int8 MACs, 1 MB flash, 192 KB SRAM",
            dataflow="tiled",
            clock_hz=168e6,
            macs_per_cycle=2,
            units=1,
            tile_m=1,
            tile_n=1,
            tile_k=2,
            memory_bandwidth_bytes_per_s=16 * 168e6 / 6,
            activation_bandwidth_bytes_per_s=4 * 168e6,
            weight_bits=8,
            activation_bits=8,
            overhead_s=0.0,
            energy_per_mac_j=_INT8_MAC_ACC32_J,
            energy_per_byte_j=_LARGE_SRAM_BYTE_J,
            activation_energy_per_byte_j=_SRAM_BYTE_J,
            weight_memory_bytes=1 * 2**20,
            activation_memory_bytes=192 * 2**10,
            sources=_MCU_SRC,
        ),
        "sparse-eie": Hardware(
            name="sparse-eie",
            description="EIE-like accelerator: 64 PEs skip zero weights, 4-bit weights with 4-bit relative indices",
            dataflow="tiled",
            clock_hz=800e6,
            macs_per_cycle=64,
            units=64,
            tile_m=1,
            tile_n=1,
            tile_k=1,
            memory_bandwidth_bytes_per_s=64 * 8 * 800e6,
            activation_bandwidth_bytes_per_s=64 * 8 * 800e6,
            weight_bits=4,
            activation_bits=16,
            overhead_s=0.0,
            energy_per_mac_j=0.9 * _PJ,
            energy_per_byte_j=_SRAM_BYTE_J,
            activation_energy_per_byte_j=_SRAM_BYTE_J,
            weight_memory_bytes=64 * 128 * 2**10,
            activation_memory_bytes=math.inf,
            sparse_kernels={
                kind: SparseKernel(
                    "eie-csc",
                    compute_efficiency=0.8,
                    index_bits=4,
                    interleave_units=64,
                    relative_index_bits=4,
                    source="Han et al. 2016: 4-bit relative index per entry, a padding zero after 15 zeros, rows "
                    "interleaved over 64 PEs (imbalance computed from the mask); toy 0.8 entries/cycle for index "
                    "decode and pipeline stalls (the paper needs activation FIFOs to keep PEs busy)",
                )
                for kind in ("unstructured", "n:m", "block")
            },
            sources=_EIE_SRC,
        ),
    }
)


def get_profile(name) -> Hardware:
    """Return the profile called ``name`` (a ``Hardware`` passes through unchanged).

    Args:
        name: a key of :data:`PROFILES`, or a ``Hardware``.

    Returns:
        The ``Hardware`` record.

    >>> get_profile("mcu-m4").clock_hz
    168000000.0
    >>> get_profile("tpu")
    Traceback (most recent call last):
    ...
    ValueError: unknown hardware profile 'tpu'; known profiles: 'cpu-avx2', 'gpu-ampere', 'mcu-m4', 'npu-systolic', 'sparse-eie'
    """
    if isinstance(name, Hardware):
        return name
    if not isinstance(name, str):
        raise TypeError(f"hardware must be a profile name (str) or a Hardware, got {type(name).__name__}")
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(repr(key) for key in sorted(PROFILES))
        raise ValueError(f"unknown hardware profile {name!r}; known profiles: {known}") from None
