"""Exercise 4c, ``gemm_arithmetic_intensity``: FLOPs per byte moved, the roofline's x axis."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, ROUNDED, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, naive_mistake, same_number
from hwprune_edu.grading.judging import number_judge
from hwprune_edu.grading.exercises import gemm_bytes


REFERENCE, NOTEBOOK = hardware.gemm_arithmetic_intensity, "04_hardware_cost"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """Two public cases of its own, then the hidden cases of ``gemm_bytes`` (same arguments, other question)."""
    drawn = gemm_bytes.cases(rng)
    drawn[0:2] = [case("", True, kw=("bytes_per_element",), m=1, n=1024, k=1024, bytes_per_element=4),
                  case("square", True, kw=("bytes_per_element",), m=1024, n=1024, k=1024, bytes_per_element=4)]
    return drawn


# ---------------------------------------------------------------- judge

judge = number_judge(REFERENCE, "FLOP/byte", integer=False)


# ---------------------------------------------------------------- naive versions, one mistake each

def rounded_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return round(2 * m * n * k / (bytes_per_element * (m * k + k * n + m * n)), 1)


# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("macs_per_byte", "MACs per byte instead of FLOPs", same=same_number,
               hint="Arithmetic intensity is in FLOP/byte, and a MAC is 2 FLOPs: 2*M*N*K / bytes.")
def macs_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return m * n * k / (bytes_per_element * (m * k + k * n + m * n))


@naive_mistake("elements_not_bytes", "divided by elements, not bytes", same=same_number,
               hint="Divide by bytes moved: (M*K + K*N + M*N) * bytes_per_element.")
def elements_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return 2 * m * n * k / (m * k + k * n + m * n)


@naive_mistake("forgot_output", "did not count the output's bytes", same=same_number,
               hint="The bytes moved include writing C (M x N), not only reading A and B.")
def inputs_only_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return 2 * m * n * k / (bytes_per_element * (m * k + k * n))


@naive_mistake("inverted", "bytes per FLOP", same=same_number,
               hint="Intensity is FLOPs divided by bytes (FLOP/byte), not bytes per FLOP.")
def bytes_per_flop_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return bytes_per_element * (m * k + k * n + m * n) / (2 * m * n * k)


@naive_mistake("flops_doubled", "doubled the FLOPs twice", same=same_number,
               hint="FLOPs are 2 x MACs, once: 2*M*N*K. Doubling a count that is already in FLOPs gives 4*M*N*K.")
def doubled_gemm_intensity(m, n, k, *, bytes_per_element=4):
    return 4 * m * n * k / (bytes_per_element * (m * k + k * n + m * n))


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, macs_gemm_intensity, elements_gemm_intensity, inputs_only_gemm_intensity,
    bytes_per_flop_gemm_intensity, doubled_gemm_intensity, ROUNDED.made_by(rounded_gemm_intensity),
)


EXERCISE = Exercise("gemm_arithmetic_intensity", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
