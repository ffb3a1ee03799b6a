"""One file per exercise: its reference, notebook, cases, judge, and its mistakes with their hints and naive versions.

Each module defines ``REFERENCE``, ``NOTEBOOK``, ``cases(rng)``, ``judge(case, output)``,
``MISTAKES`` (most specific first) and the :class:`~hwprune_edu.grading.exercise.Exercise`
record ``EXERCISE`` that gathers them; :mod:`~hwprune_edu.grading.exercises.spot_the_bug`
(exercise 5) builds its ten exercises from five of the others. The course's
list of them, in order, is :mod:`hwprune_edu.grading.registry`.
"""
