"""Exercise 4a, ``gemm_macs``: the multiply-accumulates of an (M x K) @ (K x N) GEMM."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case, gemm_dims
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, Mistake, naive_mistake, same_number
from hwprune_edu.grading.judging import number_judge


REFERENCE, NOTEBOOK = hardware.gemm_macs, "04_hardware_cost"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    return [
        case("", True, m=2, n=3, k=4),
        case("batch 1", True, m=1, n=1024, k=1024),
        *[case("random", **gemm_dims(rng)) for _ in range(3)],
        case("1 x 1 x 1", m=1, n=1, k=1),
        case("large", m=4096, n=4096, k=4096),
        case("non-square", m=int(rng.integers(2, 9)), n=int(rng.integers(10, 99)), k=int(rng.integers(100, 999))),
    ]


# ---------------------------------------------------------------- judge

judge = number_judge(REFERENCE, "MACs", integer=True)


# ---------------------------------------------------------------- naive versions, one mistake each

def weights_only_gemm_macs(m, n, k):
    return n * k


# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("flops_not_macs", "counted FLOPs, not MACs", same=same_number,
               hint="A multiply-accumulate (MAC) is one multiply and one add: M*N*K MACs, which are 2*M*N*K FLOPs. "
                    "Return the MACs.")
def flops_gemm_macs(m, n, k):
    return 2 * m * n * k


FORGOT_A_DIMENSION = Mistake(
    "forgot_a_dimension", "left out a dimension",
    "Every one of the M*N outputs is a dot product of length K: M*N*K MACs. A product of only two of "
    "them misses the batch (M) or the reduction (K).",
    lambda a: same_number(weights_only_gemm_macs)(a) or same_number(lambda m, n, k: m * n)(a)
                or same_number(lambda m, n, k: m * k)(a), naive=weights_only_gemm_macs)


@naive_mistake("additions_only", "counted the additions of each dot product", same=same_number,
               hint="A dot product of length K has K multiply-accumulates (K products, each added into the sum): "
                    "M*N*K MACs. M*N*(K - 1) counts only the additions between the products.")
def additions_gemm_macs(m, n, k):
    return m * n * (k - 1)


MISTAKES = (MUTATED, SIGNATURE, RETURNS_NONE, flops_gemm_macs, additions_gemm_macs, FORGOT_A_DIMENSION)


EXERCISE = Exercise("gemm_macs", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
