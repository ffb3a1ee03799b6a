"""Self-grading: ``check(name, fn)`` runs a learner's function on public and hidden cases and explains mistakes.

Modules, one idea each:

* :mod:`~hwprune_edu.grading.cases`: the inputs (public, and seeded hidden ones);
* :mod:`~hwprune_edu.grading.judges`: verdicts by the properties every right answer has;
* :mod:`~hwprune_edu.grading.mistakes`: naive implementations making the blog's mistakes;
* :mod:`~hwprune_edu.grading.catalogue`: recognising a wrong answer's mistake, with a hint;
* :mod:`~hwprune_edu.grading.sandbox`, :mod:`~hwprune_edu.grading.transport`: calling learner code safely,
  and bringing back its outputs as plain data;
* :mod:`~hwprune_edu.grading.checks`: the exercise registry, ``check`` and ``summary``;
* :mod:`~hwprune_edu.grading.report`: how results look (HTML table in Jupyter, text elsewhere);
* :mod:`~hwprune_edu.grading.expose`: exercise 5, inputs that expose a bug;
* :mod:`~hwprune_edu.grading.pictures`: mask pictures for the exercises;
* :mod:`~hwprune_edu.grading.simulator_check`: exercise 4's numbers next to the simulator's;
* :mod:`~hwprune_edu.grading.build` and :mod:`~hwprune_edu.grading.batch`: the
  ``build-exercises`` and ``grade`` commands.

>>> from hwprune_edu.grading import check
>>> check("magnitude_mask", lambda weights, amount: weights != weights).passed
False
"""

from hwprune_edu.grading.checks import EXERCISES, NOTEBOOKS, check, summary
from hwprune_edu.grading.expose import buggy_source
from hwprune_edu.grading.mistakes import BUGGY
from hwprune_edu.grading.report import Case, Report, Summary

__all__ = ["check", "summary", "Report", "Case", "Summary", "EXERCISES", "NOTEBOOKS", "BUGGY", "buggy_source"]
