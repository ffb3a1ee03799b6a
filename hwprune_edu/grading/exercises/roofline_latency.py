"""Exercise 4d, ``roofline_latency``: the slower of compute time and memory time."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case, gemm_dims
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, ROUNDED, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, Mistake, naive_mistake, same_number
from hwprune_edu.grading.judging import number_judge
from hwprune_edu.hardware import gemm_bytes, gemm_macs, get_profile


REFERENCE, NOTEBOOK = hardware.roofline_latency, "04_hardware_cost"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    def from_profile(label: str, profile: str, m: int, n: int, k: int) -> CaseSpec:
        hw = get_profile(profile)
        # 2 FLOPs per MAC; bytes at the profile's weight precision.
        return case(label, flops=2.0 * gemm_macs(m, n, k),
                     bytes_moved=float(gemm_bytes(m, n, k, bytes_per_element=hw.weight_bits / 8)),
                     peak_flops=2 * hw.peak_macs_per_s, bandwidth_bytes_per_s=hw.memory_bandwidth_bytes_per_s)

    return [
        case("compute-bound", True, flops=2e9, bytes_moved=1e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
        case("memory-bound", True, flops=2e6, bytes_moved=4e6, peak_flops=1e12, bandwidth_bytes_per_s=1e10),
        from_profile("cpu-avx2, batch 1", "cpu-avx2", 1, 1024, 1024),
        from_profile("cpu-avx2, batch 256", "cpu-avx2", 256, 1024, 1024),
        from_profile("gpu-ampere, random", "gpu-ampere", **gemm_dims(rng)),
        from_profile("npu-systolic, large", "npu-systolic", 4096, 4096, 4096),
        from_profile("mcu-m4, random", "mcu-m4", **gemm_dims(rng)),
        case("no bytes", flops=1e9, bytes_moved=0.0, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
        case("no flops", flops=0.0, bytes_moved=3e6, peak_flops=1e12, bandwidth_bytes_per_s=1e9),
    ]


# ---------------------------------------------------------------- judge

judge = number_judge(REFERENCE, "s", integer=False)


# ---------------------------------------------------------------- naive versions, one mistake each

def compute_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return flops / peak_flops


def rounded_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return round(max(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s), 3)


def min_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return min(flops / peak_flops, bytes_moved / bandwidth_bytes_per_s)


# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("sum_not_max", "added compute and memory time", same=same_number,
               hint="The roofline assumes compute and data movement overlap: latency is the *slower* of the two, "
                    "max(flops / peak_flops, bytes / bandwidth), not their sum.")
def sum_roofline_latency(flops, bytes_moved, peak_flops, bandwidth_bytes_per_s):
    return flops / peak_flops + bytes_moved / bandwidth_bytes_per_s


ONE_SIDE = Mistake(
    "one_side", "used one side of the roofline (the faster one here)",
    "Your latency equals the faster side only. Compute both, flops / peak_flops and bytes_moved / "
    "bandwidth_bytes_per_s, and return the slower: the layer cannot finish before either is done. "
    "(Batch 1 is usually memory-bound, large batches compute-bound.)",
    same_number(min_roofline_latency), naive=compute_roofline_latency)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, sum_roofline_latency, ONE_SIDE, ROUNDED.made_by(rounded_roofline_latency),
)


EXERCISE = Exercise("roofline_latency", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
