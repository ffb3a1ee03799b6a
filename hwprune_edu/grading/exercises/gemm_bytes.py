"""Exercise 4b, ``gemm_bytes``: the bytes a GEMM must move at least (A and B read once, C written once)."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case, gemm_dims
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, naive_mistake, same_number
from hwprune_edu.grading.judging import number_judge


REFERENCE, NOTEBOOK = hardware.gemm_bytes, "04_hardware_cost"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    kw = ("bytes_per_element",)
    return [
        case("", True, kw=kw, m=2, n=3, k=4, bytes_per_element=4),
        case("GEMV, fp16", True, kw=kw, m=1, n=1024, k=1024, bytes_per_element=2),
        *[case(label, kw=kw, **gemm_dims(rng), bytes_per_element=bpe)
          for label, bpe in (("fp32", 4), ("fp16", 2), ("int8", 1), ("fp32", 4))],
        case("1 x 1 x 1", kw=kw, m=1, n=1, k=1, bytes_per_element=4),
        case("square, int8", kw=kw, m=512, n=512, k=512, bytes_per_element=1),
    ]


# ---------------------------------------------------------------- judge

judge = number_judge(REFERENCE, "bytes", integer=False)


# ---------------------------------------------------------------- naive versions, one mistake each

# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("forgot_output", "did not count the output", same=same_number,
               hint="Count every matrix that must move once: read A (M x K) and B (K x N), and write C (M x N).")
def inputs_only_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return bytes_per_element * (m * k + k * n)


@naive_mistake("elements_not_bytes", "counted elements, not bytes", same=same_number,
               hint="Multiply the element count by bytes_per_element (4 for fp32, 2 for fp16, 1 for int8).")
def elements_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return m * k + k * n + m * n


@naive_mistake("bits_not_bytes", "counted bits", same=same_number,
               hint="bytes_per_element is already in bytes: do not multiply by 8.")
def bits_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 8 * bytes_per_element * (m * k + k * n + m * n)


@naive_mistake("operands_per_mac", "counted operands per MAC", same=same_number,
               hint="The roofline's bytes are the minimum traffic: each matrix moves once (M*K + K*N + M*N elements), "
                    "not three operands per MAC. Reuse in caches or on-chip buffers is what makes that possible.")
def per_mac_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 3 * m * n * k * bytes_per_element


@naive_mistake("fixed_element_size", "assumed 4 bytes per element", same=same_number,
               hint="Use the bytes_per_element argument (2 for fp16, 1 for int8); 4 is only fp32's size.")
def fixed_size_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return 4 * (m * k + k * n + m * n)


@naive_mistake("weights_only", "counted only the weights", same=same_number,
               hint="The weights (K x N) are not all the traffic: the input A (M x K) is read and the output "
                    "C (M x N) written too. At batch 1 the weights dominate, at a large batch they do not.")
def weights_only_gemm_bytes(m, n, k, *, bytes_per_element=4):
    return bytes_per_element * k * n


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, inputs_only_gemm_bytes, elements_gemm_bytes, bits_gemm_bytes,
    per_mac_gemm_bytes, fixed_size_gemm_bytes, weights_only_gemm_bytes,
)


EXERCISE = Exercise("gemm_bytes", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
