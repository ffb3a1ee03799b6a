"""Exercise 5, spot the bug: an input exposing each of the blog's buggy versions (``expose_*``), then the fix (``fix_*``).

The learner reads a buggy version (:data:`~hwprune_edu.grading.blog.BUGGY`)
and writes a function returning a small input that makes it go wrong
(judged by :func:`~hwprune_edu.grading.expose.expose_judge`), then writes the
function right: ``fix_<target>`` is the target's own exercise, with the same
cases, checked again in this notebook.

>>> [e.name for e in EXERCISES[:4]]
['expose_weight_pruning', 'fix_weight_pruning', 'expose_magnitude_mask', 'fix_magnitude_mask']
"""

from __future__ import annotations

import numpy as np

from hwprune_edu.grading.blog import BUGGY
from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.common_mistakes import FIRST
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake
from hwprune_edu.grading.exercises import activation_pruning, magnitude_mask, neuron_scores, nm_mask, weight_pruning
from hwprune_edu.grading.expose import expose_judge

NOTEBOOK = "05_spot_the_bug"
#: The exercises whose buggy versions the notebook shows, in its order.
TARGETS = (weight_pruning.EXERCISE, magnitude_mask.EXERCISE, nm_mask.EXERCISE, neuron_scores.EXERCISE,
           activation_pruning.EXERCISE)

#: The hint for an input that does not expose the bug: where to look.
HINTS = {
    "weight_pruning": "Read how the buggy version builds its result: what happens to a weight at or below the "
                      "threshold, and what does that do to the shape of a row?",
    "magnitude_mask": "It compares every |w| with the k-th smallest value. What happens when several entries share "
                      "exactly that value?",
    "nm_mask": "It reshapes to (-1, m) straight away. For which `axis`, or which shape of weights, are those rows "
               "not the groups that run along `axis`?",
    "neuron_scores": "It averages the activations as they are. Which signs would make a busy neuron average to "
                     "(almost) nothing?",
    "activation_pruning": "It computes one number for the whole layer. Build a layer where most neurons are busy "
                          "but one is silent.",
}


def your_input(rng: np.random.Generator) -> list[CaseSpec]:
    """The one case of an ``expose_*`` exercise: the learner's function takes nothing and returns the input."""
    return [CaseSpec("your input", {}, public=True)]


def _not_exposed(attempt: Attempt) -> bool:
    return attempt.status == "ok" and isinstance(attempt.output, dict)


def exposing(target: Exercise) -> Exercise:
    """``expose_<target>``: an input on which the buggy version of ``target`` goes wrong."""
    not_exposed = Mistake("not_exposed", "the input does not expose the bug", HINTS[target.name], _not_exposed)
    return Exercise(f"expose_{target.name}", None, NOTEBOOK, your_input, expose_judge(target, BUGGY[target.name]),
                    (*FIRST, not_exposed), numbered=False)


EXERCISES = tuple(exercise for target in TARGETS
                  for exercise in (exposing(target), target.again(f"fix_{target.name}", NOTEBOOK)))
