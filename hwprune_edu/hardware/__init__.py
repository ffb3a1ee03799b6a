"""A toy hardware simulator: five platforms, sparsity patterns read from masks, roofline and energy.

NumPy only. Layers become GEMMs (:mod:`.workload`), masks are read
(:mod:`.mask_stats`, as the :class:`~hwprune_edu.pruning.patterns.Pattern` the
pruners take), platforms are cited data (:mod:`.profiles`), and one cost
model (:mod:`.cost`) turns them into a :class:`.report.SimulationReport`.
:mod:`.calibrate` builds a host profile from measured numbers and scores the
toy against measured latencies (the stopwatch is :mod:`hwprune_edu.nn.timing`);
:mod:`.fidelity` sets the simulator beside published measurements
(``fidelity.toml``, ``benchmarks/bench_fidelity.py``). Each layer runs on the
fastest kernel its platform has for its mask (``simulate(..., kernel=None)``).

>>> from hwprune_edu.hardware import simulate, linear
>>> simulate([linear(1, 512, 512)], "npu-systolic").layers[0].bound  # batch 1 waits on DRAM
'memory'
"""

from hwprune_edu.hardware.calibrate import ComparisonResult, compare_latencies, host_profile, spearman
from hwprune_edu.hardware.cost import (
    gemm_arithmetic_intensity,
    gemm_bytes,
    gemm_macs,
    roofline_latency,
    simulate,
    systolic_cycles,
    tiled_cycles,
)
from hwprune_edu.hardware.mask_stats import MaskStats, describe_mask, describe_pattern
from hwprune_edu.hardware.profiles import PROFILES, Hardware, SparseKernel, get_profile
from hwprune_edu.hardware.report import LayerCost, SimulationReport
from hwprune_edu.hardware.workload import Layer, conv2d, linear, mlp_layers

__all__ = [
    "Hardware",
    "SparseKernel",
    "PROFILES",
    "get_profile",
    "Layer",
    "linear",
    "conv2d",
    "mlp_layers",
    "MaskStats",
    "describe_mask",
    "describe_pattern",
    "gemm_macs",
    "gemm_bytes",
    "gemm_arithmetic_intensity",
    "roofline_latency",
    "systolic_cycles",
    "tiled_cycles",
    "simulate",
    "LayerCost",
    "SimulationReport",
    "host_profile",
    "compare_latencies",
    "ComparisonResult",
    "spearman",
]
