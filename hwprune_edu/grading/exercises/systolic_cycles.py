"""Exercise 4e, ``systolic_cycles``: cycles of a weight-stationary systolic array, fold by fold."""

from __future__ import annotations

import numpy as np

from hwprune_edu import hardware
from hwprune_edu.grading.cases import CaseSpec, case, gemm_dims
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, naive_mistake, same_number
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

def floor_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * max(1, k // rows) * max(1, n // cols)


def k_folds_only_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * -(-k // rows)


def n_folds_only_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * -(-n // cols)


def folds_swapped_systolic_cycles(m, n, k, rows, cols):
    return (2 * rows + cols + m - 2) * -(-k // cols) * -(-n // rows)


def fill_drain_off_systolic_cycles(m, n, k, rows, cols):
    return (rows + cols + m - 1) * -(-k // rows) * -(-n // cols)


def _only(naive, *others):
    """Matches ``naive``'s number and none of ``others``' (when two mistakes explain a number, name neither)."""
    return lambda a: same_number(naive)(a) and not any(same_number(o)(a) for o in others)


def _fill_drain_off(a: Attempt) -> bool:
    got = a.number()
    args = a.arguments
    folds = -(-args["k"] // args["rows"]) * -(-args["n"] // args["cols"])
    if got is None or got % folds:
        return False
    per_fold = got // folds
    r, c, m = args["rows"], args["cols"], args["m"]
    # R + C + M - 1, 2R + C + M, R + C + M - 2 ...: the right folds with another fill/drain constant.
    return any(per_fold == a_r * r + c + m + b for a_r in (1, 2) for b in range(-3, 2) if (a_r, b) != (2, -2))


def _one_fold(m, n, k, rows, cols):
    return 2 * rows + cols + m - 2


_FOLD_MISTAKES = (floor_systolic_cycles, k_folds_only_systolic_cycles, n_folds_only_systolic_cycles,
                  folds_swapped_systolic_cycles, _one_fold)

FLOOR_FOLDS = Mistake(
    "floor_folds", "floor instead of ceiling for the folds",
    "A partial tile still needs a whole fold: ceil(K / R) * ceil(N / C), i.e. -(-K // R), not K // R.",
    _only(floor_systolic_cycles, *_FOLD_MISTAKES[1:]), naive=floor_systolic_cycles)
ONE_FOLD = Mistake(
    "one_fold", "counted one fold",
    "A GEMM larger than the array needs ceil(K / R) * ceil(N / C) folds; multiply by them.",
    _only(_one_fold, *_FOLD_MISTAKES[:4]), naive=_one_fold)
K_FOLDS_ONLY = Mistake(
    "missing_n_folds", "counted only the folds along K",
    "The array holds an R x C tile of the weights, so the GEMM needs ceil(K / R) folds down the rows *times* "
    "ceil(N / C) across the columns.",
    _only(k_folds_only_systolic_cycles, *_FOLD_MISTAKES[:1], *_FOLD_MISTAKES[2:]), naive=k_folds_only_systolic_cycles)
N_FOLDS_ONLY = Mistake(
    "missing_k_folds", "counted only the folds along N",
    "The array holds an R x C tile of the weights, so the GEMM needs ceil(N / C) folds across the columns *times* "
    "ceil(K / R) down the rows.",
    _only(n_folds_only_systolic_cycles, *_FOLD_MISTAKES[:2], *_FOLD_MISTAKES[3:]), naive=n_folds_only_systolic_cycles)
FOLDS_SWAPPED = Mistake(
    "folds_swapped", "divided K by C and N by R",
    "K (the reduction) runs down the R rows and N across the C columns: ceil(K / R) * ceil(N / C) folds, not "
    "ceil(K / C) * ceil(N / R).",
    _only(folds_swapped_systolic_cycles, *_FOLD_MISTAKES[:3], _one_fold), naive=folds_swapped_systolic_cycles)
FILL_DRAIN_OFF = Mistake(
    "fill_drain_constant", "right folds, another fill/drain time per fold",
    "The folds are right; the cycles per fold are not. In this weight-stationary model a fold takes "
    "2R + C + M - 2 cycles: R to load the weights, then the M inputs skew through R rows and C columns "
    "(R + C + M - 2).",
    _fill_drain_off, naive=fill_drain_off_systolic_cycles)


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


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, FLOOR_FOLDS, K_FOLDS_ONLY, N_FOLDS_ONLY, FOLDS_SWAPPED,
    streaming_only_systolic_cycles, swapped_systolic_cycles, ideal_systolic_cycles, ONE_FOLD,
    FILL_DRAIN_OFF,
)


EXERCISE = Exercise("systolic_cycles", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)
