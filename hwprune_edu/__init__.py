"""hwprune-edu: a course-in-a-box on hardware-aware neural-network pruning.

Layers, bottom to top (lower layers never import higher ones):

* NumPy core: :mod:`hwprune_edu.pruning` (masks, activation statistics,
  neuron removal), :mod:`hwprune_edu.interview` (the blog's two functions,
  corrected) and :mod:`hwprune_edu.hardware` (the toy hardware simulator).
* PyTorch adapters: :mod:`hwprune_edu.nn`, :mod:`hwprune_edu.nn.data`,
  :mod:`hwprune_edu.nn.search` (the only modules that import torch).
* Grading, quizzes and the command line on top.

Importing this package imports NumPy only, so interview drills start fast.

>>> import hwprune_edu
>>> hwprune_edu.__version__.count(".")
2
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
