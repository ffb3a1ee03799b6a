"""Self-grading: ``check(name, fn)`` runs a learner's function on public and hidden cases and explains mistakes.

Modules, one idea each:

* :mod:`~hwprune_edu.grading.exercises`: one file per exercise: its reference, notebook, cases, judge,
  and its mistakes with their hints and naive versions;
* :mod:`~hwprune_edu.grading.registry`: every exercise in course order (``EXERCISES``, ``NOTEBOOKS``);
* what the exercise files share: :mod:`~hwprune_edu.grading.exercise` (``Exercise``, ``Mistake``,
  ``Attempt``), :mod:`~hwprune_edu.grading.cases` (``CaseSpec`` and the value makers),
  :mod:`~hwprune_edu.grading.judging` (``Verdict``, reading outputs, generic judges),
  :mod:`~hwprune_edu.grading.common_mistakes` and :mod:`~hwprune_edu.grading.blog` (the blog's
  buggy versions that exercise 5 shows);
* :mod:`~hwprune_edu.grading.sandbox`, :mod:`~hwprune_edu.grading.transport`: calling learner code safely,
  and bringing back its outputs as plain data;
* :mod:`~hwprune_edu.grading.checks`: ``check`` and ``summary``;
* :mod:`~hwprune_edu.grading.report`: how results look (HTML table in Jupyter, text elsewhere);
* :mod:`~hwprune_edu.grading.expose`: exercise 5, inputs that expose a bug;
* :mod:`~hwprune_edu.grading.pictures`: mask pictures for the exercises;
* :mod:`~hwprune_edu.grading.simulator_check`: exercise 4's numbers next to the simulator's;
* :mod:`~hwprune_edu.grading.build` and :mod:`~hwprune_edu.grading.batch`: the
  ``build-exercises`` and ``grade`` commands; ``grade`` runs each submission in
  a confined process (:mod:`~hwprune_edu.grading.confine`: bubblewrap, limits,
  a view of the package without the references) driven by
  :mod:`~hwprune_edu.grading.drive` through :mod:`~hwprune_edu.grading.runner`
  (the script inside the sandbox).

>>> from hwprune_edu.grading import check
>>> check("magnitude_mask", lambda weights, amount: weights != weights).passed
False
"""

from hwprune_edu.grading.blog import BUGGY
from hwprune_edu.grading.checks import check, summary
from hwprune_edu.grading.expose import buggy_source
from hwprune_edu.grading.registry import EXERCISES, NOTEBOOKS
from hwprune_edu.grading.report import Case, Report, Summary

__all__ = ["check", "summary", "Report", "Case", "Summary", "EXERCISES", "NOTEBOOKS", "BUGGY", "buggy_source"]
