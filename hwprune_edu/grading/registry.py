"""The course's exercises, in order: :data:`EXERCISES` (id -> record) and :data:`NOTEBOOKS` (notebook -> ids).

Adding an exercise is one file in :mod:`hwprune_edu.grading.exercises` and
one line here.

>>> NOTEBOOKS["02_structured_masks"]
('structured_mask', 'nm_mask', 'block_mask')
>>> EXERCISES["fix_nm_mask"].notebook, EXERCISES["fix_nm_mask"].judge is EXERCISES["nm_mask"].judge
('05_spot_the_bug', True)
"""

from __future__ import annotations

from typing import Callable

from hwprune_edu.grading.exercise import Exercise
from hwprune_edu.grading.exercises import (
    activation_pruning, block_mask, gemm_arithmetic_intensity, gemm_bytes, gemm_macs, global_magnitude_masks,
    magnitude_mask, neuron_scores, nm_mask, remove_neurons, roofline_latency, spot_the_bug, structured_mask,
    systolic_cycles, threshold_mask, weight_pruning,
)
from hwprune_edu.grading.exercises import sparsegpt_column_step, wanda_mask

__all__ = ["EXERCISES", "NOTEBOOKS", "exercise", "references"]

_COURSE = (
    # 01_weight_pruning
    threshold_mask.EXERCISE, magnitude_mask.EXERCISE, global_magnitude_masks.EXERCISE, weight_pruning.EXERCISE,
    # 02_structured_masks
    structured_mask.EXERCISE, nm_mask.EXERCISE, block_mask.EXERCISE,
    # 03_activation_pruning
    neuron_scores.EXERCISE, remove_neurons.EXERCISE, activation_pruning.EXERCISE,
    # 04_hardware_cost
    gemm_macs.EXERCISE, gemm_bytes.EXERCISE, gemm_arithmetic_intensity.EXERCISE, roofline_latency.EXERCISE,
    systolic_cycles.EXERCISE,
    # 05_spot_the_bug
    *spot_the_bug.EXERCISES,
    # 06_one_shot_pruning
    wanda_mask.EXERCISE, sparsegpt_column_step.EXERCISE,
)

#: exercise id -> its record, in course order.
EXERCISES: dict[str, Exercise] = {e.name: e for e in _COURSE}

#: notebook name -> the exercise ids it checks, in order.
NOTEBOOKS: dict[str, tuple[str, ...]] = {}
for _exercise in _COURSE:
    NOTEBOOKS[_exercise.notebook] = (*NOTEBOOKS.get(_exercise.notebook, ()), _exercise.name)


def exercise(name: str) -> Exercise:
    """The exercise with id ``name``; ValueError naming the known ids otherwise."""
    if not isinstance(name, str) or name not in EXERCISES:
        raise ValueError(f"name must be an exercise id, one of {sorted(EXERCISES)}; got {name!r}")
    return EXERCISES[name]


def references() -> list[Callable]:
    """The library functions the exercises re-implement (a learner must not hand one in as theirs)."""
    return list({id(e.reference): e.reference for e in _COURSE if e.reference is not None}.values())
