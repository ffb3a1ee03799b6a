"""Exercise 4e, ``systolic_cycles``: cycles of a weight-stationary systolic array, fold by fold."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case, gemm_dims
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, naive_mistake, same_number
from hwprune_edu.grading.judging import number_judge


REFERENCE, NOTEBOOK = hardware.systolic_cycles, "04_hardware_cost"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    return [
        case("one fold", True, m=1, n=256, k=256, rows=256, cols=256),
        case("two folds along K", True, m=16, n=256, k=512, rows=256, cols=256),
        case("one column too many", m=1, n=257, k=256, rows=256, cols=256),
        case("rectangular array", m=8, n=100, k=300, rows=128, cols=64),
        case("1 x 1 x 1", m=1, n=1, k=1, rows=4, cols=4),
        case("exact multiples", m=64, n=512, k=512, rows=128, cols=128),
        *[case("random", **gemm_dims(rng), rows=int(rng.choice([32, 64, 128, 256])),
                cols=int(rng.choice([16, 32, 64, 128]))) for _ in range(3)],
    ]


# ---------------------------------------------------------------- judge

judge = number_judge(REFERENCE, "cycles", integer=True)


# ---------------------------------------------------------------- naive versions, one mistake each

# ---------------------------------------------------------------- mistakes, most specific first

@naive_mistake("floor_folds", "floor instead of ceiling for the folds", same=same_number,
               hint="A partial tile still needs a whole fold: ceil(K / R) * ceil(N / C), i.e. -(-K // R), not K // R.")
def floor_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * max(1, k // rows) * max(1, n // cols)


@naive_mistake("no_fill_drain", "forgot filling and draining the array", same=same_number,
               hint="Each fold also fills and drains the array: (2R + C + M - 2) cycles per fold, not M.")
def streaming_only_systolic_cycles(m, n, k, rows, cols):
    return m * -(-k // rows) * -(-n // cols)


@naive_mistake("rows_cols_swapped", "mapped K to columns", same=same_number,
               hint="In SCALE-Sim's weight-stationary mapping K runs down the R rows and N across the C columns: "
                    "ceil(K / R) * ceil(N / C) folds of (2R + C + M - 2) cycles.")
def swapped_systolic_cycles(m, n, k, rows, cols):
    return (2 * cols + rows + m - 2) * -(-k // cols) * -(-n // rows)


@naive_mistake("ideal_macs", "ideal MACs / PEs", same=same_number,
               hint="M*N*K / (R*C) is the ideal with a perfectly fed array; count folds and their fill/drain time "
                    "instead: (2R + C + M - 2) * ceil(K / R) * ceil(N / C).")
def ideal_systolic_cycles(m, n, k, rows, cols):
    return -(-(m * n * k) // (rows * cols))


@naive_mistake("one_fold", "counted one fold", same=same_number,
               hint="A GEMM larger than the array needs ceil(K / R) * ceil(N / C) folds; multiply by them.")
def one_fold_systolic_cycles(m, n, k, rows, cols):
    return 2 * rows + cols + m - 2


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, floor_systolic_cycles, streaming_only_systolic_cycles, swapped_systolic_cycles,
    ideal_systolic_cycles, one_fold_systolic_cycles,
)


EXERCISE = Exercise("systolic_cycles", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
